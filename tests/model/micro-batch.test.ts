import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOptimizer } from '../../src/model/optimizer';
import { largestMicroBatch, microBatches, sequenceLogProbs, type TrainBatch, trainStep } from '../../src/model/train';
import { createModel, type Model } from '../../src/model/transformer';
import { microConfig, tokens, useBackend } from './helpers';

/** Runs one train step on a fresh copy of the same model and returns its stats and new weights. */
async function stepWith(
  batch: TrainBatch,
  microBatchRows?: number,
  microBatchTokens?: number,
): Promise<{ loss: number; gradNorm: number; entropy: number; weights: Float32Array[] }> {
  const model: Model = createModel(microConfig());
  const optimizer = createOptimizer(model, { learningRate: 0.01 });
  const stats = await trainStep(model, optimizer, batch, { clipEpsilon: 0.2, entropyCoef: 0.05, microBatchRows, microBatchTokens });
  const weights = await Promise.all([...model.params.values()].map(async (v) => (await v.data()) as Float32Array));
  return { loss: stats.loss, gradNorm: stats.gradNorm, entropy: stats.entropy, weights };
}

describe('micro-batched training', () => {
  beforeAll(() => useBackend('cpu'));

  it('gives the same loss, gradient norm and update as one whole batch', async () => {
    const V = microConfig().vocabSize;
    const seqs = [tokens(7, V, 1), tokens(20, V, 2), tokens(12, V, 3), tokens(30, V, 4), tokens(9, V, 5)];
    const batch: TrainBatch = { tokens: seqs, promptLengths: [3, 5, 4, 10, 2], advantages: [1, -0.5, 0.3, -1.2, 0.8], oldLogProbs: [] };
    const current = await sequenceLogProbs(createModel(microConfig()), batch);
    batch.oldLogProbs = current.map((row, i) => row.map((x, j) => x - 0.1 * Math.sin(i + j)));

    const whole = await stepWith(batch);
    for (const split of [await stepWith(batch, 2), await stepWith(batch, Infinity, 40)]) {
      expect(split.loss).toBeCloseTo(whole.loss, 5);
      expect(split.entropy).toBeCloseTo(whole.entropy, 5);
      expect(split.gradNorm).toBeCloseTo(whole.gradNorm, 5);
      whole.weights.forEach((w, i) => {
        const s = split.weights[i]!;
        for (let k = 0; k < w.length; k++) expect(Math.abs(w[k]! - s[k]!)).toBeLessThan(1e-5);
      });
    }
  });

  it('splits by rows and by positions (rows x the padded length of the longest), shortest rows first', () => {
    const V = microConfig().vocabSize;
    const lengths = [9, 33, 17, 65, 129, 12, 40];
    const batch: TrainBatch = {
      tokens: lengths.map((n, i) => tokens(n, V, i)),
      promptLengths: lengths.map(() => 1),
      advantages: lengths.map(() => 0),
      oldLogProbs: lengths.map(() => []),
    };
    const rowsOf = (parts: TrainBatch[]) => parts.map((part) => part.tokens.map((t) => t.length));
    // Lengths pad to a multiple of 8 ('fine'): 8, 16, 16, 32, 40, 64, 128 positions.
    expect(rowsOf(microBatches(batch, 3, Infinity, 256, 'fine'))).toEqual([[9, 12, 17], [33, 40, 65], [129]]);
    expect(rowsOf(microBatches(batch, 8, 64, 256, 'fine'))).toEqual([[9, 12, 17], [33], [40], [65], [129]]);
    // A row longer than the limit goes alone rather than not at all.
    expect(rowsOf(microBatches(batch, 8, 16, 256, 'fine')).flat()).toEqual([9, 12, 17, 33, 40, 65, 129]);
    expect(microBatches(batch, 8, Infinity, 256, 'fine')).toEqual([batch]);
  });

  it('knows the largest micro-batch its limits allow: full-context rows, a mask per token', () => {
    const config = microConfig();
    const C = config.contextLength;
    const largest = largestMicroBatch(config, { clipEpsilon: 0.2, entropyCoef: 0, microBatchRows: 8, microBatchTokens: 2 * C + 5 })!;
    expect(largest.tokens).toHaveLength(2);
    expect(largest.tokens.every((t) => t.length === C + 1)).toBe(true);
    expect(largest.hindsight).toEqual([false, true]);
    const masks = largest.masks!.flat();
    expect(new Set(masks.map((m) => m!.join(','))).size).toBe(masks.length);
    expect(largestMicroBatch(config, { clipEpsilon: 0.2, entropyCoef: 0 })).toBeNull();
    expect(largestMicroBatch(config, { clipEpsilon: 0.2, entropyCoef: 0, microBatchRows: 3 })!.tokens).toHaveLength(3);
  });

  it('leaks no tensors', async () => {
    const V = microConfig().vocabSize;
    const model = createModel(microConfig());
    const optimizer = createOptimizer(model);
    const batch: TrainBatch = {
      tokens: [tokens(8, V, 1), tokens(12, V, 2), tokens(6, V, 3)],
      promptLengths: [2, 3, 1],
      advantages: [1, -1, 0.5],
      oldLogProbs: [],
    };
    batch.oldLogProbs = await sequenceLogProbs(model, batch);
    await trainStep(model, optimizer, batch, { clipEpsilon: 0.2, entropyCoef: 0, microBatchRows: 1 });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await trainStep(model, optimizer, batch, { clipEpsilon: 0.2, entropyCoef: 0, microBatchRows: 1 });
    expect(tf.memory().numTensors).toBe(before);
  });
});
