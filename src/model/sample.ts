// Batched sampling with a KV cache and per-sequence constraints.
//
// Layout: prompts are LEFT-padded to a common bucket length Pb, so every row's last prompt token
// sits in slot Pb-1 and every decode step writes the same cache slot for all rows (one one-hot
// slot mask, no per-row scatter). Each row's position ids start at 0 on its first real token, and
// the attention mask hides its padding, so a row's logits do not depend on what else is in the
// batch (up to float rounding).
//
// Per step: one forward pass for the whole batch on the device, ONE `await data()` of the [B, V]
// logits, then masking, temperature and the draw happen on the CPU in float64. Constraint masks
// come from JS objects (a grammar), so applying them on the CPU avoids uploading a [B, V] mask
// every step, and the log-probs we return are exact for the distribution actually sampled.

import * as tf from '@tensorflow/tfjs';
import { batchBucket, lengthBucket, shapeGrain } from './buckets';
import { disposeKvCache, type KvCache } from './kv-cache';
import { MaskInterner, type PackedMask } from './masks';
import { decodeStep, type Model, NO_PREVIOUS, prefill } from './transformer';

export interface SampleConstraint {
  /** flags of length vocabSize for the next token: 1 = allowed */
  allowed(): Uint8Array;
  advance(token: number): void;
  readonly finished: boolean;
}

export interface SampleRequest {
  prompt: number[];
  /** null: any token */
  constraint: SampleConstraint | null;
}

/**
 * Why a sequence stopped: it sampled eosId; its constraint reported finished; it reached
 * maxNewTokens or the context length; or its constraint allowed no token at all ('dead-end', no
 * token is appended for that step).
 */
export type StopReason = 'eos' | 'constraint' | 'length' | 'dead-end';

export interface SampleResult {
  /** the generated tokens (not the prompt), including the eos or finishing token */
  tokens: number[];
  /** log-prob of each sampled token under the masked, temperature-scaled distribution */
  logProbs: number[];
  stopReason: StopReason;
  /**
   * The allowed-token set used for each generated token (null entries: unconstrained), for
   * training on the same masked distribution. null when the request had no constraint. Equal
   * masks are one shared object.
   */
  masks: (PackedMask | null)[] | null;
}

export interface SampleOptions {
  maxNewTokens: number;
  /** > 0: sample from softmax(logits / temperature); 0: greedy (log-prob 0) */
  temperature: number;
  /** uniform [0, 1); one draw per sampled token, rows in request order */
  rng: () => number;
  eosId: number;
  /** default true; false = recompute the whole sequence every step (tests, benchmark) */
  useKvCache?: boolean;
  /** requests are run in chunks of at most this many rows (default 64), bounding cache memory */
  maxBatch?: number;
  /** record each step's mask in the result (default true) */
  recordMasks?: boolean;
}

interface Row {
  prompt: number[];
  constraint: SampleConstraint | null;
  /** most tokens this row may generate: maxNewTokens, capped by the context length */
  limit: number;
  tokens: number[];
  logProbs: number[];
  masks: (PackedMask | null)[] | null;
  done: boolean;
  stopReason: StopReason;
}

export async function sampleBatch(model: Model, requests: SampleRequest[], options: SampleOptions): Promise<SampleResult[]> {
  const { vocabSize: V, contextLength: C } = model.config;
  if (!(Number.isInteger(options.maxNewTokens) && options.maxNewTokens >= 1)) {
    throw new Error(`sampleBatch: maxNewTokens must be an integer >= 1, got ${options.maxNewTokens}`);
  }
  if (!(options.temperature >= 0)) throw new Error(`sampleBatch: temperature must be >= 0, got ${options.temperature}`);
  if (!(Number.isInteger(options.eosId) && options.eosId >= 0 && options.eosId < V)) {
    throw new Error(`sampleBatch: eosId ${options.eosId} is not a token id (vocabulary of ${V})`);
  }
  requests.forEach((r, i) => {
    if (r.prompt.length === 0) throw new Error(`sampleBatch: request ${i} has an empty prompt`);
    if (r.prompt.length >= C) {
      throw new Error(`sampleBatch: request ${i} has a prompt of ${r.prompt.length} tokens; the context holds ${C}, so at most ${C - 1}`);
    }
    for (const t of r.prompt) {
      if (!(Number.isInteger(t) && t >= 0 && t < V)) throw new Error(`sampleBatch: request ${i} has token ${t} outside the vocabulary (${V})`);
    }
  });
  const maxBatch = Math.max(1, Math.floor(options.maxBatch ?? 64));
  const results: SampleResult[] = [];
  const interner = new MaskInterner();
  for (let start = 0; start < requests.length; start += maxBatch) {
    const rows: Row[] = requests.slice(start, start + maxBatch).map((r) => ({
      prompt: r.prompt,
      constraint: r.constraint,
      limit: Math.min(options.maxNewTokens, C - r.prompt.length),
      tokens: [],
      logProbs: [],
      masks: r.constraint && options.recordMasks !== false ? [] : null,
      // A constraint that is finished before the first token yields an empty sequence.
      done: r.constraint?.finished === true,
      stopReason: r.constraint?.finished === true ? 'constraint' : 'length',
    }));
    if (rows.some((r) => !r.done)) {
      if (options.useKvCache === false) await sampleRecompute(model, rows, options, interner);
      else await sampleCached(model, rows, options, interner);
    }
    for (const row of rows) {
      results.push({ tokens: row.tokens, logProbs: row.logProbs, stopReason: row.stopReason, masks: row.masks });
    }
  }
  return results;
}

/** Left-pads the rows' sequences to `length`: the token tensor and each row's padding. */
function leftPadded(sequences: number[][], batch: number, length: number): { tokens: tf.Tensor2D; pads: number[] } {
  const tokens = new Int32Array(batch * length);
  const pads: number[] = [];
  for (let b = 0; b < batch; b++) {
    const seq = sequences[b] ?? [0]; // bucket filler rows: one token, results ignored
    const pad = length - seq.length;
    pads.push(pad);
    tokens.set(seq, b * length + pad);
  }
  return { tokens: tf.tensor2d(tokens, [batch, length], 'int32'), pads };
}

/** A prompt as a map key: equal prompts, equal keys. */
export const promptKey = (prompt: readonly number[]): string => prompt.join(',');

/** The distinct prompts, in order of first use, and each row's index among them. */
function distinctPrompts(prompts: readonly number[][]): { distinct: number[][]; rowsOf: number[] } {
  const index = new Map<string, number>();
  const distinct: number[][] = [];
  const rowsOf = prompts.map((prompt) => {
    const key = promptKey(prompt);
    let i = index.get(key);
    if (i === undefined) {
      i = distinct.length;
      index.set(key, i);
      distinct.push(prompt);
    }
    return i;
  });
  return { distinct, rowsOf };
}

async function sampleCached(model: Model, rows: Row[], options: SampleOptions, interner: MaskInterner): Promise<void> {
  const { contextLength: C } = model.config;
  const grain = shapeGrain();
  const B = batchBucket(rows.length, grain);
  const Pb = lengthBucket(Math.max(...rows.map((r) => r.prompt.length)), C, grain);
  const maxTokens = Math.max(...rows.map((r) => r.limit));
  // Rows with equal prompts (a solver's repeated tries, jobs drawn in groups) share one prefill.
  const { distinct, rowsOf } = distinctPrompts(rows.map((r) => r.prompt));
  const shared = distinct.length < rows.length;
  const first = leftPadded(distinct, shared ? batchBucket(distinct.length, grain) : B, Pb);
  // Each row's prompt and padding (bucket filler rows take the first prompt's).
  const promptOfRow = shared ? Array.from({ length: B }, (_, b) => rowsOf[b] ?? 0) : undefined;
  const pads = promptOfRow ? promptOfRow.map((r) => first.pads[r]!) : first.pads;
  let cache: KvCache | null = null;
  try {
    // Token t (0-based) is drawn from the logits of slot Pb-1+t and, unless it is the last one,
    // fed back at slot Pb+t.
    const pre = prefill(model, first.tokens, first.pads, maxTokens > 1, promptOfRow);
    first.tokens.dispose();
    cache = pre.cache;
    await pickTokens(pre.logits, rows, options, interner);
    const tokenIds = new Int32Array(B);
    // Only a model that embeds the previous token reads it (config.previousToken).
    const previousIds = model.wtp ? new Int32Array(B) : null;
    const positionIds = new Int32Array(B);
    for (let t = 0; cache && rows.some((r) => !r.done); t++) {
      const slot = Pb + t;
      for (let b = 0; b < B; b++) {
        const row = rows[b];
        const live = row && !row.done;
        tokenIds[b] = live ? row.tokens[t]! : 0;
        if (previousIds) previousIds[b] = live ? (t === 0 ? row.prompt[row.prompt.length - 1]! : row.tokens[t - 1]!) : NO_PREVIOUS;
        positionIds[b] = Math.min(slot - pads[b]!, C - 1);
      }
      const tokens = tf.tensor1d(tokenIds, 'int32');
      const positions = tf.tensor1d(positionIds, 'int32');
      const previous = previousIds ? tf.tensor1d(previousIds, 'int32') : undefined;
      const logits = decodeStep(model, cache, tokens, positions, slot, previous);
      tf.dispose([tokens, positions, ...(previous ? [previous] : [])]);
      await pickTokens(logits, rows, options, interner);
    }
  } finally {
    if (cache) disposeKvCache(cache);
  }
}

async function sampleRecompute(model: Model, rows: Row[], options: SampleOptions, interner: MaskInterner): Promise<void> {
  const { contextLength: C } = model.config;
  const grain = shapeGrain();
  const B = batchBucket(rows.length, grain);
  while (rows.some((r) => !r.done)) {
    const sequences = rows.map((r) => [...r.prompt, ...r.tokens]);
    const length = lengthBucket(Math.max(...sequences.map((s) => s.length)), C, grain);
    const input = leftPadded(sequences, B, length);
    const { logits } = prefill(model, input.tokens, input.pads, false);
    input.tokens.dispose();
    await pickTokens(logits, rows, options, interner);
  }
}

/** Reads the [B, V] logits once (and disposes them), then draws one token for every live row. */
async function pickTokens(logits: tf.Tensor2D, rows: Row[], options: SampleOptions, interner: MaskInterner): Promise<void> {
  const V = logits.shape[1];
  let data: Float32Array;
  try {
    data = (await logits.data()) as Float32Array;
  } finally {
    logits.dispose();
  }
  rows.forEach((row, b) => {
    if (row.done) return;
    const allowed = row.constraint ? row.constraint.allowed() : null;
    if (allowed && allowed.length !== V) {
      throw new Error(`sampleBatch: constraint mask has length ${allowed.length}, expected the vocabulary size ${V}`);
    }
    const picked = drawToken(data.subarray(b * V, (b + 1) * V), allowed, options.temperature, options.rng);
    if (!picked) {
      row.done = true;
      row.stopReason = 'dead-end';
      return;
    }
    row.tokens.push(picked.token);
    row.logProbs.push(picked.logProb);
    if (row.masks) row.masks.push(allowed ? interner.intern(allowed) : null);
    row.constraint?.advance(picked.token);
    if (picked.token === options.eosId) finish(row, 'eos');
    else if (row.constraint?.finished) finish(row, 'constraint');
    else if (row.tokens.length >= row.limit) finish(row, 'length');
  });
}

function finish(row: Row, reason: StopReason): void {
  row.done = true;
  row.stopReason = reason;
}

/**
 * Draws from softmax(logits / temperature) restricted to the allowed tokens (in float64), or takes
 * the argmax when temperature is 0. Returns null when no token is allowed.
 */
export function drawToken(logits: Float32Array, allowed: Uint8Array | null, temperature: number, rng: () => number): { token: number; logProb: number } | null {
  const V = logits.length;
  let best = -1;
  let max = Number.NEGATIVE_INFINITY;
  for (let t = 0; t < V; t++) {
    if (allowed && !allowed[t]) continue;
    if (best < 0 || logits[t]! > max) {
      max = logits[t]!;
      best = t;
    }
  }
  if (best < 0) return null;
  if (temperature === 0) return { token: best, logProb: 0 };
  const inv = 1 / temperature;
  const probs = new Float64Array(V);
  let sum = 0;
  for (let t = 0; t < V; t++) {
    if (allowed && !allowed[t]) continue;
    const p = Math.exp((logits[t]! - max) * inv);
    probs[t] = p;
    sum += p;
  }
  let u = rng() * sum;
  let token = best;
  for (let t = 0; t < V; t++) {
    const p = probs[t]!;
    if (p === 0) continue;
    token = t;
    u -= p;
    if (u < 0) break;
  }
  return { token, logProb: (logits[token]! - max) * inv - Math.log(sum) };
}
