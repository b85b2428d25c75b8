import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOptimizer, disposeOptimizer } from '../../src/model/optimizer';
import { sampleBatch } from '../../src/model/sample';
import { sequenceLogProbs, trainStep } from '../../src/model/train';
import { createModel, disposeModel, type Model } from '../../src/model/transformer';
import { createRng } from '../../src/shared/rng';
import { microConfig, useBackend } from './helpers';

describe('policy gradient', () => {
  let model: Model;
  beforeAll(async () => {
    await useBackend('cpu');
    model = createModel(microConfig({ vocabSize: 8, contextLength: 8, dModel: 16, nLayers: 1, initStd: 0.02 }));
  });
  afterAll(() => disposeModel(model));

  it('learns a one-step bandit (reward 1 for token 5) within a few hundred steps', async () => {
    const optimizer = createOptimizer(model, { learningRate: 1e-2, weightDecay: 0 });
    const rng = createRng('bandit');
    const target = 5;
    const prompt = [0];
    const probability = async () => Math.exp((await sequenceLogProbs(model, { tokens: [[...prompt, target]], promptLengths: [1] }))[0]![0]!);
    const start = await probability();
    expect(start).toBeLessThan(0.25); // about 1/8 at initialisation

    let steps = 0;
    let p = start;
    while (steps < 300 && p < 0.9) {
      const requests = Array.from({ length: 16 }, () => ({ prompt, constraint: null }));
      const samples = await sampleBatch(model, requests, { maxNewTokens: 1, temperature: 1, rng, eosId: 7 });
      const rewards: number[] = samples.map((s) => (s.tokens[0] === target ? 1 : 0));
      const mean = rewards.reduce((a, b) => a + b, 0) / rewards.length;
      await trainStep(
        model,
        optimizer,
        {
          tokens: samples.map((s) => [...prompt, ...s.tokens]),
          promptLengths: samples.map(() => prompt.length),
          advantages: rewards.map((r) => r - mean),
          oldLogProbs: samples.map((s) => s.logProbs),
        },
        { clipEpsilon: 0.2, entropyCoef: 0 },
      );
      steps++;
      if (steps % 10 === 0) p = await probability();
    }
    p = await probability();
    expect(p).toBeGreaterThan(0.9);
    expect(steps).toBeLessThanOrEqual(300);
    disposeOptimizer(optimizer);
  });
});
