/**
 * Runs a function against the built app's benchmark page in the system Chromium: builds the
 * app if needed, serves it with `vite preview` on a free local port, and cleans up after.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from '@playwright/test';
import { build, preview } from 'vite';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs `use` on the bench page; past `timeoutMs` the browser is closed and this rejects. */
export async function withBenchPage<T>(use: (page: Page) => Promise<T>, timeoutMs = 30 * 60_000): Promise<T> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`);
  if (!existsSync(`${ROOT}dist/bench.html`)) {
    process.stderr.write('building the app for the browser benchmark…\n');
    await build({ root: ROOT, logLevel: 'warn' });
  }
  const port = await freePort();
  const server = await preview({ root: ROOT, logLevel: 'warn', preview: { port, strictPort: true, host: '127.0.0.1' } });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/bench.html`);
    await page.waitForFunction(() => 'tabulaBench' in window);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const overtime = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`gave up after ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    });
    try {
      return await Promise.race([use(page), overtime]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
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
