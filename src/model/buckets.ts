// Shape buckets. GPU backends (WebGL, WebGPU) compile kernels and pool buffers per shape, so
// every shape they see is drawn from a small fixed set ('coarse'), which can waste a third of a
// training batch on padding. WebAssembly and the CPU backend have no per-shape cost, so they
// only round up to a multiple of 8 ('fine'), which pays for a quarter fewer positions in training.

import * as tf from '@tensorflow/tfjs';

export type ShapeGrain = 'coarse' | 'fine';

/** Fine for backends that run kernels on the CPU, coarse for the GPU ones. */
export function shapeGrain(backend: string = tf.getBackend()): ShapeGrain {
  return backend === 'wasm' || backend === 'cpu' || backend === 'tensorflow' ? 'fine' : 'coarse';
}

const FINE_STEP = 8;

/** Coarse: 1, 2, 4, 8, ... (the smallest power of two that holds n); fine: n itself. */
export function batchBucket(n: number, grain: ShapeGrain = 'coarse'): number {
  if (!(n >= 1)) throw new Error(`batchBucket: need at least 1 row, got ${n}`);
  if (grain === 'fine') return Math.ceil(n);
  let b = 1;
  while (b < n) b *= 2;
  return b;
}

/**
 * Coarse: 16, 24, 32, 48, 64, 96, 128, ... (powers of two and 1.5 x powers of two, so padding
 * wastes at most a third); fine: a multiple of 8. Both capped at `max`, which is itself a bucket.
 */
export function lengthBucket(n: number, max: number, grain: ShapeGrain = 'coarse'): number {
  if (n > max) throw new Error(`lengthBucket: length ${n} exceeds the maximum ${max}`);
  if (grain === 'fine') return Math.min(Math.max(FINE_STEP, Math.ceil(n / FINE_STEP) * FINE_STEP), max);
  let p = 16;
  for (;;) {
    if (p >= n) return Math.min(p, max);
    const mid = (p * 3) / 2;
    if (mid >= n) return Math.min(mid, max);
    p *= 2;
  }
}
