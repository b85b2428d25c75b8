/** Node: a helper model on a worker thread (ModelInit.spawnHelper). */
import { Worker, type MessagePort } from 'node:worker_threads';
import type { Endpoint } from 'comlink';
import { helperOver } from './model-helper';
import type { ModelHelper } from './model-service';

/** A worker thread or its parent port as a comlink endpoint (its messages come as { data }). */
export function nodeEndpoint(port: Worker | MessagePort): Endpoint {
  const wrapped = new Map<unknown, (data: unknown) => void>();
  return {
    postMessage: (message: unknown, transfer?: Transferable[]) => port.postMessage(message, transfer as never),
    addEventListener: (_type: string, listener: EventListenerOrEventListenerObject) => {
      const handler = (data: unknown) => {
        const event = { data } as MessageEvent;
        if (typeof listener === 'function') listener(event);
        else listener.handleEvent(event);
      };
      wrapped.set(listener, handler);
      port.on('message', handler);
    },
    removeEventListener: (_type: string, listener: EventListenerOrEventListenerObject) => {
      const handler = wrapped.get(listener);
      if (handler) port.off('message', handler);
      wrapped.delete(listener);
    },
  };
}

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
