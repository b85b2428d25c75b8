import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeKvCache } from '../../src/model/kv-cache';
import { sampleBatch } from '../../src/model/sample';
import { createModel, decodeStep, disposeModel, forward, type Model, PREFILL_POSITIONS, prefill } from '../../src/model/transformer';
import { createRng } from '../../src/shared/rng';
import { microConfig, tokens, useBackend } from './helpers';

/** Logits [T, V] of one unpadded sequence by the plain whole-sequence forward pass. */
async function fullLogits(model: Model, seq: number[]): Promise<Float32Array[]> {
  const out = forward(model, tf.tensor2d(seq, [1, seq.length], 'int32'));
  const data = (await out.data()) as Float32Array;
  out.dispose();
  const V = model.config.vocabSize;
  return seq.map((_, t) => data.slice(t * V, (t + 1) * V));
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

function logSoftmax(row: Float32Array): number[] {
  let max = -Infinity;
  for (const x of row) max = Math.max(max, x);
  let sum = 0;
  for (const x of row) sum += Math.exp(x - max);
  return Array.from(row, (x) => x - max - Math.log(sum));
}

const variants = [
  { name: 'tied head, GELU', overrides: {} },
  { name: 'separate head, ReLU', overrides: { tiedEmbeddings: false, activation: 'relu' as const } },
  { name: 'previous-token embedding', overrides: { previousToken: true } },
];

for (const backend of ['cpu', 'wasm'] as const)
  for (const variant of variants) {
    describe(`KV cache (${backend}, ${variant.name})`, () => {
      let model: Model;
      beforeAll(async () => {
        await useBackend(backend);
        model = createModel(microConfig(variant.overrides));
      });
      afterAll(() => disposeModel(model));

      it('prefill + decode steps give the logits of full recomputation, prompts of different lengths in one batch', async () => {
        const V = model.config.vocabSize;
        const steps = 20; // crosses two chunk merges and a growth of the frozen buffers
        const prompts = [tokens(3, V, 1), tokens(9, V, 2), tokens(6, V, 3)];
        const continuations = [tokens(steps, V, 4), tokens(steps, V, 5), tokens(steps, V, 6)];
        const B = 4; // a bucket: one filler row
        const P = 12; // left padding of 9, 3, 6 slots and 11 for the filler
        const pads = [0, 1, 2, 3].map((b) => P - (prompts[b]?.length ?? 1));
        const tok = new Int32Array(B * P);
        prompts.forEach((p, b) => tok.set(p, b * P + pads[b]!));
        const expected = await Promise.all(prompts.map((p, b) => fullLogits(model, [...p, ...continuations[b]!])));
        const check = async (logits: tf.Tensor2D, step: number) => {
          const data = (await logits.data()) as Float32Array;
          logits.dispose();
          prompts.forEach((p, b) => {
            const want = expected[b]![p.length - 1 + step]!;
            expect(maxDiff(data.subarray(b * V, (b + 1) * V), want), `row ${b} step ${step}`).toBeLessThan(1e-4);
          });
        };
        const pre = prefill(model, tf.tensor2d(tok, [B, P], 'int32'), pads, true);
        const cache = pre.cache!;
        await check(pre.logits, 0);
        for (let t = 0; t < steps - 1; t++) {
          const slot = P + t;
          const step = decodeStep(
            model,
            cache,
            tf.tensor1d(
              Array.from({ length: B }, (_, b) => continuations[b]?.[t] ?? 0),
              'int32',
            ),
            tf.tensor1d(
              Array.from({ length: B }, (_, b) => slot - pads[b]!),
              'int32',
            ),
            slot,
            tf.tensor1d(
              Array.from({ length: B }, (_, b) => (t === 0 ? (prompts[b]?.at(-1) ?? 0) : (continuations[b]?.[t - 1] ?? 0))),
              'int32',
            ),
          );
          await check(step, t + 1);
        }
        expect(cache.length).toBeGreaterThan(P); // the frozen buffers grew
        disposeKvCache(cache);
      });

      it('a prefill too large for one pass goes in several and gives the logits and cache of one', async () => {
        const V = model.config.vocabSize;
        const P = model.config.contextLength - 1;
        const B = 2 * Math.floor(PREFILL_POSITIONS / P) + 3; // three passes
        const rows = Array.from({ length: B }, (_, b) => tokens(P + 1, V, 100 + b));
        const whole = forward(model, tf.tensor2d(rows.flat(), [B, P + 1], 'int32'));
        const want = (await whole.data()) as Float32Array;
        whole.dispose();
        const at = (b: number, t: number) => want.subarray((b * (P + 1) + t) * V, (b * (P + 1) + t + 1) * V);
        const pre = prefill(
          model,
          tf.tensor2d(
            rows.flatMap((r) => r.slice(0, P)),
            [B, P],
            'int32',
          ),
          new Array(B).fill(0),
          true,
        );
        const first = (await pre.logits.data()) as Float32Array;
        pre.logits.dispose();
        const step = decodeStep(
          model,
          pre.cache!,
          tf.tensor1d(
            rows.map((r) => r[P]!),
            'int32',
          ),
          tf.tensor1d(new Array(B).fill(P), 'int32'),
          P,
          tf.tensor1d(
            rows.map((r) => r[P - 1]!),
            'int32',
          ),
        );
        const second = (await step.data()) as Float32Array;
        step.dispose();
        disposeKvCache(pre.cache!);
        for (const b of [0, B >> 1, B - 1]) {
          expect(maxDiff(first.subarray(b * V, (b + 1) * V), at(b, P - 1)), `row ${b} prefill`).toBeLessThan(1e-4);
          expect(maxDiff(second.subarray(b * V, (b + 1) * V), at(b, P)), `row ${b} decode`).toBeLessThan(1e-4);
        }
      });

      it('sampleBatch: cached and recomputed sampling draw the same tokens with the same log-probs, which are those of the plain forward pass', async () => {
        const V = model.config.vocabSize;
        const requests = [tokens(2, V, 7), tokens(11, V, 8), tokens(5, V, 9)].map((prompt) => ({ prompt, constraint: null }));
        const options = { maxNewTokens: 20, temperature: 1, eosId: V - 1 };
        const cached = await sampleBatch(model, requests, { ...options, rng: createRng(42) });
        const recomputed = await sampleBatch(model, requests, { ...options, rng: createRng(42), useKvCache: false });
        for (let i = 0; i < requests.length; i++) {
          expect(cached[i]!.tokens).toEqual(recomputed[i]!.tokens);
          expect(maxDiff(cached[i]!.logProbs, recomputed[i]!.logProbs)).toBeLessThan(1e-4);
          // Against the unpadded whole-sequence pass.
          const prompt = requests[i]!.prompt;
          const seq = [...prompt, ...cached[i]!.tokens];
          const logits = await fullLogits(model, seq);
          const want = cached[i]!.tokens.map((t, k) => logSoftmax(logits[prompt.length - 1 + k]!)[t]!);
          expect(maxDiff(cached[i]!.logProbs, want)).toBeLessThan(1e-4);
        }
      });

      it('sampleBatch: rows with the same prompt share one prefill and sample as if each had its own', async () => {
        const V = model.config.vocabSize;
        const [a, b] = [tokens(4, V, 12), tokens(9, V, 13)];
        // Three distinct prompts among six rows, a repeated one first and last.
        const requests = [a, b, a, tokens(6, V, 14), a, b].map((prompt) => ({ prompt, constraint: null }));
        const options = { maxNewTokens: 20, temperature: 1, eosId: V - 1 };
        const shared = await sampleBatch(model, requests, { ...options, rng: createRng(5) });
        const recomputed = await sampleBatch(model, requests, { ...options, rng: createRng(5), useKvCache: false });
        for (let i = 0; i < requests.length; i++) {
          expect(shared[i]!.tokens, `row ${i}`).toEqual(recomputed[i]!.tokens);
          expect(maxDiff(shared[i]!.logProbs, recomputed[i]!.logProbs), `row ${i}`).toBeLessThan(1e-4);
        }
        // One prompt, several draws: the rows go their own ways.
        expect(new Set([0, 2, 4].map((i) => shared[i]!.tokens.join(','))).size).toBeGreaterThan(1);
      });
    });
  }
