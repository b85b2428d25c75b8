// The KV cache of batched decoding: fixed-shape buffers, written one slot per step.
//
// Rows are left-padded to a common prompt length, so every row writes the same slot at each step.
// Slot j of row b holds the key/value of the token at index j of the padded row. Per layer there
// are two kinds of buffers:
// - frozen: slots 0 .. activeStart-1, written in earlier steps;
// - active [H, B, C, dh]: the C = KV_CHUNK slots from activeStart, filling up.
// A step writes its slot into the small active chunk (buffer + one-hot x new: no new shapes) and
// attends over both kinds, as one softmax. Every C steps the chunk is padded into place and added
// to the frozen buffers, which grow through the length buckets as needed. Writing only C slots
// per step instead of the whole buffer was worth ~15% of a decode step on WASM (batch 64);
// growing by buckets makes attention cost what the sequences need so far. Unwritten slots are
// zero and masked out.
//
// Frozen layouts:
// - 'heads': keys and values [H, B, L, dh]; attention by batched matMul (GPU and CPU backends).
// - 'filters' (WASM): keys [dh, G, L] and values [L, G, dh], G = H*B head-major: the filter layouts
//   of a depthwise convolution, which computes the two batched matrix-vector products ~3x faster
//   than WASM's batched matMul, because XNNPACK packs a filter once and reuses it while the tensor
//   lives, and frozen buffers live for KV_CHUNK steps.

import * as tf from '@tensorflow/tfjs';
import { lengthBucket } from './buckets';
import { depthwiseProduct, MASKED, preferDepthwise } from './kernels';

/** Slots in the active chunk. */
export const KV_CHUNK = 16;

export type FrozenLayout = 'heads' | 'filters';

export interface KvCache {
  readonly batch: number;
  readonly heads: number;
  readonly layout: FrozenLayout;
  /** slots in the frozen buffers */
  length: number;
  /** first slot of the active chunk; slots below it are in the frozen buffers */
  activeStart: number;
  keys: tf.Tensor[];
  values: tf.Tensor[];
  activeKeys: tf.Tensor4D[];
  activeValues: tf.Tensor4D[];
  /** per row, its first real (non-pad) slot */
  readonly rowStart: readonly number[];
  /** additive mask [1, B, 1, length] over the frozen slots; rebuilt when activeStart moves */
  frozenMask: tf.Tensor4D;
}

export function disposeKvCache(cache: KvCache): void {
  tf.dispose([...cache.keys, ...cache.values, ...cache.activeKeys, ...cache.activeValues, cache.frozenMask]);
  cache.keys = [];
  cache.values = [];
  cache.activeKeys = [];
  cache.activeValues = [];
}

function buildFrozenMask(batch: number, length: number, activeStart: number, rowStart: readonly number[]): tf.Tensor4D {
  const data = new Float32Array(batch * length).fill(MASKED);
  for (let b = 0; b < batch; b++) data.fill(0, b * length + rowStart[b]!, b * length + activeStart);
  return tf.tensor4d(data, [1, batch, 1, length]);
}

/** Keys or values [H, B, n, dh] in the frozen layout. */
function toFrozen(layout: FrozenLayout, t: tf.Tensor4D, which: 'keys' | 'values'): tf.Tensor {
  if (layout === 'heads') return t;
  const [H, B, n, dh] = t.shape;
  const grouped = tf.reshape(t, [H * B, n, dh]);
  return which === 'keys' ? tf.transpose(grouped, [2, 0, 1]) : tf.transpose(grouped, [1, 0, 2]);
}

/** The slot axis of a frozen buffer. */
function slotAxis(layout: FrozenLayout, which: 'keys' | 'values'): number {
  if (layout === 'heads') return 2;
  return which === 'keys' ? 2 : 0;
}

function padSlots(t: tf.Tensor, axis: number, before: number, after: number): tf.Tensor {
  return tf.pad(t, t.shape.map((_, i) => (i === axis ? [before, after] : [0, 0])) as [number, number][]);
}

/**
 * A cache holding the prompt's keys and values (per layer, [H, B, P, dh] each, taken over: the
 * caller must not dispose them), with the active chunk starting right after the prompt.
 */
export function createKvCache(keys: tf.Tensor4D[], values: tf.Tensor4D[], rowStart: readonly number[]): KvCache {
  const [H, B, P, dh] = keys[0]!.shape;
  const layout: FrozenLayout = preferDepthwise() ? 'filters' : 'heads';
  const frozen = (list: tf.Tensor4D[], which: 'keys' | 'values') =>
    list.map((t) => {
      const out = tf.tidy(() => toFrozen(layout, t, which));
      if (out !== t) t.dispose();
      return out;
    });
  return {
    batch: B,
    heads: H,
    layout,
    length: P,
    activeStart: P,
    rowStart: [...rowStart],
    keys: frozen(keys, 'keys'),
    values: frozen(values, 'values'),
    activeKeys: keys.map(() => tf.zeros([H, B, KV_CHUNK, dh]) as tf.Tensor4D),
    activeValues: keys.map(() => tf.zeros([H, B, KV_CHUNK, dh]) as tf.Tensor4D),
    frozenMask: buildFrozenMask(B, P, P, rowStart),
  };
}

/**
 * Writes one new key and value [H, B, 1, dh] into chunk slot c of layer l, replacing the layer's
 * active buffers (the old ones are disposed; the new ones are kept, even inside a tidy).
 */
export function writeSlot(cache: KvCache, layer: number, c: number, k: tf.Tensor4D, v: tf.Tensor4D): void {
  const old = [cache.activeKeys[layer]!, cache.activeValues[layer]!];
  const [keys, values] = tf.tidy(() => {
    // The slot is still zero, so "chunk + onehot x new" writes it.
    const column = tf.reshape(tf.cast(tf.oneHot(tf.tensor1d([c], 'int32'), KV_CHUNK), 'float32'), [1, 1, KV_CHUNK, 1]);
    return [tf.keep(tf.add(old[0]!, tf.mul(column, k))) as tf.Tensor4D, tf.keep(tf.add(old[1]!, tf.mul(column, v))) as tf.Tensor4D];
  });
  cache.activeKeys[layer] = keys;
  cache.activeValues[layer] = values;
  tf.dispose(old);
}

/**
 * Attention of one new query per row, q [H, B, 1, dh], over layer l's frozen and active buffers
 * (active chunk slots 0..c visible), as one softmax. Returns [H, B, 1, dh].
 */
export function attendCache(cache: KvCache, layer: number, q: tf.Tensor4D, c: number): tf.Tensor4D {
  const [H, B, , dh] = q.shape;
  const G = H * B;
  const L = cache.length;
  const scaled = tf.mul(q, 1 / Math.sqrt(dh));
  const activeMask = tf.tensor4d(
    Array.from({ length: KV_CHUNK }, (_, i) => (i <= c ? 0 : MASKED)),
    [1, 1, 1, KV_CHUNK],
  );
  const frozenKeys = cache.keys[layer]!;
  const frozenValues = cache.values[layer]!;
  let frozenScores: tf.Tensor;
  if (cache.layout === 'heads') {
    frozenScores = tf.matMul(scaled, frozenKeys as tf.Tensor4D, false, true);
  } else {
    // input q [1, dh, G], filter keys [dh, G, L] -> [1, G, L]
    const input = tf.reshape(tf.transpose(tf.reshape(scaled, [G, dh])), [1, dh, G]) as tf.Tensor3D;
    frozenScores = tf.reshape(depthwiseProduct(input, frozenKeys as tf.Tensor3D), [H, B, 1, L]);
  }
  const scores = tf.concat([tf.add(frozenScores, cache.frozenMask), tf.add(tf.matMul(scaled, cache.activeKeys[layer]!, false, true), activeMask)], 3);
  const weights = tf.softmax(scores);
  const frozenWeights = tf.slice(weights, [0, 0, 0, 0], [H, B, 1, L]);
  const activeWeights = tf.slice(weights, [0, 0, 0, L], [H, B, 1, KV_CHUNK]);
  let frozenOut: tf.Tensor;
  if (cache.layout === 'heads') {
    frozenOut = tf.matMul(frozenWeights, frozenValues as tf.Tensor4D);
  } else {
    // input weights [1, L, G], filter values [L, G, dh] -> [1, G, dh]
    const input = tf.reshape(tf.transpose(tf.reshape(frozenWeights, [G, L])), [1, L, G]) as tf.Tensor3D;
    frozenOut = tf.reshape(depthwiseProduct(input, frozenValues as tf.Tensor3D), [H, B, 1, dh]);
  }
  return tf.add(frozenOut, tf.matMul(activeWeights, cache.activeValues[layer]!)) as tf.Tensor4D;
}

/**
 * Folds the full active chunk into the frozen buffers, growing them first to the next length
 * bucket when the chunk does not fit, and starts a new, empty chunk.
 */
export function mergeActiveChunk(cache: KvCache): void {
  const L = Math.max(cache.length, lengthBucket(cache.activeStart + KV_CHUNK, Number.POSITIVE_INFINITY));
  const at = cache.activeStart;
  const merge = (frozen: tf.Tensor, active: tf.Tensor4D, which: 'keys' | 'values') =>
    tf.tidy(() => {
      const axis = slotAxis(cache.layout, which);
      const grown = L > cache.length ? padSlots(frozen, axis, 0, L - cache.length) : frozen;
      return tf.add(grown, padSlots(toFrozen(cache.layout, active, which), axis, at, L - at - KV_CHUNK));
    });
  const keys = cache.keys.map((k, l) => merge(k, cache.activeKeys[l]!, 'keys'));
  const values = cache.values.map((v, l) => merge(v, cache.activeValues[l]!, 'values'));
  const activeKeys = cache.activeKeys.map((a) => tf.zerosLike(a));
  const activeValues = cache.activeValues.map((a) => tf.zerosLike(a));
  tf.dispose([...cache.keys, ...cache.values, ...cache.activeKeys, ...cache.activeValues, cache.frozenMask]);
  Object.assign(cache, { keys, values, activeKeys, activeValues, length: L, activeStart: at + KV_CHUNK });
  cache.frozenMask = buildFrozenMask(cache.batch, L, cache.activeStart, cache.rowStart);
}
