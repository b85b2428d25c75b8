/**
 * threads=2: a helper model on a worker thread computes part of each update's gradients and
 * samples half of each batch. The update must be the one-thread update (up to the order of float
 * sums), a seeded service must stay reproducible, and a helper that dies must cost nothing but time.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { nodeWasmPaths } from '../../src/model/backend-node';
import { MaskInterner } from '../../src/model/masks';
import type { TrainBatch } from '../../src/model/train';
import { helperShare, type ModelHelper, ModelService, type SampleJob } from '../../src/model-service/model-service';
import { spawnNodeModelHelper } from '../../src/model-service/node-model-helper';
import { createRng, randomInt } from '../../src/shared/rng';

const services: ModelService[] = [];
afterAll(() => services.forEach((s) => s.dispose()));

async function service(threads: number, spawnHelper: () => ModelHelper = spawnNodeModelHelper): Promise<ModelService> {
  const s = new ModelService();
  services.push(s);
  await s.init({ preset: 'tiny', seed: 3, wasmPaths: nodeWasmPaths(), candidates: ['wasm'], threads, spawnHelper });
  return s;
}

/** 40 hindsight rows of lengths 10..49 over the real vocabulary: 5 micro-batches of 8. */
function batch(vocab: number): TrainBatch {
  const rng = createRng(11);
  const tokens = Array.from({ length: 40 }, (_, i) => Array.from({ length: 10 + i }, () => randomInt(rng, vocab)));
  return {
    tokens,
    promptLengths: tokens.map((t) => Math.floor(t.length / 2)),
    advantages: tokens.map(() => 0),
    oldLogProbs: tokens.map(() => []),
    hindsight: tokens.map(() => true),
  };
}

const options = { clipEpsilon: 0.2, entropyCoef: 0, microBatchRows: 8 };
const jobs = (s: ModelService): SampleJob[] => Array.from({ length: 6 }, () => ({ kind: 'program', prompt: [s.tokenizer.id('<program>')], maxTokens: 40 }));

describe('a helper thread (threads=2)', () => {
  it('gives the one-thread update, up to the order of float sums', async () => {
    const one = await service(1);
    const two = await service(2);
    expect(one.threads()).toBe(1);
    expect(two.threads()).toBe(2);
    const b = batch(one.tokenizer.size);
    // A batch with nothing to learn (every row all prompt) never reaches the helper: the next
    // update must still send it the weights the update before changed.
    const empty: TrainBatch = { ...b, promptLengths: b.tokens.map((t) => t.length) };
    // Reserving memory grows both threads' heaps and leaves weights and optimiser as they were
    // (the updates below must still match the service that did not reserve).
    const before = [two.memory(), await two.helperMemory()];
    await two.reserveMemory({ ...options, microBatchTokens: 512 });
    expect(two.memory().tensors).toBe(before[0]!.tensors);
    expect(two.memory().wasmBytes!).toBeGreaterThan(before[0]!.wasmBytes!);
    expect((await two.helperMemory())!.wasmBytes!).toBeGreaterThan(before[1]!.wasmBytes!);
    // Each step's loss is measured before its update: later steps check the weights the earlier updates left.
    for (const current of [b, empty, b, b]) {
      const [a, c] = [await one.train(current, options), await two.train(current, options)];
      expect(c.skipped).toBe(a.skipped);
      if (a.skipped) continue;
      expect(c.hindsightLoss).toBeCloseTo(a.hindsightLoss!, 5);
      expect(c.gradNorm).toBeCloseTo(a.gradNorm, 4);
      expect(c.tokens).toBe(a.tokens);
    }
    // A soak reads each thread's memory: the helper's own wasm memory and heap, none without a helper.
    expect(await one.helperMemory()).toBeNull();
    const helper = await two.helperMemory();
    expect(helper?.backend).toBe('wasm');
    expect(helper!.tensors).toBeGreaterThan(0);
    expect(helper!.wasmBytes).toBeGreaterThan(1e6);
    expect(helper!.heapBytes).toBeGreaterThan(1e6);
    expect(two.memory().wasmBytes).toBeGreaterThan(1e6);
    expect(two.memory().heapBytes).toBeNull(); // this service was given no way to measure its heap
  }, 120_000);

  it('gives the one-thread update on TRR++ rows too: advantages, old log-probs and the clip', async () => {
    const [one, two] = [await service(1), await service(2)];
    // Half the rows are policy rows: an advantage of either sign, and old log-probs of which
    // some fall outside the clip range, so the clipped surrogate and its statistics are used.
    const rng = createRng(5);
    const b = batch(one.tokenizer.size);
    const policy = b.tokens.map((_, i) => i % 2 === 0);
    const mixed: TrainBatch = {
      ...b,
      hindsight: policy.map((p) => !p),
      advantages: policy.map((p, i) => (p ? (i % 4 === 0 ? 1.5 : -0.8) : 0)),
      oldLogProbs: b.tokens.map((t, i) => (policy[i] ? Array.from({ length: t.length - b.promptLengths[i]! }, () => -4 - randomInt(rng, 4)) : [])),
    };
    for (let k = 0; k < 2; k++) {
      const [a, c] = [await one.train(mixed, options), await two.train(mixed, options)];
      expect(a.skipped).toBe(false);
      expect(c.skipped).toBe(false);
      expect(c.loss).toBeCloseTo(a.loss, 5);
      expect(c.entropy).toBeCloseTo(a.entropy, 4);
      expect(c.clipFraction).toBeCloseTo(a.clipFraction, 6);
      expect(a.clipFraction).toBeGreaterThan(0);
      expect(c.approxKl).toBeCloseTo(a.approxKl, 4);
      expect(c.hindsightLoss).toBeCloseTo(a.hindsightLoss!, 5);
      expect(c.gradNorm).toBeCloseTo(a.gradNorm, 4);
      expect(c.tokens).toBe(a.tokens);
    }
  }, 120_000);

  it('gives the one-thread update on rows with grammar masks (shared mask objects, as the sampler records them)', async () => {
    const [one, two] = [await service(1), await service(2)];
    const vocab = one.tokenizer.size;
    const b = batch(vocab);
    // Masks allowing a third of the vocabulary and the row's own token, interned as the sampler
    // interns them (equal masks one object); the helper gets its rows' masks in a message.
    const interner = new MaskInterner();
    const masks = b.tokens.map((row, i) =>
      row.slice(b.promptLengths[i]!).map((token, g) => {
        const allowed = new Uint8Array(vocab).map((_, t) => ((t + g) % 3 === 0 ? 1 : 0));
        allowed[token] = 1;
        return interner.intern(allowed);
      }),
    );
    const masked: TrainBatch = { ...b, masks };
    const unmasked = await service(1);
    const free = await unmasked.train(b, options);
    for (let k = 0; k < 3; k++) {
      const [a, c] = [await one.train(masked, options), await two.train(masked, options)];
      expect(c.skipped).toBe(false);
      expect(c.hindsightLoss).toBeCloseTo(a.hindsightLoss!, 5);
      expect(c.gradNorm).toBeCloseTo(a.gradNorm, 4);
      if (k === 0) expect(a.hindsightLoss!).toBeLessThan(free.hindsightLoss! - 0.5); // the masks count: a third of the vocabulary, about ln 3 less
    }
  }, 120_000);

  it('is reproducible: two seeded services with helpers sample and train alike', async () => {
    const [x, y] = [await service(2), await service(2)];
    const [sx, sy] = [await x.sample(jobs(x), { temperature: 1 }), await y.sample(jobs(y), { temperature: 1 })];
    expect(sx.map((s) => s.text)).toEqual(sy.map((s) => s.text));
    expect(sx.every((s) => s.text.startsWith('def f('))).toBe(true);
    const b = batch(x.tokenizer.size);
    expect((await x.train(b, options)).hindsightLoss).toBe((await y.train(b, options)).hindsightLoss);
    expect(Buffer.from(await x.save()).equals(Buffer.from(await y.save()))).toBe(true);
  }, 120_000);

  it('samples its half as this thread would, before and after updates: the same greedy answers and log-probs', async () => {
    const [one, two] = [await service(1), await service(2)];
    const t = one.tokenizer;
    // Program, literal and chained (an induction proposal's) jobs, prompts all different: half go to the helper.
    const mixed: SampleJob[] = [0, 1, 2, 3].flatMap((k): SampleJob[] => [
      {
        kind: 'program',
        prompt: [t.id('<propose:deduction>'), t.id('<program>'), ...t.encode(String(k))],
        maxTokens: 40,
        level: 1,
        signature: [k % 2 ? 'int' : 'str'],
      },
      { kind: 'literal', prompt: [t.id('<solve:deduction>'), ...t.encode(`def f(x):\n    return x + ${k}`), t.id('<output>')], maxTokens: 12 },
      {
        kind: 'arguments',
        signature: ['int'],
        prompt: [t.id('<propose:induction>'), ...t.encode(`def f(x):\n    return x * ${k}`), t.id('<input>')],
        maxTokens: 8,
        followedBy: [
          { marker: '<sep>', kind: 'arguments', signature: ['int'], maxTokens: 8 },
          { marker: '<message>', kind: 'message', maxTokens: 6 },
        ],
      },
    ]);
    const b = batch(t.size);
    for (let round = 0; round < 3; round++) {
      const [a, c] = [await one.sample(mixed, { temperature: 0 }), await two.sample(mixed, { temperature: 0 })];
      expect(c.map((s) => s.parts)).toEqual(a.map((s) => s.parts));
      a.forEach((s, i) => s.logProbs.forEach((p, j) => expect(c[i]!.logProbs[j]).toBeCloseTo(p, 4)));
      // between rounds, a sampling batch at temperature 1 (the helper's weights synced) and two updates
      await Promise.all([one.sample(mixed, { temperature: 1 }), two.sample(mixed, { temperature: 1 })]);
      for (let u = 0; u < 2; u++) await Promise.all([one.train(b, options), two.train(b, options)]);
    }
  }, 120_000);

  it('splits a sampling batch in halves that keep jobs with one prompt together', () => {
    const job = (id: number): SampleJob => ({ kind: 'program', prompt: [1, id], maxTokens: 8 });
    // Single jobs alternate, this thread first.
    expect(helperShare([1, 2, 3, 4, 5].map(job))).toEqual([false, true, false, true, false]);
    // Groups of four (a solver's tries, replay's draws) go whole, each to the side with fewer jobs.
    const grouped = [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4].map(job);
    expect(helperShare(grouped)).toEqual([false, false, false, false, true, true, true, true, false, false, false, false, true, true, true, true]);
    // A prompt seen again later goes where it went first.
    expect(helperShare([1, 2, 3, 1].map(job))).toEqual([false, true, false, false]);
  });

  it('goes on alone, losing nothing, when its helper thread dies', async () => {
    let helper: ModelHelper | null = null;
    const s = await service(2, () => (helper = spawnNodeModelHelper()));
    const b = batch(s.tokenizer.size);
    await s.train(b, options);
    helper!.close(); // the thread is gone
    const stats = await s.train(b, options);
    expect(stats.skipped).toBe(false);
    expect(s.threads()).toBe(1);
    const samples = await s.sample(jobs(s), { temperature: 1 });
    expect(samples).toHaveLength(6);
  }, 120_000);

  it('refuses threads=2 where no helper can be started, with a clear error', async () => {
    const s = new ModelService();
    services.push(s);
    await expect(s.init({ preset: 'tiny', seed: 3, wasmPaths: nodeWasmPaths(), candidates: ['wasm'], threads: 2 })).rejects.toThrow(
      /needs a way to start a helper/,
    );
  });
});
