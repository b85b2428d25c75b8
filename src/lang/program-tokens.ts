/**
 * Token ids of the program grammar, resolved once per tokenizer, and the lookups the frames
 * need on every step (which name a token is, which builtin it opens).
 */
import { type GrammarTokens, grammarTokens } from './grammar-tokens';
import { BUILTINS, type Callable, METHODS, type Overload, overloadMin, SIMPLE_METHODS } from './library';
import type { Tokenizer } from './tokenizer';
import { TYPE_COUNT, TYPED_NAMES, type TypeId } from './types';

export interface CallToken {
  token: number;
  callable: Callable;
  /** overloadMin of each overload, in order. */
  mins: number[];
}

export interface ProgramTokens extends GrammarTokens {
  /** Token of each typed name, by name index. */
  names: number[];
  /** Name index of a token, or -1. */
  nameOf: Int16Array;
  builtins: CallToken[];
  /** Builtin by opening token. */
  builtinOf: Map<number, CallToken>;
  simpleMethods: { token: number; result: TypeId }[][];
  methods: CallToken[][];
  /** Method call (with arguments) by receiver type and token. */
  methodOf: Map<number, CallToken>[];
  range: number;
  len: number;
  join: number;
  reverseSlice: number;
  colon: number;
  // operators
  plus: number;
  minusOp: number;
  times: number;
  floorDiv: number;
  modulo: number;
  comparisons: number[]; // == != < <= > >=
  equality: number[]; // == !=
  inOp: number;
  notIn: number;
  and: number;
  or: number;
  not: number;
  ifOp: number; // ' if '
  elseOp: number; // ' else '
  forOp: number; // ' for '
  // statements
  def: number;
  newline: number;
  indent: number;
  assign: number;
  plusAssign: number;
  minusAssign: number;
  timesAssign: number;
  returnKw: number;
  ifKw: number;
  elifKw: number;
  elseKw: number; // 'else:'
  forKw: number;
  keyword: Map<string, number>;
}

const cache = new WeakMap<Tokenizer, ProgramTokens>();

function callToken(tokenizer: Tokenizer, callable: Callable): CallToken {
  return { token: tokenizer.id(callable.token), callable, mins: callable.overloads.map((o: Overload) => overloadMin(o)) };
}

export function programTokens(tokenizer: Tokenizer): ProgramTokens {
  const cached = cache.get(tokenizer);
  if (cached) return cached;
  const base = grammarTokens(tokenizer);
  const id = base.id;
  const names = TYPED_NAMES.map((name) => id(name.text));
  const nameOf = new Int16Array(tokenizer.size).fill(-1);
  names.forEach((token, index) => (nameOf[token] = index));
  const builtins = BUILTINS.map((callable) => callToken(tokenizer, callable));
  const methods = Array.from({ length: TYPE_COUNT }, (_, type) => METHODS[type]!.map((c) => callToken(tokenizer, c)));
  const tokens: ProgramTokens = {
    ...base,
    names,
    nameOf,
    builtins,
    builtinOf: new Map(builtins.map((call) => [call.token, call])),
    simpleMethods: SIMPLE_METHODS.map((list) => list.map((m) => ({ token: id(m.token), result: m.result }))),
    methods,
    methodOf: methods.map((list) => new Map(list.map((call) => [call.token, call]))),
    range: id('range('),
    len: id('len('),
    join: id('.join('),
    reverseSlice: id('[::-1]'),
    colon: id(':'),
    plus: id(' + '),
    minusOp: id(' - '),
    times: id(' * '),
    floorDiv: id(' // '),
    modulo: id(' % '),
    comparisons: [' == ', ' != ', ' < ', ' <= ', ' > ', ' >= '].map(id),
    equality: [' == ', ' != '].map(id),
    inOp: id(' in '),
    notIn: id(' not in '),
    and: id(' and '),
    or: id(' or '),
    not: id('not '),
    ifOp: id(' if '),
    elseOp: id(' else '),
    forOp: id(' for '),
    def: id('def f('),
    newline: id('\n'),
    indent: id('    '),
    assign: id(' = '),
    plusAssign: id(' += '),
    minusAssign: id(' -= '),
    timesAssign: id(' *= '),
    returnKw: id('return '),
    ifKw: id('if '),
    elifKw: id('elif '),
    elseKw: id('else:'),
    forKw: id('for '),
    keyword: new Map(['default=', '.sort()', '.reverse()', 'enumerate(', 'zip('].map((text) => [text, id(text)])),
  };
  cache.set(tokenizer, tokens);
  return tokens;
}
