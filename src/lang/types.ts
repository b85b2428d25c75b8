/**
 * Types of the Python subset (docs/language.md) and the typed names programs may use.
 *
 * A name's type is fixed by the name itself (`n` is always an int, `s` a str, `nums` a
 * list[int]), so the type of every parameter can be read back from the `def` line alone.
 */

export const LANGUAGE_VERSION = 'tz-lang-1';

/** Parameter types a program may take. */
export type ParamType = 'int' | 'str' | 'bool' | 'list[int]' | 'list[str]';

/** Shapes of literal values (program inputs and outputs). `any` admits every literal shape. */
export type ValueType = ParamType | 'none' | 'any' | { list: ValueType } | { tuple: ValueType[] };

// Internal type ids, small ints so sets of types fit in a bit mask.
export const INT = 0;
export const STR = 1;
export const BOOL = 2;
export const LIST_INT = 3;
export const LIST_STR = 4;
/** A list of bools: what a comprehension of conditions gives to any() and all(). No name has it. */
export const LIST_BOOL = 5;
/** An iterable of ints that is not a list (`range(...)`, `reversed(lst)`): only iterated. */
export const ITER_INT = 6;
/** An iterable of strs that is not a str or a list (`reversed(s)`): only iterated. */
export const ITER_STR = 7;
export const TYPE_COUNT = 8;
/** No type: a frame whose result is not typed, or a child that produced nothing. */
export const NONE = -1;

export type TypeId = number;
/** A set of type ids as a bit mask. */
export type TypeSet = number;

export const bit = (type: TypeId): TypeSet => 1 << type;
export const has = (set: TypeSet, type: TypeId): boolean => type >= 0 && (set & (1 << type)) !== 0;
export const ALL_TYPES: TypeSet = (1 << TYPE_COUNT) - 1;
/** Types a function may return: the literal ones. */
export const OUTPUT_TYPES: TypeSet = bit(INT) | bit(STR) | bit(BOOL) | bit(LIST_INT) | bit(LIST_STR) | bit(LIST_BOOL);
export const SEQUENCE_TYPES: TypeSet = bit(STR) | bit(LIST_INT) | bit(LIST_STR) | bit(LIST_BOOL);

export const TYPE_NAMES = ['int', 'str', 'bool', 'list[int]', 'list[str]', 'list[bool]', 'iter[int]', 'iter[str]'] as const;

export const isList = (type: TypeId): boolean => type === LIST_INT || type === LIST_STR || type === LIST_BOOL;
/** str and lists: the values whose size can grow. */
export const isSequence = (type: TypeId): boolean => type === STR || isList(type);

/** The element type of a sequence or iterable (a str's elements are strs), or NONE. */
export function elementType(type: TypeId): TypeId {
  if (type === STR || type === LIST_STR || type === ITER_STR) return STR;
  if (type === LIST_INT || type === ITER_INT) return INT;
  if (type === LIST_BOOL) return BOOL;
  return NONE;
}

/** Types a `for` over values of `element` may iterate: `for c in s`, `for x in range(3)`. */
export function iterablesOf(element: TypeId): TypeSet {
  if (element === INT) return bit(LIST_INT) | bit(ITER_INT);
  if (element === STR) return bit(STR) | bit(LIST_STR) | bit(ITER_STR);
  if (element === BOOL) return bit(LIST_BOOL);
  return 0;
}

export function listOf(element: TypeId): TypeId {
  return element === INT ? LIST_INT : element === STR ? LIST_STR : element === BOOL ? LIST_BOOL : NONE;
}

export const PARAM_TYPES: Record<ParamType, TypeId> = {
  int: INT,
  str: STR,
  bool: BOOL,
  'list[int]': LIST_INT,
  'list[str]': LIST_STR,
};

export function paramTypeOf(type: TypeId): ParamType {
  const name = TYPE_NAMES[type];
  if (name === undefined || type > LIST_STR) throw new Error(`type ${type} is not a parameter type`);
  return name as ParamType;
}

/** The names a program may use, each with its fixed type. Every one is a single vocabulary token. */
export const TYPED_NAMES: readonly { text: string; type: TypeId }[] = [
  { text: 'n', type: INT },
  { text: 'm', type: INT },
  { text: 'k', type: INT },
  { text: 'i', type: INT },
  { text: 'j', type: INT },
  { text: 'x', type: INT },
  { text: 'y', type: INT },
  { text: 'z', type: INT },
  { text: 's', type: STR },
  { text: 't', type: STR },
  { text: 'c', type: STR },
  { text: 'w', type: STR },
  // `a` is a str so that the canonical seed program, `def f(a):\n    return a`, is in the subset.
  { text: 'a', type: STR },
  { text: 'ok', type: BOOL },
  { text: 'flag', type: BOOL },
  { text: 'nums', type: LIST_INT },
  { text: 'lst', type: LIST_INT },
  { text: 'arr', type: LIST_INT },
  { text: 'words', type: LIST_STR },
  { text: 'parts', type: LIST_STR },
];

const NAME_TYPES = new Map(TYPED_NAMES.map((name) => [name.text, name.type]));

/** The type a name always has in the subset, or NONE for a name outside it. */
export function typeOfName(name: string): TypeId {
  return NAME_TYPES.get(name) ?? NONE;
}

/**
 * The parameter types of a program of the subset, read from its `def f(...)` line; null when the
 * text does not start with such a line or a parameter is not one of the typed names.
 */
export function parseSignature(code: string): ParamType[] | null {
  const header = /^def f\(([^)]*)\):/.exec(code);
  if (!header) return null;
  const params = header[1]!.split(',').map((param) => param.trim());
  if (params.length === 0 || params.some((param) => param === '')) return null;
  const types: ParamType[] = [];
  for (const param of params) {
    const type = typeOfName(param);
    if (type === NONE) return null;
    types.push(paramTypeOf(type));
  }
  if (new Set(params).size !== params.length) return null;
  return types;
}
