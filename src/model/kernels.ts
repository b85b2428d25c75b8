// Low-level ops with hand-written gradients, each working around a tfjs 4.22 backend limit that
// was measured on this project's shapes. The transformer is written in terms of these.
//
// WASM backend facts behind them (XNNPACK single-threaded, SIMD):
// - matMul takes the fast XNNPACK path only for plain 2-D a x b. Any transpose flag or batch
//   dimension falls back to a naive scalar loop, 10-20x slower (~1 GFLOP/s).
// - tf.oneHot(..., 'float32') writes int32 bits (every 1 reads as 1.4e-45).
// - there is no gradient for gather (no segment-sum kernel); the CPU backend's segment sum takes
//   seconds at our sizes, but ScatterNd, which sums repeated indices, is fast on both.
// - slice/split copy the WHOLE input out of the heap per output, so they cost O(input).
// - a depthwise convolution runs batched matrix products 2.5-4x faster than batched matMul.
// Inside tf.customGrad, tensors the backward pass needs must go through save(): tfjs disposes the
// forward pass's intermediates before it runs the backward pass.

import * as tf from '@tensorflow/tfjs';

type SaveArgs = (tf.Tensor | tf.GradSaveFunc)[];

/** Added to masked attention scores and logits: -1e9 rather than -Infinity, so a fully masked
 * row stays finite (its output is ignored) instead of turning into NaN and poisoning gradients. */
export const MASKED = -1e9;

/** One-hot rows [N, depth] as float32: built as int32 and cast (see the WASM oneHot bug above). */
export function oneHotFloat(ids: tf.Tensor1D, depth: number): tf.Tensor2D {
  return tf.cast(tf.oneHot(ids, depth), 'float32') as tf.Tensor2D;
}

/**
 * WASM runs a matMul fast only without transpose flags; GPU backends handle the flags inside the
 * kernel, so an explicit transpose would only add a memory pass there.
 */
function explicitTransposes(): boolean {
  return tf.getBackend() === 'wasm';
}

/** a x op(b) with op a transpose when tb, as the backend does it best. */
function product(a: tf.Tensor2D, b: tf.Tensor2D, ta: boolean, tb: boolean): tf.Tensor2D {
  if (!explicitTransposes()) return tf.matMul(a, b, ta, tb);
  return tf.matMul(ta ? tf.transpose(a) : a, tb ? tf.transpose(b) : b);
}

/**
 * x [N, k] times w [k, n] (or w^T with w [n, k] when transposeW, for a head tied to the
 * embedding). The hand-written backward picks, per backend, between transpose flags and explicit
 * transposes (tfjs's own matMul gradient always uses the flags, which WASM runs 10-20x slower).
 */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, transposeW = false): tf.Tensor2D {
  const op = tf.customGrad((...args: SaveArgs) => {
    const [a, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    save([a, b]);
    return {
      value: product(a, b, false, transposeW),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
        const g = dy as tf.Tensor2D;
        // y = a op(b):  da = dy op(b)^T;  db = a^T dy, or (dy^T a) when op is a transpose.
        const da = product(g, sb, false, !transposeW);
        const db = transposeW ? product(g, sa, true, false) : product(sa, g, true, false);
        return [da, db];
      },
    };
  });
  return op(x, w) as tf.Tensor2D;
}

/**
 * Backends that run kernels on the CPU scatter-add rows directly: ScatterNd sums repeated ids, in
 * one pass over dy (0.12 against 3.6 ms for 512 ids into a [601, 128] table on WASM, where the
 * one-hot product was a training pass's largest matmul). GPU backends keep the one-hot matmul.
 */
function scatterAddsRows(): boolean {
  const backend = tf.getBackend();
  return backend === 'wasm' || backend === 'cpu';
}

/**
 * Rows of `table` [V, d] for `ids` [N] -> [N, d], differentiable in `table`: a gather forward,
 * and a backward that scatter-adds the gradient rows into a [V, d] zero table, by ScatterNd on
 * CPU-side backends and as one-hot(ids)^T x dy, one matmul, on the GPU ones.
 */
export function embedRows(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const [rows, width] = table.shape;
  const op = tf.customGrad((...args: SaveArgs) => {
    const [t, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    save([ids]);
    return {
      value: tf.gather(t, ids),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const savedIds = saved[0] as tf.Tensor1D;
        if (scatterAddsRows()) return [tf.scatterND(tf.reshape(savedIds, [savedIds.shape[0], 1]), dy, [rows, width])];
        return [product(oneHotFloat(savedIds, rows), dy as tf.Tensor2D, true, false)];
      },
    };
  });
  return op(table) as tf.Tensor2D;
}

/** Whether batched matrix products should go through depthwise convolutions (the WASM backend). */
export function preferDepthwise(): boolean {
  return tf.getBackend() === 'wasm';
}

/**
 * G independent products, given in channels-last layouts: input [M, K, G] and filter [K, G, N]
 * give out [M, G, N] with out[m, g, n] = sum_k input[m, k, g] filter[k, g, n]. This is exactly a
 * depthwise convolution of a 1 x M x K image with G channels by a 1 x K filter with channel
 * multiplier N ('valid' padding leaves one output column).
 */
export function depthwiseProduct(input: tf.Tensor3D, filter: tf.Tensor3D): tf.Tensor3D {
  const [M, K, G] = input.shape;
  const N = filter.shape[2];
  const out = tf.depthwiseConv2d(tf.reshape(input, [1, M, K, G]) as tf.Tensor4D, tf.reshape(filter, [1, K, G, N]) as tf.Tensor4D, 1, 'valid');
  return tf.reshape(out, [M, G, N]) as tf.Tensor3D;
}

/**
 * Batched product a [G, M, K] x b [G, K, N] -> [G, M, N] (or a x b^T with b [G, N, K] when
 * transposeB). Batched matMul on most backends; depthwise convolutions on WASM (2.5-4x faster
 * for attention's products at T = 64..256, measured), with a hand-written backward made of the
 * same products (WASM has no depthwise backprop kernels). XNNPACK packs the filter (b) on every
 * call with a new filter tensor; that cost is included in those measurements.
 */
export function groupMatMul(a: tf.Tensor3D, b: tf.Tensor3D, transposeB = false): tf.Tensor3D {
  if (!preferDepthwise()) return tf.matMul(a, b, false, transposeB);
  const op = tf.customGrad((...args: SaveArgs) => {
    const [x, y, save] = args as [tf.Tensor3D, tf.Tensor3D, tf.GradSaveFunc];
    save([x, y]);
    // Channels-last layouts: input [M, K, G]; filter [K, G, N] from b [G, K, N] or b^T [G, N, K].
    const filter = tf.transpose(y, transposeB ? [2, 0, 1] : [1, 0, 2]) as tf.Tensor3D;
    const value = tf.transpose(depthwiseProduct(tf.transpose(x, [1, 2, 0]) as tf.Tensor3D, filter), [1, 0, 2]) as tf.Tensor3D;
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sa, sb] = saved as [tf.Tensor3D, tf.Tensor3D];
        const g = dy as tf.Tensor3D; // [G, M, N]
        // C = A B:   dA = dC B^T,  dB = A^T dC.     C = A B^T:  dA = dC B,  dB = dC^T A.
        const dA = groupMatMul(g, sb, !transposeB);
        const dB = transposeB
          ? depthwiseProduct(tf.transpose(g, [2, 1, 0]) as tf.Tensor3D, tf.transpose(sa, [1, 0, 2]) as tf.Tensor3D) // [N, G, K]
          : depthwiseProduct(tf.transpose(sa, [2, 1, 0]) as tf.Tensor3D, tf.transpose(g, [1, 0, 2]) as tf.Tensor3D); // [K, G, N]
        return [dA, tf.transpose(dB, [1, 0, 2])];
      },
    };
  });
  return op(a, b) as tf.Tensor3D;
}
