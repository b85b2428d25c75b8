/**
 * Runs a function against the built app in the system Chromium: builds the app if needed, serves
 * it with `vite preview` on a free local port, and cleans up after.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from '@playwright/test';
import { build, preview } from 'vite';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Records in `window.stepTimes` the page time of every change of the step counter, from the
 * first moment of every page load: the seconds per step as a visitor sees them.
 */
export async function recordStepTimes(target: Pick<Page, 'addInitScript'>): Promise<void> {
  await target.addInitScript(() => {
    const w = window as unknown as { stepTimes: number[] };
    w.stepTimes = [];
    let last = '';
    new MutationObserver(() => {
      const now = document.querySelector('[data-testid=step]')?.textContent ?? '';
      if (now === last) return;
      last = now;
      w.stepTimes.push(performance.now());
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
}

/** Runs `use` on the bench page; past `timeoutMs` the browser is closed and this rejects. */
export function withBenchPage<T>(use: (page: Page) => Promise<T>, timeoutMs = 30 * 60_000): Promise<T> {
  return withBuiltApp(
    async (browser, origin) => {
      const page = await browser.newPage();
      await page.goto(`${origin}/bench.html`);
      await page.waitForFunction(() => 'tabulaBench' in window);
      return use(page);
    },
    { timeoutMs },
  );
}

/**
 * Serves the built app (building it first when asked, or when there is none) and hands `use` a
 * Chromium and the app's origin; past `timeoutMs` the browser is closed and this rejects.
 */
export async function withBuiltApp<T>(
  use: (browser: Browser, origin: string) => Promise<T>,
  options: { timeoutMs?: number; rebuild?: boolean } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30 * 60_000;
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`);
  if (options.rebuild || !existsSync(`${ROOT}dist/bench.html`)) {
    process.stderr.write('building the app…\n');
    await build({ root: ROOT, logLevel: 'warn' });
  }
  const port = await freePort();
  const server = await preview({ root: ROOT, logLevel: 'warn', preview: { port, strictPort: true, host: '127.0.0.1' } });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const overtime = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`gave up after ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    });
    return await Promise.race([use(browser, `http://127.0.0.1:${port}`), overtime]);
  } finally {
    clearTimeout(timer);
    await browser.close();
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
