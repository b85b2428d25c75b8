/** The executor in the browser: Python workers as module Web Workers. */

import { type ExecutorOptions, ExecutorPool, type WorkerHandle } from './pool';
import type { FromWorker } from './protocol';

function spawnBrowserWorker(): WorkerHandle {
  const worker = new Worker(new URL('../../workers/python.worker.ts', import.meta.url), {
    type: 'module',
    name: 'python',
  });
  return {
    post: (message) => worker.postMessage(message),
    onMessage: (handler) => worker.addEventListener('message', (event: MessageEvent<FromWorker>) => handler(event.data)),
    onDeath: (handler) => worker.addEventListener('error', (event) => handler(event.message || 'worker error')),
    terminate: () => worker.terminate(),
  };
}

export function createBrowserExecutor(options: ExecutorOptions = {}): Promise<ExecutorPool> {
  if (!globalThis.crossOriginIsolated) {
    return Promise.reject(new Error('This page is not cross-origin isolated (COOP/COEP headers missing), so Python cannot be interrupted.'));
  }
  const cores = navigator.hardwareConcurrency || 2;
  return ExecutorPool.create(spawnBrowserWorker, { workers: Math.max(1, Math.min(4, cores)), readyWhenFirstLoads: true, ...options });
}
