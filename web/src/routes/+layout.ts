// The app runs in the browser (single-page mode): pages load data from /api with the session cookie.
export const ssr = false;
export const prerender = false;
