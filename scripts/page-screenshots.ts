/**
 * The README's screenshots: the page after `minutes` of training with default settings, then
 * the same moment in class mode. Builds the app, trains in the system Chromium, and writes
 * docs/page-mid-run.png and docs/page-class-mode.png.
 *   npx tsx scripts/page-screenshots.ts [minutes=3]
 */
import { withBuiltApp } from '../src/cli/bench-browser';

const minutes = Number(process.argv.find((a) => a.startsWith('minutes='))?.slice(8) ?? 3);

await withBuiltApp(
  async (browser, origin) => {
    const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
    await page.goto(`${origin}/`);
    const start = page.getByRole('button', { name: 'Start', exact: true });
    await start.waitFor();
    await page.waitForFunction(() => !(document.querySelector('.controls .primary') as HTMLButtonElement | null)?.disabled, undefined, { timeout: 300_000 });
    await start.click();
    await page.waitForTimeout(minutes * 60_000);
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid=status]')?.getAttribute('data-status') === 'idle', undefined, { timeout: 300_000 });
    // content-visibility leaves off-screen feed cards blank in a full-page shot: show them all
    await page.addStyleTag({ content: '.feed-item { content-visibility: visible !important; }' });
    const step = await page.getByTestId('step').textContent();
    await page.screenshot({ path: 'docs/page-mid-run.png', fullPage: true });
    await page.getByRole('button', { name: 'Class mode' }).click();
    await page.screenshot({ path: 'docs/page-class-mode.png', fullPage: true });
    process.stdout.write(`step ${step} after ${minutes} minutes: docs/page-mid-run.png, docs/page-class-mode.png\n`);
  },
  { rebuild: true, timeoutMs: (minutes + 10) * 60_000 },
);
