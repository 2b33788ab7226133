// `pnpm start`: builds what is missing or older than its sources (the web app with vite, the API with esbuild), then
// runs the built server with plain `node` in this terminal. `pnpm dev` (`--dev`) runs the API from its TypeScript
// sources through tsx instead, restarting it when a file changes. `pnpm db:migrate` (`--migrate`) builds the API if
// needed and runs the built migrate command. Signals are passed on, so Ctrl-C and SIGTERM shut the server down
// gracefully.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const web = join(root, 'web');
const handler = join(web, 'build', 'handler.js');
const server = join(root, 'api', 'dist', 'server.js');
const dev = process.argv.includes('--dev');
const migrateOnly = process.argv.includes('--migrate');

function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let t = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    t = Math.max(t, newest(join(path, entry.name)));
  }
  return t;
}
const stale = (output, sources) => !existsSync(output) || statSync(output).mtimeMs < Math.max(...sources.map(newest));

if (!migrateOnly && stale(handler, [join(web, 'src'), join(web, 'static'), join(web, 'svelte.config.js'), join(root, 'csp.json')])) {
  console.log('Building the web app…');
  const vite = join(web, 'node_modules', 'vite', 'bin', 'vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: web, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

let args;
if (dev) {
  args = ['--import', 'tsx', '--watch', join(root, 'api', 'src', 'server.ts')];
} else {
  // The bundle holds the dependencies as well, so a changed lock file (an upgraded package) rebuilds it too.
  if (stale(server, [join(root, 'api', 'src'), join(root, 'migrations'), join(root, 'csp.json'), join(root, 'pnpm-lock.yaml'), join(root, 'scripts', 'build-api.mjs')])) {
    console.log('Building the API…');
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'build-api.mjs')], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  args = [migrateOnly ? join(root, 'api', 'dist', 'migrate.js') : server];
}

const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
