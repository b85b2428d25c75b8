/**
 * Feeding existing text through a constraint: is this program (or literal) in the grammar, and
 * with which tokens would the decoder have written it?
 */
import type { TokenConstraint } from './constraint';
import type { Tokenizer } from './tokenizer';

/**
 * The tokens that write `text` through `constraint`, longest allowed token first at each
 * position, ending with eos; null if the grammar does not admit the text. The constraint is
 * consumed. Outside string literals this is the same as tokenizer.encode(text) plus eos; inside
 * them the grammar writes one character per token where greedy encoding may join several.
 */
export function encodeWithin(tokenizer: Tokenizer, constraint: TokenConstraint, text: string): number[] | null {
  const out: number[] = [];
  let at = 0;
  while (at < text.length) {
    const mask = constraint.allowed();
    let best = -1;
    let bestLength = 0;
    for (let id = 0; id < mask.length; id++) {
      if (!mask[id] || id === tokenizer.eos || tokenizer.isSpecial(id) || tokenizer.byteValue(id) >= 0) continue;
      const piece = tokenizer.text(id);
      if (piece.length > bestLength && text.startsWith(piece, at)) {
        best = id;
        bestLength = piece.length;
      }
    }
    if (best < 0) return null;
    constraint.advance(best);
    out.push(best);
    at += bestLength;
  }
  if (!constraint.allowed()[tokenizer.eos]) return null;
  constraint.advance(tokenizer.eos);
  out.push(tokenizer.eos);
  return out;
}
