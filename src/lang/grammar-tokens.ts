/**
 * Token ids the grammars use, looked up once per tokenizer (the frames only compare ids).
 */
import type { Tokenizer } from './tokenizer';

/** Characters a string literal in a program or in a program's input may hold. */
export const PROGRAM_STRING_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,.-_';

/** Characters of a string in an output literal: printable ASCII, without quote and backslash. */
export const OUTPUT_STRING_CHARS = (() => {
  let chars = '';
  for (let code = 0x20; code < 0x7f; code++) {
    const char = String.fromCharCode(code);
    if (char !== "'" && char !== '\\') chars += char;
  }
  return chars;
})();

export interface GrammarTokens {
  tokenizer: Tokenizer;
  /** Id of a lexeme; throws if the vocabulary lacks it (a bug in the grammar). */
  id(text: string): number;
  digits: number[];
  nonzeroDigits: number[];
  /** '00'..'99': ints are written in pairs of digits from the left, as encode() splits them */
  digitPairs: number[];
  /** '10'..'99': the pairs an int may start with */
  leadingPairs: number[];
  programChars: number[];
  outputChars: number[];
  // punctuation used everywhere
  comma: number; // ', '
  bareComma: number; // ','
  colonSpace: number; // ': '
  open: number; // '('
  close: number; // ')'
  openBracket: number; // '['
  closeBracket: number; // ']'
  openBrace: number; // '{'
  closeBrace: number; // '}'
  emptyList: number; // '[]'
  emptyTuple: number; // '()'
  emptyDict: number; // '{}'
  quote: number; // "'"
  emptyString: number; // "''"
  minus: number; // '-'
  trueToken: number;
  falseToken: number;
  noneToken: number;
}

const cache = new WeakMap<Tokenizer, GrammarTokens>();

export function grammarTokens(tokenizer: Tokenizer): GrammarTokens {
  const cached = cache.get(tokenizer);
  if (cached) return cached;
  const id = (text: string) => tokenizer.id(text);
  const idsOf = (chars: string) => [...chars].map(id);
  const tokens: GrammarTokens = {
    tokenizer,
    id,
    digits: idsOf('0123456789'),
    nonzeroDigits: idsOf('123456789'),
    digitPairs: Array.from({ length: 100 }, (_, k) => id(String(k).padStart(2, '0'))),
    leadingPairs: Array.from({ length: 90 }, (_, k) => id(String(k + 10))),
    programChars: idsOf(PROGRAM_STRING_CHARS),
    outputChars: idsOf(OUTPUT_STRING_CHARS),
    comma: id(', '),
    bareComma: id(','),
    colonSpace: id(': '),
    open: id('('),
    close: id(')'),
    openBracket: id('['),
    closeBracket: id(']'),
    openBrace: id('{'),
    closeBrace: id('}'),
    emptyList: id('[]'),
    emptyTuple: id('()'),
    emptyDict: id('{}'),
    quote: id("'"),
    emptyString: id("''"),
    minus: id('-'),
    trueToken: id('True'),
    falseToken: id('False'),
    noneToken: id('None'),
  };
  cache.set(tokenizer, tokens);
  return tokens;
}
