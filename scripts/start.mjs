// `pnpm start`: builds what is missing or was built from sources whose content differs (the web app with vite, the API
// runs the built server with plain `node` in this terminal. `pnpm dev` (`--dev`) runs the API from its TypeScript
// sources through tsx instead, restarting it when a file changes. `pnpm db:migrate` (`--migrate`) builds the API if
// needed and runs the built migrate command. Signals are passed on, so Ctrl-C and SIGTERM shut the server down
// gracefully.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const web = join(root, 'web');
const handler = join(web, 'build', 'handler.js');
const server = join(root, 'api', 'dist', 'server.js');
const dev = process.argv.includes('--dev');
const migrateOnly = process.argv.includes('--migrate');

/** The files under these paths (node_modules left out), by name and content, as one SHA-256. */
function sourcesHash(paths) {
  const hash = createHash('sha256');
  const walk = (path) => {
    if (!existsSync(path)) return;
    if (!statSync(path).isDirectory()) {
      hash.update(relative(root, path).split(sep).join('/')).update('\0').update(readFileSync(path)).update('\0');
      return;
    }
    for (const name of readdirSync(path).sort()) if (name !== 'node_modules') walk(join(path, name));
  };
  paths.forEach(walk);
  return hash.digest('hex');
}

/**
 * Builds `output` unless it exists and was built from sources with the same content (the hash is kept beside it in
 * `stamp`): a checkout, a pull or a copy that touches the files without changing them builds nothing. The build's
 * own chatter (its file list, the preview hint, plugin timings) is kept back; it is shown only when the build fails.
 */
async function buildIfChanged(label, output, stamp, sources, args, cwd) {
  const hash = sourcesHash(sources);
  if (existsSync(output) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === hash) return;
  process.stdout.write(`Building the ${label}… `);
  const t0 = performance.now();
  const out = [];
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => out.push(d));
    child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });
  if (code !== 0) {
    process.stdout.write('failed:\n');
    process.stderr.write(Buffer.concat(out));
    process.exit(code);
  }
  writeFileSync(stamp, hash + '\n');
  console.log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

const lock = join(root, 'pnpm-lock.yaml');
const csp = join(root, 'csp.json');
if (!migrateOnly) {
  await buildIfChanged('web app', handler, join(web, 'build', '.sources-sha256'),
    [join(web, 'src'), join(web, 'static'), join(web, 'svelte.config.js'), join(web, 'vite.config.ts'), join(web, 'package.json'), csp, lock],
    [join(web, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], web);
}

let args;
if (dev) {
  args = ['--import', 'tsx', '--watch', join(root, 'api', 'src', 'server.ts')];
} else {
  // The bundle holds the dependencies as well, so a changed lock file (an upgraded package) rebuilds it too.
  await buildIfChanged('API', server, join(root, 'api', 'dist', '.sources-sha256'),
    [join(root, 'api', 'src'), join(root, 'api', 'package.json'), join(root, 'migrations'), csp, lock, join(root, 'scripts', 'build-api.mjs')],
    [join(root, 'scripts', 'build-api.mjs'), '--quiet'], root);
  args = [migrateOnly ? join(root, 'api', 'dist', 'migrate.js') : server];
}

const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
// A stop asked for (Ctrl-C, SIGTERM) is passed on, and the server's graceful exit (0) is this script's: pnpm then has
// no failure to report.
let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { stopping = true; child.kill(sig); });
child.on('exit', (code, signal) => process.exit(code ?? (signal && !stopping ? 1 : 0)));
// pnpm does not pass a SIGTERM it receives on to this script: it exits at once and leaves this process to the init
// process. A server left behind that way would keep the port and the database, so a parent that is gone stops it too.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent && !stopping) {
    stopping = true;
    child.kill('SIGTERM');
  }
}, 500).unref();
