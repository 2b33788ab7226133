import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

// The end-to-end tests run against the real built web app: build it once for the run.
export default function setup() {
  if (!existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium')) {
    throw new Error('Chromium is missing: install it with `apt-get install -y chromium` (the .ci/run script does).');
  }
  const web = join(process.cwd(), 'web');
  const r = spawnSync(process.execPath, [join(web, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'error'], { cwd: web, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('vite build failed');
}
