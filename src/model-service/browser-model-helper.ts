/** The browser: a helper model in a nested model worker (ModelInit.spawnHelper). */
import { helperOver } from './model-helper';
import type { ModelHelper } from './model-service';

export function spawnBrowserModelHelper(): ModelHelper {
  const worker = new Worker(new URL('../../workers/model.worker.ts', import.meta.url), { type: 'module', name: 'model-helper' });
  return helperOver(
    worker,
    (died) => worker.addEventListener('error', (event) => died(event.message || 'worker error')),
    () => worker.terminate(),
  );
}
