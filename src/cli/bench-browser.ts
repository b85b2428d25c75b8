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

export async function withBenchPage<T>(use: (page: Page) => Promise<T>): Promise<T> {
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
    return await use(page);
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
