/**
 * helperOver: a helper's calls fail when its thread dies, and a finished call's answer is not
 * kept alive by the helper (it once was, by a race against a never-settling "death" promise,
 * and a soak grew by megabytes of gradients a step).
 */

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MessageChannel } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { afterEach, describe, expect, it } from 'vitest';
import { helperOver } from '../../src/model-service/model-helper';
import type { ModelHelper } from '../../src/model-service/model-service';

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

const open: ModelHelper[] = [];
afterEach(() => open.splice(0).forEach((h) => h.close()));

/** A helper over a channel whose far end answers `gradients` with `answer()` or never. */
function fakeHelper(answer: () => unknown) {
  const { port1, port2 } = new MessageChannel();
  Comlink.expose({ gradients: answer }, nodeEndpoint(port2));
  let died: (reason: string) => void = () => {};
  const helper = helperOver(
    nodeEndpoint(port1),
    (d) => (died = d),
    () => {
      port1.close();
      port2.close();
    },
  );
  open.push(helper);
  const gradients = () => helper.api.gradients([], {} as never, [] as never, null as never) as Promise<unknown>;
  return { helper, gradients, kill: (reason: string) => died(reason) };
}

describe('a helper over a comlink endpoint', () => {
  it("does not keep a finished call's answer alive", async () => {
    const { gradients } = fakeHelper(() => ({ grads: [new Float32Array(1 << 20)] }));
    const refs: WeakRef<object>[] = [];
    for (let i = 0; i < 5; i++) refs.push(new WeakRef((await gradients()) as object));
    await new Promise((resolve) => setTimeout(resolve, 10));
    collect();
    expect(refs.filter((r) => r.deref() !== undefined)).toHaveLength(0);
  });

  it('fails a pending call when the thread dies, and every later call at once', async () => {
    const { gradients, kill } = fakeHelper(() => new Promise(() => {}));
    const pending = gradients();
    kill('exit code 1');
    await expect(pending).rejects.toThrow('the helper thread died: exit code 1');
    await expect(gradients()).rejects.toThrow('the helper thread died: exit code 1');
  });

  it('fails calls after close', async () => {
    const { helper, gradients } = fakeHelper(() => 1);
    expect(await gradients()).toBe(1);
    helper.close();
    await expect(gradients()).rejects.toThrow();
  });
});
