/**
 * The page as a user meets it, in one browser session (so the backend is measured once): load,
 * train, watch, search the buffers, try the model, pause/step, reload, export/import, reset,
 * settings from a link, and training with the network cut off.
 */
import { readFile } from 'node:fs/promises';
import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { goOfflineAfterFirstVisit } from './offline-helpers';

test.describe.configure({ mode: 'serial' });

/** Kept after the run (Playwright empties test-results/ when it starts). */
const SHOTS = 'test-reports/screenshots';
let context: BrowserContext;
let page: Page;

const step = async () => Number(await page.getByTestId('step').textContent());
const waitForStep = (n: number, timeout = 240_000) =>
  page.waitForFunction((target) => Number(document.querySelector('[data-testid=step]')?.textContent) >= target, n, { timeout });
const waitForStatus = (status: string, timeout = 120_000) => expect(page.getByTestId('status')).toHaveAttribute('data-status', status, { timeout });
const openTab = (name: string) => page.getByRole('tab', { name }).click();
const waitReady = async () => {
  await expect(page.getByTestId('python-status')).toContainText('ready', { timeout: 180_000 });
  await expect(page.getByTestId('backend')).toHaveText(/^(webgpu|webgl|wasm|cpu)$/, { timeout: 180_000 });
  await expect(page.getByRole('button', { name: 'Start' })).toBeEnabled({ timeout: 60_000 });
};
/** The numbers of a chart's "Show as table", as the user (or a screen reader) reads them. */
async function chartTable(id: string): Promise<string[]> {
  const figure = page.locator('figure', { has: page.getByTestId(`table-${id}`) });
  const details = figure.locator('details');
  if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await details.locator('summary').click();
  const rows = page.getByTestId(`table-${id}`).locator('tbody tr');
  await expect(rows.first()).toBeVisible();
  return rows.allInnerTexts();
}

test.beforeAll(async ({ browser }) => {
  context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1300, height: 1000 } });
  // Long tasks on the main thread, recorded from the first moment of every page load.
  await context.addInitScript(() => {
    const w = window as unknown as { longTasks: { start: number; duration: number }[] };
    w.longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  page = await context.newPage();
  // An uncaught error in the page (React unmounts everything on one) is printed, so a failure says why.
  page.on('pageerror', (e) => console.log(`page error: ${e.stack ?? e.message}`));
});

test.afterAll(async () => {
  await context.close();
});

test('loads with progress bars, then says which backend it chose and why', async () => {
  test.setTimeout(240_000);
  await page.goto('/');
  await expect(page.getByRole('progressbar', { name: 'Python runtime' })).toBeVisible();
  await expect(page.getByRole('progressbar', { name: 'Model and backend self-test' })).toBeVisible();
  // While loading, the loop is already explained.
  await expect(page.getByRole('figure', { name: 'The self-play loop' })).toContainText('Propose');
  await waitReady();
  await expect(page.getByTestId('backend-reason')).toContainText(/CPU/);
  // A software WebGL (SwiftShader here, without a GPU) is named and skipped, not timed for seconds.
  const renderer = await page.evaluate(() => {
    const gl = document.createElement('canvas').getContext('webgl2');
    const debug = gl?.getExtension('WEBGL_debug_renderer_info');
    return gl ? String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER)) : '';
  });
  if (/swiftshader|llvmpipe/i.test(renderer)) await expect(page.getByTestId('backend-reason')).toContainText('WebGL was skipped (it renders in software');
  expect(await step()).toBe(0);
  await page.screenshot({ path: `${SHOTS}/start.png`, fullPage: true });
});

test('Start trains: steps complete, the charts and the feed update, and the main thread stays responsive', async () => {
  test.setTimeout(420_000);
  await page.getByRole('button', { name: 'Start' }).click();
  await waitForStep(1);
  const t0 = await page.evaluate(() => performance.now());
  const rowsAtFirst = (await chartTable('rewards')).length;
  await waitForStep(3);
  expect((await chartTable('rewards')).length).toBeGreaterThan(rowsAtFirst);
  await expect(page.locator('figure canvas').first()).toBeVisible();
  const feed = page.getByTestId('feed-item');
  expect(await feed.count()).toBeGreaterThan(0);
  await expect(feed.first()).toContainText(`step ${await step()}`);
  await expect(page.getByTestId('stage-propose')).toContainText('proposed');

  // 30 s of training measured from the first step on.
  await page.waitForFunction((start) => performance.now() - start >= 30_000, t0, { timeout: 60_000, polling: 1000 });
  const tasks = await page.evaluate(
    (start) => (window as unknown as { longTasks: { start: number; duration: number }[] }).longTasks.filter((t) => t.start >= start),
    t0,
  );
  const longest = Math.max(0, ...tasks.map((t) => t.duration));
  console.log(`main thread over 30 s of training: ${tasks.length} long tasks, the longest ${longest.toFixed(0)} ms`);
  expect(longest).toBeLessThan(200);
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'running');
  // Taken after the measurement: a full-page screenshot is itself a long task.
  await page.screenshot({ path: `${SHOTS}/mid-run.png`, fullPage: true });
});

test('Try it answers with a probability while training goes on', async () => {
  test.setTimeout(180_000);
  await openTab('Try it');
  const program = page.getByRole('textbox', { name: /^Program \(defines f\)/ });
  await program.fill('def f(s):\n    return s + s');
  await page.getByRole('textbox', { name: 'Input: the arguments of f, as Python literals', exact: true }).fill("'ab'");
  await page.getByRole('button', { name: 'Ask the model' }).click();
  await expect(page.getByTestId('try-verdict')).toHaveText(/Right|Wrong/, { timeout: 120_000 });
  await expect(page.getByRole('group', { name: "Model's answer (the output)" }).getByTestId('try-answer')).toBeVisible();
  await expect(page.getByRole('group', { name: 'Correct output (from Python)' })).toContainText("f('ab') == 'abab'");
  const probability = await page.getByTestId('try-probability').textContent();
  expect(probability).toMatch(/^(\d+(\.\d)?%|\d\.\d\de-\d+)$/);
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'running');
  // A program that is not a valid task gets a reason, not an answer.
  await program.fill('def f(x):\n    return open("/etc/passwd")');
  await page.getByRole('button', { name: 'Ask the model' }).click();
  await expect(page.getByTestId('try-result').getByRole('alert')).toContainText('cannot be a task');
  // Induction: the model sees half of the pairs and writes a program graded on the rest.
  await page.getByLabel('Task type').selectOption('induction');
  await program.fill('def f(n):\n    return n * 2');
  await page.getByRole('textbox', { name: /^Inputs, one argument list per line/ }).fill('1\n2\n3\n4');
  await page.getByRole('textbox', { name: /^Message to the model/ }).fill('double it');
  await page.getByRole('button', { name: 'Ask the model' }).click();
  await expect(page.getByTestId('try-verdict')).toHaveText(/Right|Wrong/, { timeout: 120_000 });
  await expect(page.getByRole('group', { name: "Model's answer (a program)" })).toContainText('The model saw 2 of 4 pairs');
  await expect(page.getByRole('group', { name: /^Correct outputs \(from Python\)/ })).toContainText('f(3) == 6, f(4) == 8');
});

test('the buffer explorer finds a task by a search word', async () => {
  await openTab('Buffers');
  const rows = page.getByTestId('buffer-row');
  await expect(rows.first()).toBeVisible({ timeout: 30_000 });
  const total = Number((await page.getByTestId('buffer-count').textContent())!.match(/of (\d+) tasks/)![1]);
  // The rarest word of the programs on screen (a builtin, a method or a name): it is in some
  // tasks and not in others, so the search must narrow the list without emptying it.
  const programs = await rows.locator('.code-line').allInnerTexts();
  const inPrograms = new Map<string, number>();
  for (const p of programs)
    for (const w of new Set(p.match(/[A-Za-z_]{3,}/g) ?? [])) if (w !== 'def' && w !== 'return') inPrograms.set(w, (inPrograms.get(w) ?? 0) + 1);
  const word = [...inPrograms].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
  expect(word, `no word in ${programs.join('\n')}`).toBeTruthy();
  if (!word) return;
  await page.getByLabel('Search tasks').fill(word);
  await expect(page.getByTestId('buffer-count')).toContainText(`match “${word}”`);
  const matched = Number((await page.getByTestId('buffer-count').textContent())!.match(/^(\d+) of/)![1]);
  expect(matched).toBeGreaterThan(0);
  expect(matched).toBeLessThan(total);
  // The search also reads inputs, outputs and messages, which a row does not show: open a match
  // whose shown program holds the word.
  const hit = rows.filter({ hasText: word }).first();
  await expect(hit).toBeVisible();
  await hit.click();
  await expect(hit).toHaveAttribute('aria-expanded', 'true');
  // The task opens directly under its row.
  const detail = hit.locator('xpath=following-sibling::*[1]');
  await expect(detail).toHaveJSProperty('tagName', 'SECTION'); // a labelled section is a region
  await expect(page.getByRole('region', { name: /^Task / })).toHaveCount(1);
  await expect(detail).toContainText(word);
  await expect(detail).toContainText('Solver attempts');
  await page.screenshot({ path: `${SHOTS}/buffer-explorer.png`, fullPage: true });
  // A task from the buffers goes to Try it, which asks the model at once.
  await detail.getByRole('button', { name: 'Try it on the model' }).click();
  await expect(page.getByRole('tab', { name: 'Try it' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('try-verdict')).toHaveText(/Right|Wrong/, { timeout: 120_000 });
  await expect(page.getByRole('textbox', { name: /^Program \(defines f\)/ })).toHaveValue(new RegExp(word));
  await openTab('Buffers');
  await page.getByLabel('Search tasks').fill('no task contains this zzqqxx');
  await expect(page.getByTestId('buffer-count')).toContainText('0 of');
});

test('Pause stops after the current step, Step runs exactly one', async () => {
  test.setTimeout(240_000);
  await page.getByRole('button', { name: 'Pause' }).click();
  await waitForStatus('idle');
  const paused = await step();
  await page.waitForTimeout(3000);
  expect(await step()).toBe(paused);
  await page.getByRole('button', { name: 'Step' }).click();
  await waitForStep(paused + 1);
  await waitForStatus('idle');
  await page.waitForTimeout(2000);
  expect(await step()).toBe(paused + 1);
});

test('a reload resumes from the autosave with the step count and buffers intact', async () => {
  test.setTimeout(240_000);
  const before = await step();
  await openTab('Buffers');
  const sizes = await page.locator('#buffers-title + .hint').textContent();
  await openTab('Watch');
  const rewards = await chartTable('rewards');
  await page.reload();
  await waitReady();
  expect(await step()).toBe(before);
  await expect(page.getByRole('status').filter({ hasText: 'Resumed' })).toBeVisible();
  await openTab('Buffers');
  await expect(page.locator('#buffers-title + .hint')).toHaveText(sizes!);
  await openTab('Watch');
  expect(await chartTable('rewards')).toEqual(rewards);
});

test('export then import a run gives the same curves; a corrupt file is refused and changes nothing', async () => {
  test.setTimeout(240_000);
  await openTab('Watch');
  const curves = await chartTable('rewards');
  const solveRates = await chartTable('solve-rate');
  await openTab('Runs');
  const current = page.locator('[data-testid=run-row][aria-current=true]');
  const [download] = await Promise.all([page.waitForEvent('download'), current.getByRole('button', { name: 'Export' }).click()]);
  expect(download.suggestedFilename()).toMatch(/\.tzrun$/);
  const file = await download.path();
  const bytes = await readFile(file);
  const rowsBefore = await page.getByTestId('run-row').count();

  // The buffers as JSONL in the CRUXEval triplet format, one task per line.
  const [jsonl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export buffers (JSONL)' }).click()]);
  const lines = (await readFile(await jsonl.path(), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  expect(lines.length).toBeGreaterThan(3);
  for (const line of lines) {
    expect(line).toEqual(
      expect.objectContaining({ id: expect.any(String), code: expect.stringMatching(/^def f\(/), input: expect.any(String), output: expect.any(String) }),
    );
    expect(['deduction', 'abduction', 'induction']).toContain(line.task_type);
  }

  // A damaged copy: one byte changed in the middle.
  const damaged = Buffer.from(bytes);
  const middle = Math.floor(damaged.length / 2);
  damaged[middle] = damaged[middle]! ^ 0xff;
  await page.getByLabel('Import a run file').setInputFiles({ name: 'damaged.tzrun', mimeType: 'application/octet-stream', buffer: damaged });
  await expect(page.getByTestId('runs-message')).toContainText('damaged');
  await expect(page.getByTestId('runs-message')).toContainText('unchanged');
  await expect(page.getByTestId('runs-message')).not.toContainText('ending in');
  await page.getByLabel('Import a run file').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  await expect(page.getByTestId('runs-message')).toContainText('not a Tabula Zero run file');
  await expect(page.getByTestId('runs-message')).toContainText('Exported runs are files ending in .tzrun.');
  expect(await page.getByTestId('run-row').count()).toBe(rowsBefore);

  await page.getByLabel('Import a run file').setInputFiles({ name: 'run.tzrun', mimeType: 'application/octet-stream', buffer: bytes });
  await expect(page.getByTestId('runs-message')).toContainText('Imported');
  await expect(page.getByTestId('run-row')).toHaveCount(rowsBefore + 1);
  const imported = page.getByTestId('run-row').filter({ hasText: '(imported)' });
  await imported.getByRole('button', { name: 'Open' }).click();
  await expect(imported).toHaveAttribute('aria-current', 'true');
  await openTab('Watch');
  expect(await chartTable('rewards')).toEqual(curves);
  expect(await chartTable('solve-rate')).toEqual(solveRates);
});

test('Reset starts a new run from random weights; the old one stays saved', async () => {
  await openTab('Runs');
  const rowsBefore = await page.getByTestId('run-row').count();
  await page.getByRole('button', { name: 'Reset' }).click();
  await expect(page.getByTestId('step')).toHaveText('0');
  await expect(page.getByTestId('run-row')).toHaveCount(rowsBefore + 1);
  await openTab('Watch');
  await expect(page.getByText('Charts appear after the first step')).toBeVisible();
});

test('a link with settings opens a run with exactly those settings', async () => {
  test.setTimeout(180_000);
  await page.goto('/?preset=tiny&seed=5&batchSize=4&induction=false&learningRate=0.002');
  await waitReady();
  // The tab list works from the keyboard too.
  await openTab('Runs');
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByRole('tab', { name: 'Settings' })).toBeFocused();
  await expect(page.getByRole('tab', { name: 'Settings' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByLabel('Seed', { exact: true })).toHaveValue('5');
  await expect(page.getByLabel('Batch size', { exact: true })).toHaveValue('4');
  await expect(page.getByLabel('Induction', { exact: true })).not.toBeChecked();
  await expect(page.getByLabel('Deduction', { exact: true })).toBeChecked();
  await expect(page.getByLabel('Learning rate', { exact: true })).toHaveValue('0.002');
  expect(await step()).toBe(0);
  const search = new URL(page.url()).searchParams;
  expect(search.get('seed')).toBe('5');
  expect(search.get('run')).toMatch(/^run-/);
  // A bad value is refused with a reason, before anything is applied.
  // It names the setting by its label and quotes the text typed.
  await page.getByLabel('Batch size', { exact: true }).fill('abc');
  await expect(page.getByTestId('settings-error')).toContainText('Batch size: expected a whole number from 1 to 256 (got "abc")');
  await expect(page.getByLabel('Batch size', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('button', { name: 'Apply and start a new run' })).toBeDisabled();
});

test('a bad link keeps its error on screen, names every bad field, and leaves the address alone', async () => {
  test.setTimeout(180_000);
  const typed = '/?preset=tiny&seed=2&batchSize=abc&temperature=9';
  await page.goto(typed);
  await waitReady();
  const error = page.getByTestId('link-error');
  await expect(error).toContainText('batchSize: expected a whole number from 1 to 256 (got "abc")');
  await expect(error).toContainText('temperature: expected a number from');
  await expect(error).toContainText('(got "9")');
  // The run shown has loaded and its 'run' event came: the error and the address outlive it.
  const before = await step();
  await page.getByRole('button', { name: 'Step' }).click();
  await waitForStep(before + 1);
  await waitForStatus('idle');
  await expect(error).toBeVisible();
  expect(new URL(page.url()).search).toBe(new URL(typed, page.url()).search);
  // Dismissing it puts the open run's settings in the address.
  await error.getByRole('button', { name: 'Dismiss' }).click();
  await expect(error).toHaveCount(0);
  await expect.poll(() => new URL(page.url()).searchParams.get('run')).toMatch(/^run-/);
});

test('with the network cut off, the page reloads and trains', async () => {
  test.setTimeout(300_000);
  const record = await goOfflineAfterFirstVisit(page, context, page.url());
  await page.reload();
  await waitReady();
  // Pyodide, tfjs's wasm files and every worker came from the service worker's cache.
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await expect(page.getByTestId('offline-status')).toContainText('offline');
  const before = await step();
  await page.getByRole('button', { name: 'Step' }).click();
  await waitForStep(before + 1);
  await waitForStatus('idle');
  // A link with other settings opens offline too, and trains.
  await page.goto('/?preset=tiny&seed=3&batchSize=2');
  await waitReady();
  await page.getByRole('button', { name: 'Step' }).click();
  await waitForStep(1);
  record.stop();
  expect(record.failed).toEqual([]);
  expect(record.notFromServiceWorker).toEqual([]);
  expect(record.fromNetwork).toEqual([]);
  await context.setOffline(false);
});
