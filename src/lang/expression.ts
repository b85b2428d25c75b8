/**
 * Typed expressions of the program grammar.
 *
 * ExprFrame writes one expression whose type must be in `targets`. It reads operands itself
 * (names, literals, method calls and slices after them) and keeps the operator structure in a
 * few fields: the type of the arithmetic chain so far, a pending comparison, whether `and`/`or`/
 * `not` made the whole thing boolean, a ternary. Python's precedence never changes the typing
 * here: arithmetic chains hold one type, comparisons do not chain, and `and`/`or`/`not` take
 * and give bools. Calls, list displays, parentheses, subscripts and `range` are child frames
 * (expression-parts.ts).
 *
 * Costs: tables() computes, for the operand being written, what finishing costs once it ends
 * with each type (`chain`) and once it is a value of each type that method calls may still
 * convert (`post`). Every option is priced with them.
 */
import { emitIf, Frame, finishOf, finishTable, INFINITY, type Machine, NO_CHILD, onlyType } from './constraint';
import { type LevelRules, LITERAL_ALONE } from './level-rules';
import { type Overload, REACH, REACH_SIMPLE } from './library';
import type { ProgramTokens } from './program-tokens';
import { PROMISE, type Scope } from './scope';
import {
  BOOL,
  bit,
  elementType,
  has,
  INT,
  ITER_INT,
  isList,
  isSequence,
  LIST_BOOL,
  LIST_INT,
  LIST_STR,
  listOf,
  NONE,
  STR,
  TYPE_COUNT,
  type TypeId,
  type TypeSet,
} from './types';

export interface ProgramContext {
  t: ProgramTokens;
  scope: Scope;
  /** Past this many open frames an expression opens no more brackets (MAX_OPEN_FRAMES, or a level's limit). */
  maxOpenFrames: number;
  /** A level's rules against degenerate programs (level-rules.ts), or null. */
  rules: LevelRules | null;
  /**
   * Frames on the stack that do not add a level of brackets (a ternary's branches, a
   * comprehension clause), less statements' brackets that have no expression frame below them
   * (`lst.append(`): ExprFrame.deep counts brackets with it. Only kept under level rules.
   */
  slack: number;
  /** Told the result type of each value of every `return` when it ends (return-type.ts). */
  onReturn?: (types: readonly TypeId[]) => void;
  /** Also read constructs that can raise (ProgramOptions.lenient). */
  lenient: boolean;
  /** The frames an operand opens (expression-parts.ts, whose frames open ExprFrames in turn). */
  parts: OperandFrames;
}

/**
 * How an operand opens a list, parentheses, `range(...)`, a call or a subscript. Passed in the
 * context (OPERAND_FRAMES) rather than imported, so that expression.ts and expression-parts.ts,
 * which nest in each other, do not import each other.
 */
export interface OperandFrames {
  list(ctx: ProgramContext, elements: number): Frame;
  paren(ctx: ProgramContext, inner: number): Frame;
  range(ctx: ProgramContext): Frame;
  call(ctx: ProgramContext, overloads: Overload[]): Frame;
  subscript(ctx: ProgramContext, sequence: TypeId, name: number): Frame;
}

/** Most characters of a string literal in a program. */
export const MAX_STRING_CHARS = 6;
/**
 * Past this many open frames an expression opens no more brackets (calls, lists, parentheses,
 * subscripts) and no ternary: Python refuses more than 200 nested brackets.
 */
export const MAX_OPEN_FRAMES = 60;

const COMPARABLE: TypeSet = bit(INT) | bit(STR) | bit(LIST_INT) | bit(LIST_STR) | bit(LIST_BOOL);
/** Types with a one-token literal (0, '', True, []): what a parenthesis may hold at least. */
const LITERAL_TYPES: TypeSet = COMPARABLE | bit(BOOL);

function rightOperandTypes(t: ProgramTokens, operator: number, left: TypeId): TypeSet {
  if (operator === t.inOp || operator === t.notIn) return left === INT ? bit(LIST_INT) : bit(STR) | bit(LIST_STR);
  return bit(left);
}

type ExprPhase =
  | 'operand' // an operand starts here (a unary `not ` or `-` may come first)
  | 'digit' // the right side of `//`, `%` or a repetition: one digit 1-9
  | 'str' // a string literal, characters so far in `count`
  | 'post' // an operand of type opType; methods and subscripts may follow
  | 'operand-end' // an operand that takes no postfix (an int literal)
  | 'child' // a call, list, parenthesis or subscript is open above
  | 'ternary-cond' // ` if ` read: the condition is open above, ` else ` comes next
  | 'ternary-tail' // ` else ` read: the last branch is open above
  | 'done';

/**
 * Pushes a frame that changes the bracket count by `slack` - 1 levels less than its frame count
 * (see ProgramContext.slack); a plain push without level rules.
 */
export function pushSlack(ctx: ProgramContext, machine: Machine, frame: Frame & { slack: number }, finish: readonly number[], slack: number): void {
  if (ctx.rules) {
    ctx.slack += slack;
    frame.slack = slack;
  }
  machine.push(frame, finish);
}

export class ExprFrame extends Frame {
  private logic = false;
  private comparison = -1;
  private comparisonLeft: TypeId = NONE;
  private chainType: TypeId = NONE;
  private phase: ExprPhase = 'operand';
  private negated = false;
  private opType: TypeId = NONE;
  private atomName = -1;
  private count = 0;
  private ternaryValue: TypeId = NONE;
  /** The operand is a string literal as written (the only receiver `.join(` takes). */
  private literalAtom = false;
  /** The current term of a sequence chain was repeated (`s * 3`): no second repetition. */
  private repeated = false;
  /** Nested too deep to open anything: see MAX_OPEN_FRAMES. */
  deep = false;
  /** What this frame added to ctx.slack (pushSlack). */
  slack = 0;
  // Scratch tables filled by tables().
  private operandTargets: TypeSet = 0;
  private readonly chain = new Array<number>(TYPE_COUNT).fill(INFINITY);
  private readonly post = new Array<number>(TYPE_COUNT).fill(INFINITY);

  constructor(
    private readonly ctx: ProgramContext,
    private readonly targets: TypeSet,
    private readonly ternary: boolean,
    /** Names (bit mask over name indexes) this expression may not start with. */
    private readonly exclude = 0,
  ) {
    super();
  }

  override start(machine: Machine): void {
    this.deep = machine.depth - this.ctx.slack > this.ctx.maxOpenFrames;
  }

  override ended(): void {
    this.ctx.slack -= this.slack;
  }

  /**
   * Fewest tokens of this expression (its finish included) when its first atom must be one of
   * the names in `mask` (level rules): used to price a statement before its value is opened.
   * `finish` and `deep` must be set.
   */
  cheapestFirstAtom(mask: number): number {
    const rules = this.ctx.rules!;
    const saved = rules.firstAtom;
    rules.firstAtom = mask;
    try {
      this.tables();
      return this.firstAtomOptions(null, 0);
    } finally {
      rules.firstAtom = saved;
    }
  }

  private fin(type: TypeId): number {
    return finishOf(this.finish, type);
  }

  private boolOk(): boolean {
    return this.logic || has(this.targets, BOOL);
  }

  private computeOperandTargets(): TypeSet {
    if (this.negated) return bit(INT);
    if (this.chainType !== NONE) return bit(this.chainType);
    if (this.comparison >= 0) return rightOperandTypes(this.ctx.t, this.comparison, this.comparisonLeft);
    const boolOk = this.boolOk();
    let set = 0;
    for (let type = 0; type < TYPE_COUNT; type++) {
      const ends = this.logic ? type === BOOL : has(this.targets, type);
      if (ends || (boolOk && (type === BOOL || has(COMPARABLE, type)))) set |= bit(type);
    }
    return set;
  }

  /** Tokens to finish after the current operand ends with type `type`. */
  private chainCost(type: TypeId): number {
    const chain = this.chainType !== NONE ? this.chainType : type;
    let best = INFINITY;
    if (this.comparison >= 0 || this.logic) {
      if (this.boolOk() && (this.comparison >= 0 || chain === BOOL)) best = this.fin(BOOL);
    } else if (has(this.targets, chain)) best = this.fin(chain);
    if (this.comparison < 0 && has(COMPARABLE, chain) && this.boolOk()) best = Math.min(best, 2 + this.fin(BOOL));
    return best;
  }

  private tables(): void {
    const targets = (this.operandTargets = this.computeOperandTargets());
    for (let type = 0; type < TYPE_COUNT; type++) this.chain[type] = has(targets, type) ? this.chainCost(type) : INFINITY;
    for (let from = 0; from < TYPE_COUNT; from++) {
      let best = INFINITY;
      const reach = (this.deep ? REACH_SIMPLE : REACH)[from]!;
      for (let to = 0; to < TYPE_COUNT; to++) {
        const cost = reach[to]! + this.chain[to]!;
        if (cost < best) best = cost;
      }
      this.post[from] = best;
    }
  }

  /** Cost to finish from a value of type `type`, `[i]` included when the value is an indexable name. */
  private postCost(type: TypeId, indexable: boolean): number {
    let cost = this.post[type]!;
    if (indexable && !this.deep) cost = Math.min(cost, 3 + this.post[elementType(type)]!);
    return cost;
  }

  private postTable(): number[] {
    return finishTable((type) => this.post[type]!);
  }

  /** The type an empty list `[]` takes here: the cheapest list type to finish from. */
  private emptyListType(): TypeId {
    let best = LIST_INT;
    for (const type of [LIST_STR, LIST_BOOL]) if (this.post[type]! < this.post[best]!) best = type;
    return best;
  }

  options(machine: Machine, avail: number, child: number): void {
    const t = this.ctx.t;
    switch (this.phase) {
      case 'operand':
        this.tables();
        this.operandOptions(machine, avail);
        return;
      case 'digit':
        this.tables();
        if (1 + this.chain[this.chainType]! <= avail) machine.emitAll(t.nonzeroDigits);
        return;
      case 'str':
        this.tables();
        if (this.count < MAX_STRING_CHARS && 2 + this.post[STR]! <= avail) machine.emitAll(t.programChars);
        if (this.count > 0) emitIf(machine, t.quote, 1 + this.post[STR]!, avail);
        return;
      case 'post':
        this.tables();
        this.postfixOptions(machine, avail, this.opType, this.atomName, this.literalAtom);
        if (has(this.operandTargets, this.opType)) this.chainOptions(machine, avail, this.opType);
        return;
      case 'operand-end':
        this.tables();
        this.chainOptions(machine, avail, this.opType);
        return;
      case 'child':
        if (child === NO_CHILD) return;
        this.tables();
        this.postfixOptions(machine, avail, child, -1, false);
        if (has(this.operandTargets, child)) this.chainOptions(machine, avail, child);
        return;
      case 'ternary-cond':
        emitIf(machine, t.elseOp, 2 + this.fin(this.ternaryValue), avail);
        return;
      default:
        return;
    }
  }

  /**
   * Operand options when the level rules want the next atom to be one of rules.firstAtom's
   * names: the name itself, or `not`, `-`, a parenthesis, a list display or a builtin call with
   * the name right inside. Emits those that fit when `machine` is given; returns the cheapest cost.
   */
  private firstAtomOptions(machine: Machine | null, avail: number): number {
    const t = this.ctx.t;
    const scope = this.ctx.scope;
    const rules = this.ctx.rules!;
    const mask = rules.firstAtom;
    const post = this.post;
    let best = INFINITY;
    const offer = (token: number, cost: number) => {
      if (cost < best) best = cost;
      if (machine && cost <= avail) machine.emit(token);
    };
    // The names' types, with the best discount among the names of each type.
    let types = 0;
    const discount = [0, 0, 0, 0, 0, 0, 0, 0];
    for (let name = 0; name < scope.count; name++) {
      if ((mask & (1 << name)) === 0 || this.exclude & (1 << name) || scope.readable(name) !== 1) continue;
      const type = scope.types[name]!;
      const off = machine ? rules.discountOf(name) : 0;
      offer(t.names[name]!, 1 + this.postCost(type, scope.hasIndexFor(name)) - off);
      types |= bit(type);
      discount[type] = Math.max(discount[type]!, off);
    }
    // An initializer: one literal token, and nothing after it.
    if (mask & LITERAL_ALONE && !this.negated && this.chainType === NONE && this.comparison < 0 && !this.logic) {
      for (let type = 0; type < TYPE_COUNT; type++) {
        if (!has(this.targets, type)) continue;
        const cost = 1 + this.fin(type);
        if (type === INT) {
          if (cost < best) best = cost;
          if (machine && cost <= avail) {
            machine.emitAll(t.digits);
            machine.emitAll(t.leadingPairs);
          }
        } else if (type === STR) offer(t.emptyString, cost);
        else if (type === BOOL) {
          offer(t.trueToken, cost);
          offer(t.falseToken, cost);
        } else if (isList(type)) offer(t.emptyList, cost);
      }
    }
    if (types === 0) return best;
    if (!this.negated && this.comparison < 0 && this.chainType === NONE && this.boolOk() && has(types, BOOL)) {
      offer(t.not, 2 + this.fin(BOOL) - discount[BOOL]!);
    }
    if (!this.negated && has(this.operandTargets, INT) && has(types, INT)) offer(t.minus, 2 + post[INT]! - discount[INT]!);
    if (this.deep) return best;
    for (let type = 0; type < TYPE_COUNT; type++) {
      if (!has(types, type)) continue;
      offer(t.open, 3 + post[type]! - discount[type]!);
      if (type === INT || type === STR || type === BOOL) offer(t.openBracket, 3 + post[listOf(type)]! - discount[type]!);
    }
    for (const call of t.builtins) {
      const overloads = call.callable.overloads;
      for (let k = 0; k < overloads.length; k++) {
        const first = overloads[k]!.args[0]!;
        if (first.kind !== 'expr') continue;
        for (let type = 0; type < TYPE_COUNT; type++) {
          if (has(types, type) && has(first.types, type)) offer(call.token, 1 + call.mins[k]! + post[overloads[k]!.result]! - discount[type]!);
        }
      }
    }
    return best;
  }

  private operandOptions(machine: Machine, avail: number): void {
    const t = this.ctx.t;
    const scope = this.ctx.scope;
    const post = this.post;
    const targets = this.operandTargets;
    const rules = this.ctx.rules;
    if (rules && rules.firstAtom !== 0) {
      this.firstAtomOptions(machine, avail);
      return;
    }
    if (!this.negated && this.comparison < 0 && this.chainType === NONE && this.boolOk()) {
      emitIf(machine, t.not, 2 + this.fin(BOOL), avail);
    }
    if (!this.negated && has(targets, INT)) emitIf(machine, t.minus, 2 + post[INT]!, avail);
    if (1 + post[INT]! <= avail) {
      machine.emitAll(t.digits);
      machine.emitAll(t.leadingPairs);
    }
    emitIf(machine, t.emptyString, 1 + post[STR]!, avail);
    emitIf(machine, t.quote, 3 + post[STR]!, avail);
    if (1 + post[BOOL]! <= avail) {
      machine.emit(t.trueToken);
      machine.emit(t.falseToken);
    }
    const listCost = Math.min(post[LIST_INT]!, post[LIST_STR]!, post[LIST_BOOL]!);
    emitIf(machine, t.emptyList, 1 + listCost, avail);
    for (let name = 0; name < scope.count; name++) {
      if (this.exclude & (1 << name)) continue;
      const readable = scope.readable(name);
      if (readable === 0) continue;
      const cost = 1 + this.postCost(scope.types[name]!, scope.hasIndexFor(name)) + (readable === 2 ? PROMISE : 0);
      emitIf(machine, t.names[name]!, rules ? cost - rules.discountOf(name) : cost, avail);
    }
    if (this.deep) return;
    emitIf(machine, t.openBracket, 3 + listCost, avail);
    let parenCost = INFINITY;
    for (let type = 0; type < TYPE_COUNT; type++) {
      if (has(LITERAL_TYPES, type)) parenCost = Math.min(parenCost, 3 + post[type]!);
    }
    emitIf(machine, t.open, parenCost, avail);
    for (const call of t.builtins) {
      const overloads = call.callable.overloads;
      for (let k = 0; k < overloads.length; k++) {
        if (1 + call.mins[k]! + post[overloads[k]!.result]! <= avail) {
          machine.emit(call.token);
          break;
        }
      }
    }
    emitIf(machine, t.range, 3 + post[ITER_INT]!, avail);
  }

  private postfixOptions(machine: Machine, avail: number, type: TypeId, name: number, literal: boolean): void {
    const t = this.ctx.t;
    const post = this.post;
    for (const method of t.simpleMethods[type]!) emitIf(machine, method.token, 1 + post[method.result]!, avail);
    if (isSequence(type)) emitIf(machine, t.reverseSlice, 1 + post[type]!, avail);
    if (this.deep) return;
    for (const call of t.methods[type]!) {
      if (call.token === t.join && !literal) continue;
      const overloads = call.callable.overloads;
      for (let k = 0; k < overloads.length; k++) {
        if (1 + call.mins[k]! + post[overloads[k]!.result]! <= avail) {
          machine.emit(call.token);
          break;
        }
      }
    }
    if (isSequence(type)) {
      let subscript = 3 + post[type]!;
      if (name >= 0 && this.ctx.scope.hasIndexFor(name)) subscript = Math.min(subscript, 3 + post[elementType(type)]!);
      emitIf(machine, t.openBracket, subscript, avail);
    }
  }

  /** Options once the operand ended with type `type`: operators, ` if `, and (by canEnd) the end. */
  private chainOptions(machine: Machine, avail: number, type: TypeId): void {
    const t = this.ctx.t;
    const chain = this.chainType !== NONE ? this.chainType : type;
    const next = 2 + this.chain[type]!; // operator, a one-token operand, then as now
    if (chain === INT) {
      if (next <= avail) {
        machine.emit(t.plus);
        machine.emit(t.minusOp);
        machine.emit(t.times);
        machine.emit(t.floorDiv);
        machine.emit(t.modulo);
      }
    } else if (chain === STR || isList(chain)) {
      if (next <= avail) {
        machine.emit(t.plus);
        if (!this.repeated) machine.emit(t.times);
      }
    }
    const boolOk = this.boolOk();
    if (this.comparison < 0 && has(COMPARABLE, chain) && boolOk && 2 + this.fin(BOOL) <= avail) {
      if (chain === INT || chain === STR) {
        machine.emitAll(t.comparisons);
        machine.emit(t.inOp);
        machine.emit(t.notIn);
      } else machine.emitAll(t.equality);
    }
    if ((this.comparison >= 0 || chain === BOOL) && boolOk && 2 + this.fin(BOOL) <= avail) {
      machine.emit(t.and);
      machine.emit(t.or);
    }
    // The other branch needs a one-token value: literal types only (not range/reversed).
    if (this.ternary && !this.deep && !this.logic && this.comparison < 0 && has(this.targets, chain) && has(LITERAL_TYPES, chain)) {
      emitIf(machine, t.ifOp, 4 + this.fin(chain), avail);
    }
  }

  /** The value type if the expression ended now after an operand of type `type`. */
  private valueAfter(type: TypeId): TypeId {
    if (this.comparison >= 0) return BOOL;
    return this.chainType !== NONE ? this.chainType : type;
  }

  private endsWith(type: TypeId): boolean {
    if (!has(this.operandTargets, type) && this.phase !== 'operand-end') return false;
    const value = this.valueAfter(type);
    if (this.comparison >= 0 || this.logic) return value === BOOL && this.boolOk();
    return has(this.targets, value);
  }

  canEnd(child: number): boolean {
    switch (this.phase) {
      case 'post':
      case 'operand-end':
        this.operandTargets = this.computeOperandTargets();
        return this.endsWith(this.opType);
      case 'child':
        if (child === NO_CHILD) return false;
        this.operandTargets = this.computeOperandTargets();
        return this.endsWith(child);
      case 'ternary-tail':
        return child !== NO_CHILD;
      case 'done':
        return true;
      default:
        return false;
    }
  }

  override result(child: number): TypeId {
    switch (this.phase) {
      case 'ternary-tail':
      case 'done':
        return this.ternaryValue;
      case 'child':
        return this.valueAfter(child === NO_CHILD ? this.opType : child);
      default:
        return this.valueAfter(this.opType);
    }
  }

  override childDone(_machine: Machine, result: number): void {
    if (this.phase === 'child') {
      this.phase = 'post';
      this.opType = result;
      this.atomName = -1;
    } else if (this.phase === 'ternary-tail') this.phase = 'done';
  }

  consume(machine: Machine, token: number): void {
    const t = this.ctx.t;
    switch (this.phase) {
      case 'operand':
        this.consumeOperandStart(machine, token);
        return;
      case 'digit':
        this.opType = this.chainType;
        this.phase = 'operand-end';
        return;
      case 'str':
        if (token === t.quote) {
          this.phase = 'post';
          this.opType = STR;
          this.atomName = -1;
          this.literalAtom = true;
        } else this.count++;
        return;
      case 'post':
        if (!this.consumePostfix(machine, token)) this.consumeOperator(machine, token, this.opType);
        return;
      case 'operand-end':
        this.consumeOperator(machine, token, this.opType);
        return;
      case 'ternary-cond':
        this.phase = 'ternary-tail';
        pushSlack(this.ctx, machine, new ExprFrame(this.ctx, bit(this.ternaryValue), false), this.finish, 1);
        return;
      default:
        throw new Error(`expression cannot read a token in phase ${this.phase}`);
    }
  }

  private consumeOperandStart(machine: Machine, token: number): void {
    const t = this.ctx.t;
    const scope = this.ctx.scope;
    const rules = this.ctx.rules;
    if (rules && rules.firstAtom & LITERAL_ALONE) {
      rules.firstAtom &= ~LITERAL_ALONE;
      if (
        t.nameOf[token]! < 0 &&
        (t.digits.includes(token) ||
          t.leadingPairs.includes(token) ||
          token === t.emptyString ||
          token === t.emptyList ||
          token === t.trueToken ||
          token === t.falseToken)
      ) {
        // An initializer: the whole value.
        rules.firstAtom = 0;
        for (let type = 0; type < TYPE_COUNT; type++) if (has(this.targets, type)) this.ternaryValue = type;
        this.phase = 'done';
        return;
      }
    }
    if (token === t.not) {
      this.logic = true;
      return;
    }
    if (token === t.minus) {
      this.negated = true;
      return;
    }
    this.atomName = -1;
    // An int literal of a program is one token, a digit or a pair '10'..'99', so constants stay small.
    if (t.digits.includes(token) || t.leadingPairs.includes(token)) {
      this.opType = INT;
      this.phase = 'operand-end';
      return;
    }
    if (token === t.quote) {
      this.phase = 'str';
      this.count = 0;
      return;
    }
    this.phase = 'post';
    this.literalAtom = token === t.emptyString;
    if (token === t.emptyString) this.opType = STR;
    else if (token === t.trueToken || token === t.falseToken) this.opType = BOOL;
    else if (token === t.emptyList) {
      this.tables();
      this.opType = this.emptyListType();
    } else if (t.nameOf[token]! >= 0) {
      const name = t.nameOf[token]!;
      this.ctx.rules?.read(machine, name);
      if (scope.readable(name) === 2) {
        scope.comprehensions[scope.comprehensions.length - 1]!.pending = name;
        machine.reserve += PROMISE;
      }
      this.opType = scope.types[name]!;
      this.atomName = name;
    } else {
      this.tables();
      this.phase = 'child';
      const post = this.postTable();
      if (token === t.openBracket) {
        let elements = 0;
        for (const element of [INT, STR, BOOL]) if (this.post[listOf(element)]! < INFINITY) elements |= bit(element);
        machine.push(this.ctx.parts.list(this.ctx, elements), post);
      } else if (token === t.open) {
        let inner = 0;
        for (let type = 0; type < TYPE_COUNT; type++) if (this.post[type]! < INFINITY) inner |= bit(type);
        machine.push(this.ctx.parts.paren(this.ctx, inner), post);
      } else if (token === t.range) {
        machine.push(this.ctx.parts.range(this.ctx), post);
      } else {
        const call = t.builtinOf.get(token);
        if (!call) throw new Error(`unexpected token ${t.tokenizer.text(token)} at an operand`);
        const all = this.ctx.lenient ? [...call.callable.overloads, ...(call.callable.raising ?? [])] : call.callable.overloads;
        const overloads = all.filter((o) => this.post[o.result]! < INFINITY);
        machine.push(this.ctx.parts.call(this.ctx, overloads), post);
      }
    }
  }

  /** Reads a method call or subscript after an operand; false if the token is something else. */
  private consumePostfix(machine: Machine, token: number): boolean {
    const t = this.ctx.t;
    this.literalAtom = false;
    for (const method of t.simpleMethods[this.opType]!) {
      if (method.token === token) {
        this.opType = method.result;
        this.atomName = -1;
        return true;
      }
    }
    const call = t.methodOf[this.opType]!.get(token);
    if (call) {
      this.tables();
      const overloads = call.callable.overloads.filter((o) => this.post[o.result]! < INFINITY);
      this.phase = 'child';
      machine.push(this.ctx.parts.call(this.ctx, overloads), this.postTable());
      return true;
    }
    if (token === t.reverseSlice) {
      this.atomName = -1;
      return true;
    }
    if (token === t.openBracket) {
      this.tables();
      this.phase = 'child';
      machine.push(this.ctx.parts.subscript(this.ctx, this.opType, this.atomName), this.postTable());
      return true;
    }
    return false;
  }

  private consumeOperator(machine: Machine, token: number, type: TypeId): void {
    const t = this.ctx.t;
    if (this.chainType === NONE) this.chainType = type;
    this.negated = false;
    this.atomName = -1;
    if (token === t.plus || token === t.minusOp || token === t.times || token === t.floorDiv || token === t.modulo) {
      // Only a digit may divide (no division by zero) or repeat a sequence (no huge values);
      // inside loops an int may only be multiplied by a digit too (no squaring every pass).
      const digitOnly = token === t.floorDiv || token === t.modulo || (token === t.times && (this.chainType !== INT || this.ctx.scope.loopDepth > 0));
      this.phase = digitOnly ? 'digit' : 'operand';
      // A sequence is repeated once per term: `s * 3 * 3` would multiply sizes.
      this.repeated = token === t.times && this.chainType !== INT;
      return;
    }
    this.repeated = false;
    if (token === t.and || token === t.or) {
      this.logic = true;
      this.comparison = -1;
      this.comparisonLeft = NONE;
      this.chainType = NONE;
      this.phase = 'operand';
      return;
    }
    if (token === t.ifOp) {
      this.ternaryValue = this.chainType;
      this.phase = 'ternary-cond';
      pushSlack(this.ctx, machine, new ExprFrame(this.ctx, bit(BOOL), false), onlyType(BOOL, 2 + this.fin(this.ternaryValue)), 1);
      return;
    }
    // A comparison: == != < <= > >= in, not in.
    this.comparisonLeft = this.chainType;
    this.comparison = token;
    this.chainType = NONE;
    this.phase = 'operand';
  }
}
