/**
 * The rules against degenerate programs that levels 1-3 add to the program grammar
 * (docs/language.md, "Levels"), as state the frames consult while a program is written:
 *
 * - **Taint.** A name is tainted when its value may depend on a parameter: parameters are, and a
 *   write taints its target when its value reads a tainted name or it runs in a block whose
 *   condition or iterable read one (a loop variable likewise). Taint is only ever added while a
 *   name stays bound. Each value of the final `return` starts from a tainted name (its first
 *   atom: `n + 1`, `len(s)`, `s[::-1]`), except that the first one starts from the obligation
 *   when there is one; an obligation that is not tainted must then read one later (`t + s`) or
 *   be followed by `, p`.
 * - **No dead writes.** The name written last and not read since is the obligation: the next write
 *   to another name must start from it (its value's first atom is that name), a plain `=` may not
 *   overwrite an unread value that it is sure to replace, and the final return starts from it.
 *   Names are only defined in the body, not inside blocks (where they would die unread).
 * - **Values start from names**: the value of a plain `=` and a condition start from a name
 *   (their first atom), so no `t = 'ab'` or `if True:` (`x += 1` and `lst.append(3)` read their
 *   target already). Where the level has initializers, a new name may
 *   instead be set to one lone literal token (`x = 0`, `t = ''`, `lst = []`).
 *
 * Cost: a first atom is priced exactly (ExprFrame.cheapestFirstAtom). Reading a tainted name
 * later can be required when no tainted name fits the slot, so the grammar keeps DEBT tokens in
 * machine.reserve while that requirement is open: enough for the escape `, p` after the final
 * return's value (a parameter is always readable there). Reading a tainted name pays the debt
 * back, so such options are priced DEBT lower. The debt is held exactly while the obligation
 * exists and is not tainted, and in the final return until it reads a tainted name.
 */
import type { Machine } from './constraint';
import type { LevelSpec } from './levels';
import type { Scope } from './scope';
import { INT, isList, isSequence } from './types';

/** Tokens the debt holds back: `, p` after a return value that reads no parameter. */
export const DEBT = 2;
/** A first-atom mask that admits every readable name. */
export const ANY_NAME = (1 << 24) - 1;
/** First-atom bit: the value may instead be one lone one-token literal (`x = 0`: an initializer). */
export const LITERAL_ALONE = 1 << 28;

export type RuleContext = 'none' | 'write' | 'header' | 'nested-return' | 'final-return';

export class LevelRules {
  /** The next atom of the expression being written must be one of these names (bit mask), or 0. */
  firstAtom = 0;
  /** The name whose latest write has not been read, or -1. */
  obligation = -1;
  /** DEBT tokens are held in machine.reserve. */
  debt = false;
  /** Reading a tainted name now pays the debt. */
  discount = false;
  /** Tainted names read so far (statements compare it before and after). */
  taintReads = 0;
  context: RuleContext = 'none';
  /** Per name: its latest value (a write, or a parameter's argument) has not been read. */
  readonly unread: Uint8Array;
  /** Per name: ids of the blocks open at its latest write. */
  readonly writeChain: number[][];
  private target = -1;
  private readsAtStart = 0;
  /**
   * Costs of values priced at the current line start, by first-atom mask and type (valid while
   * the scope does not change: ProgramFrame clears it at every line start).
   */
  readonly valueCosts = new Map<number, number>();

  constructor(
    readonly spec: LevelSpec,
    private readonly scope: Scope,
  ) {
    this.unread = new Uint8Array(scope.count);
    this.writeChain = Array.from({ length: scope.count }, () => []);
  }

  isTainted(name: number): boolean {
    return this.scope.bound[name]! > 0 && this.scope.tainted[name] === 1;
  }

  /** Bit mask of the tainted names. */
  taintedMask(): number {
    let mask = 0;
    for (let name = 0; name < this.scope.count; name++) if (this.isTainted(name)) mask |= 1 << name;
    return mask;
  }

  /** How much cheaper reading `name` is right now (it pays the debt). */
  discountOf(name: number): number {
    return this.discount && this.debt && this.isTainted(name) ? DEBT : 0;
  }

  private hold(machine: Machine): void {
    if (this.debt) return;
    this.debt = true;
    machine.reserve += DEBT;
  }

  private release(machine: Machine): void {
    if (!this.debt) return;
    this.debt = false;
    this.discount = false;
    machine.reserve -= DEBT;
  }

  defineParam(name: number): void {
    this.scope.tainted[name] = 1;
    this.unread[name] = 1;
    this.writeChain[name] = this.blockIds();
  }

  private blockIds(): number[] {
    return this.scope.blocks.map((block) => block.id);
  }

  /** A name token was read in an expression. */
  read(machine: Machine, name: number): void {
    this.firstAtom = 0;
    this.unread[name] = 0;
    if (this.isTainted(name)) {
      this.taintReads++;
      if (this.discount) this.release(machine);
    }
    if (name === this.obligation && (this.context === 'header' || this.context === 'nested-return')) {
      this.obligation = -1;
      this.release(machine);
    }
  }

  /** True if the name's unread value is sure to be replaced by a write in the innermost block. */
  deadOverwrite(name: number): boolean {
    if (this.unread[name] === 0) return false;
    const depth = this.scope.blocks.length;
    const chain = this.writeChain[name]!;
    return chain.length >= depth && chain[depth - 1] === this.scope.blocks[depth - 1]!.id;
  }

  /**
   * The first-atom mask of the value of a write to `name` (names it must start from, and
   * LITERAL_ALONE), 0 when any value will do, or -1 when the write is not allowed. `kind`: a
   * plain `=`, an augmented assignment, a list method (whose arguments are free).
   */
  writeMask(name: number, kind: 'assign' | 'augment' | 'call'): number {
    const other = this.obligation >= 0 && this.obligation !== name;
    const start = other ? 1 << this.obligation : ANY_NAME;
    if (kind === 'call') return other ? -1 : 0;
    // `x += 1` reads x already.
    if (kind === 'augment') return other ? start : 0;
    if (this.scope.bound[name] === 0) {
      if (this.scope.blocks.length > 1) return -1;
      return other || !this.spec.initializers ? start : start | LITERAL_ALONE;
    }
    if (this.deadOverwrite(name)) return other ? -1 : 1 << name;
    return start;
  }

  /** True if a write to `name` is sure to leave it tainted, whatever its value. */
  private writeTaints(name: number): boolean {
    if (this.isTainted(name) || this.scope.innermost.control) return true;
    // Or every form of the write starts from a name, and every name it may start from is tainted.
    const type = this.scope.types[name]!;
    const bound = this.scope.bound[name]! > 0;
    const kinds: ('assign' | 'augment' | 'call')[] = ['assign'];
    if (bound && (type === INT || isSequence(type))) kinds.push('augment');
    if (bound && isList(type)) kinds.push('call');
    for (const kind of kinds) {
      const mask = this.writeMask(name, kind);
      if (mask < 0) continue;
      if (mask === 0 || mask & LITERAL_ALONE) return false;
      for (let other = 0; other < this.scope.count; other++) {
        if (mask & (1 << other) && this.scope.readable(other) === 1 && !this.isTainted(other)) return false;
      }
    }
    return true;
  }

  /** Tokens a write to `name` adds to the debt (priced where the write starts). */
  writeExtra(name: number): number {
    return this.debt || this.writeTaints(name) ? 0 : DEBT;
  }

  beginWrite(machine: Machine, name: number): void {
    this.context = 'write';
    this.target = name;
    this.readsAtStart = this.taintReads;
    if (this.writeTaints(name)) this.release(machine);
    else {
      this.hold(machine);
      this.discount = true;
    }
  }

  /** The write ended (its target is defined already when it was a new name). */
  endWrite(machine: Machine): void {
    const name = this.target;
    const tainted = this.isTainted(name) || this.scope.innermost.control || this.taintReads > this.readsAtStart;
    this.scope.tainted[name] = tainted ? 1 : 0;
    if (tainted) this.release(machine);
    this.discount = false;
    this.firstAtom = 0;
    this.obligation = name;
    this.unread[name] = 1;
    this.writeChain[name] = this.blockIds();
    this.target = -1;
    this.context = 'none';
  }

  beginHeader(): void {
    this.context = 'header';
    this.readsAtStart = this.taintReads;
  }

  /** The header ended; true if it read a tainted name. */
  endHeader(): boolean {
    this.context = 'none';
    this.firstAtom = 0;
    return this.taintReads > this.readsAtStart;
  }

  beginNestedReturn(): void {
    this.context = 'nested-return';
  }

  /**
   * The final return's first value starts from the obligation, or from a tainted name. When the
   * obligation is not tainted (the debt is held), it must read a tainted name later, or be
   * followed by `, p`.
   */
  beginFinalReturn(machine: Machine): void {
    this.context = 'final-return';
    if (this.obligation >= 0) {
      this.firstAtom = 1 << this.obligation;
      if (!this.isTainted(this.obligation)) {
        this.hold(machine); // held already: it is held while the obligation is not tainted
        this.discount = true;
      }
    } else this.firstAtom = this.taintedMask();
  }

  /** `, ` in the final return: the second value starts from a tainted name (and pays any debt). */
  secondValue(machine: Machine): void {
    this.release(machine);
    this.firstAtom = this.taintedMask();
  }

  endReturn(): void {
    this.context = 'none';
    this.firstAtom = 0;
  }
}
