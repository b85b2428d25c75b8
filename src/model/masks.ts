// Allowed-token masks, packed as bitsets so that a whole training batch's masks stay small.
//
// A grammar constraint hands the sampler a Uint8Array of vocabSize flags at every step. Training
// must see the same masked distribution the tokens were drawn from, so the sampler records each
// step's mask. Packed 32 tokens to a word, a 500-token vocabulary costs 64 bytes per token, and
// identical masks (the common case: most grammar states repeat) share one object.

/** Allowed tokens as a bitset: bit (t & 31) of word (t >>> 5) is set when token t is allowed. */
export type PackedMask = Uint32Array;

export function packMask(allowed: Uint8Array): PackedMask {
  const words = new Uint32Array((allowed.length + 31) >>> 5);
  for (let t = 0; t < allowed.length; t++) if (allowed[t]) words[t >>> 5]! |= 1 << (t & 31);
  return words;
}

export function maskAllows(mask: PackedMask, token: number): boolean {
  return ((mask[token >>> 5]! >>> (token & 31)) & 1) === 1;
}

/** Interns packed masks so equal masks are one object (saves memory, lets trainStep dedupe fast). */
export class MaskInterner {
  private readonly table = new Map<string, PackedMask>();

  intern(allowed: Uint8Array): PackedMask {
    const packed = packMask(allowed);
    const key = packed.join(',');
    const existing = this.table.get(key);
    if (existing) return existing;
    this.table.set(key, packed);
    return packed;
  }
}
