// `pnpm lint`: eslint (type-aware), then dependency-cruiser's architecture rules. Every step runs even when an
// earlier one failed, so one run shows everything that is wrong; the exit code is non-zero if any step failed.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const bin = (pkg, file) => join('node_modules', pkg, file);
const steps = [
  // web/tsconfig.json extends the generated .svelte-kit/tsconfig.json, which eslint's project service needs.
  ['svelte-kit sync', ['pnpm', '--filter', 'web', 'exec', 'svelte-kit', 'sync']],
  ['eslint', [process.execPath, bin('eslint', 'bin/eslint.js'), ...process.argv.slice(2)]],
  ['dependency-cruiser: architecture', [process.execPath, bin('dependency-cruiser', 'bin/dependency-cruise.mjs'),
    '--config', '.dependency-cruiser.cjs', 'api/src', 'web/src', 'tests', 'bench', 'scripts', 'migrations']],
  ['dependency-cruiser: cycles between domains', [process.execPath, bin('dependency-cruiser', 'bin/dependency-cruise.mjs'),
    '--config', '.dependency-cruiser.domains.cjs', 'api/src/modules']],
];

const failed = [];
for (const [name, [cmd, ...args]] of steps) {
  console.log(`\n== lint: ${name}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) failed.push(name);
}
console.log(failed.length ? `\nlint failed: ${failed.join('; ')}` : '\nlint passed');
process.exit(failed.length ? 1 : 0);
