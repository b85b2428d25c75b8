/**
 * Constrained decoding: the interface the model samples through, and the small pushdown machine
 * every grammar of the subset runs on.
 *
 * A grammar is a stack of frames, one per open construct (the program, a statement, an
 * expression, a call's argument list, a list display, ...). The tokens allowed next are the
 * top frame's own next tokens, plus, while the top frame could end here, the next tokens of the
 * frame below it, and so on down (a one-token lookahead parse, like an LL(1) parser run
 * forwards). Every token is owned by the topmost frame that offered it; advance() ends the
 * frames above the owner, then hands it the token.
 *
 * Termination: each frame knows the fewest tokens that finish it and everything below it
 * (`finish`, a table by result type that the parent fills when it pushes the child), and
 * offers a token only if that token plus the cheapest way to finish afterwards still fits in
 * the budget. Since the cheapest way is always one of the offered tokens, the mask is never
 * empty and the text is complete, with eos, within maxTokens.
 */
import type { Tokenizer } from './tokenizer';
import { NONE, TYPE_COUNT } from './types';

export interface TokenConstraint {
  /**
   * Mask over the vocabulary (length tokenizer.size): 1 = this token may come next. Never all
   * zero. When the text is complete, only tokenizer.eos is allowed (also after it was consumed).
   * The array is owned by the constraint and reused: it is valid until the next advance().
   */
  allowed(): Uint8Array;
  /** Consume the chosen token (must be allowed; eos again after the end is a no-op). */
  advance(token: number): void;
  /** True after eos was consumed. */
  readonly finished: boolean;
}

/** Passed to a frame's methods when no child frame is open above it. */
export const NO_CHILD = -2;
export const INFINITY = Infinity;

/** A `finish` table that costs nothing whatever the result: for frames at the bottom. */
export const FREE_FINISH: readonly number[] = new Array<number>(TYPE_COUNT + 1).fill(0);

/** Finish table that accepts any result (and an untyped one) at the same cost. */
export function flatFinish(cost: number): number[] {
  return new Array<number>(TYPE_COUNT + 1).fill(cost);
}

/** finish tables are indexed by type id + 1, so that NONE (-1) has a slot too. */
export const finishOf = (finish: readonly number[], type: number): number => finish[type + 1]!;

/** A finish table from a function of the result type (an untyped result is not accepted). */
export function finishTable(cost: (type: number) => number): number[] {
  const table = new Array<number>(TYPE_COUNT + 1);
  table[0] = INFINITY;
  for (let type = 0; type < TYPE_COUNT; type++) table[type + 1] = cost(type);
  return table;
}

/** A finish table that accepts only `type`, at `cost`. */
export function onlyType(type: number, cost: number): number[] {
  return finishTable((t) => (t === type ? cost : INFINITY));
}

/** Emits `token` if its cost fits in what is available. */
export function emitIf(machine: Machine, token: number, cost: number, avail: number): void {
  if (cost <= avail) machine.emit(token);
}

export abstract class Frame {
  /**
   * Fewest tokens the frames below still need after this one ends with result type t, at index
   * t + 1 (INFINITY: that result is not acceptable). Set by the parent when it pushes this frame.
   */
  finish: readonly number[] = FREE_FINISH;
  /** Set by consume() when it read the frame's closing token: the machine pops it at once. */
  closed = false;

  /**
   * Emits (machine.emit) the tokens this frame can read next whose cost, the token itself plus
   * the cheapest completion afterwards (including `finish`), is at most `avail`. `child` is the
   * result type of the open child frame when it ends here, or NO_CHILD.
   */
  abstract options(machine: Machine, avail: number, child: number): void;
  /** True if the frame may end here (with the child, if any, ending too). */
  abstract canEnd(child: number): boolean;
  /** Result type when ending here. */
  result(_child: number): number {
    return NONE;
  }
  /** Called once the frame is on the stack: a frame whose text starts with a child pushes it here. */
  start(_machine: Machine): void {}
  /** Reads a token this frame offered. The child above it, if any, has ended already. */
  abstract consume(machine: Machine, token: number): void;
  /** The child frame ended with this result type. */
  childDone(_machine: Machine, _result: number): void {}
  /** Called when the frame is popped: undo scope changes and the like. */
  ended(_machine: Machine): void {}
}

export interface MachineOptions {
  maxTokens: number;
}

/** Runs a stack of frames as a TokenConstraint. */
export class Machine implements TokenConstraint {
  readonly tokenizer: Tokenizer;
  readonly maxTokens: number;
  /** Every token consumed so far, eos excluded. */
  readonly tokens: number[] = [];
  /**
   * Tokens promised to constructs that are not on the stack yet (a comprehension whose loop
   * variable has been used but whose `for` is still to come). Counted against the budget.
   */
  reserve = 0;
  finished = false;
  /**
   * Tokens that two open frames offered at once (the topmost one took them). The grammars are
   * written so that this never happens; the tests check it stays 0.
   */
  ambiguities = 0;
  private readonly frames: Frame[] = [];
  private readonly mask: Uint8Array;
  private readonly owner: Int16Array;
  private level = 0;
  private stale = true;

  constructor(tokenizer: Tokenizer, options: MachineOptions, root: Frame) {
    this.tokenizer = tokenizer;
    this.maxTokens = options.maxTokens;
    this.mask = new Uint8Array(tokenizer.size);
    this.owner = new Int16Array(tokenizer.size);
    this.frames.push(root);
    root.start(this);
  }

  /** Tokens left for text, eos and promises excluded. */
  get budget(): number {
    return this.maxTokens - this.tokens.length - 1 - this.reserve;
  }

  get depth(): number {
    return this.frames.length;
  }

  /** Opens a child frame above the top one (the current top is its parent). */
  push(child: Frame, finish: readonly number[]): void {
    child.finish = finish;
    this.frames.push(child);
    child.start(this);
  }

  /** Called by frames from options(): this token may come next. */
  emit(token: number): void {
    if (this.mask[token] === 0) {
      this.mask[token] = 1;
      this.owner[token] = this.level;
    } else if (this.owner[token] !== this.level) this.ambiguities++;
  }

  emitAll(tokens: readonly number[]): void {
    for (let i = 0; i < tokens.length; i++) this.emit(tokens[i]!);
  }

  allowed(): Uint8Array {
    if (!this.stale) return this.mask;
    this.mask.fill(0);
    this.stale = false;
    if (this.finished) {
      // A finished row of a batch keeps stepping: it may only repeat eos.
      this.mask[this.tokenizer.eos] = 1;
      return this.mask;
    }
    const avail = this.budget;
    let child = NO_CHILD;
    let k = this.frames.length - 1;
    for (; k >= 0; k--) {
      const frame = this.frames[k]!;
      this.level = k;
      frame.options(this, avail, child);
      if (!frame.canEnd(child)) break;
      child = frame.result(child);
    }
    if (k < 0) {
      this.mask[this.tokenizer.eos] = 1;
      this.owner[this.tokenizer.eos] = -1;
    }
    return this.mask;
  }

  advance(token: number): void {
    if (this.finished) {
      if (token !== this.tokenizer.eos) throw new Error('the text is finished: only eos may follow');
      return;
    }
    const mask = this.allowed();
    if (token < 0 || token >= mask.length || mask[token] === 0) {
      throw new Error(`token ${JSON.stringify(this.tokenizer.text(token))} is not allowed here`);
    }
    this.stale = true;
    if (token === this.tokenizer.eos) {
      while (this.frames.length > 0) this.pop();
      this.finished = true;
      return;
    }
    const level = this.owner[token]!;
    while (this.frames.length - 1 > level) this.pop();
    const frame = this.frames[level]!;
    frame.consume(this, token);
    this.tokens.push(token);
    while (this.frames.length > 0 && this.frames[this.frames.length - 1]!.closed) this.pop();
  }

  /** Ends the top frame and tells its parent. */
  private pop(): void {
    const frame = this.frames.pop()!;
    const result = frame.result(NO_CHILD);
    frame.ended(this);
    const parent = this.frames[this.frames.length - 1];
    parent?.childDone(this, result);
  }

  /** The text so far (for error messages and debugging). */
  text(): string {
    return this.tokenizer.decode(this.tokens);
  }
}

/** Tokens that are not special: what plain text is made of. */
export function plainTokens(tokenizer: Tokenizer, options: { bytes: boolean; newline: boolean }): number[] {
  const ids: number[] = [];
  for (let id = 0; id < tokenizer.size; id++) {
    if (tokenizer.isSpecial(id)) continue;
    if (!options.bytes && tokenizer.byteValue(id) >= 0) continue;
    if (!options.newline && tokenizer.text(id).includes('\n')) continue;
    ids.push(id);
  }
  return ids;
}

/** A frame that reads any of a fixed set of tokens, as many as the budget allows. */
class FreeTextFrame extends Frame {
  constructor(private readonly tokens: readonly number[]) {
    super();
  }
  options(machine: Machine, avail: number): void {
    if (avail >= 1) machine.emitAll(this.tokens);
  }
  canEnd(): boolean {
    return true;
  }
  consume(): void {}
}

export function checkBudget(maxTokens: number, least: number, what: string): void {
  if (!Number.isInteger(maxTokens) || maxTokens < least) {
    throw new Error(`${what} needs maxTokens >= ${least}, got ${maxTokens}`);
  }
}

/** The "constrained decoding off" switch: any non-special token, eos always allowed. */
export function unconstrained(tokenizer: Tokenizer, options: { maxTokens: number }): TokenConstraint {
  checkBudget(options.maxTokens, 1, 'unconstrained');
  return new Machine(tokenizer, options, new FreeTextFrame(plainTokens(tokenizer, { bytes: true, newline: true })));
}

/** Short free text (the induction message): words and characters on one line, eos at any point. */
export function messageConstraint(tokenizer: Tokenizer, options: { maxTokens: number }): TokenConstraint {
  checkBudget(options.maxTokens, 1, 'messageConstraint');
  return new Machine(tokenizer, options, new FreeTextFrame(plainTokens(tokenizer, { bytes: false, newline: false })));
}

/**
 * Teacher forcing: feeds `tokens` through `constraint` one by one. Returns false as soon as one
 * is not allowed (the constraint is left where it stopped), true when all were. With `complete`
 * (the default) the text must also be finished: eos is fed after the tokens unless they end
 * with it, and it must be allowed there. The constraint is consumed.
 */
export function forceTokens(constraint: TokenConstraint, tokens: readonly number[], eos: number, complete = true): boolean {
  for (const token of tokens) {
    if (constraint.finished) {
      if (token !== eos) return false; // only eos may follow the end
      continue;
    }
    const mask = constraint.allowed();
    if (token < 0 || token >= mask.length || mask[token] === 0) return false;
    constraint.advance(token);
  }
  if (!complete || constraint.finished) return true;
  if (constraint.allowed()[eos] === 0) return false;
  constraint.advance(eos);
  return true;
}
