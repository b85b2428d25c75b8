/** The page's handle on the trainer worker: every call is a message, nothing blocks the page. */
import * as Comlink from 'comlink';
import type { RunController } from '../run/run-controller';

let remote: Comlink.Remote<RunController> | null = null;
const crashHandlers: ((message: string) => void)[] = [];

export function runWorker(): Comlink.Remote<RunController> {
  if (!remote) {
    const worker = new Worker(new URL('../../workers/run.worker.ts', import.meta.url), { type: 'module', name: 'trainer' });
    // A worker that dies (out of memory, a failed chunk load) answers no call again: say so.
    worker.addEventListener('error', (event) => {
      for (const handler of crashHandlers) handler(event.message || 'the trainer worker stopped');
    });
    remote = Comlink.wrap<RunController>(worker);
  }
  return remote;
}

/** Called if the trainer worker dies. */
export function onWorkerCrash(handler: (message: string) => void): void {
  crashHandlers.push(handler);
}
