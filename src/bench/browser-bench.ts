/**
 * Browser side of `tabula bench executor`: the page's own executor (module workers), timed on
 * the tasks the CLI hands over. Exposed on window for Playwright to call.
 */
import { createBrowserExecutor } from '../executor/browser-executor';
import type { ExecRequest } from '../executor/types';

export interface BrowserExecutorBench {
  workers: number;
  seconds: number[];
  ok: number;
  loadMs: number;
}

async function benchExecutor(requests: ExecRequest[], rounds: number): Promise<BrowserExecutorBench> {
  const pool = await createBrowserExecutor();
  try {
    await pool.spareReady();
    await pool.run(requests); // warm-up
    const seconds: number[] = [];
    let ok = 0;
    for (let round = 0; round < rounds; round++) {
      const started = performance.now();
      const verdicts = await pool.run(requests);
      seconds.push((performance.now() - started) / 1000);
      ok = verdicts.filter((v) => v.ok).length;
    }
    return { workers: pool.workerCount, seconds, ok, loadMs: pool.stats.loadMs };
  } finally {
    pool.close();
  }
}

(window as unknown as { tabulaBench: unknown }).tabulaBench = { executor: benchExecutor };
