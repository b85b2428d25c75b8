/**
 * The tokenizer: one fixed vocabulary made for the Python subset (docs/language.md).
 *
 * Layout of the vocabulary (the ids are part of a checkpoint, so the order never changes within
 * a TOKENIZER_VERSION):
 *   1. special tokens: <pad>, <eos>, and the prompt markers. encode() never produces them.
 *   2. "\n" and the 95 printable ASCII characters, one token each.
 *   3. lexical tokens: the 4-space indent, keywords, operators with their usual spaces
 *      (" = ", " + ", ", "), builtins and methods with their opening parenthesis ("len(",
 *      ".append("), common identifiers, and the digit pairs "00".."99" (an int is written in
 *      pairs from the left, so a two-digit int is one token). The constrained decoder writes
 *      programs with exactly these tokens, and greedy encoding gives the same tokens back.
 *   4. 256 byte tokens <0x00>..<0xFF>: everything else (tabs, non-ASCII text) as UTF-8 bytes,
 *      so that any string round-trips: decode(encode(x)) === x.
 *
 * encode() is greedy longest match over a trie of the tokens of groups 2 and 3.
 */

export const TOKENIZER_VERSION = 'tz-tok-2';

/** Prompt markers, in vocabulary order. Only prompt builders emit them. */
export const MARKERS = [
  '<propose:deduction>',
  '<propose:abduction>',
  '<propose:induction>',
  '<solve:deduction>',
  '<solve:abduction>',
  '<solve:induction>',
  '<program>',
  '<input>',
  '<output>',
  '<message>',
  '<reference>',
  '<think>',
  '</think>',
  '<answer>',
  '<sep>',
] as const;
export type Marker = (typeof MARKERS)[number];

const SPECIALS = ['<pad>', '<eos>', ...MARKERS];

/** Multi-character lexical tokens. Grammar lexemes first, then extras that make CRUXEval code short. */
// biome-ignore format: a table laid out by hand, a group of lexemes a line
const LEXICAL = [
  // layout and statements
  '    ', 'def f(', 'def ', 'return ', 'return', 'if ', 'elif ', 'else:', 'else', 'for ', 'while ',
  'not ', 'True', 'False', 'None', 'break', 'continue', 'pass', 'import ', 'from ', 'lambda ',
  'del ', 'try:', 'except', 'class ', 'in', 'is', 'and', 'or', 'not',
  // operators, spaced as the decoder writes them
  ' = ', ' += ', ' -= ', ' *= ', ' //= ', ' /= ', ' %= ', ' == ', ' != ', ' < ', ' <= ', ' > ',
  ' >= ', ' + ', ' - ', ' * ', ' / ', ' // ', ' % ', ' ** ', ' in ', ' not in ', ' is ',
  ' is not ', ' and ', ' or ', ' if ', ' else ', ' for ', ', ', ': ', '==', '!=', '<=', '>=',
  '+=', '-=', '//', '**', '->',
  // literal shapes
  '[]', '()', '{}', "''", '""', '[::-1]', 'default=', 'reverse=True', 'key=',
  // builtins
  'len(', 'abs(', 'sum(', 'min(', 'max(', 'str(', 'int(', 'sorted(', 'list(', 'reversed(',
  'range(', 'enumerate(', 'zip(', 'any(', 'all(', 'dict(', 'set(', 'tuple(', 'map(', 'filter(',
  'isinstance(', 'ord(', 'chr(', 'print(', 'round(', 'bool(', 'float(', 'type(',
  // str methods
  '.upper()', '.lower()', '.strip()', '.lstrip()', '.rstrip()', '.title()', '.capitalize()',
  '.swapcase()', '.casefold()', '.isdigit()', '.isalpha()', '.isupper()', '.islower()',
  '.isspace()', '.isalnum()', '.isdecimal()', '.isnumeric()', '.istitle()', '.isascii()',
  '.split()', '.splitlines()', '.strip(', '.lstrip(', '.rstrip(', '.split(', '.rsplit(',
  '.join(', '.replace(', '.count(', '.find(', '.rfind(', '.index(', '.rindex(',
  '.startswith(', '.endswith(', '.zfill(', '.center(', '.ljust(', '.rjust(', '.partition(',
  '.rpartition(', '.removeprefix(', '.removesuffix(', '.format(', '.translate(', '.maketrans(',
  '.encode(', '.expandtabs(',
  // list and dict methods
  '.append(', '.extend(', '.insert(', '.remove(', '.pop(', '.pop()', '.sort()', '.sort(',
  '.reverse()', '.clear()', '.copy()', '.items()', '.keys()', '.values()', '.get(', '.update(',
  '.popitem()', '.fromkeys(', '.setdefault(', '.add(',
  // identifiers: the typed names of the subset, then frequent CRUXEval names
  'nums', 'lst', 'arr', 'words', 'parts', 'ok', 'flag',
  'text', 'result', 'count', 'array', 'index', 'char', 'value', 'key', 'string', 'num', 'items',
  'length', 'values', 'elem', 'item', 'name', 'res', 'sep', 'prefix', 'suffix', 'line',
  'numbers', 'chars', 'idx', 'names', 'val', 'digits', 'ans', 'letter', 'letters', 'position',
  'output', 'new', 'start', 'end', 'total', 'size', 'target', 'width', 'number', 'temp', 'word',
  'dic', 'dict', 'list', 'str', 'int', 'len', 'range', 'self',
  // digit pairs '00'..'99': an int of the inputs (at most two digits) is one token
  ...Array.from({ length: 100 }, (_, k) => String(k).padStart(2, '0')),
] as const;

const BYTE_TOKEN_COUNT = 256;

export interface Tokenizer {
  readonly version: string;
  /** Number of tokens: the length of every mask. */
  readonly size: number;
  readonly pad: number;
  readonly eos: number;
  /** Ids of the prompt markers by name. */
  readonly markers: Readonly<Record<Marker, number>>;
  /** Plain text to ids; never produces special tokens. */
  encode(text: string): number[];
  /** Ids to text. Special tokens decode to their names (`<eos>`), byte tokens to UTF-8 text. */
  decode(ids: ArrayLike<number>): string;
  /** Id of a token by its text (`' = '`, `'<eos>'`, `'<0x09>'`); throws for an unknown token. */
  id(tokenText: string): number;
  /** Text of a token: its characters, or its name for special and byte tokens. */
  text(id: number): string;
  isSpecial(id: number): boolean;
  /** The byte value of a byte token, or -1. */
  byteValue(id: number): number;
}

interface TrieNode {
  token: number;
  children: Map<number, TrieNode>;
}

function newNode(): TrieNode {
  return { token: -1, children: new Map() };
}

function byteTokenName(value: number): string {
  return `<0x${value.toString(16).toUpperCase().padStart(2, '0')}>`;
}

/** UTF-8 bytes of one code point; lone surrogates get their 3-byte form (WTF-8), so nothing is lost. */
function pushUtf8(codePoint: number, out: number[]): void {
  if (codePoint < 0x80) out.push(codePoint);
  else if (codePoint < 0x800) out.push(0xc0 | (codePoint >> 6), 0x80 | (codePoint & 63));
  else if (codePoint < 0x10000) {
    out.push(0xe0 | (codePoint >> 12), 0x80 | ((codePoint >> 6) & 63), 0x80 | (codePoint & 63));
  } else {
    out.push(0xf0 | (codePoint >> 18), 0x80 | ((codePoint >> 12) & 63), 0x80 | ((codePoint >> 6) & 63), 0x80 | (codePoint & 63));
  }
}

/** Inverse of pushUtf8 over a run of bytes; a malformed sequence becomes U+FFFD per bad byte. */
function decodeUtf8(bytes: number[]): string {
  let text = '';
  let i = 0;
  while (i < bytes.length) {
    const first = bytes[i]!;
    let need = 0;
    let codePoint = 0;
    if (first < 0x80) {
      text += String.fromCharCode(first);
      i++;
      continue;
    } else if (first >= 0xc2 && first < 0xe0) {
      need = 1;
      codePoint = first & 31;
    } else if (first >= 0xe0 && first < 0xf0) {
      need = 2;
      codePoint = first & 15;
    } else if (first >= 0xf0 && first < 0xf5) {
      need = 3;
      codePoint = first & 7;
    } else {
      text += '\uFFFD';
      i++;
      continue;
    }
    let ok = true;
    for (let k = 1; ok && k <= need; k++) {
      const next = bytes[i + k];
      if (next === undefined || (next & 0xc0) !== 0x80) ok = false;
      else codePoint = (codePoint << 6) | (next & 63);
    }
    const minimum = need === 1 ? 0x80 : need === 2 ? 0x800 : 0x10000;
    if (!ok || codePoint < minimum || codePoint > 0x10ffff) {
      text += '\uFFFD';
      i++;
      continue;
    }
    text += String.fromCodePoint(codePoint);
    i += need + 1;
  }
  return text;
}

export function createTokenizer(): Tokenizer {
  const texts: string[] = [];
  const ids = new Map<string, number>();
  const add = (text: string): number => {
    if (ids.has(text)) throw new Error(`duplicate token ${JSON.stringify(text)}`);
    ids.set(text, texts.length);
    texts.push(text);
    return texts.length - 1;
  };
  for (const special of SPECIALS) add(special);
  const specialCount = texts.length;
  add('\n');
  for (let code = 0x20; code < 0x7f; code++) add(String.fromCharCode(code));
  for (const lexeme of LEXICAL) add(lexeme);
  const firstByte = texts.length;
  for (let value = 0; value < BYTE_TOKEN_COUNT; value++) add(byteTokenName(value));
  const size = texts.length;

  const root = newNode();
  for (let id = specialCount; id < firstByte; id++) {
    let node = root;
    for (const char of texts[id]!) {
      const code = char.charCodeAt(0);
      let child = node.children.get(code);
      if (!child) node.children.set(code, (child = newNode()));
      node = child;
    }
    node.token = id;
  }

  const encode = (text: string): number[] => {
    const out: number[] = [];
    const bytes: number[] = [];
    let i = 0;
    while (i < text.length) {
      let node: TrieNode | undefined = root;
      let best = -1;
      let bestEnd = i;
      for (let j = i; j < text.length; j++) {
        node = node.children.get(text.charCodeAt(j));
        if (!node) break;
        if (node.token >= 0) {
          best = node.token;
          bestEnd = j + 1;
        }
      }
      if (best >= 0) {
        out.push(best);
        i = bestEnd;
        continue;
      }
      // Not in the vocabulary: the UTF-8 bytes of this code point (or of a lone surrogate).
      const codePoint = text.codePointAt(i)!;
      bytes.length = 0;
      pushUtf8(codePoint, bytes);
      for (const value of bytes) out.push(firstByte + value);
      i += codePoint > 0xffff ? 2 : 1;
    }
    return out;
  };

  const decode = (tokenIds: ArrayLike<number>): string => {
    let text = '';
    const bytes: number[] = [];
    for (let k = 0; k < tokenIds.length; k++) {
      const id = tokenIds[k]!;
      if (id >= firstByte && id < size) {
        bytes.push(id - firstByte);
        continue;
      }
      if (bytes.length) {
        text += decodeUtf8(bytes);
        bytes.length = 0;
      }
      const piece = texts[id];
      if (piece === undefined) throw new Error(`token id ${id} is outside the vocabulary`);
      text += piece;
    }
    if (bytes.length) text += decodeUtf8(bytes);
    return text;
  };

  const markers = {} as Record<Marker, number>;
  for (const marker of MARKERS) markers[marker] = ids.get(marker)!;

  return {
    version: TOKENIZER_VERSION,
    size,
    pad: ids.get('<pad>')!,
    eos: ids.get('<eos>')!,
    markers,
    encode,
    decode,
    id(tokenText: string): number {
      const id = ids.get(tokenText);
      if (id === undefined) throw new Error(`no token ${JSON.stringify(tokenText)} in the vocabulary`);
      return id;
    },
    text(id: number): string {
      const piece = texts[id];
      if (piece === undefined) throw new Error(`token id ${id} is outside the vocabulary`);
      return piece;
    },
    isSpecial: (id: number) => id >= 0 && id < specialCount,
    byteValue: (id: number) => (id >= firstByte && id < size ? id - firstByte : -1),
  };
}
