/**
 * A page that tells the truth about learning: the held-out chart leads, with its floor and the
 * sample size behind it; a collapse is said in words (forced here by the collapseEntropy setting,
 * which makes any real entropy count as collapsed); and class mode speaks plainly and shows an
 * example of each step. Screenshots of both views go to test-reports/screenshots.
 */
import { type BrowserContext, expect, type Page, test } from '@playwright/test';

test.describe.configure({ mode: 'serial' });

const SHOTS = 'test-reports/screenshots';
/** Words a class should not meet: optimiser, backend and loss jargon. */
const JARGON = /entropy|gradient|policy|backend|optimi[sz]er|adamw|\bloss\b|wasm|webgpu|webgl|hindsight|trr\+\+|reinforce|learnability|pyodide|worker/i;

let context: BrowserContext;
let page: Page;

const stepOf = async () => Number(await page.getByTestId('step').textContent());

test.beforeAll(async ({ browser }) => {
  context = await browser.newContext({ viewport: { width: 1300, height: 1000 } });
  page = await context.newPage();
});

test.afterAll(async () => {
  await context.close();
});

test('the held-out chart leads with its floor and sample size, and a collapse is said plainly', async () => {
  test.setTimeout(480_000);
  await page.goto('/?preset=tiny&seed=4&evalEvery=1&evalTasks=2&collapseEntropy=10');
  await expect(page.getByTestId('backend')).toHaveText(/^(webgpu|webgl|wasm|cpu)$/, { timeout: 180_000 });
  await expect(page.getByRole('button', { name: 'Start', exact: true })).toBeEnabled({ timeout: 60_000 });
  // Before any data, the chart area says why it is empty.
  await expect(page.getByText('Charts appear after the first step')).toBeVisible();
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=step]')?.textContent) >= 2, undefined, { timeout: 360_000 });
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'idle', { timeout: 120_000 });

  const lead = page.getByTestId('chart-eval-levels');
  await expect(page.locator('.chart-grid > figure').first()).toHaveAttribute('data-testid', 'chart-eval-levels');
  await expect(lead.locator('.u-legend')).toContainText('Level 1 floor');
  // 2 tasks per type and level, 3 types: 6 a level.
  await expect(page.getByTestId('note-eval-levels')).toHaveText(/^Step \d+: 6 tasks a level \(3 task types\), so one task is 16\.7 points\.$/);
  await expect(lead).toHaveClass(/lead/);
  const widths = await page.locator('.chart-grid > figure').evaluateAll((figures) => figures.slice(0, 2).map((f) => f.getBoundingClientRect().width));
  expect(widths[0]!).toBeGreaterThan(widths[1]! * 1.5);

  const collapse = page.getByTestId('collapse-warning');
  await expect(collapse).toContainText('The proposer looks collapsed');
  await expect(collapse).toContainText('under 10');
  await expect(collapse).toContainText('Try a higher temperature');
  // The "press Start" welcome has gone now that it has trained.
  await expect(page.getByText('press Start to watch it play')).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/honest-page.png`, fullPage: true });
});

test('class mode hides the jargon, shows an example of the step, and is remembered', async () => {
  test.setTimeout(240_000);
  const toggle = page.getByRole('button', { name: 'Class mode' });
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  const allCharts = await page.locator('.chart-grid > figure').count();
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');

  const example = page.getByTestId('step-example');
  await expect(example).toContainText(`An example from step ${await stepOf()}`);
  await expect(example).toContainText('The model answered');
  await expect(page.getByTestId('example-verdict')).toHaveText(/^(✓ Right|✗ Wrong)$/);
  await expect(page.getByTestId('stage-update')).toContainText('The model changes a little');
  await expect(page.getByTestId('collapse-warning')).toContainText('stopped trying new things');
  expect(await page.locator('.chart-grid > figure').count()).toBeLessThan(allCharts);
  // biome-ignore lint/performance/useDomNodeTextContent: the text a pupil sees, not the hidden parts (Playwright's innerText)
  const text = await page.locator('main').innerText();
  expect(text.match(JARGON)?.[0] ?? null).toBeNull();
  await page.screenshot({ path: `${SHOTS}/class-mode.png`, fullPage: true });

  await page.reload();
  await expect(page.getByRole('button', { name: 'Class mode' })).toHaveAttribute('aria-pressed', 'true', { timeout: 60_000 });
  await page.getByRole('button', { name: 'Class mode' }).click();
  await expect(page.getByRole('button', { name: 'Class mode' })).toHaveAttribute('aria-pressed', 'false');
});
