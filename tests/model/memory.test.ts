import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { snapshotCheckpoint } from '../../src/model/checkpoint';
import { createOptimizer, disposeOptimizer } from '../../src/model/optimizer';
import { type SampleConstraint, sampleBatch } from '../../src/model/sample';
import { trainStep } from '../../src/model/train';
import { createModel, disposeModel } from '../../src/model/transformer';
import { createRng } from '../../src/shared/rng';
import { microConfig, tokens, useBackend } from './helpers';

const V = 20;

/** Allows every odd token; finished after 5 tokens. */
function oddTokens(): SampleConstraint {
  let n = 0;
  return {
    allowed: () => Uint8Array.from({ length: V }, (_, t) => t % 2),
    advance: () => {
      n++;
    },
    get finished() {
      return n >= 5;
    },
  };
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`memory (${backend})`, () => {
    it('tf.memory() stays flat over 50 sample + train steps', async () => {
      await useBackend(backend);
      const model = createModel(microConfig({ vocabSize: V }));
      const optimizer = createOptimizer(model);
      const rng = createRng(11);
      const readings: { numTensors: number; numBytes: number }[] = [];
      for (let step = 0; step < 50; step++) {
        // Varying prompt lengths and sequence counts, constrained and not, cached and not.
        const n = 2 + (step % 3);
        const prompts = Array.from({ length: n }, (_, i) => tokens(2 + ((step + i) % 7), V, step + i));
        const samples = await sampleBatch(
          model,
          prompts.map((prompt, i) => ({ prompt, constraint: i === 0 ? oddTokens() : null })),
          {
            maxNewTokens: 6,
            temperature: 1,
            rng,
            eosId: V - 1,
            useKvCache: step % 5 !== 4,
          },
        );
        await trainStep(
          model,
          optimizer,
          {
            tokens: samples.map((s, i) => [...prompts[i]!, ...s.tokens]),
            promptLengths: prompts.map((p) => p.length),
            advantages: samples.map((_, i) => (i % 2 ? 1 : -1)),
            oldLogProbs: samples.map((s) => s.logProbs),
            masks: samples.map((s) => s.masks),
          },
          { clipEpsilon: 0.2, entropyCoef: step % 2 ? 0.01 : 0 },
        );
        if (step % 10 === 0) await snapshotCheckpoint(model, optimizer, { tokenizerVersion: 't', step });
        const { numTensors, numBytes } = tf.memory();
        readings.push({ numTensors, numBytes });
      }
      // After warm-up (cached causal masks for each length bucket), nothing grows.
      const settled = readings.slice(10);
      for (const r of settled) {
        expect(r.numTensors).toBe(settled[0]!.numTensors);
        expect(r.numBytes).toBe(settled[0]!.numBytes);
      }
      disposeOptimizer(optimizer);
      disposeModel(model);
    });
  });
}
