/**
 * The static return type of a program of the subset: what a deduction answer's literal grammar
 * should be typed with (`literalConstraint(tokenizer, { maxTokens, type: returnType(code) })`).
 */

import { programMachine } from './program-grammar';
import { encodeWithin } from './replay';
import { createTokenizer, type Tokenizer } from './tokenizer';
import { BOOL, INT, LIST_BOOL, LIST_INT, LIST_STR, STR, type TypeId, type ValueType } from './types';

/** The literal shape of a value of a program type, or null for a type no program returns. */
export function valueTypeOf(type: TypeId): ValueType | null {
  switch (type) {
    case INT:
      return 'int';
    case STR:
      return 'str';
    case BOOL:
      return 'bool';
    case LIST_INT:
      return 'list[int]';
    case LIST_STR:
      return 'list[str]';
    case LIST_BOOL:
      return { list: 'bool' };
    default:
      return null;
  }
}

let shared: Tokenizer | null = null;

/**
 * The type every `return` of `code` gives, read off the program grammar: `return a, b` is
 * `{ tuple: [A, B] }`, a list of bools `{ list: 'bool' }`. Null when the returns disagree, or
 * when `code` is not a canonical program of the subset (the grammar does not admit it, as
 * for most CRUXEval programs).
 *
 * The text is fed through the grammar as the decoder writes it (encodeWithin: the longest token
 * the grammar allows at each point, which is tokenizer.encode(code) outside string literals).
 */
export function returnType(code: string, tokenizer: Tokenizer = (shared ??= createTokenizer())): ValueType | null {
  const seen: ValueType[] = [];
  let unknown = false;
  const onReturn = (types: readonly TypeId[]) => {
    const values = types.map(valueTypeOf);
    if (values.length === 0 || values.some((value) => value === null)) unknown = true;
    else seen.push(values.length === 1 ? values[0]! : { tuple: values as ValueType[] });
  };
  // Every token is at least one character, so the text fits in this budget.
  const machine = programMachine(tokenizer, { maxTokens: Math.max(code.length + 2, 64), lenient: true }, onReturn);
  if (encodeWithin(tokenizer, machine, code) === null || unknown || seen.length === 0) return null;
  const first = JSON.stringify(seen[0]);
  return seen.every((type) => JSON.stringify(type) === first) ? seen[0]! : null;
}
