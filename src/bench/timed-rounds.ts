/** One warm-up round, then `rounds` timed rounds of the same requests: the executor bench protocol. */
import type { ExecutorPool } from '../executor/pool';
import type { ExecRequest } from '../executor/types';

export interface TimedRounds {
  workers: number;
  seconds: number[];
  ok: number;
}

export async function timedRounds(pool: ExecutorPool, requests: ExecRequest[], rounds: number): Promise<TimedRounds> {
  await pool.spareReady();
  await pool.run(requests);
  const seconds: number[] = [];
  let ok = 0;
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    const verdicts = await pool.run(requests);
    seconds.push((performance.now() - started) / 1000);
    ok = verdicts.filter((v) => v.ok).length;
  }
  return { workers: pool.workerCount, seconds, ok };
}
