import { api } from '$lib/api/client';
import { pageError } from '$lib/api/load';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url }) => {
  const tracks = await api.get('/api/tracks', { fetch }).catch(pageError);
  return { tracks: tracks.items, initialTrack: url.searchParams.get('track') ?? '' };
};
