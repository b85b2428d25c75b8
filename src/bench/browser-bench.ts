/**
 * Browser side of `tabula bench executor`: the page's own executor (module workers), timed on
 * the tasks the CLI hands over. Exposed on window for Playwright to call.
 */
import { createBrowserExecutor } from '../executor/browser-executor';
import type { ExecRequest } from '../executor/types';
import { modelWorkerCheck } from './model-check';
import { timedRounds, type TimedRounds } from './timed-rounds';

async function benchExecutor(requests: ExecRequest[], rounds: number): Promise<TimedRounds> {
  const pool = await createBrowserExecutor();
  try {
    return await timedRounds(pool, requests, rounds);
  } finally {
    pool.close();
  }
}

(window as unknown as { tabulaBench: unknown }).tabulaBench = { executor: benchExecutor, modelWorkerCheck };
