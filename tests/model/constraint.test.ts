import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskAllows } from '../../src/model/masks';
import { createOptimizer, disposeOptimizer } from '../../src/model/optimizer';
import { drawToken, type SampleConstraint, sampleBatch } from '../../src/model/sample';
import { sequenceLogProbs, trainStep } from '../../src/model/train';
import { createModel, disposeModel, forward, type Model } from '../../src/model/transformer';
import { createRng } from '../../src/shared/rng';
import { microConfig, tokens, useBackend } from './helpers';

const V = 20;
const EOS = 19;

/** Even steps allow {2, 5, 11}; odd steps allow {7, 9, 13, EOS}; finished after `length` tokens. */
class AlternatingConstraint implements SampleConstraint {
  readonly seen: number[] = [];
  readonly offered: Uint8Array[] = [];
  constructor(private readonly length: number) {}
  allowed(): Uint8Array {
    const mask = new Uint8Array(V);
    for (const t of this.seen.length % 2 === 0 ? [2, 5, 11] : [7, 9, 13, EOS]) mask[t] = 1;
    this.offered.push(mask);
    return mask;
  }
  advance(token: number): void {
    if (!this.offered.at(-1)![token]) throw new Error(`token ${token} was not allowed`);
    this.seen.push(token);
  }
  get finished(): boolean {
    return this.seen.length >= this.length;
  }
}

function maskedLogSoftmax(row: Float32Array, allowed: Uint8Array, temperature: number): number[] {
  let max = -Infinity;
  row.forEach((x, t) => {
    if (allowed[t]) max = Math.max(max, x / temperature);
  });
  let sum = 0;
  row.forEach((x, t) => {
    if (allowed[t]) sum += Math.exp(x / temperature - max);
  });
  return Array.from(row, (x, t) => (allowed[t] ? x / temperature - max - Math.log(sum) : -Infinity));
}

describe('constraints', () => {
  let model: Model;
  beforeAll(async () => {
    await useBackend('cpu');
    model = createModel(microConfig({ vocabSize: V }));
  });
  afterAll(() => disposeModel(model));

  for (const temperature of [1, 0.7]) {
    it(`samples only allowed tokens, with the log-probs of the masked distribution (temperature ${temperature})`, async () => {
      const constraints = [new AlternatingConstraint(6), new AlternatingConstraint(9), new AlternatingConstraint(4)];
      const prompts = [tokens(4, V, 1), tokens(7, V, 2), tokens(2, V, 3)];
      const results = await sampleBatch(
        model,
        prompts.map((prompt, i) => ({ prompt, constraint: constraints[i]! })),
        {
          maxNewTokens: 12,
          temperature,
          rng: createRng(9),
          eosId: EOS,
        },
      );
      for (let i = 0; i < prompts.length; i++) {
        const r = results[i]!;
        const c = constraints[i]!;
        expect(c.seen).toEqual(r.tokens); // advanced with every sampled token
        r.tokens.forEach((t, k) => expect(c.offered[k]![t]).toBe(1));
        expect(r.stopReason === 'eos' ? r.tokens.at(-1) === EOS : r.stopReason === 'constraint').toBe(true);
        // The recorded masks are the offered ones.
        r.masks!.forEach((m, k) => {
          for (let t = 0; t < V; t++) expect(maskAllows(m!, t)).toBe(c.offered[k]![t] === 1);
        });
        // Log-probs against the plain forward pass with the mask applied by hand.
        const seq = [...prompts[i]!, ...r.tokens];
        const logits = forward(model, tf.tensor2d(seq, [1, seq.length], 'int32'));
        const data = (await logits.data()) as Float32Array;
        logits.dispose();
        r.tokens.forEach((t, k) => {
          const at = prompts[i]!.length - 1 + k;
          const want = maskedLogSoftmax(data.subarray(at * V, (at + 1) * V), c.offered[k]!, temperature)[t]!;
          expect(Math.abs(r.logProbs[k]! - want)).toBeLessThan(1e-4);
        });
        // Training sees the same masked distribution.
        const recomputed = await sequenceLogProbs(model, { tokens: [seq], promptLengths: [prompts[i]!.length], masks: [r.masks] }, temperature);
        recomputed[0]!.forEach((x, k) => expect(Math.abs(x - r.logProbs[k]!)).toBeLessThan(1e-4));
      }
    });
  }

  it('a training step on masked samples starts at ratio 1', async () => {
    const optimizer = createOptimizer(model, { learningRate: 1e-3 });
    const prompts = [tokens(4, V, 4), tokens(6, V, 5)];
    const results = await sampleBatch(
      model,
      prompts.map((prompt) => ({ prompt, constraint: new AlternatingConstraint(5) })),
      {
        maxNewTokens: 8,
        temperature: 1,
        rng: createRng(3),
        eosId: EOS,
      },
    );
    const stats = await trainStep(
      model,
      optimizer,
      {
        tokens: results.map((r, i) => [...prompts[i]!, ...r.tokens]),
        promptLengths: prompts.map((p) => p.length),
        advantages: [1, -1],
        oldLogProbs: results.map((r) => r.logProbs),
        masks: results.map((r) => r.masks),
      },
      { clipEpsilon: 0.2, entropyCoef: 0.01 },
    );
    expect(Math.abs(stats.approxKl)).toBeLessThan(1e-5);
    expect(stats.clipFraction).toBe(0);
    expect(stats.tokens).toBe(results.reduce((n, r) => n + r.tokens.length, 0));
    // Entropy of a 3- or 4-way choice, not of the whole vocabulary.
    expect(stats.entropy).toBeLessThan(Math.log(4) + 1e-3);
    disposeOptimizer(optimizer);
  });

  it('a token outside its own mask is refused by training', async () => {
    const optimizer = createOptimizer(model);
    const only3 = new Uint32Array(1);
    only3[0] = 1 << 3;
    await expect(
      trainStep(
        model,
        optimizer,
        {
          tokens: [[1, 2, 4]],
          promptLengths: [2],
          advantages: [1],
          oldLogProbs: [[-1]],
          masks: [[only3]],
        },
        { clipEpsilon: 0.2, entropyCoef: 0 },
      ),
    ).rejects.toThrow(/not allowed by its own mask/);
    disposeOptimizer(optimizer);
  });

  it('stops a sequence whose constraint allows nothing, and one at maxNewTokens', async () => {
    const deadEnd: SampleConstraint = { allowed: () => new Uint8Array(V), advance: () => {}, finished: false };
    const [stuck, free] = await sampleBatch(
      model,
      [
        { prompt: [1, 2], constraint: deadEnd },
        { prompt: [3], constraint: null },
      ],
      {
        maxNewTokens: 3,
        temperature: 1,
        rng: createRng(1),
        eosId: EOS,
      },
    );
    expect(stuck!.tokens).toEqual([]);
    expect(stuck!.stopReason).toBe('dead-end');
    expect(free!.masks).toBeNull();
    expect(free!.stopReason === 'length' ? free!.tokens.length === 3 : free!.tokens.at(-1) === EOS).toBe(true);
  });

  it('drawToken: greedy at temperature 0, probability 0 for masked tokens', () => {
    const logits = new Float32Array([0.5, 3, 1, 2]);
    expect(drawToken(logits, null, 0, () => 0.5)).toEqual({ token: 1, logProb: 0 });
    expect(drawToken(logits, new Uint8Array([1, 0, 1, 0]), 0, () => 0.5)!.token).toBe(2);
    const counts = [0, 0, 0, 0];
    const rng = createRng(5);
    for (let i = 0; i < 2000; i++) counts[drawToken(logits, new Uint8Array([1, 0, 0, 1]), 1, rng)!.token]!++;
    expect(counts[1]).toBe(0);
    expect(counts[2]).toBe(0);
    // p(3) = e^2 / (e^0.5 + e^2) = 0.818
    expect(counts[3]! / 2000).toBeGreaterThan(0.78);
    expect(counts[3]! / 2000).toBeLessThan(0.86);
    expect(drawToken(logits, new Uint8Array(4), 1, rng)).toBeNull();
  });
});
