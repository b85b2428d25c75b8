// A small seeded random number generator: xoshiro128** seeded through splitmix32.
//
// Math.random cannot be seeded, and a run must be reproducible from its seed (weights at
// initialisation, sampled tokens, batch order), in Node and in a browser worker alike. xoshiro128**
// has a 128-bit state (period 2^128 - 1), passes the usual statistical batteries, and is a handful
// of 32-bit integer operations per draw. Its state can be saved and restored, so a resumed run
// continues the very same stream.

/** A uniform generator on [0, 1) with 2^-32 resolution, plus access to its state. */
export interface Rng {
  (): number;
  /** the next raw 32-bit unsigned integer */
  nextUint32(): number;
  /** a copy of the 4-word state; pass it to createRng to continue the stream */
  state(): number[];
}

/** 32-bit hash of a string (FNV-1a), so seeds can be words such as a run name. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** splitmix32: spreads one 32-bit seed over the 128-bit state so nearby seeds give unrelated streams. */
function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * Creates a generator from a seed (a number, or a string hashed to one), or from a saved state.
 * The same seed always gives the same stream.
 */
export function createRng(seed: number | string, savedState?: readonly number[]): Rng {
  const s = new Uint32Array(4);
  if (savedState) {
    if (savedState.length !== 4) throw new Error(`createRng: saved state must have 4 words, got ${savedState.length}`);
    for (let i = 0; i < 4; i++) s[i] = savedState[i]! >>> 0;
  } else {
    const mix = splitmix32(typeof seed === 'string' ? hashString(seed) : Math.floor(seed) >>> 0);
    for (let i = 0; i < 4; i++) s[i] = mix();
  }
  // An all-zero state is the one fixed point of xoshiro; splitmix32 cannot produce it, a bad saved
  // state could.
  if ((s[0]! | s[1]! | s[2]! | s[3]!) === 0) s[0] = 1;

  const nextUint32 = (): number => {
    const s0 = s[0]!,
      s1 = s[1]!,
      s2 = s[2]!,
      s3 = s[3]!;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s[2] = s2 ^ s0;
    s[3] = s3 ^ s1;
    s[1] = s1 ^ s[2]!;
    s[0] = s0 ^ s[3]!;
    s[2] = s[2]! ^ t;
    s[3] = rotl(s[3]!, 11);
    return r;
  };
  const rng = (() => nextUint32() / 4294967296) as Rng;
  rng.nextUint32 = nextUint32;
  rng.state = () => Array.from(s);
  return rng;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** A standard normal draw (Box-Muller). Uses two uniforms per call; simple beats fast here. */
export function randomNormal(rng: () => number): number {
  // 1 - u lies in (0, 1], so the log is finite.
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A uniform integer in [0, n). */
export function randomInt(rng: () => number, n: number): number {
  return Math.min(n - 1, Math.floor(rng() * n));
}
