import { expect, test } from '@playwright/test';

test('the model worker picks a backend, writes programs, trains, and keeps checkpoints in IndexedDB', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('/bench.html');
  await page.waitForFunction(() => 'tabulaBench' in window);
  const result = await page.evaluate(() =>
    (
      window as unknown as { tabulaBench: { modelWorkerCheck(): Promise<Awaited<ReturnType<typeof import('../src/bench/model-check').modelWorkerCheck>>> } }
    ).tabulaBench.modelWorkerCheck(),
  );
  expect(['webgpu', 'webgl', 'wasm', 'cpu']).toContain(result.backend);
  expect(result.reason.length).toBeGreaterThan(10);
  expect(result.parameters).toBeGreaterThan(100_000);
  for (const program of result.programs) expect(program).toMatch(/^def f\(/);
  expect(Number.isFinite(result.stats.loss)).toBe(true);
  expect(result.stats.tokens).toBeGreaterThan(0);
  expect(result.savedBytes).toBeGreaterThan(result.parameters * 4);
  expect(result.loadedStep).toBe(1);
  expect(result.saved).toContain('e2e-check');
  expect(result.corruptError).toMatch(/checkpoint/i);
  expect(result.memoryAfter.tensors).toBeLessThanOrEqual(result.memoryBefore.tensors);
  console.log(`model worker: ${result.backend} (${result.reason})\n  ${result.results.join('\n  ')}`);
});
