/**
 * The program grammar: `def f(params):` and a body of statements, written as canonical Python
 * (4-space indents, one statement a line) that ends with a `return` at the body's level.
 *
 * ProgramFrame is the root: it writes the header, the indentation at the start of each line
 * (which opens and closes blocks), and the first token of each statement; the statement frames
 * below do the rest. Scope changes happen in Scope as the text is written.
 */
import { checkBudget, emitIf, finishOf, flatFinish, Frame, Machine, NO_CHILD, onlyType, type TokenConstraint } from './constraint';
import { ExprFrame, type ProgramContext } from './expression';
import { CallFrame, pairCall } from './expression-parts';
import { statementMethods } from './library';
import { programTokens } from './program-tokens';
import { Scope, type BlockKind } from './scope';
import type { Tokenizer } from './tokenizer';
import { bit, BOOL, INT, isList, isSequence, iterablesOf, OUTPUT_TYPES, PARAM_TYPES, paramTypeOf, type ParamType, type TypeId } from './types';

export const MAX_PARAMS = 3;
/** Deepest block: the body is 1, so at most 3 compound statements nest. */
export const MAX_BLOCK_DEPTH = 4;
/** At most two loops nest, so a program runs at most (loop length)^2 passes. */
export const MAX_LOOP_NESTING = 2;
/** Fewest tokens of a whole program: `def f(` `n` `)` `:` NEWLINE INDENT `return ` `n`. */
export const MIN_PROGRAM_TOKENS = 8;
/** The header's `)` `:` NEWLINE and the shortest body, INDENT `return ` x. */
const HEADER_TAIL = 6;

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
    const t = this.ctx.t;
    const scope = this.ctx.scope;
    const fin = finishOf(this.finish, -1);
    const type = this.type;
    emitIf(machine, t.assign, 2 + fin, avail);
    if (scope.bound[this.name] === 0) return;
    if (type === INT) {
      emitIf(machine, t.plusAssign, 2 + fin, avail);
      emitIf(machine, t.minusAssign, 2 + fin, avail);
      // Inside loops an int is only multiplied by a digit (no squaring on every pass).
      if (scope.loopDepth === 0) emitIf(machine, t.timesAssign, 2 + fin, avail);
    } else if (isSequence(type)) emitIf(machine, t.plusAssign, 2 + fin, avail);
    if (isList(type)) {
      const methods = statementMethods(type);
      for (const call of methods.calls) {
        const min = call.overloads[0]!.args.length * 2; // each argument and its separator or `)`
        emitIf(machine, t.id(call.token), 1 + min + fin, avail);
      }
      for (const simple of methods.simple) emitIf(machine, t.id(simple), 1 + fin, avail);
    }
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
    if (token === t.assign) {
      this.defines = scope.bound[this.name] === 0;
      machine.push(new ExprFrame(this.ctx, bit(type), true), fin);
    } else if (token === t.plusAssign || token === t.minusAssign || token === t.timesAssign) {
      machine.push(new ExprFrame(this.ctx, bit(type), true), fin);
    } else {
      const methods = statementMethods(type);
      const call = methods.calls.find((c) => t.id(c.token) === token);
      if (call) machine.push(new CallFrame(this.ctx, call.overloads), fin);
      else this.phase = 'done'; // .sort() / .reverse()
    }
  }

  override ended(): void {
    this.ctx.scope.restrictSequenceReads = false;
    if (this.defines) this.ctx.scope.define(this.name);
  }
}

/** `return e` or `return e1, e2`. */
class ReturnFrame extends Frame {
  private pair = false;

  constructor(private readonly ctx: ProgramContext) {
    super();
  }

  override start(machine: Machine): void {
    machine.push(new ExprFrame(this.ctx, OUTPUT_TYPES, true), flatFinish(finishOf(this.finish, -1)));
  }

  options(machine: Machine, avail: number): void {
    if (!this.pair) emitIf(machine, this.ctx.t.comma, 2 + finishOf(this.finish, -1), avail);
  }

  canEnd(): boolean {
    return true;
  }

  consume(machine: Machine): void {
    this.pair = true;
    machine.push(new ExprFrame(this.ctx, OUTPUT_TYPES, true), flatFinish(finishOf(this.finish, -1)));
  }
}

/** The condition of `if` / `elif` and its colon. */
class ConditionFrame extends Frame {
  constructor(private readonly ctx: ProgramContext) {
    super();
  }

  override start(machine: Machine): void {
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
        machine.push(pairCall(this.ctx, first!, second!, token), flatFinish(1 + fin));
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
    if (block.statements === 0) return depth - indents + 2 + (depth >= 2 ? 4 : 0);
    if (indents === 0) return 3; // INDENT `return ` x
    if (indents === 1) return 2;
    return 6; // a `return` at this depth, NEWLINE, then the final one
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
    if (k < maxIndent) emitIf(machine, t.indent, 1 + this.minLine(k + 1), avail);
    if (k < 1 || (empty ? k !== depth : k > maxIndent)) return;
    // A statement at depth k.
    const simple = 4; // NEWLINE INDENT `return ` x
    const header = k + 8; // NEWLINE, then the new block's first line and the final return
    emitIf(machine, t.returnKw, k === 1 ? 2 : 2 + simple, avail);
    if (3 + simple <= avail) {
      for (let name = 0; name < scope.count; name++) if (scope.frozen[name] === 0) machine.emit(t.names[name]!);
    }
    if (k < MAX_BLOCK_DEPTH) {
      emitIf(machine, t.ifKw, 3 + header, avail);
      if (scope.loopsAround(k) < MAX_LOOP_NESTING) emitIf(machine, t.forKw, 5 + header, avail);
    }
    const after = scope.blocks[k];
    if (after && (after.kind === 'if' || after.kind === 'elif')) {
      emitIf(machine, t.elifKw, 3 + header, avail);
      emitIf(machine, t.elseKw, 1 + header, avail);
    }
  }

  canEnd(child: number): boolean {
    return this.phase === 'statement' && this.finalReturn && child !== NO_CHILD;
  }

  override childDone(): void {
    const scope = this.ctx.scope;
    const statement = this.statement;
    this.statement = null;
    if (!this.headerKind) return;
    // A compound statement's header ended with its colon: open its block.
    scope.openBlock(this.headerKind);
    if (statement instanceof ForFrame && statement.info) {
      for (const name of statement.info.variables) scope.define(name);
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
    const depth = this.indents;
    while (scope.blocks.length > depth) scope.closeBlock();
    const block = scope.innermost;
    block.statements++;
    this.phase = 'statement';
    const simple = flatFinish(4);
    const header = flatFinish(depth + 8);
    let frame: Frame;
    if (token === t.returnKw) {
      this.finalReturn = depth === 1;
      block.returned = true;
      frame = new ReturnFrame(this.ctx);
      machine.push(frame, this.finalReturn ? flatFinish(0) : simple);
    } else if (token === t.ifKw || token === t.elifKw) {
      this.headerKind = token === t.ifKw ? 'if' : 'elif';
      frame = new ConditionFrame(this.ctx);
      machine.push(frame, header);
    } else if (token === t.forKw) {
      this.headerKind = 'for';
      frame = new ForFrame(this.ctx);
      machine.push(frame, header);
    } else if (token === t.elseKw) {
      scope.openBlock('else');
      this.phase = 'newline';
      return;
    } else {
      frame = new AssignFrame(this.ctx, t.nameOf[token]!);
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

/**
 * A whole program of the subset (docs/language.md): `def f(...)` with typed parameters and a
 * body that ends with `return`. signature() gives the parameter types once the `def` line's
 * `)` has been read (null before).
 *
 * `signature` fixes the parameter types (their names stay the model's choice): an induction
 * answer must take the arguments of the pairs it is shown.
 */
export function programConstraint(
  tokenizer: Tokenizer,
  options: { maxTokens: number; signature?: readonly ParamType[] | null },
): ProgramConstraint {
  const required = options.signature ? options.signature.map((type) => PARAM_TYPES[type]) : null;
  if (required && (required.length === 0 || required.length > MAX_PARAMS)) {
    throw new Error(`a program takes 1 to ${MAX_PARAMS} parameters, not ${required.length}`);
  }
  const least = MIN_PROGRAM_TOKENS + 2 * ((required?.length ?? 1) - 1);
  checkBudget(options.maxTokens, least + 1, 'programConstraint');
  const ctx: ProgramContext = { t: programTokens(tokenizer), scope: new Scope() };
  const root = new ProgramFrame(ctx, required);
  const machine = new Machine(tokenizer, options, root) as Machine & { signature(): ParamType[] | null };
  machine.signature = () => root.signature();
  return machine;
}
