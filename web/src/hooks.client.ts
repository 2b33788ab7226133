import type { HandleClientError } from '@sveltejs/kit';

/**
 * An unexpected error in the browser: logged for whoever debugs it, shown by +error.svelte. An address no route
 * answers is not an error of the app: the page says so to the person, and the console stays quiet.
 */
export const handleError: HandleClientError = ({ error, status, message }) => {
  if (status !== 404) console.error(error);
  return { message };
};
