/// <reference lib="webworker" />
/**
 * The service worker that makes the built page work offline after its first load.
 *
 * Built by src/offline/precache-plugin.ts (vite build only) into a classic script, /sw.js,
 * wrapped in a function that first defines `__TABULA_SW__`: the list of every file of the build
 * with its content hash, and the version (a hash over all of them) that names the cache.
 * It may import types only: it is compiled on its own, not bundled.
 *
 * - install: stores every file of the build in Cache Storage (files unchanged since an earlier
 *   version are copied from that version's cache, the rest downloaded and checked against their
 *   hash), then takes over at once (skipWaiting).
 * - activate: deletes the caches of earlier versions, except the files of the previous version
 *   that this one lacks (pages still running it may load them), and controls open pages
 *   (clients.claim).
 * - fetch: same-origin GETs for files of the build are answered from the cache (navigations get
 *   index.html whatever their query string), falling back to the network; other same-origin GETs
 *   from the previous version's leftovers, else the network. Every response from the cache carries
 *   the cross-origin isolation headers. Cross-origin and non-GET requests are not touched.
 */
import type { FailedMessage, PrecacheEntry, PrecacheManifest, ProgressMessage, StatusReply, StatusRequest } from './protocol';

declare const self: ServiceWorkerGlobalScope;
declare const __TABULA_SW__: {
  manifest: PrecacheManifest;
  cachePrefix: string;
  revisionHeader: string;
  /** headers every response must carry (COOP/COEP/CORP), added where a response lacks them */
  headers: Record<string, string>;
  /** file served to navigations that name no file of the build, e.g. `index.html` */
  navigationFallback: string;
};

const { manifest, cachePrefix, revisionHeader, headers: isolationHeaders, navigationFallback } = __TABULA_SW__;
const CACHE_NAME = cachePrefix + manifest.version;
/** the build root: sw.js sits at its top */
const ROOT = new URL('./', self.location.href);
/** absolute path of each file of the build → its entry */
const ENTRIES = new Map<string, PrecacheEntry>(manifest.entries.map((entry) => [new URL(entry.url, ROOT).pathname, entry]));
const FALLBACK_PATH = new URL(navigationFallback, ROOT).pathname;
const TOTAL_BYTES = manifest.entries.reduce((sum, entry) => sum + entry.size, 0);
const DOWNLOADS_AT_ONCE = 4;

self.addEventListener('install', (event) => {
  event.waitUntil(
    precache().then(
      () => self.skipWaiting(),
      async (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        await broadcast({ type: 'tabula-sw:failed', version: manifest.version, message } satisfies FailedMessage);
        throw error;
      },
    ),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      // Cache names come back in the order they were created: the last is the newest earlier version.
      const earlier = (await caches.keys()).filter((name) => name.startsWith(cachePrefix) && name !== CACHE_NAME);
      const previous = earlier.at(-1);
      await Promise.all(earlier.filter((name) => name !== previous).map((name) => caches.delete(name)));
      // The previous version keeps only the files this version no longer has (its hashed chunks), for
      // pages still running it: see serveEarlier.
      if (previous) {
        const cache = await caches.open(previous);
        const keys = await cache.keys();
        await Promise.all(keys.filter((request) => ENTRIES.has(new URL(request.url).pathname)).map((request) => cache.delete(request)));
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  const request = event.data as StatusRequest | null;
  const port = event.ports[0];
  if (request?.type !== 'tabula-sw:status' || !port) return;
  event.waitUntil(
    status().then(
      (reply) => port.postMessage(reply),
      () => port.postMessage({ type: 'tabula-sw:status', version: manifest.version, cached: 0, total: ENTRIES.size, complete: false } satisfies StatusReply),
    ),
  );
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // A request the cache cannot answer by definition (DevTools sends these): leave it alone.
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
  const path = request.mode === 'navigate' ? navigationPath(url.pathname) : assetPath(url.pathname);
  event.respondWith(path ? serve(request, path) : serveEarlier(request, url.pathname));
});

/** The file of the build a navigation gets: the file it names, else the app's page (index.html). */
function navigationPath(pathname: string): string {
  return assetPath(pathname) ?? FALLBACK_PATH;
}

function assetPath(pathname: string): string | undefined {
  if (ENTRIES.has(pathname)) return pathname;
  if (pathname.endsWith('/') && ENTRIES.has(`${pathname}index.html`)) return `${pathname}index.html`;
  return undefined;
}

async function serve(request: Request, path: string): Promise<Response> {
  const cache = await caches.open(CACHE_NAME);
  const cached = await cache.match(path, { ignoreSearch: true, ignoreVary: true });
  // Not cached (still installing, or evicted): the network, as without a service worker.
  const response = cached ? withIsolation(cached) : await fetch(request);
  const range = request.headers.get('Range');
  return cached && range ? rangeOf(response, range) : response;
}

/**
 * A file that is not part of this version: a page loaded before this version took over (skipWaiting)
 * may still ask for its own version's chunks, e.g. when it starts a worker; the previous version's
 * cache has them. Anything else goes to the network, as without a service worker.
 */
async function serveEarlier(request: Request, pathname: string): Promise<Response> {
  for (const name of (await caches.keys()).reverse()) {
    if (name === CACHE_NAME || !name.startsWith(cachePrefix)) continue;
    const cached = await (await caches.open(name)).match(pathname, { ignoreVary: true });
    if (cached) {
      const range = request.headers.get('Range');
      return range ? rangeOf(withIsolation(cached), range) : withIsolation(cached);
    }
  }
  return fetch(request);
}

/** Downloads (or copies from an earlier version's cache) every file missing from this version's cache. */
async function precache(): Promise<void> {
  const cache = await caches.open(CACHE_NAME);
  const present = new Set((await cache.keys()).map((request) => new URL(request.url).pathname));
  const missing = [...ENTRIES].filter(([path]) => !present.has(path));
  let stored = TOTAL_BYTES - missing.reduce((sum, [, entry]) => sum + entry.size, 0);
  const report = () =>
    broadcast({ type: 'tabula-sw:progress', version: manifest.version, fraction: TOTAL_BYTES > 0 ? stored / TOTAL_BYTES : 1 } satisfies ProgressMessage);
  await report();
  const queue = [...missing];
  let failed = false;
  const worker = async () => {
    for (let next = queue.shift(); next && !failed; next = queue.shift()) {
      const [path, entry] = next;
      try {
        await cache.put(path, (await fromEarlierVersion(path, entry)) ?? (await download(path, entry)));
      } catch (error) {
        failed = true;
        throw error;
      }
      stored += entry.size;
      await report();
    }
  };
  await Promise.all(Array.from({ length: Math.min(DOWNLOADS_AT_ONCE, queue.length) }, worker));
}

/** The same file (same revision) from the cache of another version, if one still has it. */
async function fromEarlierVersion(path: string, entry: PrecacheEntry): Promise<Response | undefined> {
  for (const name of await caches.keys()) {
    if (name === CACHE_NAME || !name.startsWith(cachePrefix)) continue;
    const response = await (await caches.open(name)).match(path, { ignoreSearch: true, ignoreVary: true });
    if (response?.headers.get(revisionHeader) === entry.revision) return response;
  }
  return undefined;
}

/** Downloads a file of the build, checks it is this build's (size and hash), and adds our headers. */
async function download(path: string, entry: PrecacheEntry): Promise<Response> {
  // no-cache: revalidate with the server, so a stale copy in the HTTP cache is never stored.
  const response = await fetch(new URL(path, self.location.origin), { cache: 'no-cache', credentials: 'same-origin' });
  if (!response.ok || response.type !== 'basic') throw new Error(`${path}: HTTP ${response.status}`);
  const body = await response.arrayBuffer();
  const revision = await hashOf(body);
  if (body.byteLength !== entry.size || revision !== entry.revision) {
    throw new Error(`${path}: the server's copy is not this build's (missing there, or a newer build was deployed meanwhile)`);
  }
  const headers = new Headers(response.headers);
  // The body is decoded: its encoding and length headers must describe it as it is now.
  headers.delete('Content-Encoding');
  headers.set('Content-Length', String(body.byteLength));
  headers.set(revisionHeader, entry.revision);
  for (const [name, value] of Object.entries(isolationHeaders)) if (!headers.has(name)) headers.set(name, value);
  return new Response(body, { status: 200, statusText: response.statusText, headers });
}

async function hashOf(bytes: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** A response that carries the cross-origin isolation headers (cached ones normally already do). */
function withIsolation(response: Response): Response {
  const lacking = Object.entries(isolationHeaders).filter(([name]) => !response.headers.has(name));
  if (lacking.length === 0) return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of lacking) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/**
 * The part of a cached (whole, 200) response that a `Range: bytes=a-b` request asks for, as a
 * 206; 416 when it lies outside the file; the whole file for any other form of range (multiple
 * ranges), which HTTP allows.
 */
async function rangeOf(response: Response, range: string): Promise<Response> {
  const match = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  if (!match || response.status !== 200 || (match[1] === '' && match[2] === '')) return response;
  const blob = await response.blob();
  const size = blob.size;
  let start: number;
  let end: number;
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2])); // the last N bytes
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  const headers = new Headers(response.headers);
  if (start >= size || start > end) {
    headers.set('Content-Range', `bytes */${size}`);
    headers.delete('Content-Length');
    return new Response(null, { status: 416, statusText: 'Range Not Satisfiable', headers });
  }
  const part = blob.slice(start, end + 1);
  headers.set('Content-Range', `bytes ${start}-${end}/${size}`);
  headers.set('Content-Length', String(part.size));
  return new Response(part, { status: 206, statusText: 'Partial Content', headers });
}

/** A refill of this version's cache under way (at most one at a time). */
let repairing: Promise<void> | null = null;

/** How many files of this version are cached; fills in any that are missing (evicted) first. */
async function status(): Promise<StatusReply> {
  const count = async () => {
    const keys = await (await caches.open(CACHE_NAME)).keys();
    return new Set(keys.map((request) => new URL(request.url).pathname).filter((path) => ENTRIES.has(path))).size;
  };
  let cached = await count();
  if (cached < ENTRIES.size) {
    repairing ??= precache()
      .catch(() => {})
      .finally(() => (repairing = null));
    await repairing;
    cached = await count();
  }
  return { type: 'tabula-sw:status', version: manifest.version, cached, total: ENTRIES.size, complete: cached === ENTRIES.size };
}

/** Tells every page in scope, controlled or not yet (the first visit), how installing goes. */
async function broadcast(message: ProgressMessage | FailedMessage): Promise<void> {
  const clients = await self.clients.matchAll({ includeUncontrolled: true, type: 'window' });
  for (const client of clients) client.postMessage(message);
}
