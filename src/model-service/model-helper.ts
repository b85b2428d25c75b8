/**
 * A helper model on another thread, seen through comlink. A thread that dies never answers a
 * comlink call, so its death fails every pending and later call, and the main model does that
 * work itself (trainStep, ModelService.sample).
 */
import * as Comlink from 'comlink';
import type { HelperApi, ModelHelper } from './model-service';

/**
 * Wraps a comlink endpoint to a thread exposing a ModelService. `onDeath` registers the thread's
 * death callback; `terminate` stops it.
 */
export function helperOver(endpoint: Comlink.Endpoint, onDeath: (died: (reason: string) => void) => void, terminate: () => void): ModelHelper {
  const remote = Comlink.wrap<HelperApi>(endpoint);
  // Each pending call's reject, so that a death fails them all. Not a race against one
  // never-settling "death" promise: every race leaves a reaction on it that holds the call's
  // result (megabytes of gradients), so memory grew with every call for as long as the thread lived.
  const pending = new Set<(error: Error) => void>();
  let deathError: Error | null = null;
  const fail = (error: Error) => {
    deathError ??= error;
    for (const reject of pending) reject(deathError);
    pending.clear();
  };
  onDeath((reason) => fail(new Error(`the helper thread died: ${reason}`)));
  let closed = false;
  const guard = <T>(call: () => Promise<T>): Promise<T> => {
    if (deathError) return Promise.reject(deathError);
    return new Promise<T>((resolve, reject) => {
      pending.add(reject);
      const settle = () => pending.delete(reject);
      // A closed helper's proxy throws at once: that too becomes a rejected call.
      let answer: Promise<T>;
      try {
        answer = call();
      } catch (error) {
        settle();
        reject(error);
        return;
      }
      answer.then(resolve, reject).finally(settle);
    });
  };
  return {
    api: {
      initReplica: (options) => guard(() => remote.initReplica(options)),
      gradients: (chunks, options, normalisers, weights) => guard(() => remote.gradients(chunks, options, normalisers, weights)),
      sampleSeeded: (jobs, settings, seed, weights) => guard(() => remote.sampleSeeded(jobs, settings, seed, weights)),
      memory: () => guard(() => remote.memory()),
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
