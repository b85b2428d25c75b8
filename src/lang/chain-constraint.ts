/**
 * Several grammars written one after another in one sequence, joined by marker tokens: a
 * proposal is `program <input> arguments`, an induction proposal is
 * `arguments <sep> arguments ... <message> message`. One sequence per proposal means one
 * advantage and one training row for it, as the paper's proposer has.
 *
 * Where a part could end (its grammar allows eos), the chain offers the next part's marker
 * instead; the last part ends with eos as usual. A part's grammar can depend on the text of the
 * parts before it (the arguments of a proposal are typed by the program's signature).
 */
import type { TokenConstraint } from './constraint';
import type { Tokenizer } from './tokenizer';

export interface ChainPart {
  /** Marker token written before this part (ignored for the first part). */
  marker: number;
  /** Builds the part's grammar from the texts of the parts before it. */
  make(previous: readonly string[]): TokenConstraint;
}

export class ChainConstraint implements TokenConstraint {
  private index = 0;
  private current: TokenConstraint;
  private readonly texts: string[] = [];
  private readonly partTokens: number[] = [];
  private readonly mask: Uint8Array;
  finished = false;

  constructor(
    private readonly tokenizer: Tokenizer,
    private readonly parts: readonly ChainPart[],
  ) {
    if (parts.length === 0) throw new Error('ChainConstraint needs at least one part');
    this.mask = new Uint8Array(tokenizer.size);
    this.current = parts[0]!.make([]);
  }

  allowed(): Uint8Array {
    const inner = this.current.allowed();
    const last = this.index === this.parts.length - 1;
    if (last || this.finished) return inner;
    this.mask.set(inner);
    if (this.mask[this.tokenizer.eos]) {
      this.mask[this.tokenizer.eos] = 0;
      this.mask[this.parts[this.index + 1]!.marker] = 1;
    }
    return this.mask;
  }

  advance(token: number): void {
    const next = this.parts[this.index + 1];
    if (next && token === next.marker) {
      this.current.advance(this.tokenizer.eos);
      this.texts.push(this.tokenizer.decode(this.partTokens));
      this.partTokens.length = 0;
      this.index += 1;
      this.current = next.make(this.texts);
      return;
    }
    this.current.advance(token);
    if (token !== this.tokenizer.eos) this.partTokens.push(token);
    this.finished = this.index === this.parts.length - 1 && this.current.finished;
  }
}

/**
 * Splits a chained sequence's tokens at the markers into the parts' texts (eos dropped). Returns
 * fewer texts than parts when the sequence stopped early.
 */
export function splitChain(tokenizer: Tokenizer, tokens: readonly number[], markers: readonly number[]): string[] {
  const texts: string[] = [];
  let part: number[] = [];
  let next = 0;
  for (const token of tokens) {
    if (token === tokenizer.eos) break;
    if (next < markers.length && token === markers[next]) {
      texts.push(tokenizer.decode(part));
      part = [];
      next += 1;
      continue;
    }
    part.push(token);
  }
  texts.push(tokenizer.decode(part));
  return texts;
}
