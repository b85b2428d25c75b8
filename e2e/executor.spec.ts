import { expect, type Page, test } from '@playwright/test';

// One page for the whole file: Python loads once, as it does for a user trying programs.
test.describe.configure({ mode: 'serial' });
let page: Page;
test.beforeAll(async ({ browser }) => {
  page = await (await browser.newContext()).newPage();
});
test.afterAll(async () => {
  await page.context().close();
});

/** Records every request the page makes, to prove nothing leaves localhost. */
function recordRequests(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (request) => urls.push(request.url()));
  return urls;
}

/** The Python sandbox tab of the page the first test loaded. */
async function openReady(page: Page) {
  await expect(page.getByTestId('python-status')).toContainText('ready', { timeout: 60_000 });
  await page.getByRole('tab', { name: 'Python sandbox' }).click();
}

async function runProgram(page: Page, code: string, input: string) {
  await page.getByLabel('Program').fill(code);
  await page.getByLabel('Input').fill(input);
  await page.getByRole('button', { name: 'Run' }).click();
}

test('the page is cross-origin isolated and loads Python with no request leaving localhost', async () => {
  const urls = recordRequests(page);
  await page.goto('/');
  await expect(page.getByRole('progressbar', { name: 'Python runtime' })).toBeVisible();
  await expect(page.getByTestId('python-status')).toContainText('ready', { timeout: 60_000 });
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  const outside = urls.filter((url) => !/^(https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/|blob:|data:)/.test(url));
  expect(outside).toEqual([]);
  expect(urls.some((url) => url.endsWith('/pyodide/pyodide.asm.wasm'))).toBe(true);
});

test('verifies a program in the worker and shows its output', async () => {
  await openReady(page);
  await runProgram(page, 'def f(xs):\n    return sorted(xs)[::-1]', '[3, 1, 2]');
  await expect(page.getByTestId('verdict-reason')).toHaveAttribute('data-reason', 'ok');
  await expect(page.getByTestId('verdict-output')).toHaveText('f([3, 1, 2]) == [3, 2, 1]');
});

test('refuses a forbidden import with a clear reason', async () => {
  await openReady(page);
  await runProgram(page, 'import os\ndef f(x):\n    return os.getcwd()', '1');
  await expect(page.getByTestId('verdict-reason')).toHaveAttribute('data-reason', 'forbidden-import');
  await expect(page.getByTestId('verdict')).toContainText('import of os is not allowed');
});

test('times out an infinite loop while the page keeps answering clicks', async () => {
  await openReady(page);
  await runProgram(page, 'def f(n):\n    while True:\n        n += 1', '0');
  await expect(page.getByRole('button', { name: 'Running…' })).toBeDisabled();
  // While Python spins in its worker, a click on the page is answered at once.
  const clicked = Date.now();
  await page.getByRole('button', { name: 'Reverse the words' }).click();
  await expect(page.getByLabel('Program')).toHaveValue(/reversed\(words\)/);
  expect(Date.now() - clicked).toBeLessThan(1000);
  await expect(page.getByTestId('verdict-reason')).toHaveAttribute('data-reason', 'timeout', { timeout: 5_000 });
  // The executor still answers afterwards.
  await page.getByRole('button', { name: 'Run' }).click();
  await expect(page.getByTestId('verdict-reason')).toHaveAttribute('data-reason', 'ok');
});

test('a program that overflows the stack in C code is rejected and Python keeps answering', async () => {
  await openReady(page);
  // In the browser the engine's stack cannot be enlarged: this kills Pyodide in its worker,
  // which the pool replaces while the verdict blames the program.
  await runProgram(page, 'def f(x):\n    a = []\n    for i in range(200000):\n        a = [a]\n    return len(repr(a))', '1');
  await expect(page.getByTestId('verdict-reason')).toHaveAttribute('data-reason', 'runtime-error', { timeout: 15_000 });
  await runProgram(page, 'def f(x):\n    return x * 3', '14');
  await expect(page.getByTestId('verdict-output')).toHaveText('f(14) == 42');
});
