/** The page's handle on the trainer worker: every call is a message, nothing blocks the page. */
import * as Comlink from 'comlink';
import type { RunController } from '../run/run-controller';

let remote: Comlink.Remote<RunController> | null = null;

export function runWorker(): Comlink.Remote<RunController> {
  if (!remote) {
    const worker = new Worker(new URL('../../workers/run.worker.ts', import.meta.url), { type: 'module', name: 'trainer' });
    remote = Comlink.wrap<RunController>(worker);
  }
  return remote;
}
