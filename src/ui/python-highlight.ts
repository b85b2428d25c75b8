/**
 * A small Python highlighter for the programs the model writes. It never fails and never drops a
 * character: joining the tokens' text gives back the input exactly, whatever the input (models
 * write broken code, and the page must still show it as written).
 */

export type TokenKind =
  | 'keyword'
  | 'constant' // True, False, None
  | 'builtin'
  | 'definition' // the name after def or class
  | 'name'
  | 'number'
  | 'string'
  | 'comment'
  | 'operator'
  | 'punctuation'
  | 'plain'; // whitespace and anything unrecognised

export interface Token {
  text: string;
  kind: TokenKind;
}

const KEYWORDS = new Set(
  'and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(
    ' ',
  ),
);
const CONSTANTS = new Set(['True', 'False', 'None']);
const BUILTINS = new Set(
  (
    'abs all any bin bool chr dict divmod enumerate filter float format frozenset hash hex int isinstance iter len list map max min next oct ord pow print range repr reversed round set slice sorted str sum tuple type zip ' +
    'Exception ValueError IndexError KeyError TypeError ZeroDivisionError StopIteration'
  ).split(' '),
);

// Strings: an optional prefix (r, b, f, u, rb, fr...), then a triple- or single-quoted body. A
// backslash takes the next character whatever it is; an unterminated string runs to the end of
// its line (single quotes) or of the text (triple quotes).
const STRING =
  /(?:[rRbBfFuU]|[rR][bBfF]|[bBfF][rR])?(?:'''(?:\\[\s\S]|[^\\])*?(?:'''|\\?$)|"""(?:\\[\s\S]|[^\\])*?(?:"""|\\?$)|'(?:\\[\s\S]|[^\\'\r\n])*'?|"(?:\\[\s\S]|[^\\"\r\n])*"?)/y;
const NUMBER = /0[xX][\da-fA-F_]*|0[oO][0-7_]*|0[bB][01_]*|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?[jJ]?/y;
const IDENT = /[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*/uy;

const RULES: [TokenKind | 'ident', RegExp][] = [
  ['plain', /\s+/y],
  ['comment', /#[^\r\n]*/y],
  ['string', STRING],
  ['number', NUMBER],
  ['ident', IDENT],
  ['operator', /\*\*=?|\/\/=?|<<=?|>>=?|->|:=|[=!<>]=|[-+*/%@&|^]=|[-+*/%@&|^~<>=!]/y],
  ['punctuation', /[()[\]{},:;.]/y],
];

export function highlightPython(code: string): Token[] {
  const tokens: Token[] = [];
  // the last token that is not whitespace: decides def-names and attribute names
  let previous: Token | undefined;
  let at = 0;
  while (at < code.length) {
    let text = '';
    let kind: TokenKind = 'plain';
    for (const [rule, re] of RULES) {
      re.lastIndex = at;
      const match = re.exec(code);
      if (!match || match[0] === '') continue;
      text = match[0];
      kind = rule === 'ident' ? identKind(text, previous) : rule;
      break;
    }
    if (text === '') text = code[at]!; // anything else passes through as it is
    at += text.length;
    const last = tokens[tokens.length - 1];
    if (kind === 'plain' && last?.kind === 'plain') last.text += text;
    else tokens.push({ text, kind });
    if (text.trim() !== '') previous = tokens[tokens.length - 1];
  }
  return tokens;
}

function identKind(name: string, previous: Token | undefined): TokenKind {
  if (previous?.kind === 'keyword' && (previous.text === 'def' || previous.text === 'class')) return 'definition';
  // after a dot it is an attribute, whatever it is called (s.count, d.keys)
  if (previous?.text === '.') return 'name';
  if (CONSTANTS.has(name)) return 'constant';
  if (KEYWORDS.has(name)) return 'keyword';
  if (BUILTINS.has(name)) return 'builtin';
  return 'name';
}

export interface CodeLine {
  /** columns of leading whitespace, a tab reaching the next multiple of the tab size */
  indent: number;
  /** the line's tokens, without its line break */
  tokens: Token[];
}

/**
 * The tokens line by line, for code that wraps: a token that spans lines (a triple-quoted string,
 * the whitespace between lines) is cut at each line break, and the breaks themselves are dropped,
 * so the lines joined with '\n' give back the code.
 */
export function codeLines(tokens: Token[], tabSize = 4): CodeLine[] {
  const lines: Token[][] = [[]];
  for (const token of tokens) {
    token.text.split('\n').forEach((text, i) => {
      if (i > 0) lines.push([]);
      if (text) lines[lines.length - 1]!.push({ text, kind: token.kind });
    });
  }
  return lines.map((line) => {
    let indent = 0;
    const leading = line[0]?.kind === 'plain' ? /^[ \t]*/.exec(line[0].text)![0] : '';
    for (const c of leading) indent = c === '\t' ? (Math.floor(indent / tabSize) + 1) * tabSize : indent + 1;
    return { indent, tokens: line };
  });
}
