/**
 * Runs that survive the browser: two tabs of one run (one trains, the other watches read-only,
 * copies it, or takes over when the first closes), and a save refused because the origin's
 * storage is full (simulated in the real IndexedDB transaction, which is aborted).
 */
import { type BrowserContext, expect, type Page, test } from '@playwright/test';

test.describe.configure({ mode: 'serial' });

let context: BrowserContext;

const stepOf = async (page: Page) => Number(await page.getByTestId('step').textContent());
const waitReady = async (page: Page) => {
  await expect(page.getByTestId('python-status')).toContainText('ready', { timeout: 180_000 });
  await expect(page.getByTestId('backend')).toHaveText(/^(webgpu|webgl|wasm|cpu)$/, { timeout: 180_000 });
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'idle', { timeout: 60_000 });
};
const oneStep = async (page: Page) => {
  const before = await stepOf(page);
  await page.getByRole('button', { name: 'Step' }).click();
  await expect(page.getByTestId('step')).toHaveText(String(before + 1), { timeout: 240_000 });
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'idle', { timeout: 60_000 });
  await expect(page.getByText(`Saved at step ${before + 1}`)).toBeVisible();
};
const open = async (path: string) => {
  const page = await context.newPage();
  await page.goto(path);
  await waitReady(page);
  return page;
};

test.beforeAll(async ({ browser }) => {
  context = await browser.newContext({ viewport: { width: 1300, height: 1000 } });
});

test.afterAll(async () => {
  await context.close();
});

test('two tabs of one run: one trains, the other is read-only, follows it, copies it, and takes over when it closes', async () => {
  test.setTimeout(600_000);
  const writer = await open('/');
  await oneStep(writer);
  const runId = new URL(writer.url()).searchParams.get('run');
  expect(runId).toBeTruthy();

  const reader = await open(`/?run=${runId}`);
  await expect(reader.getByTestId('read-only')).toBeVisible();
  await expect(reader.getByRole('status').filter({ hasText: 'open in another tab, which trains and saves it' })).toBeVisible();
  await expect(reader.getByRole('button', { name: 'Start', exact: true })).toBeDisabled();
  await expect(reader.getByRole('button', { name: 'Step', exact: true })).toBeDisabled();
  expect(await stepOf(reader)).toBe(1);
  await expect(writer.getByTestId('read-only')).toHaveCount(0);

  // The writer's next save shows up in the reader.
  await oneStep(writer);
  await expect(reader.getByTestId('step')).toHaveText('2', { timeout: 30_000 });

  // A third tab trains a copy; the original stays with the writer.
  const third = await open(`/?run=${runId}`);
  await third.getByRole('button', { name: 'Train a copy here' }).click();
  await expect(third.getByRole('status').filter({ hasText: 'a copy of' })).toBeVisible({ timeout: 60_000 });
  await expect(third.getByTestId('read-only')).toHaveCount(0);
  await oneStep(third);
  expect(new URL(third.url()).searchParams.get('run')).not.toBe(runId);
  await third.close();

  // The writer closes: the reader takes the run over from its last save and trains it.
  await writer.close();
  await expect(reader.getByRole('status').filter({ hasText: 'this tab trains it now, from its last save (step 2)' })).toBeVisible({ timeout: 60_000 });
  await expect(reader.getByTestId('read-only')).toHaveCount(0);
  await oneStep(reader);
  await reader.close();
});

test('a save refused because storage is full says so, offers Runs, and keeps the last good save', async () => {
  test.setTimeout(600_000);
  const page = await open('/');
  await oneStep(page);
  const saved = await stepOf(page);
  await page.getByRole('tab', { name: 'Runs' }).click();
  await expect(page.getByTestId('storage-use')).toContainText(/Saved runs take about [\d.]+ (kB|MB)/);
  await expect(page.locator('[data-testid=run-row][aria-current=true] td').nth(2)).toHaveText(/[\d.]+ (kB|MB)/);

  // The next saves fail as on a full disk: written, then the transaction aborts.
  const simulateFull = (on: boolean) =>
    page.evaluate(
      (on) => (window as unknown as { __tabulaTest: { simulateStorageFull(on: boolean): Promise<void> } }).__tabulaTest.simulateStorageFull(on),
      on,
    );
  await simulateFull(true);
  await page.getByRole('button', { name: 'Step' }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'storage for this page is full' });
  await expect(alert).toContainText(`so step ${saved + 1} was not saved; the last good save (step ${saved}) is kept whole`, { timeout: 240_000 });
  await expect(page.getByTestId('step')).toHaveText(String(saved + 1));
  await page.getByRole('tab', { name: 'Watch' }).click();
  await alert.getByRole('button', { name: 'Open Runs' }).click();
  await expect(page.getByRole('tab', { name: 'Runs' })).toHaveAttribute('aria-selected', 'true');

  // A reload resumes from the last good save, whole.
  await page.reload();
  await waitReady(page);
  expect(await stepOf(page)).toBe(saved);
  await expect(page.getByRole('status').filter({ hasText: 'Resumed' })).toBeVisible();
  await page.close();
});

type TestHooks = { killPythonWorker(): Promise<boolean>; killTrainer(): void; health(): Promise<{ workerReplacements: number; step: number }> };
const hooks = (page: Page) => page.evaluateHandle(() => (window as unknown as { __tabulaTest: TestHooks }).__tabulaTest);

test('a Python worker killed mid-step: its programs run again on a fresh worker and training goes on', async () => {
  test.setTimeout(600_000);
  const page = await open('/');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  // Kill a worker while it runs programs (trying until one is caught busy).
  const caughtBusy = async () => {
    for (const end = Date.now() + 240_000; Date.now() < end; await page.waitForTimeout(100)) {
      if (await (await hooks(page)).evaluate((h) => h.killPythonWorker())) return true;
    }
    return false;
  };
  expect(await caughtBusy()).toBe(true);
  const at = await stepOf(page);
  await expect(page.getByTestId('step')).toHaveText(String(at + 2), { timeout: 240_000 });
  expect(await (await hooks(page)).evaluate((h) => h.health().then((x) => x.workerReplacements))).toBeGreaterThanOrEqual(1);
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'running');
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'idle', { timeout: 240_000 });
  await page.close();
});

test('the trainer worker killed mid-step: a new one resumes from the last save and trains on', async () => {
  test.setTimeout(600_000);
  const page = await open('/');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(page.getByText(/Saved at step [1-9]/)).toBeVisible({ timeout: 240_000 });
  await (await hooks(page)).evaluate((h) => h.killTrainer());
  const notice = page.getByRole('status').filter({ hasText: 'so a new one resumed the run from its last save (step' });
  await expect(notice).toBeVisible({ timeout: 180_000 });
  await expect(notice).toContainText('stopped answering');
  await expect(notice).toContainText('and trains on');
  const resumed = Number(/last save \(step (\d+)\)/.exec((await notice.textContent()) ?? '')![1]);
  expect(resumed).toBeGreaterThanOrEqual(1);
  await expect(page.getByTestId('step')).toHaveText(String(resumed + 1), { timeout: 240_000 });
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'running');
  await page.close();
});
