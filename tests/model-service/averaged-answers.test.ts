/**
 * Answers from the weights' moving average (SampleSettings.averaged): the model the optimiser
 * averages, not the live one, and asking draws nothing from the run's sampling generator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeWasmPaths } from '../../src/model/backend-node';
import { ModelService, type SampleJob } from '../../src/model-service/model-service';

let service: ModelService;
let plain: ModelService;
beforeAll(async () => {
  service = new ModelService();
  await service.init({
    preset: 'tiny',
    seed: 5,
    wasmPaths: nodeWasmPaths(),
    candidates: ['wasm', 'cpu'],
    optimizer: { learningRate: 0.05, averageDecay: 0.9 },
  });
  plain = new ModelService();
  await plain.init({ preset: 'tiny', seed: 5, wasmPaths: nodeWasmPaths(), candidates: ['wasm', 'cpu'] });
}, 120_000);
afterAll(() => {
  service?.dispose();
  plain?.dispose();
});

describe("answers from the weights' moving average", () => {
  it('come from the average, which the service says it keeps, without drawing from the sampler', async () => {
    expect(service.info().averaged).toBe(true);
    expect(plain.info().averaged).toBe(false);
    const job: SampleJob = { kind: 'program', prompt: [service.tokenizer.id('<program>')], maxTokens: 40 };
    // Greedy answers from the average draw nothing from the run's sampler.
    const sampler = service.samplerState();
    await service.sample([job], { temperature: 0, averaged: true });
    expect(service.samplerState()).toEqual(sampler);

    // The same draws at temperature 1 from both sets of weights: their log-probabilities tell them apart.
    const both = async (which: ModelService) => {
      const state = which.samplerState();
      const [live] = await which.sample([job], { temperature: 1 });
      which.restoreSamplerState(state);
      const [averaged] = await which.sample([job], { temperature: 1, averaged: true });
      return { live: live!, averaged: averaged! };
    };
    // Before any update the average is the weights: the same answer, to the last bit.
    const before = await both(service);
    expect(before.averaged.tokens).toEqual(before.live.tokens);
    expect(before.averaged.logProbs).toEqual(before.live.logProbs);

    // After three updates the average lags the weights.
    const target = before.live;
    const batch = { tokens: [[...job.prompt, ...target.tokens]], promptLengths: [1], advantages: [1], oldLogProbs: [target.logProbs] };
    for (let i = 0; i < 3; i++) await service.train(batch, { clipEpsilon: 0.2, entropyCoef: 0 });
    const after = await both(service);
    expect(after.averaged.logProbs).not.toEqual(after.live.logProbs);

    // Without an average, `averaged` answers with the live weights.
    const unaveraged = await both(plain);
    expect(unaveraged.averaged.logProbs).toEqual(unaveraged.live.logProbs);
  }, 120_000);
});
