/**
 * The hindsight term of the update: cross-entropy on rows flagged `hindsight`, beside the PPO
 * loss of the other rows, in one AdamW step.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { packMask } from '../../src/model/masks';
import { createOptimizer } from '../../src/model/optimizer';
import { policyLoss, sequenceLogProbs, type TrainBatch, type TrainStats, trainStep } from '../../src/model/train';
import { createModel } from '../../src/model/transformer';
import { microConfig, tokens, useBackend } from './helpers';

const options = { clipEpsilon: 0.2, entropyCoef: 0 };
const config = microConfig({ vocabSize: 12, contextLength: 16, dModel: 8, nHeads: 2, dMlp: 16, initStd: 0.5 });
const V = config.vocabSize;
const target = tokens(10, V, 4);
const hindsightRow = (advantage = 0): TrainBatch => ({ tokens: [target], promptLengths: [5], advantages: [advantage], oldLogProbs: [[]], hindsight: [true] });
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('the hindsight cross-entropy term', () => {
  beforeAll(() => useBackend('cpu'));

  it('is the mean negative log-prob of the answer tokens, whatever advantage the row carries', async () => {
    const model = createModel(config);
    const [logProbs] = await sequenceLogProbs(model, hindsightRow());
    const expected = -sum(logProbs!) / logProbs!.length;
    for (const advantage of [0, 5, -3]) {
      const loss = tf.tidy(() => policyLoss(model, hindsightRow(advantage), options).dataSync()[0]!);
      expect(loss).toBeCloseTo(expected, 4);
    }
    const weighted = tf.tidy(() => policyLoss(model, hindsightRow(), { ...options, hindsightWeight: 0.5 }).dataSync()[0]!);
    expect(weighted).toBeCloseTo(expected / 2, 4);
  });

  it('adds to the PPO loss of the policy rows, each averaged over its own tokens', async () => {
    const model = createModel(config);
    const policy = tokens(9, V, 1);
    const policyOnly: TrainBatch = { tokens: [policy], promptLengths: [4], advantages: [1], oldLogProbs: [] };
    policyOnly.oldLogProbs = await sequenceLogProbs(model, policyOnly);
    const both: TrainBatch = {
      tokens: [policy, target],
      promptLengths: [4, 5],
      advantages: [1, 0],
      oldLogProbs: [policyOnly.oldLogProbs[0]!, []],
      hindsight: [false, true],
    };
    const loss = (b: TrainBatch) => tf.tidy(() => policyLoss(model, b, options).dataSync()[0]!);
    expect(loss(both)).toBeCloseTo(loss(policyOnly) + loss(hindsightRow()), 4);
  });

  it("makes the executor's answer more likely, under the grammar mask it was forced through", async () => {
    const model = createModel(config);
    const optimizer = createOptimizer(model, { learningRate: 0.01 });
    const allowed = new Uint8Array(V).fill(1);
    allowed[(target[7]! + 1) % V] = 0;
    const batch: TrainBatch = { ...hindsightRow(), masks: [[null, null, null, packMask(allowed), null]] };
    const before = sum((await sequenceLogProbs(model, batch))[0]!);
    let stats: TrainStats | undefined;
    for (let i = 0; i < 10; i++) stats = await trainStep(model, optimizer, batch, options);
    const after = sum((await sequenceLogProbs(model, batch))[0]!);
    expect(after).toBeGreaterThan(before + 1);
    expect(stats!.skipped).toBe(false);
    expect(stats!.hindsightTokens).toBe(5);
    expect(stats!.hindsightLoss).toBeGreaterThan(0);
    expect(stats!.hindsightLoss).toBeCloseTo(-after / 5, 0);
  });

  it('with weight 0, a batch of hindsight rows only trains nothing', async () => {
    const model = createModel(config);
    const stats = await trainStep(model, createOptimizer(model), hindsightRow(), { ...options, hindsightWeight: 0 });
    expect(stats).toMatchObject({ skipped: true, hindsightLoss: null, hindsightTokens: 0 });
  });
});
