/**
 * The builtins and methods of the subset with their typed signatures (docs/language.md lists the
 * same). Every one is total on well-typed arguments: none can raise, loop forever, or build a
 * huge value from a small one, which is what keeps random programs valid.
 */
import { BOOL, bit, INT, ITER_INT, ITER_STR, LIST_BOOL, LIST_INT, LIST_STR, NONE, STR, TYPE_COUNT, type TypeId, type TypeSet } from './types';

export type ArgSpec =
  /** Any expression of these types. */
  | { kind: 'expr'; types: TypeSet }
  /** A digit 1-9: the divisor of `//` and `%`, the width of `zfill`. */
  | { kind: 'digit' }
  /** A non-empty string literal: the separator of `split` (an empty one raises). */
  | { kind: 'word' }
  /** A string literal: what `replace` puts in (a short literal keeps the result's size linear). */
  | { kind: 'literal' };

export interface Overload {
  args: ArgSpec[];
  /** A keyword written before an argument (`default=`), by argument index. */
  keywords?: (string | null)[];
  result: TypeId;
}

export interface Callable {
  /** The token that opens the call, parenthesis included: `len(`, `.replace(`. */
  token: string;
  overloads: Overload[];
  /**
   * Overloads that can raise (`max(nums)` of an empty list): the grammar never writes them, but
   * reads them when it only types a program (ProgramOptions.lenient), so that such one-line
   * programs still get a typed answer.
   */
  raising?: Overload[];
}

export interface SimpleMethod {
  /** The whole call as one token: `.upper()`. */
  token: string;
  result: TypeId;
}

const expr = (types: TypeSet): ArgSpec => ({ kind: 'expr', types });
const SEQUENCES = bit(STR) | bit(LIST_INT) | bit(LIST_STR) | bit(LIST_BOOL);

/** Builtins used in expressions (`range(` has its own small grammar). */
export const BUILTINS: Callable[] = [
  { token: 'len(', overloads: [{ args: [expr(SEQUENCES)], result: INT }] },
  { token: 'abs(', overloads: [{ args: [expr(bit(INT))], result: INT }] },
  { token: 'sum(', overloads: [{ args: [expr(bit(LIST_INT) | bit(ITER_INT) | bit(LIST_BOOL))], result: INT }] },
  ...['min(', 'max('].map((token) => ({
    token,
    overloads: [
      { args: [expr(bit(INT)), expr(bit(INT))], result: INT },
      { args: [expr(bit(STR)), expr(bit(STR))], result: STR },
      // max([]) raises; with a default it cannot.
      { args: [expr(bit(LIST_INT)), expr(bit(INT))], keywords: [null, 'default='], result: INT },
      { args: [expr(bit(LIST_STR)), expr(bit(STR))], keywords: [null, 'default='], result: STR },
    ],
    raising: [
      { args: [expr(bit(LIST_INT))], result: INT },
      { args: [expr(bit(LIST_STR) | bit(STR))], result: STR },
    ],
  })),
  { token: 'str(', overloads: [{ args: [expr(bit(INT) | bit(BOOL))], result: STR }] },
  // int() of a str can raise; of a bool it cannot.
  { token: 'int(', overloads: [{ args: [expr(bit(BOOL))], result: INT }] },
  ...['sorted(', 'list('].map((token) => ({
    token,
    overloads: [
      { args: [expr(bit(STR) | bit(LIST_STR) | bit(ITER_STR))], result: LIST_STR },
      { args: [expr(bit(LIST_INT) | bit(ITER_INT))], result: LIST_INT },
      { args: [expr(bit(LIST_BOOL))], result: LIST_BOOL },
    ],
  })),
  {
    token: 'reversed(',
    overloads: [
      { args: [expr(bit(STR) | bit(LIST_STR))], result: ITER_STR },
      { args: [expr(bit(LIST_INT))], result: ITER_INT },
    ],
  },
  ...['any(', 'all('].map((token) => ({
    token,
    overloads: [{ args: [expr(bit(LIST_BOOL))], result: BOOL }],
  })),
];

/** The `for a, b in ...` forms: `enumerate(seq)` and `zip(seq, seq)` (their result is only iterated). */
export function pairIterables(first: TypeId, second: TypeId, iterablesOf: (element: TypeId) => TypeSet): Callable[] {
  const pairs: Callable[] = [];
  if (first === INT) pairs.push({ token: 'enumerate(', overloads: [{ args: [expr(iterablesOf(second))], result: NONE }] });
  pairs.push({ token: 'zip(', overloads: [{ args: [expr(iterablesOf(first)), expr(iterablesOf(second))], result: NONE }] });
  return pairs;
}

/** Methods without arguments, by receiver type. */
export const SIMPLE_METHODS: SimpleMethod[][] = Array.from({ length: TYPE_COUNT }, () => []);
SIMPLE_METHODS[STR] = [
  ...['.upper()', '.lower()', '.strip()', '.lstrip()', '.rstrip()', '.title()', '.capitalize()', '.swapcase()'].map((token) => ({ token, result: STR })),
  ...['.isdigit()', '.isalpha()', '.isupper()', '.islower()', '.isspace()', '.isalnum()'].map((token) => ({
    token,
    result: BOOL,
  })),
  { token: '.split()', result: LIST_STR },
];

/** Methods with arguments used in expressions, by receiver type. */
export const METHODS: Callable[][] = Array.from({ length: TYPE_COUNT }, () => []);
METHODS[STR] = [
  { token: '.count(', overloads: [{ args: [expr(bit(STR))], result: INT }] },
  { token: '.find(', overloads: [{ args: [expr(bit(STR))], result: INT }] },
  { token: '.startswith(', overloads: [{ args: [expr(bit(STR))], result: BOOL }] },
  { token: '.endswith(', overloads: [{ args: [expr(bit(STR))], result: BOOL }] },
  { token: '.replace(', overloads: [{ args: [expr(bit(STR)), { kind: 'literal' }], result: STR }] },
  { token: '.strip(', overloads: [{ args: [expr(bit(STR))], result: STR }] },
  // Only on a string literal (`'-'.join(words)`): a variable separator would multiply sizes.
  { token: '.join(', overloads: [{ args: [expr(bit(STR) | bit(LIST_STR) | bit(ITER_STR))], result: STR }] },
  { token: '.split(', overloads: [{ args: [{ kind: 'word' }], result: LIST_STR }] },
  { token: '.zfill(', overloads: [{ args: [{ kind: 'digit' }], result: STR }] },
];
METHODS[LIST_INT] = [{ token: '.count(', overloads: [{ args: [expr(bit(INT))], result: INT }] }];
METHODS[LIST_STR] = [{ token: '.count(', overloads: [{ args: [expr(bit(STR))], result: INT }] }];
METHODS[LIST_BOOL] = [{ token: '.count(', overloads: [{ args: [expr(bit(BOOL))], result: INT }] }];

/** List methods used as statements (they return None), by list type. */
export function statementMethods(list: TypeId): { calls: Callable[]; simple: string[] } {
  const element = list === LIST_INT ? INT : STR;
  return {
    calls: [
      { token: '.append(', overloads: [{ args: [expr(bit(element))], result: NONE }] },
      { token: '.extend(', overloads: [{ args: [expr(bit(list))], result: NONE }] },
      { token: '.insert(', overloads: [{ args: [expr(bit(INT)), expr(bit(element))], result: NONE }] },
    ],
    simple: ['.sort()', '.reverse()'],
  };
}

/** Fewest tokens of an argument. */
export function argMin(spec: ArgSpec): number {
  switch (spec.kind) {
    case 'expr':
      return 1; // every type has a one-token literal: 0, '', True, []
    case 'digit':
      return 1;
    case 'word':
      return 3; // ' a '
    case 'literal':
      return 1; // ''
  }
}

/** Fewest tokens after the opening token of a call with this overload, `)` included. */
export function overloadMin(overload: Overload): number {
  let cost = 1;
  overload.args.forEach((arg, index) => {
    cost += argMin(arg) + (index > 0 ? 1 : 0) + (overload.keywords?.[index] ? 1 : 0);
  });
  return cost;
}

/** Fewest-token method chains from type to type (Bellman-Ford over a handful of types). */
function reachTable(withArguments: boolean): number[][] {
  const table = Array.from({ length: TYPE_COUNT }, (_, from) => Array.from({ length: TYPE_COUNT }, (_, to) => (from === to ? 0 : Infinity)));
  const edges: [TypeId, TypeId, number][] = [];
  for (let from = 0; from < TYPE_COUNT; from++) {
    for (const method of SIMPLE_METHODS[from]!) edges.push([from, method.result, 1]);
    if (!withArguments) continue;
    for (const method of METHODS[from]!) {
      for (const overload of method.overloads) edges.push([from, overload.result, 1 + overloadMin(overload)]);
    }
  }
  for (let round = 0; round < TYPE_COUNT; round++) {
    for (const [from, to, cost] of edges) {
      for (let start = 0; start < TYPE_COUNT; start++) {
        const via = table[start]![from]! + cost;
        if (via < table[start]![to]!) table[start]![to] = via;
      }
    }
  }
  return table;
}

/**
 * reach[a][b]: fewest tokens of method calls that turn a value of type a into one of type b
 * (0 when a = b, Infinity when impossible). `s` reaches int with `.count('')` in 3 tokens.
 */
export const REACH = reachTable(true);
/** The same with methods that take no arguments only (they open no frame). */
export const REACH_SIMPLE = reachTable(false);
