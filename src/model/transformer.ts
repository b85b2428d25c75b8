// The whole transformer: a GPT-2 style decoder in plain tfjs ops over tf.Variables.
//
//   tokens -> token embedding + learned position embedding (+ the previous token's embedding)
//          -> nLayers x [ x += attn(rmsnorm(x)); x += mlp(rmsnorm(x)) ]   (pre-norm blocks)
//          -> rmsnorm -> output head (tied to the token embedding by default) -> logits
//
// Two ways in:
// - forwardHidden / forward: the whole sequence at once (training, and sampling without a cache).
// - prefill + decodeStep: the KV-cached path for sampling, one new token per sequence per step,
//   with a preallocated fixed-size cache so every step has the same shapes.
//
// Layout choices that matter for speed on tfjs (the ops with hand-written gradients are in
// kernels.ts, with the measurements behind them):
// - Activations stay 2-D [B*T, d] around every weight matmul (`linear`): a broadcast (3-D x 2-D)
//   matMul breaks in tfjs backprop, and plain 2-D matmuls are every backend's fastest path.
// - Attention runs over [H*B] independent (head, row) groups with `groupMatMul`: batched matMul,
//   or depthwise convolutions on WASM. Heads lead the batch dims ([H, B, T, dh]) so that the
//   reshapes between [H, B, ...] and [H*B, ...] are free.
// - The embedding lookup is a gather with a scatter-add (or one-hot matmul) backward (`embedRows`).
// - No biases: they add an op per matmul and do not help a model of this size.

import * as tf from '@tensorflow/tfjs';
import { createRng, randomNormal } from '../shared/rng';
import { type ModelConfig, paramSpecs, validateConfig } from './config';
import { embedRows, groupMatMul, linear, MASKED } from './kernels';
import { attendCache, createKvCache, KV_CHUNK, type KvCache, mergeActiveChunk, writeSlot } from './kv-cache';

type Matrix = tf.Variable<tf.Rank.R2>;
type Vector = tf.Variable<tf.Rank.R1>;

export interface Block {
  norm1: Vector;
  /** query, key and value projections side by side: [d, 3d] */
  wqkv: Matrix;
  wo: Matrix;
  norm2: Vector;
  w1: Matrix;
  w2: Matrix;
}

export interface Model {
  readonly config: ModelConfig;
  readonly wte: Matrix;
  readonly wpe: Matrix;
  /** the previous token's embedding [V, d] (config.previousToken), or null */
  readonly wtp: Matrix | null;
  readonly blocks: readonly Block[];
  readonly normf: Vector;
  /** separate output head [d, V], or null when tied to wte */
  readonly head: Matrix | null;
  /** every parameter by name, in paramSpecs order (checkpoints and the optimiser use this order) */
  readonly params: ReadonlyMap<string, tf.Variable>;
}

/**
 * Creates the parameters with a deterministic initialiser: the same config (and seed) gives
 * bit-identical weights on every backend and platform, because the numbers are drawn in JS.
 * `values` (e.g. from a checkpoint) replaces the random initialisation.
 */
export function createModel(config: ModelConfig, values?: ReadonlyMap<string, Float32Array>): Model {
  validateConfig(config);
  const rng = createRng(config.seed);
  const params = new Map<string, tf.Variable>();
  for (const spec of paramSpecs(config)) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    let data = values?.get(spec.name);
    if (values && !data) throw new Error(`createModel: no values for parameter ${spec.name}`);
    if (data && data.length !== size) {
      throw new Error(`createModel: parameter ${spec.name} has ${data.length} values, expected ${size} for shape [${spec.shape.join(', ')}]`);
    }
    if (!data) {
      data = new Float32Array(size);
      if (spec.init.kind === 'ones') data.fill(1);
      else for (let i = 0; i < size; i++) data[i] = randomNormal(rng) * spec.init.std;
    }
    const initial = tf.tensor(data, spec.shape, 'float32');
    params.set(spec.name, tf.variable(initial, true));
    initial.dispose();
  }
  return modelOf(config, params);
}

/** A model of its own holding `model`'s current weights, copied on the device (nothing read back). */
export function copyModel(model: Model): Model {
  return modelOf(model.config, new Map([...model.params].map(([name, variable]) => [name, tf.variable(variable, true)])));
}

/** The model's named parts over its parameters (paramSpecs names). */
function modelOf(config: ModelConfig, params: Map<string, tf.Variable>): Model {
  const matrix = (name: string) => params.get(name) as Matrix;
  const vector = (name: string) => params.get(name) as Vector;
  const blocks: Block[] = [];
  for (let l = 0; l < config.nLayers; l++) {
    blocks.push({
      norm1: vector(`h${l}.norm1`),
      wqkv: matrix(`h${l}.wqkv`),
      wo: matrix(`h${l}.wo`),
      norm2: vector(`h${l}.norm2`),
      w1: matrix(`h${l}.w1`),
      w2: matrix(`h${l}.w2`),
    });
  }
  return {
    config,
    params,
    blocks,
    wte: matrix('wte'),
    wpe: matrix('wpe'),
    wtp: config.previousToken ? matrix('wtp') : null,
    normf: vector('normf'),
    head: config.tiedEmbeddings ? null : matrix('head'),
  };
}

export function disposeModel(model: Model): void {
  for (const v of model.params.values()) v.dispose();
}

export function trainableVariables(model: Model): tf.Variable[] {
  return [...model.params.values()];
}

// ---------------------------------------------------------------------------------------------
// Building blocks

/** RMSNorm over the last axis: x / sqrt(mean(x^2) + eps) * gain. Cheaper than LayerNorm (no
 * mean subtraction, no bias), and as good for small transformers. */
function rmsNorm(x: tf.Tensor2D, gain: tf.Tensor, eps: number): tf.Tensor2D {
  const meanSquare = tf.mean(tf.square(x), -1, true);
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(meanSquare, eps))), gain);
}

/**
 * GELU in its sigmoid form, x * sigmoid(1.702 x) (Hendrycks & Gimpel): within 0.02 of the erf
 * form, and three cheap ops where erf or tanh cost 3-5x more per element on the WASM backend.
 */
function activation(x: tf.Tensor2D, kind: ModelConfig['activation']): tf.Tensor2D {
  if (kind === 'relu') return tf.relu(x);
  return tf.mul(x, tf.sigmoid(tf.mul(x, 1.702)));
}

/** Columns [from, from + d) of the fused [d, 3d] projection. */
function qkvColumns(wqkv: tf.Tensor2D, part: 0 | 1 | 2): tf.Tensor2D {
  const d = wqkv.shape[0];
  return tf.slice(wqkv, [0, part * d], [d, d]);
}

/** [B*T, d] -> [H, B, T, dh]: one 4-D transpose per tensor. */
function toHeads(x: tf.Tensor2D, B: number, T: number, H: number): tf.Tensor4D {
  const dh = x.shape[1] / H;
  return tf.transpose(tf.reshape(x, [B, T, H, dh]), [2, 0, 1, 3]);
}

/** Attention outputs [H, B, T, dh] back to [B*T, d], heads side by side. */
function mergeHeads(y: tf.Tensor4D): tf.Tensor2D {
  const [H, B, T, dh] = y.shape;
  return tf.reshape(tf.transpose(y, [1, 2, 0, 3]), [B * T, H * dh]);
}

/**
 * Scaled dot-product attention of q [H,B,Tq,dh] over k, v [H,B,Tk,dh] with an additive mask
 * broadcastable to [H,B,Tq,Tk] (0 = attend, MASKED = do not).
 */
function attend(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, mask: tf.Tensor): tf.Tensor4D {
  const [H, B, Tq, dh] = q.shape;
  const Tk = k.shape[2];
  const G = H * B;
  // Scaling q (B*T*d values) is cheaper than scaling the scores (B*H*T*T values).
  const scores = groupMatMul(tf.reshape(tf.mul(q, 1 / Math.sqrt(dh)), [G, Tq, dh]) as tf.Tensor3D, tf.reshape(k, [G, Tk, dh]) as tf.Tensor3D, true);
  const weights = tf.softmax(tf.add(tf.reshape(scores, [H, B, Tq, Tk]), mask));
  const y = groupMatMul(tf.reshape(weights, [G, Tq, Tk]) as tf.Tensor3D, tf.reshape(v, [G, Tk, dh]) as tf.Tensor3D);
  return tf.reshape(y, [H, B, Tq, dh]) as tf.Tensor4D;
}

/**
 * Causal mask [T, T]: query i may attend to keys j <= i. One kept mask, of the longest length
 * asked for so far, and a corner of it for shorter ones (a new tensor, freed with its caller's
 * scope), so that the kept tensors do not grow with every new length WebAssembly's exact shapes
 * bring.
 */
let causalMaskFull: tf.Tensor2D | null = null;
export function causalMask(T: number): tf.Tensor2D {
  if (!causalMaskFull || causalMaskFull.isDisposed || causalMaskFull.shape[0] < T) {
    causalMaskFull?.dispose();
    const data = new Float32Array(T * T);
    for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) data[i * T + j] = MASKED;
    causalMaskFull = tf.keep(tf.tensor2d(data, [T, T]));
  }
  return causalMaskFull.shape[0] === T ? causalMaskFull : tf.slice(causalMaskFull, [0, 0], [T, T]);
}

/**
 * Each position's previous token id [B, T]: the row shifted right by one, with the pad id where
 * there is none (a row's first position, and every position 0 of left-padded rows), so that
 * training (right padding), prefill (left padding) and decodeStep agree.
 */
function previousIds(tokens: tf.Tensor2D, positions?: tf.Tensor2D): tf.Tensor2D {
  const [B, T] = tokens.shape;
  const none = tf.fill([B, 1], NO_PREVIOUS, 'int32') as tf.Tensor2D;
  const shifted = T === 1 ? none : tf.concat([none, tf.slice(tokens, [0, 0], [B, T - 1])], 1);
  if (!positions) return shifted;
  return tf.where(tf.equal(positions, 0), tf.fill([B, T], NO_PREVIOUS, 'int32'), shifted) as tf.Tensor2D;
}

/** The id a row's first token has before it: the tokenizer's pad (id 0), never a real token. */
export const NO_PREVIOUS = 0;

function logitsFromHidden(model: Model, h: tf.Tensor2D): tf.Tensor2D {
  return model.head ? linear(h, model.head) : linear(h, model.wte, true);
}

// ---------------------------------------------------------------------------------------------
// Whole-sequence forward pass

export interface ForwardOptions {
  /**
   * Position ids [B, T] for left-padded rows (position = index minus the row's padding). Omitted:
   * positions 0..T-1 for every row (right padding, as in training).
   */
  positions?: tf.Tensor2D;
  /** Additive mask broadcastable to [1, B, T, T]; omitted: the causal mask. */
  mask?: tf.Tensor;
  /** When given, each layer's keys and values [H, B, T, dh] are pushed here (for prefill). */
  kvOut?: tf.Tensor4D[];
}

/**
 * The final-normed hidden states [B*T, d] for token ids [B, T] (int32). Differentiable in the
 * parameters; call inside tf.tidy.
 */
export function forwardHidden(model: Model, tokens: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor2D {
  const { dModel: d, nHeads: H, normEps: eps } = model.config;
  const [B, T] = tokens.shape;
  if (T > model.config.contextLength) throw new Error(`forward: length ${T} exceeds contextLength ${model.config.contextLength}`);
  const N = B * T;

  const tok = embedRows(model.wte, tf.reshape(tokens, [N]));
  let x: tf.Tensor2D;
  if (options.positions) {
    x = tf.add(tok, embedRows(model.wpe, tf.reshape(options.positions, [N])));
  } else {
    // Same positions for every row: add [T, d] to [B, T, d] by broadcasting (its gradient is a
    // plain sum over B), instead of gathering B copies.
    const pos = tf.slice(model.wpe, [0, 0], [T, d]);
    x = tf.reshape(tf.add(tf.reshape(tok, [B, T, d]), pos), [N, d]);
  }
  if (model.wtp) x = tf.add(x, embedRows(model.wtp, tf.reshape(previousIds(tokens, options.positions), [N])));
  const mask = options.mask ?? causalMask(T);

  for (const blk of model.blocks) {
    // Three projections from column blocks of the fused weight, rather than one projection and a
    // split: the WASM backend's split copies its whole input once per output. (One projection
    // whose [B,T,3,H,dh] output is transposed once and unstacked was measured slower on WASM:
    // 580 against 380 ms for a 61-row update, the 5-D transpose being the cost.)
    const h = rmsNorm(x, blk.norm1, eps);
    const [q, k, v] = ([0, 1, 2] as const).map((part) => toHeads(linear(h, qkvColumns(blk.wqkv, part)), B, T, H));
    if (options.kvOut) options.kvOut.push(k!, v!);
    x = tf.add(x, linear(mergeHeads(attend(q!, k!, v!, mask)), blk.wo));
    const hidden = activation(linear(rmsNorm(x, blk.norm2, eps), blk.w1), model.config.activation);
    x = tf.add(x, linear(hidden, blk.w2));
  }
  return rmsNorm(x, model.normf, eps);
}

/** Logits [B, T, V] for token ids [B, T] (int32): training and full recomputation. */
export function forward(model: Model, tokens: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor3D {
  return tf.tidy(() => {
    const [B, T] = tokens.shape;
    const logits = logitsFromHidden(model, forwardHidden(model, tokens, options));
    return tf.reshape(logits, [B, T, model.config.vocabSize]);
  });
}

/** Logits [B*T, V] from final hidden states [B*T, d]. */
export function outputLogits(model: Model, hidden: tf.Tensor2D): tf.Tensor2D {
  return logitsFromHidden(model, hidden);
}

// ---------------------------------------------------------------------------------------------
// KV-cached decoding (the cache's buffers and their layouts: kv-cache.ts)

/**
 * Positions a prefill pass may hold at once (rows x prompt length); more rows go in further
 * passes. One pass keeps every layer's intermediates until it ends, attention's growing with the
 * square of the prompt: sampling 168 rows of a 180-token prompt took 756 MB of wasm heap in one
 * pass, 151 MB in passes of 2048 positions, and 3.8 s instead of 5.8 s (tiny, one thread).
 */
export const PREFILL_POSITIONS = 2048;

/**
 * Runs left-padded prompts through the model: tokens [B, P] (int32) where row b's first `pads[b]`
 * slots are padding (any id). Returns the logits [B, V] at the last slot (each row's first new
 * token) and, when `keepCache`, the KV cache for decodeStep. Positions start at 0 on each row's
 * first real token and the padding is masked out, so a row's result does not depend on the others.
 * With `rowsOf`, the results have one row per entry, row b being prompt row rowsOf[b]: rows that
 * share a prompt share its prefill.
 */
export function prefill(
  model: Model,
  tokens: tf.Tensor2D,
  pads: readonly number[],
  keepCache: boolean,
  rowsOf?: readonly number[],
): { logits: tf.Tensor2D; cache: KvCache | null } {
  const [B, P] = tokens.shape;
  if (pads.length !== B || pads.some((p) => !(p >= 0 && p < P))) throw new Error(`prefill: need ${B} paddings in [0, ${P})`);
  if (rowsOf?.some((r) => !(Number.isInteger(r) && r >= 0 && r < B))) throw new Error(`prefill: rowsOf must index the ${B} prompt rows`);
  const rows = Math.max(1, Math.floor(PREFILL_POSITIONS / P));
  const parts: { logits: tf.Tensor2D; kv: tf.Tensor4D[] }[] = [];
  try {
    for (let start = 0; start < B; start += rows) {
      const size = Math.min(rows, B - start);
      const part = size === B ? tokens : tf.slice(tokens, [start, 0], [size, P]);
      parts.push(prefillPass(model, part, pads.slice(start, start + size), keepCache));
      if (part !== tokens) part.dispose();
    }
    // Joined along the rows (logits [rows, V]; keys and values [H, rows, P, dh]), then each
    // output row takes its prompt's row (rowsOf); the cache owns the tensors it is given.
    const joined = (ts: tf.Tensor[], axis: number): tf.Tensor => {
      const all = ts.length === 1 ? tf.clone(ts[0]!) : tf.concat(ts, axis);
      if (!rowsOf) return all;
      const picked = tf.tidy(() => tf.gather(all, tf.tensor1d(Int32Array.from(rowsOf), 'int32'), axis));
      all.dispose();
      return picked;
    };
    const logits = joined(
      parts.map((p) => p.logits),
      0,
    ) as tf.Tensor2D;
    if (!keepCache) return { logits, cache: null };
    const kv = parts[0]!.kv.map(
      (_, i) =>
        joined(
          parts.map((p) => p.kv[i]!),
          1,
        ) as tf.Tensor4D,
    );
    return { logits, cache: kvCacheOf(kv, rowsOf ? rowsOf.map((r) => pads[r]!) : pads) };
  } finally {
    for (const p of parts) tf.dispose([p.logits, ...p.kv]);
  }
}

/** createKvCache over prefill's per-layer [keys, values, keys, values, ...], which it then owns. */
function kvCacheOf(kv: tf.Tensor4D[], pads: readonly number[]): KvCache {
  return createKvCache(
    kv.filter((_, i) => i % 2 === 0),
    kv.filter((_, i) => i % 2 === 1),
    pads,
  );
}

/** One prefill pass: the last position's logits and (keepCache) each layer's keys and values, kept. */
function prefillPass(model: Model, tokens: tf.Tensor2D, pads: readonly number[], keepCache: boolean): { logits: tf.Tensor2D; kv: tf.Tensor4D[] } {
  const [B, P] = tokens.shape;
  const positionIds = new Int32Array(B * P);
  const padMask = new Float32Array(B * P);
  pads.forEach((pad, b) => {
    for (let j = 0; j < P; j++) {
      if (j < pad) padMask[b * P + j] = MASKED;
      else positionIds[b * P + j] = j - pad;
    }
  });
  const kv: tf.Tensor4D[] = [];
  const logits = tf.tidy(() => {
    const kvOut: tf.Tensor4D[] = [];
    // Causal within the row and blind to its padding: [1, B, P, P].
    const mask = tf.add(causalMask(P), tf.tensor4d(padMask, [1, B, 1, P]));
    const positions = tf.tensor2d(positionIds, [B, P], 'int32');
    const hidden = forwardHidden(model, tokens, { positions, mask, kvOut: keepCache ? kvOut : undefined });
    const d = model.config.dModel;
    const last = tf.reshape(tf.slice(tf.reshape(hidden, [B, P, d]), [0, P - 1, 0], [B, 1, d]), [B, d]) as tf.Tensor2D;
    for (const t of kvOut) kv.push(tf.keep(t));
    return logitsFromHidden(model, last);
  });
  return { logits, kv };
}

/**
 * One new token per row at cache slot `slot` (the same for every row; slots come in order, the
 * first one right after the prompt bucket). tokens, positions: [B] int32 (position = slot minus
 * the row's padding); previous: [B] int32, the token each row had at the slot before (needed by a
 * model with config.previousToken). Returns the next-token logits [B, V] and updates the cache in
 * place.
 */
export function decodeStep(model: Model, cache: KvCache, tokens: tf.Tensor1D, positions: tf.Tensor1D, slot: number, previous?: tf.Tensor1D): tf.Tensor2D {
  const { dModel: d, nHeads: H, normEps: eps } = model.config;
  const B = cache.batch;
  const dh = d / H;
  const c = slot - cache.activeStart;
  if (c < 0 || c >= KV_CHUNK) throw new Error(`decodeStep: slot ${slot} is not the next slot (chunk from ${cache.activeStart})`);
  const wtp = model.wtp;
  if (wtp && !previous) throw new Error("decodeStep: this model embeds the previous token; pass each row's previous token");
  const logits = tf.tidy(() => {
    let x: tf.Tensor2D = tf.add(tf.gather(model.wte, tokens), tf.gather(model.wpe, positions));
    if (wtp && previous) x = tf.add(x, tf.gather(wtp, previous));
    model.blocks.forEach((blk, l) => {
      const qkv = linear(rmsNorm(x, blk.norm1, eps), blk.wqkv); // [B, 3d]
      // [B, 3d] -> [3H, B, 1, dh] -> q, k, v [H, B, 1, dh]. Tiny tensors: the split's copying
      // does not matter here.
      const heads = tf.reshape(tf.transpose(tf.reshape(qkv, [B, 3 * H, dh]), [1, 0, 2]), [3 * H, B, 1, dh]);
      const [q, k, v] = tf.split(heads, 3, 0) as tf.Tensor4D[] as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
      writeSlot(cache, l, c, k, v);
      x = tf.add(x, linear(mergeHeads(attendCache(cache, l, q, c)), blk.wo));
      const hidden = activation(linear(rmsNorm(x, blk.norm2, eps), blk.w1), model.config.activation);
      x = tf.add(x, linear(hidden, blk.w2));
    });
    return logitsFromHidden(model, rmsNorm(x, model.normf, eps));
  });
  if (c === KV_CHUNK - 1) mergeActiveChunk(cache);
  return logits;
}
