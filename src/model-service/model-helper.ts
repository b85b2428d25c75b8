/**
 * A helper model on another thread, seen through comlink. A thread that dies never answers a
 * comlink call, so every call also loses a race against the thread's death: a dead helper
 * fails its calls, and the main model does that work itself (trainStep, ModelService.sample).
 */
import * as Comlink from 'comlink';
import type { HelperApi, ModelHelper } from './model-service';

/**
 * Wraps a comlink endpoint to a thread exposing a ModelService. `onDeath` registers the thread's
 * death callback; `terminate` stops it.
 */
export function helperOver(endpoint: Comlink.Endpoint, onDeath: (died: (reason: string) => void) => void, terminate: () => void): ModelHelper {
  const remote = Comlink.wrap<HelperApi>(endpoint);
  let fail: (error: Error) => void = () => {};
  const death = new Promise<never>((_, reject) => (fail = reject));
  death.catch(() => {});
  onDeath((reason) => fail(new Error(`the helper thread died: ${reason}`)));
  let closed = false;
  // A closed helper's proxy throws at once: that too becomes a rejected call.
  const guard = <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return Promise.race([call(), death]);
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return {
    api: {
      initReplica: (options) => guard(() => remote.initReplica(options)),
      gradients: (chunks, options, normalisers, weights) => guard(() => remote.gradients(chunks, options, normalisers, weights)),
      sampleSeeded: (jobs, settings, seed, weights) => guard(() => remote.sampleSeeded(jobs, settings, seed, weights)),
    },
    close: () => {
      if (closed) return;
      closed = true;
      fail(new Error('the helper thread was closed'));
      remote[Comlink.releaseProxy]();
      terminate();
    },
  };
}
