/**
 * The constructs an expression opens: list displays and comprehensions, calls, parentheses,
 * subscripts and `range(...)`. Each is a frame above the ExprFrame that opened it and ends with
 * its own closing token.
 */
import { emitIf, Frame, finishOf, finishTable, flatFinish, INFINITY, type Machine, NO_CHILD, onlyType } from './constraint';
import { ExprFrame, MAX_STRING_CHARS, type OperandFrames, type ProgramContext, pushSlack } from './expression';
import { argMin, type Overload, pairIterables } from './library';
import { type Comprehension, PROMISE } from './scope';
import { BOOL, bit, elementType, has, INT, ITER_INT, iterablesOf, LIST_INT, LIST_STR, listOf, NONE, STR, type TypeId, type TypeSet } from './types';

/** `[a, b, c]` or `[e for v in it if cond]`. */
export class ListFrame extends Frame {
  private phase: 'first' | 'items' | 'clause' = 'first';
  private elementType: TypeId = NONE;
  private readonly comprehension: Comprehension = { pending: -1, inElement: true };
  private comprehensionOpen = false;

  constructor(
    private readonly ctx: ProgramContext,
    private readonly elements: TypeSet,
  ) {
    super();
  }

  private listFinish(element: TypeId): number {
    return finishOf(this.finish, listOf(element));
  }

  override start(machine: Machine): void {
    this.ctx.scope.comprehensions.push(this.comprehension);
    this.comprehensionOpen = true;
    const table = finishTable((type) => (has(this.elements, type) ? 1 + this.listFinish(type) : INFINITY));
    machine.push(new ExprFrame(this.ctx, this.elements, true), table);
  }

  options(machine: Machine, avail: number, child: number): void {
    const t = this.ctx.t;
    const element = this.phase === 'clause' || child === NO_CHILD ? this.elementType : child;
    const fin = this.listFinish(element);
    if (this.phase === 'clause') {
      emitIf(machine, t.closeBracket, 1 + fin, avail);
      return;
    }
    const pending = this.phase === 'first' && this.comprehension.pending >= 0;
    if (!pending) {
      emitIf(machine, t.closeBracket, 1 + fin, avail);
      emitIf(machine, t.comma, 3 + fin, avail);
    }
    if (this.phase === 'first') emitIf(machine, t.forOp, 5 + fin - (pending ? PROMISE : 0), avail);
  }

  canEnd(): boolean {
    return false;
  }

  override result(): TypeId {
    return listOf(this.elementType);
  }

  override childDone(_machine: Machine, result: number): void {
    if (this.phase !== 'clause') this.elementType = result;
  }

  consume(machine: Machine, token: number): void {
    const t = this.ctx.t;
    if (token === t.closeBracket) {
      this.closed = true;
      return;
    }
    const fin = this.listFinish(this.elementType);
    if (token === t.comma) {
      this.closeComprehension();
      this.phase = 'items';
      machine.push(new ExprFrame(this.ctx, bit(this.elementType), true), onlyType(this.elementType, 1 + fin));
      return;
    }
    // ' for ': a comprehension.
    this.comprehension.inElement = false;
    if (this.comprehension.pending >= 0) machine.reserve -= PROMISE;
    this.phase = 'clause';
    pushSlack(this.ctx, machine, new ClauseFrame(this.ctx, this.comprehension), flatFinish(1 + fin), 1);
  }

  private closeComprehension(): void {
    if (!this.comprehensionOpen) return;
    this.comprehension.inElement = false;
    const stack = this.ctx.scope.comprehensions;
    if (stack[stack.length - 1] !== this.comprehension) throw new Error('comprehensions closed out of order');
    stack.pop();
    this.comprehensionOpen = false;
  }

  override ended(): void {
    this.closeComprehension();
  }
}

/** ` for v in iterable` with an optional ` if cond`, inside a list display or a call. */
class ClauseFrame extends Frame {
  private phase: 'name' | 'in' | 'iterable' | 'condition' = 'name';
  slack = 0;
  private name = -1;
  private bound = false;

  constructor(
    private readonly ctx: ProgramContext,
    private readonly comprehension: Comprehension,
  ) {
    super();
  }

  options(machine: Machine, avail: number): void {
    const t = this.ctx.t;
    const scope = this.ctx.scope;
    const fin = finishOf(this.finish, NONE);
    if (this.phase === 'name') {
      if (3 + fin > avail) return;
      if (this.comprehension.pending >= 0) {
        machine.emit(t.names[this.comprehension.pending]!);
        return;
      }
      for (let name = 0; name < scope.count; name++) {
        const type = scope.types[name]!;
        if (iterablesOf(type) !== 0 && scope.bound[name] === 0 && !scope.isPending(name)) {
          machine.emit(t.names[name]!);
        }
      }
    } else if (this.phase === 'in') emitIf(machine, t.inOp, 2 + fin, avail);
    else if (this.phase === 'iterable') emitIf(machine, t.ifOp, 2 + fin, avail);
  }

  canEnd(): boolean {
    return this.phase === 'iterable' || this.phase === 'condition';
  }

  override childDone(): void {
    // The iterable ended: the variable is bound from here on (the condition may use it).
    if (this.phase === 'iterable' && !this.bound) {
      this.ctx.scope.bound[this.name]!++;
      this.bound = true;
    }
  }

  consume(machine: Machine, token: number): void {
    const fin = finishOf(this.finish, NONE);
    if (this.phase === 'name') {
      this.name = this.ctx.t.nameOf[token]!;
      this.phase = 'in';
    } else if (this.phase === 'in') {
      this.phase = 'iterable';
      const iterables = iterablesOf(this.ctx.scope.types[this.name]!);
      machine.push(new ExprFrame(this.ctx, iterables, false), flatFinish(fin));
    } else {
      this.phase = 'condition';
      machine.push(new ExprFrame(this.ctx, bit(BOOL), false), onlyType(BOOL, fin));
    }
  }

  override ended(): void {
    if (this.bound) this.ctx.scope.bound[this.name]!--;
    this.ctx.slack -= this.slack;
  }
}

/** A builtin or method call after its opening token: arguments, then `)`. */
export class CallFrame extends Frame {
  private candidates: Overload[];
  private index = 0;
  private phase: 'arg' | 'keyword' | 'digit' | 'word-open' | 'word' | 'literal-open' = 'arg';
  private argType: TypeId = NONE;
  private count = 0;
  slack = 0;

  constructor(
    private readonly ctx: ProgramContext,
    candidates: Overload[],
  ) {
    super();
    if (candidates.length === 0) throw new Error('a call with no usable overload');
    this.candidates = candidates;
  }

  /** Tokens after argument `index` of `overload`: separators, later arguments, `)` and the finish. */
  private rest(overload: Overload, index: number): number {
    let cost = 1 + finishOf(this.finish, overload.result);
    for (let k = index + 1; k < overload.args.length; k++) {
      cost += 1 + argMin(overload.args[k]!) + (overload.keywords?.[k] ? 1 : 0);
    }
    return cost;
  }

  private minRest(index: number): number {
    let best = INFINITY;
    for (const overload of this.candidates) best = Math.min(best, this.rest(overload, index));
    return best;
  }

  override start(machine: Machine): void {
    this.beginArg(machine);
  }

  private beginArg(machine: Machine): void {
    const spec = this.candidates[0]!.args[this.index]!;
    this.phase = 'arg';
    if (spec.kind === 'digit') this.phase = 'digit';
    else if (spec.kind === 'word') this.phase = 'word-open';
    else if (spec.kind === 'literal') this.phase = 'literal-open';
    else {
      let types = 0;
      for (const overload of this.candidates) {
        const arg = overload.args[this.index]!;
        if (arg.kind === 'expr') types |= arg.types;
      }
      const table = finishTable((type) => {
        let best = INFINITY;
        for (const overload of this.candidates) {
          const arg = overload.args[this.index]!;
          if (arg.kind === 'expr' && has(arg.types, type)) best = Math.min(best, this.rest(overload, this.index));
        }
        return best;
      });
      machine.push(new ExprFrame(this.ctx, types, true), table);
    }
  }

  options(machine: Machine, avail: number, child: number): void {
    const t = this.ctx.t;
    switch (this.phase) {
      case 'digit':
        if (1 + this.minRest(this.index) <= avail) machine.emitAll(t.nonzeroDigits);
        return;
      case 'word-open':
        emitIf(machine, t.quote, 3 + this.minRest(this.index), avail);
        return;
      case 'literal-open':
        emitIf(machine, t.emptyString, 1 + this.minRest(this.index), avail);
        emitIf(machine, t.quote, 3 + this.minRest(this.index), avail);
        return;
      case 'word':
        if (this.count < MAX_STRING_CHARS && 2 + this.minRest(this.index) <= avail) machine.emitAll(t.programChars);
        if (this.count > 0) emitIf(machine, t.quote, 1 + this.minRest(this.index), avail);
        return;
      case 'keyword': {
        const overload = this.candidates[0]!;
        const keyword = t.keyword.get(overload.keywords![this.index]!)!;
        emitIf(machine, keyword, 1 + argMin(overload.args[this.index]!) + this.rest(overload, this.index), avail);
        return;
      }
      case 'arg': {
        const type = child !== NO_CHILD ? child : this.argType;
        const spec = this.candidates[0]!.args[this.index]!;
        this.separatorOptions(machine, avail, spec.kind === 'expr' ? type : NONE);
        return;
      }
    }
  }

  /** `, ` or `)` after an argument of type `type` (NONE: digits and words, already resolved). */
  private separatorOptions(machine: Machine, avail: number, type: TypeId): void {
    const t = this.ctx.t;
    for (const overload of this.candidates) {
      const arg = overload.args[this.index]!;
      if (type !== NONE && arg.kind === 'expr' && !has(arg.types, type)) continue;
      const last = this.index + 1 === overload.args.length;
      emitIf(machine, last ? t.close : t.comma, this.rest(overload, this.index), avail);
    }
  }

  canEnd(): boolean {
    return false;
  }

  override result(): TypeId {
    return this.candidates[0]!.result;
  }

  override ended(): void {
    this.ctx.slack -= this.slack;
  }

  override childDone(_machine: Machine, result: number): void {
    if (this.phase !== 'arg') return;
    this.argType = result;
    const spec = this.candidates[0]!.args[this.index]!;
    if (spec.kind === 'expr') {
      this.candidates = this.candidates.filter((overload) => {
        const arg = overload.args[this.index]!;
        return arg.kind === 'expr' && has(arg.types, result);
      });
    }
  }

  consume(machine: Machine, token: number): void {
    const t = this.ctx.t;
    switch (this.phase) {
      case 'digit':
        this.phase = 'arg';
        this.argType = NONE;
        return;
      case 'word-open':
        this.phase = 'word';
        this.count = 0;
        return;
      case 'literal-open':
        if (token === t.quote) {
          this.phase = 'word';
          this.count = 0;
        } else {
          this.phase = 'arg';
          this.argType = NONE;
        }
        return;
      case 'word':
        if (token === t.quote) {
          this.phase = 'arg';
          this.argType = NONE;
        } else this.count++;
        return;
      case 'keyword':
        this.beginArg(machine);
        return;
      case 'arg':
        if (token === t.close) {
          this.closed = true;
          return;
        }
        // ', ': the next argument.
        this.index++;
        this.candidates = this.candidates.filter((overload) => overload.args.length > this.index);
        if (this.candidates[0]!.keywords?.[this.index]) this.phase = 'keyword';
        else this.beginArg(machine);
        return;
    }
  }
}

/** `for a, b in enumerate(seq)` / `zip(xs, ys)`: the call after ` in `. */
export function pairCall(ctx: ProgramContext, first: TypeId, second: TypeId, token: number): CallFrame {
  const callable = pairIterables(first, second, iterablesOf).find((c) => ctx.t.tokenizer.id(c.token) === token);
  if (!callable) throw new Error('not a pair iterable');
  return new CallFrame(ctx, callable.overloads);
}

/** `( expression )`. */
export class ParenFrame extends Frame {
  private innerType: TypeId = NONE;

  constructor(
    private readonly ctx: ProgramContext,
    private readonly inner: TypeSet,
  ) {
    super();
  }

  override start(machine: Machine): void {
    machine.push(
      new ExprFrame(this.ctx, this.inner, true),
      finishTable((type) => 1 + finishOf(this.finish, type)),
    );
  }

  options(machine: Machine, avail: number, child: number): void {
    const type = child !== NO_CHILD ? child : this.innerType;
    emitIf(machine, this.ctx.t.close, 1 + finishOf(this.finish, type), avail);
  }

  canEnd(): boolean {
    return false;
  }

  override result(): TypeId {
    return this.innerType;
  }

  override childDone(_machine: Machine, result: number): void {
    this.innerType = result;
  }

  consume(): void {
    this.closed = true;
  }
}

/**
 * `[a:b]`, `[:b]`, `[a:]`, `[:]` on a sequence (slices never raise), or `[i]` where `i` is a
 * valid index of the sequence name by a loop fact. Lenient (only typing, never writing): `[e]`
 * for any int expression `e` too.
 */
export class SubscriptFrame extends Frame {
  private phase: 'start' | 'lower' | 'index' | 'colon' | 'upper' = 'start';
  private indexed = false;
  /** The int expression that may start here, asked for its options before it is pushed. */
  private bound: ExprFrame | null = null;

  constructor(
    private readonly ctx: ProgramContext,
    private readonly sequence: TypeId,
    private readonly name: number,
  ) {
    super();
  }

  private indexNames(): number {
    let mask = 0;
    if (this.name < 0) return 0;
    for (const fact of this.ctx.scope.facts) if (fact.sequence === this.name) mask |= 1 << fact.index;
    return mask;
  }

  private boundExpr(machine: Machine): ExprFrame {
    if (!this.bound) {
      const slice = finishOf(this.finish, this.sequence);
      const exclude = this.phase === 'start' ? this.indexNames() : 0;
      this.bound = new ExprFrame(this.ctx, bit(INT), true, exclude);
      this.bound.deep = machine.depth + 1 - this.ctx.slack > this.ctx.maxOpenFrames;
      this.bound.finish = onlyType(INT, (this.phase === 'start' ? 2 : 1) + slice);
    }
    return this.bound;
  }

  options(machine: Machine, avail: number): void {
    const t = this.ctx.t;
    const slice = finishOf(this.finish, this.sequence);
    const element = finishOf(this.finish, elementType(this.sequence));
    switch (this.phase) {
      case 'start': {
        emitIf(machine, t.colon, 2 + slice, avail);
        const names = this.indexNames();
        const cost = 1 + Math.min(1 + element, 2 + slice);
        const rules = this.ctx.rules;
        for (let name = 0; name < this.ctx.scope.count; name++) {
          if (names & (1 << name)) emitIf(machine, t.names[name]!, rules ? cost - rules.discountOf(name) : cost, avail);
        }
        this.boundExpr(machine).options(machine, avail, NO_CHILD);
        return;
      }
      case 'lower':
        emitIf(machine, t.colon, 2 + slice, avail);
        if (this.ctx.lenient) emitIf(machine, t.closeBracket, 1 + element, avail);
        return;
      case 'index':
        emitIf(machine, t.closeBracket, 1 + element, avail);
        emitIf(machine, t.colon, 2 + slice, avail);
        return;
      case 'colon':
        emitIf(machine, t.closeBracket, 1 + slice, avail);
        this.boundExpr(machine).options(machine, avail, NO_CHILD);
        return;
      case 'upper':
        emitIf(machine, t.closeBracket, 1 + slice, avail);
        return;
    }
  }

  canEnd(): boolean {
    return false;
  }

  override result(): TypeId {
    return this.indexed ? elementType(this.sequence) : this.sequence;
  }

  consume(machine: Machine, token: number): void {
    const t = this.ctx.t;
    if (token === t.closeBracket) {
      // 'lower': an int expression then `]`, offered only when lenient.
      this.indexed = this.phase === 'index' || this.phase === 'lower';
      this.closed = true;
      return;
    }
    if (token === t.colon) {
      this.phase = 'colon';
      this.bound = null;
      return;
    }
    const name = t.nameOf[token]!;
    if (this.phase === 'start' && name >= 0 && this.indexNames() & (1 << name)) {
      this.ctx.rules?.read(machine, name);
      this.phase = 'index';
      return;
    }
    // The start of an int expression: push the frame that offered it, then let it read the token.
    const bound = this.boundExpr(machine);
    this.phase = this.phase === 'start' ? 'lower' : 'upper';
    this.bound = null;
    machine.push(bound, bound.finish);
    bound.consume(machine, token);
  }
}

/** `range(k)`, `range(len(seq))`, `range(k, len(seq))`, `range(j, k)`: small or sequence-sized. */
export class RangeFrame extends Frame {
  private phase: 'bound' | 'len' | 'bound-done' = 'bound';
  private bounds = 0;
  private firstWasDigit = false;
  /** Level rules: `len(` would open a second bracket past the level's nesting limit. */
  private lenTooDeep = false;

  constructor(private readonly ctx: ProgramContext) {
    super();
  }

  override start(machine: Machine): void {
    if (this.ctx.rules) this.lenTooDeep = machine.depth + 1 - this.ctx.slack > this.ctx.maxOpenFrames;
  }

  private fin(): number {
    return finishOf(this.finish, ITER_INT);
  }

  options(machine: Machine, avail: number): void {
    const t = this.ctx.t;
    const fin = this.fin();
    switch (this.phase) {
      case 'bound':
        if (2 + fin <= avail) machine.emitAll(t.nonzeroDigits);
        if (!this.lenTooDeep) emitIf(machine, t.len, 4 + fin, avail);
        return;
      case 'len':
        emitIf(machine, t.close, 2 + fin, avail);
        return;
      case 'bound-done':
        emitIf(machine, t.close, 1 + fin, avail);
        if (this.bounds === 1 && this.firstWasDigit) emitIf(machine, t.comma, 3 + fin, avail);
        return;
    }
  }

  canEnd(): boolean {
    return false;
  }

  override result(): TypeId {
    return ITER_INT;
  }

  consume(machine: Machine, token: number): void {
    const t = this.ctx.t;
    switch (this.phase) {
      case 'bound':
        this.bounds++;
        if (token === t.len) {
          this.phase = 'len';
          const sequences = bit(STR) | bit(LIST_INT) | bit(LIST_STR);
          // `range(len(` opens two brackets with one frame.
          pushSlack(this.ctx, machine, new ExprFrame(this.ctx, sequences, true), flatFinish(2 + this.fin()), -2);
        } else {
          if (this.bounds === 1) this.firstWasDigit = true;
          this.phase = 'bound-done';
        }
        return;
      case 'len':
        this.phase = 'bound-done';
        return;
      case 'bound-done':
        if (token === t.close) this.closed = true;
        else this.phase = 'bound';
        return;
    }
  }
}

/** The frames above, as ExprFrame opens them (ProgramContext.parts). */
export const OPERAND_FRAMES: OperandFrames = {
  list: (ctx, elements) => new ListFrame(ctx, elements),
  paren: (ctx, inner) => new ParenFrame(ctx, inner),
  range: (ctx) => new RangeFrame(ctx),
  call: (ctx, overloads) => new CallFrame(ctx, overloads),
  subscript: (ctx, sequence, name) => new SubscriptFrame(ctx, sequence, name),
};
