/** The page's handle on the model worker: every call is a message, nothing blocks the page. */
import * as Comlink from 'comlink';
import type { BrowserModelService } from './browser-model-service';

export interface ModelWorker {
  api: Comlink.Remote<BrowserModelService>;
  terminate(): void;
}

export function startModelWorker(): ModelWorker {
  const worker = new Worker(new URL('../../workers/model.worker.ts', import.meta.url), { type: 'module', name: 'model' });
  const api = Comlink.wrap<BrowserModelService>(worker);
  return {
    api,
    terminate: () => {
      api[Comlink.releaseProxy]();
      worker.terminate();
    },
  };
}
