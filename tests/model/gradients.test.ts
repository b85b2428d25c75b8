import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { packMask } from '../../src/model/masks';
import { policyLoss, sequenceLogProbs, type TrainBatch } from '../../src/model/train';
import { createModel, trainableVariables } from '../../src/model/transformer';
import { microConfig, tokens, useBackend } from './helpers';

for (const backend of ['cpu', 'wasm'] as const)
  describe(`gradients (${backend})`, () => {
    beforeAll(() => useBackend(backend));

    it('the PPO loss gradient matches central finite differences', async () => {
      const config = microConfig({ vocabSize: 12, contextLength: 16, dModel: 8, nHeads: 2, dMlp: 16, initStd: 0.5 });
      const model = createModel(config);
      const V = config.vocabSize;
      const seqs = [tokens(9, V, 1), tokens(12, V, 2)];
      const allowed = new Uint8Array(V).fill(1);
      allowed[(seqs[1]![6]! + 1) % V] = 0;
      allowed[(seqs[1]![6]! + 2) % V] = 0;
      const batch: TrainBatch = {
        tokens: seqs,
        promptLengths: [4, 6],
        advantages: [1, -0.7],
        oldLogProbs: [],
        masks: [null, [packMask(allowed), null, null, null, null, null]],
      };
      // Old log-probs a little below the current ones: ratios about 1.05, inside the clip range, so
      // the loss is smooth where we differentiate it.
      const current = await sequenceLogProbs(model, batch);
      batch.oldLogProbs = current.map((row) => row.map((x) => x - 0.05));
      const options = { clipEpsilon: 0.2, entropyCoef: 0.1 };

      const variables = trainableVariables(model);
      const { grads, value } = tf.variableGrads(() => policyLoss(model, batch, options), variables);
      value.dispose();
      const lossAt = () => tf.tidy(() => policyLoss(model, batch, options).dataSync()[0]!);

      const h = 3e-3;
      let checked = 0;
      for (const name of ['wte', 'wpe', 'h0.norm1', 'h0.wqkv', 'h0.wo', 'h1.w1', 'h1.w2', 'normf']) {
        const variable = model.params.get(name)!;
        const analytic = grads[variable.name]!.dataSync();
        const values = variable.dataSync().slice() as Float32Array;
        // The two largest gradient entries and one fixed other entry.
        const order = Array.from(analytic.keys()).sort((a, b) => Math.abs(analytic[b]!) - Math.abs(analytic[a]!));
        for (const i of [order[0]!, order[1]!, ((values.length * 2) / 3) | 0]) {
          const probe = (delta: number) => {
            const copy = values.slice();
            copy[i] = values[i]! + delta;
            variable.assign(tf.tensor(copy, variable.shape));
            return lossAt();
          };
          const numeric = (probe(h) - probe(-h)) / (2 * h);
          variable.assign(tf.tensor(values, variable.shape));
          const exact = analytic[i]!;
          expect(Math.abs(numeric - exact), `${name}[${i}]: numeric ${numeric}, analytic ${exact}`).toBeLessThan(3e-4 + 3e-2 * Math.abs(exact));
          checked++;
        }
      }
      expect(checked).toBe(24);
      tf.dispose(grads);
    });
  });
