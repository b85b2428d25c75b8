/** The executor in Node: Python workers on worker_threads. */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type ExecutorOptions, ExecutorPool, type WorkerHandle } from './pool';
import type { FromWorker } from './protocol';

const ENTRY = new URL('../../workers/python.node.mjs', import.meta.url);

function spawnNodeWorker(): WorkerHandle {
  // CPython's C recursion in WebAssembly (freeing or printing a deeply nested list) needs
  // more engine stack than a worker's default 4 MB, or Pyodide dies of a stack overflow.
  const worker = new Worker(ENTRY, { resourceLimits: { stackSizeMb: 32 } });
  return {
    post: (message) => worker.postMessage(message),
    onMessage: (handler) => worker.on('message', (message: FromWorker) => handler(message)),
    onDeath: (handler) => {
      worker.on('error', (error) => handler(String(error)));
      worker.on('exit', (code) => handler(`exit code ${code}`));
    },
    terminate: () => void worker.terminate(),
  };
}

export function defaultWorkerCount(): number {
  return Math.max(1, availableParallelism());
}

export function createNodeExecutor(options: ExecutorOptions = {}): Promise<ExecutorPool> {
  return ExecutorPool.create(spawnNodeWorker, { workers: defaultWorkerCount(), ...options });
}
