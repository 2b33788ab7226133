/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
import { build, files, version } from '$service-worker';

// The app shell (this build's files) and what a person needs to read a module they opened before, offline.
// Each deploy has a new version, so a new worker installs a new shell cache and removes the old ones.
const sw = self as unknown as ServiceWorkerGlobalScope;
const SHELL = `shell-${version}`;
/** The modules this person opened (GET /api/modules/:id and its images) and their own /api/me, for the guard. */
const READER = 'reader';
const SHELL_FILES = [...build, ...files];
const SHELL_SET = new Set(SHELL_FILES);
const MODULE = /^\/api\/modules\/[^/]+$/;
const MODULE_ASSET = /^\/api\/modules\/[^/]+\/assets\/[^/]+$/;

sw.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL).then((c) => c.addAll([...SHELL_FILES, '/'])).then(() => sw.skipWaiting()));
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('shell-') && k !== SHELL).map((k) => caches.delete(k))))
    .then(() => sw.clients.claim()));
});

/** Network first; a good answer is kept, and the kept one answers when the network does not. */
async function networkFirst(request: Request, cacheName: string, fallback?: string): Promise<Response> {
  const cache = await caches.open(cacheName);
  try {
    const res = await fetch(request);
    if (res.ok) await cache.put(request, res.clone());
    else if (res.status === 401 || res.status === 403 || res.status === 404) await cache.delete(request);
    return res;
  } catch (err) {
    const kept = (await cache.match(request)) ?? (fallback ? await cache.match(fallback) : undefined);
    if (kept) return kept;
    throw err;
  }
}

sw.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (url.origin !== location.origin) return;
  const path = url.pathname;

  // Signing in or out: whatever the previous person read stops being kept (a phone may be shared).
  if (request.method === 'POST' && (path === '/api/auth/logout' || path === '/api/auth/login')) {
    event.waitUntil(caches.delete(READER));
    return;
  }
  if (request.method !== 'GET') return;

  if (SHELL_SET.has(path)) {
    event.respondWith(caches.match(path).then((hit) => hit ?? fetch(request)));
    return;
  }
  // Pages: every address gets the same SPA document of this build; the network's copy when it answers.
  if (request.mode === 'navigate') {
    event.respondWith(networkFirst(request, SHELL, '/'));
    return;
  }
  // The reader's data: the module, its images and who is signed in. Nothing else from the API is kept.
  if (MODULE.test(path) || MODULE_ASSET.test(path) || path === '/api/me') {
    event.respondWith(networkFirst(request, READER));
  }
});
