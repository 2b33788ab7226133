import type { PageLoad } from './$types';

export const load: PageLoad = ({ url }) => ({ code: url.searchParams.get('code') ?? '' });
