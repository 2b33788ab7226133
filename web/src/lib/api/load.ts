import { error } from '@sveltejs/kit';
import { ApiError } from './client';

/**
 * For page loads: a failed request becomes SvelteKit's error page (routes/+error.svelte) with the API's own message,
 * already in the user's language; a lost connection counts as 503.
 */
export function pageError(e: unknown): never {
  if (e instanceof ApiError) error(e.status || 503, { message: e.detail, code: e.code, requestId: e.requestId });
  throw e;
}
