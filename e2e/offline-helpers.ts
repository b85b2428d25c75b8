import { type BrowserContext, expect, type Page, type Request, type Response } from '@playwright/test';
import type { StatusReply } from '../src/offline/protocol';

/** What happened to the app's own (same-origin) requests made after the network went away. */
export interface OfflineRecord {
  /**
   * `URL (error)` of each same-origin request started offline that failed; requests the page
   * itself cancelled (net::ERR_ABORTED, e.g. a worker still loading when the page navigates
   * away) are not failures of the offline copy and are left out
   */
  failed: string[];
  /** same-origin responses started offline that did not come from the service worker */
  notFromServiceWorker: string[];
  /** same-origin requests the service worker sent to the network after going offline (it had no cached copy) */
  fromNetwork: string[];
  /** stops recording (the listeners otherwise live as long as the context) */
  stop(): void;
}

/**
 * Waits until the service worker controls the page and has stored every file of the build in
 * Cache Storage (asked directly, so this does not depend on where the page shows its badge).
 */
export async function waitForOfflineReady(page: Page): Promise<StatusReply> {
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, undefined, { timeout: 60_000 });
  const reply = await page.evaluate(
    () =>
      new Promise<StatusReply>((resolve) => {
        const channel = new MessageChannel();
        channel.port1.onmessage = (event: MessageEvent<StatusReply>) => resolve(event.data);
        navigator.serviceWorker.controller!.postMessage({ type: 'tabula-sw:status' }, [channel.port2]);
      }),
  );
  expect(reply.total).toBeGreaterThan(0);
  expect(reply, `${reply.total - reply.cached} files missing from the offline copy`).toMatchObject({ complete: true });
  return reply;
}

/**
 * The first visit: opens `url`, waits until the whole build is stored for offline use, then
 * takes the network away (for the page, its workers and the service worker). The page stays
 * where it is; reload or navigate next. From then on, every same-origin request is recorded:
 * expect `failed`, `notFromServiceWorker` and `fromNetwork` to stay empty.
 */
export async function goOfflineAfterFirstVisit(page: Page, context: BrowserContext, url = '/'): Promise<OfflineRecord> {
  await page.goto(url);
  await waitForOfflineReady(page);
  await context.setOffline(true);

  // The network really is gone for the service worker too: had it missed a file in its cache,
  // its own fetch would fail (and show in `fromNetwork`).
  const [serviceWorker] = context.serviceWorkers();
  if (serviceWorker) {
    const probe = `/offline-probe-${Date.now()}`;
    expect(
      await serviceWorker.evaluate(
        (path) =>
          fetch(path, { cache: 'no-store' }).then(
            () => 'online',
            () => 'offline',
          ),
        probe,
      ),
    ).toBe('offline');
  }

  const origin = new URL(page.url()).origin;
  const started = new WeakSet<object>();
  const ours = (requestUrl: string) => requestUrl.startsWith(`${origin}/`);
  const onRequest = (request: Request) => {
    if (!ours(request.url())) return;
    started.add(request);
    // Requests the service worker itself makes go to the network: it found no cached copy.
    if (request.serviceWorker()) record.fromNetwork.push(request.url());
  };
  const onRequestFailed = (request: Request) => {
    const error = request.failure()?.errorText ?? 'failed';
    if (started.has(request) && error !== 'net::ERR_ABORTED') record.failed.push(`${request.url()} (${error})`);
  };
  const onResponse = (response: Response) => {
    if (started.has(response.request()) && !response.fromServiceWorker()) record.notFromServiceWorker.push(response.url());
  };
  const record: OfflineRecord = {
    failed: [],
    notFromServiceWorker: [],
    fromNetwork: [],
    stop: () => {
      context.off('request', onRequest);
      context.off('requestfailed', onRequestFailed);
      context.off('response', onResponse);
    },
  };
  context.on('request', onRequest);
  context.on('requestfailed', onRequestFailed);
  context.on('response', onResponse);
  return record;
}
