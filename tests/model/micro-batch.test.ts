import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOptimizer } from '../../src/model/optimizer';
import { sequenceLogProbs, type TrainBatch, trainStep } from '../../src/model/train';
import { createModel, type Model } from '../../src/model/transformer';
import { microConfig, tokens, useBackend } from './helpers';

/** Runs one train step on a fresh copy of the same model and returns its stats and new weights. */
async function stepWith(batch: TrainBatch, microBatchRows?: number): Promise<{ loss: number; gradNorm: number; entropy: number; weights: Float32Array[] }> {
  const model: Model = createModel(microConfig());
  const optimizer = createOptimizer(model, { learningRate: 0.01 });
  const stats = await trainStep(model, optimizer, batch, { clipEpsilon: 0.2, entropyCoef: 0.05, microBatchRows });
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
    const split = await stepWith(batch, 2);
    expect(split.loss).toBeCloseTo(whole.loss, 5);
    expect(split.entropy).toBeCloseTo(whole.entropy, 5);
    expect(split.gradNorm).toBeCloseTo(whole.gradNorm, 5);
    whole.weights.forEach((w, i) => {
      const s = split.weights[i]!;
      for (let k = 0; k < w.length; k++) expect(Math.abs(w[k]! - s[k]!)).toBeLessThan(1e-5);
    });
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
