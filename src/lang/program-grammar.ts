/**
 * The program grammar: `def f(params):` and a body of statements, written as canonical Python
 * (4-space indents, one statement a line) that ends with a `return` at the body's level.
 *
 * ProgramFrame is the root: it writes the header, the indentation at the start of each line
 * (which opens and closes blocks), and the first token of each statement; the statement frames
 * below do the rest. Scope changes happen in Scope as the text is written.
 */
import { checkBudget, emitIf, Frame, finishOf, flatFinish, INFINITY, Machine, NO_CHILD, onlyType, type TokenConstraint } from './constraint';
import { ExprFrame, MAX_OPEN_FRAMES, type ProgramContext, pushSlack } from './expression';
import { CallFrame, OPERAND_FRAMES, pairCall } from './expression-parts';
import { ANY_NAME, DEBT, LevelRules } from './level-rules';
import { LEVEL_SPECS, levelBudget, openFrameLimit, type ProgramLevel } from './levels';
import { statementMethods } from './library';
import { programTokens } from './program-tokens';
import { type Block, type BlockKind, Scope } from './scope';
import type { Tokenizer } from './tokenizer';
import { BOOL, bit, INT, isList, isSequence, iterablesOf, OUTPUT_TYPES, PARAM_TYPES, type ParamType, paramTypeOf, type TypeId } from './types';

export const MAX_PARAMS = 3;
/** Deepest block: the body is 1, so at most 3 compound statements nest. */
export const MAX_BLOCK_DEPTH = 4;
/** At most two loops nest, so a program runs at most (loop length)^2 passes. */
export const MAX_LOOP_NESTING = 2;
/** Fewest tokens of a whole program: `def f(` `n` `)` `:` NEWLINE INDENT `return ` `n`. */
export const MIN_PROGRAM_TOKENS = 8;
/** The header's `)` `:` NEWLINE and the shortest body, INDENT `return ` x. */
const HEADER_TAIL = 6;

// Fewest tokens of the pieces a program still owes (what each option is priced with).
/** `return ` x */
const RETURN = 2;
/** NEWLINE INDENT `return ` x: the final return at depth 1, after a line that ended deeper. */
const FINAL_RETURN_LINE = 2 + RETURN;
/** `n` ` = ` x: the shortest simple statement that is not a return. */
const ASSIGNMENT = 3;
/** Shortest header of each compound statement, up to its `:`: `if ` x `:`, `for ` v ` in ` x `:`, `else:`. */
const IF_HEADER = 3;
const FOR_HEADER = 5;
const ELSE_HEADER = 1;
/** After a compound statement's header at depth k: NEWLINE, k + 1 indents, a return, then the final return line. */
const blockAfterHeader = (k: number) => 1 + (k + 1) + RETURN + FINAL_RETURN_LINE;

/**
 * Fewest tokens of the value of a write to `name` whose first atom must be one of the names in
 * `mask` (level rules), `fin` included. Sets up the scope as AssignFrame.consume will.
 */
function startedValueCost(ctx: ProgramContext, name: number, fin: number, mask: number): number {
  const scope = ctx.scope;
  const type = scope.types[name]!;
  // Outside loops the cost depends on the type and the mask only (fin is the same at a line start).
  const memo = scope.loopDepth === 0 ? ctx.rules!.valueCosts : null;
  const key = mask * 8 + type;
  const known = memo?.get(key);
  if (known !== undefined) return known;
  const restrict = scope.restrictSequenceReads;
  const updated = scope.loopUpdated[name]!;
  if (scope.loopDepth > 0) {
    scope.loopUpdated[name] = 1;
    scope.restrictSequenceReads = isSequence(type);
  }
  try {
    const probe = new ExprFrame(ctx, bit(type), true);
    probe.finish = flatFinish(fin);
    probe.deep = 3 > ctx.maxOpenFrames; // program, statement, value
    const cost = probe.cheapestFirstAtom(mask);
    memo?.set(key, cost);
    return cost;
  } finally {
    scope.restrictSequenceReads = restrict;
    scope.loopUpdated[name] = updated;
  }
}

/** Each operator a write to `name` may take, with its cost: the operator, the cheapest value, then `fin`. */
function assignOptions(ctx: ProgramContext, name: number, fin: number, each: (token: number, cost: number) => void): void {
  const t = ctx.t;
  const scope = ctx.scope;
  const rules = ctx.rules;
  const type = scope.types[name]!;
  const valueCost = (kind: 'assign' | 'augment'): number => {
    if (!rules) return 2 + fin;
    const mask = rules.writeMask(name, kind);
    return mask < 0 ? INFINITY : mask === 0 ? 2 + fin : 1 + startedValueCost(ctx, name, fin, mask);
  };
  each(t.assign, valueCost('assign'));
  if (scope.bound[name] === 0) return;
  if (type === INT || isSequence(type)) {
    const augment = valueCost('augment');
    each(t.plusAssign, augment);
    if (type === INT) {
      each(t.minusAssign, augment);
      // Inside loops an int is only multiplied by a digit (no squaring on every pass).
      if (scope.loopDepth === 0) each(t.timesAssign, augment);
    }
  }
  if (isList(type) && (!rules || rules.writeMask(name, 'call') === 0)) {
    const methods = statementMethods(type);
    for (const call of methods.calls) {
      const min = call.overloads[0]!.args.length * 2; // each argument and its separator or `)`
      each(t.id(call.token), 1 + min + fin);
    }
    for (const simple of methods.simple) each(t.id(simple), 1 + fin);
  }
}

/** `name = e`, `name += e`, `lst.append(e)`, `lst.sort()` ... */
class AssignFrame extends Frame {
  private phase: 'operator' | 'value' | 'done' = 'operator';
  private defines = false;

  constructor(
    private readonly ctx: ProgramContext,
    private readonly name: number,
  ) {
    super();
  }

  private get type(): TypeId {
    return this.ctx.scope.types[this.name]!;
  }

  options(machine: Machine, avail: number): void {
    if (this.phase !== 'operator') return;
    this.ctx.rules?.valueCosts.clear(); // fin differs from the line start's
    assignOptions(this.ctx, this.name, finishOf(this.finish, -1), (token, cost) => emitIf(machine, token, cost, avail));
  }

  canEnd(): boolean {
    return this.phase !== 'operator';
  }

  consume(machine: Machine, token: number): void {
    const t = this.ctx.t;
    const scope = this.ctx.scope;
    const type = this.type;
    const fin = flatFinish(finishOf(this.finish, -1));
    // Growth guard: inside a loop, the value written to a sequence may not read sequences the
    // loop changes (this one included), so nothing doubles on every pass.
    if (scope.loopDepth > 0) {
      scope.loopUpdated[this.name] = 1;
      scope.restrictSequenceReads = isSequence(type);
    }
    this.phase = 'value';
    const rules = this.ctx.rules;
    if (rules) {
      const augment = token === t.plusAssign || token === t.minusAssign || token === t.timesAssign;
      const kind = token === t.assign ? 'assign' : augment ? 'augment' : 'call';
      const mask = rules.writeMask(this.name, kind);
      if (kind !== 'assign') rules.read(machine, this.name); // `x += 1` and `lst.sort()` read x
      rules.firstAtom = Math.max(0, mask);
    }
    if (token === t.assign) {
      this.defines = scope.bound[this.name] === 0;
      machine.push(new ExprFrame(this.ctx, bit(type), true), fin);
    } else if (token === t.plusAssign || token === t.minusAssign || token === t.timesAssign) {
      machine.push(new ExprFrame(this.ctx, bit(type), true), fin);
    } else {
      const methods = statementMethods(type);
      const call = methods.calls.find((c) => t.id(c.token) === token);
      // A list method's parentheses are a bracket with no expression frame below them.
      if (call) pushSlack(this.ctx, machine, new CallFrame(this.ctx, call.overloads), fin, -1);
      else this.phase = 'done'; // .sort() / .reverse()
    }
  }

  override ended(machine: Machine): void {
    this.ctx.scope.restrictSequenceReads = false;
    if (this.defines) this.ctx.scope.define(this.name);
    this.ctx.rules?.endWrite(machine);
  }
}

/** `return e` or `return e1, e2`. */
class ReturnFrame extends Frame {
  private pair = false;
  /** Result type of each value so far. */
  private readonly types: TypeId[] = [];

  constructor(
    private readonly ctx: ProgramContext,
    /** The return that ends the program. */
    private readonly final: boolean,
  ) {
    super();
  }

  /** Level rules: the final return's value read no parameter yet, so it may not end without `, p`. */
  private escaping(): boolean {
    return this.final && this.ctx.rules?.debt === true;
  }

  override start(machine: Machine): void {
    machine.push(new ExprFrame(this.ctx, OUTPUT_TYPES, true), flatFinish(finishOf(this.finish, -1)));
  }

  options(machine: Machine, avail: number): void {
    // While escaping, the debt held back pays for `, p`.
    if (!this.pair) emitIf(machine, this.ctx.t.comma, (this.escaping() ? 2 - DEBT : 2) + finishOf(this.finish, -1), avail);
  }

  canEnd(): boolean {
    return !this.escaping();
  }

  override childDone(_machine: Machine, result: number): void {
    this.types.push(result);
  }

  consume(machine: Machine): void {
    this.pair = true;
    if (this.final) this.ctx.rules?.secondValue(machine);
    machine.push(new ExprFrame(this.ctx, OUTPUT_TYPES, true), flatFinish(finishOf(this.finish, -1)));
  }

  override ended(): void {
    this.ctx.onReturn?.(this.types);
    this.ctx.rules?.endReturn();
  }
}

/** The condition of `if` / `elif` and its colon. */
class ConditionFrame extends Frame {
  constructor(private readonly ctx: ProgramContext) {
    super();
  }

  override start(machine: Machine): void {
    // Level rules: a condition starts from a name (no `if True:`).
    if (this.ctx.rules) this.ctx.rules.firstAtom = ANY_NAME;
    machine.push(new ExprFrame(this.ctx, bit(BOOL), false), onlyType(BOOL, 1 + finishOf(this.finish, -1)));
  }

  options(machine: Machine, avail: number): void {
    emitIf(machine, this.ctx.t.colon, 1 + finishOf(this.finish, -1), avail);
  }

  canEnd(): boolean {
    return false;
  }

  consume(): void {
    this.closed = true;
  }
}

/** What a `for` header tells the loop body. */
interface LoopInfo {
  variables: number[];
  /** Names the body may not change: the loop variables and every name in the iterable. */
  frozen: number[];
  facts: { index: number; sequence: number }[];
}

/** `for v in iterable:` or `for a, b in enumerate(seq):` / `zip(xs, ys):`. */
class ForFrame extends Frame {
  private phase: 'first' | 'after-first' | 'second' | 'in' | 'pair' | 'iterable' = 'first';
  private readonly variables: number[] = [];
  private iterableStart = 0;
  info: LoopInfo | null = null;

  constructor(private readonly ctx: ProgramContext) {
    super();
  }

  private pairMin(): number {
    // enumerate( x ) is 3 tokens; zip( x , y ) is 5.
    return this.ctx.scope.types[this.variables[0]!] === INT ? 3 : 5;
  }

  private loopVariableOptions(machine: Machine, cost: number, avail: number): void {
    if (cost > avail) return;
    const scope = this.ctx.scope;
    for (let name = 0; name < scope.count; name++) {
      const type = scope.types[name]!;
      if (iterablesOf(type) !== 0 && scope.bound[name] === 0 && !this.variables.includes(name)) {
        machine.emit(this.ctx.t.names[name]!);
      }
    }
  }

  options(machine: Machine, avail: number): void {
    const t = this.ctx.t;
    const fin = finishOf(this.finish, -1);
    switch (this.phase) {
      case 'first':
        this.loopVariableOptions(machine, 4 + fin, avail);
        return;
      case 'after-first':
        emitIf(machine, t.inOp, 3 + fin, avail);
        emitIf(machine, t.comma, 4 + this.pairMin() + fin, avail);
        return;
      case 'second':
        this.loopVariableOptions(machine, 3 + this.pairMin() + fin, avail);
        return;
      case 'in':
        emitIf(machine, t.inOp, 2 + this.pairMin() + fin, avail);
        return;
      case 'pair': {
        const first = this.ctx.scope.types[this.variables[0]!]!;
        if (first === INT) emitIf(machine, t.keyword.get('enumerate(')!, 4 + fin, avail);
        emitIf(machine, t.keyword.get('zip(')!, 6 + fin, avail);
        return;
      }
      case 'iterable':
        emitIf(machine, t.colon, 1 + fin, avail);
        return;
    }
  }

  canEnd(): boolean {
    return false;
  }

  consume(machine: Machine, token: number): void {
    const t = this.ctx.t;
    const scope = this.ctx.scope;
    const fin = finishOf(this.finish, -1);
    switch (this.phase) {
      case 'first':
        this.variables.push(t.nameOf[token]!);
        this.phase = 'after-first';
        return;
      case 'after-first':
        if (token === t.comma) {
          this.phase = 'second';
          return;
        }
        this.phase = 'iterable';
        this.iterableStart = machine.tokens.length + 1;
        machine.push(new ExprFrame(this.ctx, iterablesOf(scope.types[this.variables[0]!]!), false), flatFinish(1 + fin));
        return;
      case 'second':
        this.variables.push(t.nameOf[token]!);
        this.phase = 'in';
        return;
      case 'in':
        this.phase = 'pair';
        return;
      case 'pair': {
        this.phase = 'iterable';
        this.iterableStart = machine.tokens.length;
        const [first, second] = this.variables.map((name) => scope.types[name]!);
        // `enumerate(` / `zip(` is a bracket with no expression frame below it.
        pushSlack(this.ctx, machine, pairCall(this.ctx, first!, second!, token), flatFinish(1 + fin), -1);
        return;
      }
      case 'iterable':
        this.info = this.loopInfo(machine.tokens.slice(this.iterableStart));
        this.closed = true;
        return;
    }
  }

  /** Freezes and facts from the iterable's tokens: `range(len(s))` and `enumerate(s)` make the index safe. */
  private loopInfo(iterable: number[]): LoopInfo {
    const t = this.ctx.t;
    const frozen = [...this.variables];
    for (const token of iterable) {
      const name = t.nameOf[token]!;
      if (name >= 0 && !frozen.includes(name)) frozen.push(name);
    }
    const facts: LoopInfo['facts'] = [];
    const index = this.variables[0]!;
    const n = iterable.length;
    const lenOfName = (at: number) =>
      iterable[at] === t.len && t.nameOf[iterable[at + 1]!]! >= 0 && iterable[at + 2] === t.close ? t.nameOf[iterable[at + 1]!]! : -1;
    if (iterable[0] === t.range && iterable[n - 1] === t.close) {
      const sequence = n === 5 ? lenOfName(1) : n === 7 && iterable[2] === t.comma ? lenOfName(3) : -1;
      if (sequence >= 0) facts.push({ index, sequence });
    }
    if (this.variables.length === 2 && iterable[0] === t.keyword.get('enumerate(') && n === 3) {
      const sequence = t.nameOf[iterable[1]!]!;
      if (sequence >= 0 && iterable[2] === t.close) facts.push({ index, sequence });
    }
    return { variables: [...this.variables], frozen, facts };
  }
}

type ProgramPhase = 'def' | 'param' | 'param-sep' | 'colon' | 'newline' | 'line' | 'statement';

/** The root frame: header, line starts, blocks, and the first token of every statement. */
class ProgramFrame extends Frame {
  private phase: ProgramPhase = 'def';
  readonly params: number[] = [];
  private indents = 0;
  private finalReturn = false;
  private statement: Frame | null = null;
  private headerKind: BlockKind | null = null;
  /** Lines of the body so far, the final return excluded (level rules). */
  private lines = 0;
  /** Level rules: whether the conditions of the if-chain an `elif` continues read a parameter. */
  private chainBefore = false;
  signatureReady = false;

  constructor(
    private readonly ctx: ProgramContext,
    /** Parameter types the program must take, or null to let it choose. */
    private readonly required: readonly TypeId[] | null,
  ) {
    super();
  }

  override start(): void {
    this.ctx.scope.openBlock('def');
  }

  /** Fewest parameters still to write after `written` ones. */
  private paramsLeft(written: number): number {
    return Math.max(this.required ? this.required.length : 1, written) - written;
  }

  /** Fewest tokens after `written` parameters and before the `)`: `, x` for each one left. */
  private headerRest(written: number): number {
    return 2 * this.paramsLeft(written) + HEADER_TAIL;
  }

  /** Fewest tokens from a line start with `indents` indents written to the end of the program. */
  private minLine(indents: number): number {
    const block = this.ctx.scope.innermost;
    const depth = block.depth;
    if (block.statements === 0) return depth - indents + RETURN + (depth >= 2 ? FINAL_RETURN_LINE : 0);
    if (indents === 0) return 1 + RETURN; // INDENT `return ` x
    if (indents === 1) return RETURN;
    return RETURN + FINAL_RETURN_LINE; // a `return` at this depth, then the final one
  }

  options(machine: Machine, avail: number, child: number): void {
    const t = this.ctx.t;
    const scope = this.ctx.scope;
    switch (this.phase) {
      case 'def':
        emitIf(machine, t.def, 2 + this.headerRest(1), avail);
        return;
      case 'param': {
        const written = this.params.length;
        const type = this.required ? this.required[written]! : -1;
        for (let name = 0; name < scope.count; name++) {
          if (this.params.includes(name) || (type >= 0 && scope.types[name] !== type)) continue;
          emitIf(machine, t.names[name]!, 1 + this.headerRest(written + 1), avail);
        }
        return;
      }
      case 'param-sep': {
        const written = this.params.length;
        if (this.paramsLeft(written) === 0) emitIf(machine, t.close, HEADER_TAIL, avail);
        const more = this.required ? written < this.required.length : written < MAX_PARAMS;
        if (more) emitIf(machine, t.comma, 1 + 1 + this.headerRest(written + 1), avail);
        return;
      }
      case 'colon':
        emitIf(machine, t.colon, HEADER_TAIL - 1, avail);
        return;
      case 'newline':
        emitIf(machine, t.newline, 1 + this.minLine(0), avail);
        return;
      case 'statement':
        if (child !== NO_CHILD && !this.finalReturn) emitIf(machine, t.newline, 1 + this.minLine(0), avail);
        return;
      case 'line':
        this.lineOptions(machine, avail);
        return;
    }
  }

  private lineOptions(machine: Machine, avail: number): void {
    const t = this.ctx.t;
    const scope = this.ctx.scope;
    const block = scope.innermost;
    const depth = block.depth;
    const empty = block.statements === 0;
    const maxIndent = empty ? depth : block.returned ? depth - 1 : depth;
    const k = this.indents;
    // Level rules: with no line left, only the final return (at depth 1) can follow.
    const deepest = this.ctx.rules && this.lines >= this.ctx.rules.spec.maxStatements ? Math.min(1, maxIndent) : maxIndent;
    if (k < deepest) emitIf(machine, t.indent, 1 + this.minLine(k + 1), avail);
    if (k < 1 || (empty ? k !== depth : k > maxIndent)) return;
    if (this.ctx.rules) {
      const after = scope.blocks[k];
      scope.lookClosed(k, () => this.ruledStatementOptions(machine, avail, k, after));
      return;
    }
    // A statement at depth k.
    const header = blockAfterHeader(k);
    emitIf(machine, t.returnKw, k === 1 ? RETURN : RETURN + FINAL_RETURN_LINE, avail);
    if (ASSIGNMENT + FINAL_RETURN_LINE <= avail) {
      for (let name = 0; name < scope.count; name++) if (scope.frozen[name] === 0) machine.emit(t.names[name]!);
    }
    if (k < MAX_BLOCK_DEPTH) {
      emitIf(machine, t.ifKw, IF_HEADER + header, avail);
      if (scope.loopsAround(k) < MAX_LOOP_NESTING) emitIf(machine, t.forKw, FOR_HEADER + header, avail);
    }
    const after = scope.blocks[k];
    if (after && (after.kind === 'if' || after.kind === 'elif')) {
      emitIf(machine, t.elifKw, IF_HEADER + header, avail);
      emitIf(machine, t.elseKw, ELSE_HEADER + header, avail);
    }
  }

  /**
   * The statements a line at depth k may start under a level's rules, looked at with the deeper
   * blocks closed already (`after` is the block that was open at depth k + 1).
   */
  private ruledStatementOptions(machine: Machine, avail: number, k: number, after: Block | undefined): void {
    const ctx = this.ctx;
    const t = ctx.t;
    const scope = ctx.scope;
    const rules = ctx.rules!;
    const spec = rules.spec;
    const left = spec.maxStatements - this.lines;
    const header = blockAfterHeader(k);
    rules.valueCosts.clear();
    if (k === 1) emitIf(machine, t.returnKw, RETURN, avail);
    else if (left >= 1) emitIf(machine, t.returnKw, RETURN + FINAL_RETURN_LINE, avail);
    if (left >= 1 && ASSIGNMENT + FINAL_RETURN_LINE <= avail) {
      for (let name = 0; name < scope.count; name++) {
        if (scope.frozen[name] !== 0) continue;
        let best = INFINITY;
        assignOptions(ctx, name, FINAL_RETURN_LINE, (_token, cost) => {
          if (cost < best) best = cost;
        });
        if (1 + best + rules.writeExtra(name) <= avail) machine.emit(t.names[name]!);
      }
    }
    // A compound statement: its header, and at least one statement in its block.
    if (!spec.compound || left < 2) return;
    const condition = 1 + this.conditionCost(header);
    if (k < Math.min(spec.maxBlockDepth, MAX_BLOCK_DEPTH)) {
      emitIf(machine, t.ifKw, condition, avail);
      if (scope.loopsAround(k) < MAX_LOOP_NESTING) emitIf(machine, t.forKw, FOR_HEADER + header, avail);
    }
    if (after && (after.kind === 'if' || after.kind === 'elif')) {
      emitIf(machine, t.elifKw, condition, avail);
      emitIf(machine, t.elseKw, ELSE_HEADER + header, avail);
    }
  }

  /** Fewest tokens of a condition that starts from a name, with its `:` and then `header`. */
  private conditionCost(header: number): number {
    const probe = new ExprFrame(this.ctx, bit(BOOL), false);
    probe.finish = onlyType(BOOL, 1 + header);
    probe.deep = 3 > this.ctx.maxOpenFrames; // program, statement, condition
    return probe.cheapestFirstAtom(ANY_NAME);
  }

  canEnd(child: number): boolean {
    return this.phase === 'statement' && this.finalReturn && child !== NO_CHILD;
  }

  override childDone(): void {
    const scope = this.ctx.scope;
    const rules = this.ctx.rules;
    const statement = this.statement;
    this.statement = null;
    if (!this.headerKind) return;
    // A compound statement's header ended with its colon: open its block.
    const parent = scope.innermost;
    const taint = rules ? rules.endHeader() : false;
    const opened = scope.openBlock(this.headerKind);
    if (rules) {
      const chain = this.headerKind !== 'for' && (this.chainBefore || taint);
      opened.chainTaint = chain;
      opened.control = parent.control || taint || chain;
    }
    if (statement instanceof ForFrame && statement.info) {
      for (const name of statement.info.variables) {
        scope.define(name);
        if (rules) scope.tainted[name] = taint || parent.control ? 1 : 0;
      }
      for (const name of statement.info.frozen) scope.freeze(name);
      for (const fact of statement.info.facts) scope.addFact(fact.index, fact.sequence);
    }
    this.headerKind = null;
    this.phase = 'newline';
  }

  consume(machine: Machine, token: number): void {
    const t = this.ctx.t;
    const scope = this.ctx.scope;
    switch (this.phase) {
      case 'def':
        this.phase = 'param';
        return;
      case 'param': {
        const name = t.nameOf[token]!;
        this.params.push(name);
        scope.define(name);
        this.ctx.rules?.defineParam(name);
        this.phase = 'param-sep';
        return;
      }
      case 'param-sep':
        if (token === t.close) {
          this.phase = 'colon';
          this.signatureReady = true;
        } else this.phase = 'param';
        return;
      case 'colon':
        this.phase = 'newline';
        return;
      case 'newline':
      case 'statement':
        this.phase = 'line';
        this.indents = 0;
        return;
      case 'line':
        if (token === t.indent) {
          this.indents++;
          return;
        }
        this.startStatement(machine, token);
        return;
    }
  }

  private startStatement(machine: Machine, token: number): void {
    const t = this.ctx.t;
    const scope = this.ctx.scope;
    const rules = this.ctx.rules;
    const depth = this.indents;
    const previous = scope.blocks[depth]; // the if / elif block an elif or else continues
    while (scope.blocks.length > depth) scope.closeBlock();
    const block = scope.innermost;
    block.statements++;
    if (token !== t.returnKw || depth !== 1) this.lines++;
    this.phase = 'statement';
    const simple = flatFinish(FINAL_RETURN_LINE);
    const header = flatFinish(blockAfterHeader(depth));
    let frame: Frame;
    if (token === t.returnKw) {
      this.finalReturn = depth === 1;
      block.returned = true;
      if (rules) {
        if (this.finalReturn) rules.beginFinalReturn(machine);
        else rules.beginNestedReturn();
      }
      frame = new ReturnFrame(this.ctx, this.finalReturn);
      machine.push(frame, this.finalReturn ? flatFinish(0) : simple);
    } else if (token === t.ifKw || token === t.elifKw) {
      this.headerKind = token === t.ifKw ? 'if' : 'elif';
      if (rules) {
        rules.beginHeader();
        this.chainBefore = token === t.elifKw && previous !== undefined && previous.chainTaint;
      }
      frame = new ConditionFrame(this.ctx);
      machine.push(frame, header);
    } else if (token === t.forKw) {
      this.headerKind = 'for';
      rules?.beginHeader();
      frame = new ForFrame(this.ctx);
      machine.push(frame, header);
    } else if (token === t.elseKw) {
      const opened = scope.openBlock('else');
      if (rules) opened.control = block.control || previous?.chainTaint === true;
      this.phase = 'newline';
      return;
    } else {
      const name = t.nameOf[token]!;
      rules?.beginWrite(machine, name);
      frame = new AssignFrame(this.ctx, name);
      machine.push(frame, simple);
    }
    this.statement = frame;
  }

  signature(): ParamType[] | null {
    if (!this.signatureReady) return null;
    return this.params.map((name) => paramTypeOf(this.ctx.scope.types[name]!));
  }
}

export type ProgramConstraint = TokenConstraint & { signature(): ParamType[] | null };

export interface ProgramOptions {
  maxTokens: number;
  /** Parameter types the program must take (their names stay the model's choice). */
  signature?: readonly ParamType[] | null;
  /** A curriculum level (levels.ts): its budget cap and limits apply. Without one, the whole subset. */
  level?: ProgramLevel;
  /**
   * Also read what the grammar never writes because it can raise: `s[0]`, `nums[-1]` (an int
   * index), `max(nums)` (no default). Only for reading a program's types (return-type.ts), never
   * for decoding.
   */
  lenient?: boolean;
}

/** programConstraint, with a hook that sees the result types of every return (return-type.ts). */
export function programMachine(tokenizer: Tokenizer, options: ProgramOptions, onReturn?: (types: readonly TypeId[]) => void): ProgramConstraint {
  const required = options.signature ? options.signature.map((type) => PARAM_TYPES[type]) : null;
  if (required && (required.length === 0 || required.length > MAX_PARAMS)) {
    throw new Error(`a program takes 1 to ${MAX_PARAMS} parameters, not ${required.length}`);
  }
  const level = options.level;
  const spec = level === undefined ? null : LEVEL_SPECS[level];
  const maxTokens = level === undefined ? options.maxTokens : levelBudget(level, options.maxTokens);
  const least = MIN_PROGRAM_TOKENS + 2 * ((required?.length ?? 1) - 1);
  checkBudget(maxTokens, least + 1, 'programConstraint');
  const scope = new Scope();
  const ctx: ProgramContext = {
    t: programTokens(tokenizer),
    scope,
    slack: 0,
    maxOpenFrames: spec ? openFrameLimit(spec.maxNesting, MAX_OPEN_FRAMES) : MAX_OPEN_FRAMES,
    // Level 4 is the whole subset: no rules at all, so it writes exactly what no level writes.
    rules: spec?.nonDegenerate ? new LevelRules(spec, scope) : null,
    ...(onReturn ? { onReturn } : {}),
    lenient: options.lenient === true,
    parts: OPERAND_FRAMES,
  };
  const root = new ProgramFrame(ctx, required);
  const machine = new Machine(tokenizer, { maxTokens }, root) as Machine & { signature(): ParamType[] | null };
  machine.signature = () => root.signature();
  return machine;
}

/**
 * A whole program of the subset (docs/language.md): `def f(...)` with typed parameters and a
 * body that ends with `return`. signature() gives the parameter types once the `def` line's
 * `)` has been read (null before).
 *
 * `signature` fixes the parameter types (their names stay the model's choice): an induction
 * answer must take the arguments of the pairs it is shown. `level` (1-4, levels.ts) caps the
 * budget at the level's maxTokens and applies its limits and rules; without it the grammar is
 * the whole subset, exactly as level 4.
 */
export function programConstraint(tokenizer: Tokenizer, options: ProgramOptions): ProgramConstraint {
  return programMachine(tokenizer, options);
}
