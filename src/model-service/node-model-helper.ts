/** Node: a helper model on a worker thread (ModelInit.spawnHelper). */
import { Worker } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { helperOver } from './model-helper';
import type { ModelHelper } from './model-service';

const ENTRY = new URL('../../workers/model-helper.node.mjs', import.meta.url);

export function spawnNodeModelHelper(): ModelHelper {
  const worker = new Worker(ENTRY);
  worker.unref(); // a helper never keeps the process alive on its own
  return helperOver(
    nodeEndpoint(worker),
    (died) => {
      worker.on('error', (error) => died(String(error)));
      worker.on('exit', (code) => died(`exit code ${code}`));
    },
    () => void worker.terminate(),
  );
}
