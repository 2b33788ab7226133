import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { E2E_WEB_BUILD_DIR } from '../helpers/web-build.js';

// The end-to-end tests run against the real built web app: build it once for the run, into a directory of its own
// (WEB_BUILD_OUT, read by web/svelte.config.js), so a server running from web/build keeps its files.
export default function setup() {
  if (!existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium')) {
    throw new Error('Chromium is missing: install it with `apt-get install -y chromium` (the .ci/run script does).');
  }
  const web = join(process.cwd(), 'web');
  const r = spawnSync(process.execPath, [join(web, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'error'], {
    cwd: web, stdio: 'inherit', env: { ...process.env, WEB_BUILD_OUT: E2E_WEB_BUILD_DIR },
  });
  if (r.status !== 0) throw new Error('vite build failed');
}
