// `pnpm test`: the whole suite — integration tests on PGlite and on the PostgreSQL server, then the end-to-end tests
// in Chromium — followed by one plain closing line with the counts. Extra arguments go to vitest.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const out = join('test-results', 'vitest.json');
mkdirSync('test-results', { recursive: true });
const vitest = join('node_modules', 'vitest', 'vitest.mjs');
const r = spawnSync(process.execPath, [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...process.argv.slice(2)], { stdio: 'inherit' });
let code = r.status ?? 1;
if (existsSync(out)) {
  const report = JSON.parse(readFileSync(out, 'utf8'));
  const skipped = report.numPendingTests + (report.numTodoTests ?? 0);
  console.log(`\n${report.numPassedTests} passed, ${report.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`);
  if (report.numTotalTests === 0) code = 1;
}
process.exit(code);
