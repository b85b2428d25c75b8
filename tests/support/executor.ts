/** One real Python executor per test file: started before its tests, closed after them. */
import { afterAll, beforeAll } from 'vitest';
import { createNodeExecutor } from '../../src/executor/node-executor';
import type { ExecutorPool } from '../../src/executor/pool';

/** Registers the set-up and tear-down; call the returned function inside a test to get the pool. */
export function sharedExecutor(options: Parameters<typeof createNodeExecutor>[0] = { workers: 1 }): () => ExecutorPool {
  let pool: ExecutorPool | null = null;
  beforeAll(async () => {
    pool = await createNodeExecutor(options);
  }, 60_000);
  afterAll(() => pool?.close());
  return () => {
    if (!pool) throw new Error('sharedExecutor: the executor is not started (call it at the top of a test file or describe block)');
    return pool;
  };
}
