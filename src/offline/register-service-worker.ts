/**
 * Registers the offline service worker (/sw.js, emitted by `vite build` only) and keeps a small
 * state for the page: 'installing' while it stores the build in Cache Storage, 'ready' once
 * every file is stored and it is active (and controls this page), 'failed' when that went
 * wrong, 'unsupported' where there is no service worker (dev server, no secure context,
 * browsers or modes without them). Nothing here blocks the page: the first visit loads
 * normally while the service worker installs in the background.
 */
import { create } from 'zustand';
import type { FromServiceWorker, StatusReply, StatusRequest } from './protocol';

export type OfflineState =
  | { status: 'unsupported'; message: string }
  /** fraction: bytes stored so far / total, null before the service worker reports */
  | { status: 'installing'; fraction: number | null }
  | { status: 'ready'; version: string }
  | { status: 'failed'; message: string };

/** The offline state (a zustand store: use it as a hook, or getState / subscribe outside React). */
export const useOfflineState = create<OfflineState>(() => ({ status: 'unsupported', message: 'not registered yet' }));

const set = (state: OfflineState) => useOfflineState.setState(state, true);

let registered = false;

/** Registers /sw.js once the page has loaded. Safe to call more than once. */
export function registerServiceWorker(): void {
  if (registered) return;
  registered = true;
  if (!('serviceWorker' in navigator) || !window.isSecureContext) {
    set({ status: 'unsupported', message: 'this browser (or mode) has no service workers' });
    return;
  }
  if (!import.meta.env.PROD) {
    set({ status: 'unsupported', message: 'offline use is set up by the built app only (not the dev server)' });
    // A service worker left by a build served on this origin would serve that build: remove it.
    void navigator.serviceWorker.getRegistrations().then((registrations) => {
      for (const registration of registrations) {
        if (registration.active?.scriptURL.endsWith('/sw.js')) void registration.unregister();
      }
    });
    return;
  }
  set({ status: 'installing', fraction: null });
  const container = navigator.serviceWorker;
  container.addEventListener('message', (event: MessageEvent<FromServiceWorker>) => {
    const message = event.data;
    const current = useOfflineState.getState();
    if (message?.type === 'tabula-sw:progress' && current.status === 'installing') {
      set({ status: 'installing', fraction: message.fraction });
    } else if (message?.type === 'tabula-sw:failed' && current.status !== 'ready') {
      set({ status: 'failed', message: `could not store the app for offline use: ${message.message}` });
    }
  });
  container.addEventListener('controllerchange', () => void check());
  // Loaded by the service worker already (every visit after the first): ask it straight away.
  if (container.controller) void check();
  const start = () => void register();
  if (document.readyState === 'complete') start();
  else window.addEventListener('load', start, { once: true });
}

async function register(): Promise<void> {
  const container = navigator.serviceWorker;
  let registration: ServiceWorkerRegistration | undefined;
  try {
    registration = await container.register(`${import.meta.env.BASE_URL}sw.js`, { scope: import.meta.env.BASE_URL, updateViaCache: 'none' });
  } catch (error) {
    // Offline, registering fails on the update check: the installed worker still serves.
    registration = await container.getRegistration().catch(() => undefined);
    if (!registration?.active) {
      set({ status: 'failed', message: `the service worker could not be registered: ${(error as Error).message ?? error}` });
      return;
    }
  }
  const installing = registration.installing ?? registration.waiting;
  if (installing && !registration.active) {
    installing.addEventListener('statechange', () => {
      if (installing.state === 'redundant' && !registration.active && useOfflineState.getState().status !== 'failed') {
        set({ status: 'failed', message: 'could not store the app for offline use (the service worker failed to install)' });
      }
    });
  }
  await container.ready;
  await check();
}

/**
 * Asks the active service worker whether every file of its version is stored ('ready' then).
 * It normally also controls this page by now (clients.claim); a page loaded with a hard reload
 * is not controlled, but offline use is still ready for the next load.
 */
async function check(): Promise<void> {
  const registration = await navigator.serviceWorker.getRegistration();
  const worker = navigator.serviceWorker.controller ?? registration?.active;
  if (!worker) return;
  const reply = await ask(worker);
  if (reply.complete) set({ status: 'ready', version: reply.version });
  else set({ status: 'failed', message: `${reply.total - reply.cached} of ${reply.total} files are missing from the offline copy` });
}

function ask(worker: ServiceWorker): Promise<StatusReply> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event: MessageEvent<StatusReply>) => resolve(event.data);
    worker.postMessage({ type: 'tabula-sw:status' } satisfies StatusRequest, [channel.port2]);
  });
}
