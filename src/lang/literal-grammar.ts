/**
 * Grammars for literal values: one output literal (`literalConstraint`) and an argument list in
 * CRUXEval's input format (`argumentsConstraint`, `'abc', [1, 2]`).
 *
 * Values are written the way Python's repr writes them (single-quoted strings, `, ` between
 * items, `(1,)` for a one-element tuple), so a correct answer is also the exact repr text.
 */
import { checkBudget, Frame, finishOf, flatFinish, Machine, type TokenConstraint } from './constraint';
import { type GrammarTokens, grammarTokens } from './grammar-tokens';
import type { Tokenizer } from './tokenizer';
import type { ParamType, ValueType } from './types';

export interface LiteralLimits {
  /** Most digits of an int. */
  maxDigits: number;
  /** Most characters of a str. */
  maxChars: number;
  /** Most items of a list, tuple or dict. */
  maxItems: number;
  /** Deepest nesting of containers (1: no container inside a container). */
  maxDepth: number;
  /** Which characters strings hold: the program alphabet, or all printable ASCII but `'` and `\`. */
  chars: 'program' | 'output';
}

/** Inputs to programs: small values over the program alphabet, so programs stay fast. */
export const INPUT_LIMITS: LiteralLimits = { maxDigits: 2, maxChars: 8, maxItems: 6, maxDepth: 2, chars: 'program' };
/** Outputs: whatever a program may return; the budget is the real bound. */
export const OUTPUT_LIMITS: LiteralLimits = { maxDigits: 30, maxChars: 400, maxItems: 200, maxDepth: 4, chars: 'output' };

/** Most arguments in an untyped argument list. */
export const MAX_UNTYPED_ARGUMENTS = 3;

/** A value shape, plus `key`: a dict key (an int or a str). */
type Shape = ValueType | 'key';

const FAMILY_INT = 1;
const FAMILY_STR = 2;
const FAMILY_BOOL = 4;
const FAMILY_NONE = 8;
const FAMILY_LIST = 16;
const FAMILY_TUPLE = 32;
const FAMILY_DICT = 64;
const CONTAINERS = FAMILY_LIST | FAMILY_TUPLE | FAMILY_DICT;

function familiesOf(shape: Shape): number {
  if (typeof shape === 'object') return 'list' in shape ? FAMILY_LIST : FAMILY_TUPLE;
  switch (shape) {
    case 'int':
      return FAMILY_INT;
    case 'str':
      return FAMILY_STR;
    case 'bool':
      return FAMILY_BOOL;
    case 'none':
      return FAMILY_NONE;
    case 'list[int]':
    case 'list[str]':
      return FAMILY_LIST;
    case 'key':
      return FAMILY_INT | FAMILY_STR;
    case 'any':
      return FAMILY_INT | FAMILY_STR | FAMILY_BOOL | FAMILY_NONE | CONTAINERS;
  }
}

function listElement(shape: Shape): Shape {
  if (shape === 'list[int]') return 'int';
  if (shape === 'list[str]') return 'str';
  if (typeof shape === 'object' && 'list' in shape) return shape.list;
  return 'any';
}

/** Fewest tokens of a value of this shape. */
function minCost(shape: Shape): number {
  if (typeof shape === 'object' && 'tuple' in shape) {
    const items = shape.tuple;
    if (items.length === 0) return 1;
    let cost = 2 + (items.length - 1) + (items.length === 1 ? 1 : 0);
    for (const item of items) cost += minCost(item);
    return cost;
  }
  return 1;
}

/** Fewest tokens that finish a typed tuple after its item `index` ended: separators, items, `)`. */
function tupleRest(items: readonly ValueType[], index: number): number {
  if (items.length === 1) return 2; // ',' ')'
  let cost = 1;
  for (let k = index + 1; k < items.length; k++) cost += 1 + minCost(items[k]!);
  return cost;
}

type Phase = 'start' | 'negative' | 'digits' | 'chars' | 'list' | 'tuple' | 'one-tuple' | 'dict-key' | 'dict-value';

/** One literal value. Atoms are read here; container items are child frames. */
class ValueFrame extends Frame {
  private phase: Phase = 'start';
  private count = 0;
  /** Item types of a typed tuple, or null for a tuple of `any`. */
  private tupleItems: readonly ValueType[] | null = null;

  constructor(
    private readonly t: GrammarTokens,
    private readonly shape: Shape,
    private readonly depth: number,
    private readonly limits: LiteralLimits,
  ) {
    super();
  }

  private get after(): number {
    return finishOf(this.finish, -1);
  }

  private chars(): number[] {
    return this.limits.chars === 'program' ? this.t.programChars : this.t.outputChars;
  }

  options(machine: Machine, avail: number): void {
    const t = this.t;
    const fin = this.after;
    switch (this.phase) {
      case 'start': {
        // Past maxDepth only empty containers open (a typed tuple must open whatever the depth).
        const families = familiesOf(this.shape);
        if (families & FAMILY_INT) {
          if (avail >= 1 + fin) {
            machine.emitAll(t.digits);
            if (this.limits.maxDigits >= 2) machine.emitAll(t.leadingPairs);
          }
          if (avail >= 2 + fin) machine.emit(t.minus);
        }
        if (families & FAMILY_STR) {
          if (avail >= 1 + fin) machine.emit(t.emptyString);
          if (avail >= 3 + fin && this.limits.maxChars > 0) machine.emit(t.quote);
        }
        if (families & FAMILY_BOOL && avail >= 1 + fin) {
          machine.emit(t.trueToken);
          machine.emit(t.falseToken);
        }
        if (families & FAMILY_NONE && avail >= 1 + fin) machine.emit(t.noneToken);
        if (families & FAMILY_LIST) {
          if (avail >= 1 + fin) machine.emit(t.emptyList);
          if (avail >= 2 + minCost(listElement(this.shape)) + fin && this.depth < this.limits.maxDepth) {
            machine.emit(t.openBracket);
          }
        }
        if (families & FAMILY_TUPLE) {
          const typed = typeof this.shape === 'object' && 'tuple' in this.shape ? this.shape.tuple : null;
          if (typed) {
            const cost = minCost(this.shape) + fin;
            if (avail >= cost) machine.emit(typed.length === 0 ? t.emptyTuple : t.open);
          } else {
            if (avail >= 1 + fin) machine.emit(t.emptyTuple);
            if (avail >= 4 + fin && this.depth < this.limits.maxDepth) machine.emit(t.open);
          }
        }
        if (families & FAMILY_DICT) {
          if (avail >= 1 + fin) machine.emit(t.emptyDict);
          if (avail >= 5 + fin && this.depth < this.limits.maxDepth) machine.emit(t.openBrace);
        }
        return;
      }
      // Digits in pairs from the left, as encode() splits them: a single digit ends the int.
      case 'negative':
        if (avail >= 1 + fin) {
          machine.emitAll(t.nonzeroDigits);
          if (this.limits.maxDigits >= 2) machine.emitAll(t.leadingPairs);
        }
        return;
      case 'digits':
        if (this.count + 2 <= this.limits.maxDigits && avail >= 1 + fin) machine.emitAll(t.digitPairs);
        if (this.count < this.limits.maxDigits && avail >= 1 + fin) machine.emitAll(t.digits);
        return;
      case 'chars':
        if (this.count < this.limits.maxChars && avail >= 2 + fin) machine.emitAll(this.chars());
        if (this.count > 0 && avail >= 1 + fin) machine.emit(t.quote);
        return;
      case 'list':
        if (avail >= 1 + fin) machine.emit(t.closeBracket);
        if (this.count + 1 < this.limits.maxItems && avail >= 2 + minCost(listElement(this.shape)) + fin) {
          machine.emit(t.comma);
        }
        return;
      case 'tuple': {
        const items = this.tupleItems;
        if (items) {
          const next = this.count + 1;
          if (items.length === 1) {
            if (avail >= 2 + fin) machine.emit(t.bareComma);
          } else if (next < items.length) {
            if (avail >= tupleRest(items, this.count) + fin) machine.emit(t.comma);
          } else if (avail >= 1 + fin) machine.emit(t.close);
        } else if (this.count === 0) {
          if (avail >= 2 + fin) machine.emit(t.bareComma);
          if (avail >= 3 + fin) machine.emit(t.comma);
        } else {
          if (avail >= 1 + fin) machine.emit(t.close);
          if (this.count + 1 < this.limits.maxItems && avail >= 3 + fin) machine.emit(t.comma);
        }
        return;
      }
      case 'one-tuple':
        if (avail >= 1 + fin) machine.emit(t.close);
        return;
      case 'dict-key':
        if (avail >= 3 + fin) machine.emit(t.colonSpace);
        return;
      case 'dict-value':
        if (avail >= 1 + fin) machine.emit(t.closeBrace);
        if (this.count + 1 < this.limits.maxItems && avail >= 5 + fin) machine.emit(t.comma);
        return;
    }
  }

  canEnd(): boolean {
    return this.phase === 'digits';
  }

  consume(machine: Machine, token: number): void {
    const t = this.t;
    const fin = this.after;
    switch (this.phase) {
      case 'start':
        if (token === t.minus) this.phase = 'negative';
        else if (t.digits.includes(token)) this.closed = true;
        else if (t.leadingPairs.includes(token)) {
          this.phase = 'digits';
          this.count = 2;
        } else if (token === t.quote) {
          this.phase = 'chars';
          this.count = 0;
        } else if (token === t.openBracket) {
          this.phase = 'list';
          this.count = 0;
          this.pushItem(machine, listElement(this.shape), 1 + fin);
        } else if (token === t.open) {
          this.phase = 'tuple';
          this.count = 0;
          const typed = typeof this.shape === 'object' && 'tuple' in this.shape ? this.shape.tuple : null;
          this.tupleItems = typed;
          if (typed) this.pushItem(machine, typed[0]!, tupleRest(typed, 0) + fin);
          else this.pushItem(machine, 'any', 2 + fin);
        } else if (token === t.openBrace) {
          this.phase = 'dict-key';
          this.count = 0;
          this.pushItem(machine, 'key', 3 + fin);
        } else this.closed = true; // a complete atom: '' True False None [] () {}
        return;
      case 'negative':
        if (t.digits.includes(token)) this.closed = true;
        else {
          this.phase = 'digits';
          this.count = 2;
        }
        return;
      case 'digits':
        if (t.digits.includes(token)) this.closed = true;
        else this.count += 2;
        return;
      case 'chars':
        if (token === t.quote) this.closed = true;
        else this.count++;
        return;
      case 'list':
        if (token === t.closeBracket) this.closed = true;
        else {
          this.count++;
          this.pushItem(machine, listElement(this.shape), 1 + fin);
        }
        return;
      case 'tuple': {
        const items = this.tupleItems;
        if (token === t.close) this.closed = true;
        else if (token === t.bareComma) this.phase = 'one-tuple';
        else {
          this.count++;
          if (items) this.pushItem(machine, items[this.count]!, tupleRest(items, this.count) + fin);
          else this.pushItem(machine, 'any', 1 + fin);
        }
        return;
      }
      case 'one-tuple':
        this.closed = true;
        return;
      case 'dict-key':
        this.phase = 'dict-value';
        this.pushItem(machine, 'any', 1 + fin);
        return;
      case 'dict-value':
        if (token === t.closeBrace) this.closed = true;
        else {
          this.count++;
          this.phase = 'dict-key';
          this.pushItem(machine, 'key', 3 + fin);
        }
        return;
    }
  }

  private pushItem(machine: Machine, shape: Shape, after: number): void {
    machine.push(new ValueFrame(this.t, shape, this.depth + 1, this.limits), flatFinish(after));
  }
}

/** An argument list: typed values in signature order, or 1 to 3 values of any shape. */
class ArgumentsFrame extends Frame {
  private count = 0;

  constructor(
    private readonly t: GrammarTokens,
    private readonly signature: readonly ParamType[] | null,
    private readonly limits: LiteralLimits,
  ) {
    super();
  }

  override start(machine: Machine): void {
    this.pushArgument(machine);
  }

  /** Fewest tokens of the arguments after argument `index`, separators included. */
  private restAfter(index: number): number {
    if (!this.signature) return 0;
    let cost = 0;
    for (let k = index + 1; k < this.signature.length; k++) cost += 1 + minCost(this.signature[k]!);
    return cost;
  }

  private pushArgument(machine: Machine): void {
    const shape: Shape = this.signature ? this.signature[this.count]! : 'any';
    machine.push(new ValueFrame(this.t, shape, 0, this.limits), flatFinish(this.restAfter(this.count)));
  }

  options(machine: Machine, avail: number): void {
    const more = this.signature ? this.count + 1 < this.signature.length : this.count + 1 < MAX_UNTYPED_ARGUMENTS;
    if (more && avail >= this.restAfter(this.count) + (this.signature ? 0 : 2)) machine.emit(this.t.comma);
  }

  canEnd(): boolean {
    return this.signature ? this.count + 1 === this.signature.length : true;
  }

  consume(machine: Machine): void {
    this.count++;
    this.pushArgument(machine);
  }
}

/** One output literal (of `type` when given, else any literal shape), then eos. */
export function literalConstraint(tokenizer: Tokenizer, options: { maxTokens: number; type?: ValueType; limits?: LiteralLimits }): TokenConstraint {
  const shape = options.type ?? 'any';
  checkBudget(options.maxTokens, minCost(shape) + 1, 'literalConstraint');
  return new Machine(tokenizer, options, new ValueFrame(grammarTokens(tokenizer), shape, 0, options.limits ?? OUTPUT_LIMITS));
}

/**
 * An argument list in CRUXEval's input format (`'abc', [1, 2]`): one value per parameter when
 * the signature is known, else 1 to 3 values of any shape.
 */
export function argumentsConstraint(
  tokenizer: Tokenizer,
  signature: readonly ParamType[] | null,
  options: { maxTokens: number; limits?: LiteralLimits },
): TokenConstraint {
  if (signature && signature.length === 0) throw new Error('argumentsConstraint needs at least one parameter');
  let least = 2;
  if (signature) least = signature.reduce((sum, type) => sum + minCost(type), signature.length - 1) + 1;
  checkBudget(options.maxTokens, least, 'argumentsConstraint');
  return new Machine(tokenizer, options, new ArgumentsFrame(grammarTokens(tokenizer), signature, options.limits ?? INPUT_LIMITS));
}
