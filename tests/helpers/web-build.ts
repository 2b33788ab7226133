import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the end-to-end run builds the web app: a directory of its own outside the checkout, named after the
 * checkout, so `pnpm test` never replaces `web/build` under a server started from the same checkout.
 */
export const E2E_WEB_BUILD_DIR = join(tmpdir(), `mtp-e2e-web-${createHash('sha256').update(process.cwd()).digest('hex').slice(0, 12)}`);
