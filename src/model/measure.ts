// Measures the model's speed (`npx tabula bench model` drives it in Node and in the browser's
// model worker). For a preset on a backend it measures:
// - sampling tokens/s, batch 8, 256 new tokens (fewer where the context is shorter), with the KV
//   cache and with full recomputation each step. Recomputation is timed per length bucket and
//   summed over the 256 steps' buckets ("est."), except where a full run is affordable; on
//   wasm also the KV-cached rate at batch 64;
// - training tokens/s for batch 8 x T (T = 64 and 256; every position is a real token);
// - the training step's achieved GFLOP/s (forward + backward FLOPs, config.trainFlopsPerToken),
//   the same backend's plain 2-D matMul GFLOP/s at the model's own matmul shapes, and their ratio.

import * as tf from '@tensorflow/tfjs';
import { createRng } from '../shared/rng';
import { activateBackend, type BackendName, type WasmPaths, wasmThreads } from './backend';
import { lengthBucket } from './buckets';
import { configFor, type ModelConfig, type PresetName, parameterCount, trainFlopsPerToken } from './config';
import { createOptimizer, disposeOptimizer } from './optimizer';
import { type SampleConstraint, sampleBatch } from './sample';
import { type TrainBatch, trainStep } from './train';
import { createModel, disposeModel, type Model, prefill } from './transformer';

const BATCH = 8;
const NEW_TOKENS = 256;

function noEos(vocab: number, eos: number): SampleConstraint {
  const mask = new Uint8Array(vocab).fill(1);
  mask[eos] = 0;
  return { allowed: () => mask, advance: () => {}, finished: false };
}

function prompts(config: ModelConfig, promptLength: number, batch = BATCH): number[][] {
  return Array.from({ length: batch }, (_, i) => Array.from({ length: promptLength }, (_, j) => (i * 31 + j * 7) % (config.vocabSize - 1)));
}

/** Median of `runs` timings, in tokens/s. The development machine is shared: medians, not bests. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function timeKvSampling(model: Model, promptLength: number, newTokens: number, runs: number, batch = BATCH, warmUp = newTokens): Promise<number> {
  const V = model.config.vocabSize;
  const requests = () => prompts(model.config, promptLength, batch).map((prompt) => ({ prompt, constraint: noEos(V, V - 1) }));
  const options = { temperature: 1, rng: createRng(1), eosId: V - 1 };
  await sampleBatch(model, requests(), { ...options, maxNewTokens: warmUp }); // warm-up (all cache shapes)
  const rates: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const results = await sampleBatch(model, requests(), { ...options, maxNewTokens: newTokens });
    rates.push(results.reduce((n, r) => n + r.tokens.length, 0) / ((performance.now() - start) / 1000));
  }
  return median(rates);
}

/**
 * Full recomputation: each step is a forward pass over the batch left-padded to the current
 * length bucket. Runs it for real when `full`; else times one step per bucket and sums over the
 * schedule (every step in a bucket costs the same: the shapes are identical). Once the timing
 * itself has taken 20 s (the CPU backend), larger buckets are extrapolated from the last measured
 * one in proportion to their forward FLOPs. Returns tokens/s and whether anything was extrapolated.
 */
async function timeRecomputeSampling(model: Model, promptLength: number, newTokens: number, full: boolean): Promise<{ rate: number; extrapolated: boolean }> {
  const V = model.config.vocabSize;
  if (full) {
    const requests = prompts(model.config, promptLength).map((prompt) => ({ prompt, constraint: noEos(V, V - 1) }));
    const start = performance.now();
    const results = await sampleBatch(model, requests, { temperature: 1, rng: createRng(1), eosId: V - 1, maxNewTokens: newTokens, useKvCache: false });
    return { rate: results.reduce((n, r) => n + r.tokens.length, 0) / ((performance.now() - start) / 1000), extrapolated: false };
  }
  const steps = new Map<number, number>();
  for (let t = 0; t < newTokens; t++) {
    const length = lengthBucket(promptLength + t, model.config.contextLength);
    steps.set(length, (steps.get(length) ?? 0) + 1);
  }
  const forwardFlops = (length: number) => (trainFlopsPerToken(model.config, length) / 3) * BATCH * length;
  const budgetEnd = performance.now() + 20_000;
  let total = 0;
  let msPerFlop = 0;
  let extrapolated = false;
  for (const [length, count] of [...steps].sort((a, b) => a[0] - b[0])) {
    if (msPerFlop > 0 && performance.now() > budgetEnd) {
      total += msPerFlop * forwardFlops(length) * count;
      extrapolated = true;
      continue;
    }
    const run = async () => {
      const tokens = tf.zeros([BATCH, length], 'int32') as tf.Tensor2D;
      const start = performance.now();
      const { logits } = prefill(model, tokens, new Array(BATCH).fill(0), false);
      await logits.data();
      const ms = performance.now() - start;
      tf.dispose([tokens, logits]);
      return ms;
    };
    const first = await run();
    const ms = performance.now() > budgetEnd ? first : await run(); // the first run includes warm-up
    msPerFlop = ms / forwardFlops(length);
    total += ms * count;
  }
  return { rate: (BATCH * newTokens) / (total / 1000), extrapolated };
}

async function timeTraining(model: Model, length: number, repeats: number): Promise<number> {
  const V = model.config.vocabSize;
  const optimizer = createOptimizer(model);
  const promptLength = Math.min(32, length / 2);
  const batch: TrainBatch = {
    tokens: Array.from({ length: BATCH }, (_, i) => Array.from({ length: length + 1 }, (_, j) => (i * 13 + j * 5) % V)),
    promptLengths: new Array(BATCH).fill(promptLength),
    advantages: Array.from({ length: BATCH }, (_, i) => (i % 2 ? 1 : -1)),
    oldLogProbs: Array.from({ length: BATCH }, () => new Array(length + 1 - promptLength).fill(-6)),
  };
  const options = { clipEpsilon: 0.2, entropyCoef: 0.01 };
  // Warm-up: kernel set-up, and (on wasm) V8 tiering the kernels up, which the first steps pay for.
  for (let i = 0; i < Math.min(2, repeats); i++) await trainStep(model, optimizer, batch, options);
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await trainStep(model, optimizer, batch, options);
    times.push(performance.now() - start);
  }
  disposeOptimizer(optimizer);
  return median(times);
}

/** GFLOP/s of plain 2-D matMuls at the shapes the model's training step multiplies. */
async function plainMatmulGflops(config: ModelConfig, rows: number): Promise<number> {
  const { dModel: d, dMlp: m, vocabSize: V } = config;
  const shapes: [number, number, number][] = [
    [rows, d, 3 * d],
    [rows, d, d],
    [rows, d, m],
    [rows, m, d],
    [rows, d, V],
  ];
  let flops = 0;
  let ms = 0;
  for (const [M, K, N] of shapes) {
    const a = tf.randomNormal([M, K]) as tf.Tensor2D;
    const b = tf.randomNormal([K, N]) as tf.Tensor2D;
    const once = async () => {
      const start = performance.now();
      const c = tf.matMul(a, b);
      await c.data();
      c.dispose();
      return performance.now() - start;
    };
    await once();
    ms += median([await once(), await once(), await once(), await once(), await once()]);
    flops += 2 * M * K * N;
    tf.dispose([a, b]);
  }
  return flops / (ms / 1000) / 1e9;
}

export interface ModelMeasurement {
  preset: PresetName;
  backend: BackendName;
  /** threads the backend computed with (wasm: 1 for the single-threaded build, else its XNNPACK pool) */
  threads: number;
  parameters: number;
  newTokens: number;
  sampleTokensPerSec: number;
  recomputeTokensPerSec: number;
  /** true when full recomputation was timed per length bucket rather than run whole */
  recomputeEstimated: boolean;
  kvSpeedup: number;
  trainLength: number;
  trainMsPerStep: number;
  trainTokensPerSec: number;
  trainGflops: number;
  matmulGflops: number;
  trainMatmulFraction: number;
}

/**
 * Times one preset on one backend: KV-cached and recomputed sampling (batch 8, up to 256 new
 * tokens) and a training step (batch 8 x 64), with the step's GFLOP/s against the backend's
 * plain matMul GFLOP/s at the model's own shapes. The caller activates nothing: this does.
 */
export async function measureModel(
  preset: PresetName,
  backend: BackendName,
  options: { vocab: number; wasmPaths?: WasmPaths; threads?: number },
): Promise<ModelMeasurement> {
  await activateBackend(backend, options.wasmPaths, options.threads);
  const config = configFor(preset, options.vocab);
  const model = createModel(config);
  try {
    const slow = backend === 'cpu' || preset !== 'tiny';
    const promptLength = Math.min(32, config.contextLength - NEW_TOKENS > 0 ? 32 : 16);
    const newTokens = Math.min(NEW_TOKENS, config.contextLength - promptLength);
    const kv = await timeKvSampling(model, promptLength, newTokens, slow ? 1 : 3, BATCH, backend === 'cpu' ? 16 : newTokens);
    const recompute = await timeRecomputeSampling(model, promptLength, newTokens, !slow);
    const length = 64;
    const ms = await timeTraining(model, length, backend === 'cpu' && preset !== 'tiny' ? 1 : slow ? 3 : 7);
    const tokens = BATCH * length;
    const gflops = (trainFlopsPerToken(config, length) * tokens) / (ms / 1000) / 1e9;
    const plain = await plainMatmulGflops(config, tokens);
    return {
      preset,
      backend,
      threads: backend === 'wasm' ? wasmThreads() : 1,
      parameters: parameterCount(config),
      newTokens,
      sampleTokensPerSec: kv,
      recomputeTokensPerSec: recompute.rate,
      recomputeEstimated: slow,
      kvSpeedup: kv / recompute.rate,
      trainLength: length,
      trainMsPerStep: ms,
      trainTokensPerSec: tokens / (ms / 1000),
      trainGflops: gflops,
      matmulGflops: plain,
      trainMatmulFraction: gflops / plain,
    };
  } finally {
    disposeModel(model);
  }
}
