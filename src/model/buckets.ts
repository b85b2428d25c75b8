// Shape buckets. Every tensor shape the model ever sees is drawn from a small fixed set, so GPU
// backends reuse their compiled kernels and pooled buffers instead of growing with each new shape.

/** Batch sizes 1, 2, 4, 8, ... : the smallest power of two that holds n rows. */
export function batchBucket(n: number): number {
  if (!(n >= 1)) throw new Error(`batchBucket: need at least 1 row, got ${n}`);
  let b = 1;
  while (b < n) b *= 2;
  return b;
}

/**
 * Sequence lengths 16, 24, 32, 48, 64, 96, 128, ... (powers of two and 1.5 x powers of two, so
 * padding wastes at most a third), capped at `max`, which is itself a bucket.
 */
export function lengthBucket(n: number, max: number): number {
  if (n > max) throw new Error(`lengthBucket: length ${n} exceeds the maximum ${max}`);
  let p = 16;
  for (;;) {
    if (p >= n) return Math.min(p, max);
    const mid = (p * 3) / 2;
    if (mid >= n) return Math.min(mid, max);
    p *= 2;
  }
}
