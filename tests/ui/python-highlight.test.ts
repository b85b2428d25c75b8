import { readFileSync } from 'node:fs';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Code, CodeText } from '../../src/ui/Code';
import { codeLines, highlightPython, type Token, type TokenKind } from '../../src/ui/python-highlight';

const cruxeval = readFileSync(new URL('../../data/cruxeval.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as { code: string; input: string; output: string });

const join = (tokens: Token[]) => tokens.map((t) => t.text).join('');
/** the non-whitespace tokens as [text, kind] */
const kinds = (code: string): [string, TokenKind][] =>
  highlightPython(code)
    .filter((t) => t.kind !== 'plain')
    .map((t) => [t.text, t.kind]);

/** Deterministic pseudo-random text, heavy on the characters that make tokenizers stumble. */
function garbage(seed: number, length: number): string {
  const pool = [
    "'",
    '"',
    "'''",
    '"""',
    '\\',
    '\n',
    '\r\n',
    '\t',
    ' ',
    '#',
    'r',
    'b',
    'f',
    'rb',
    '0x',
    '1',
    '.5',
    'e',
    'def',
    'x',
    '(',
    ')',
    ':',
    '=',
    '**',
    '//',
    'é',
    'λ',
    '😀',
    '\ud800',
    '\0',
    '$',
    '?',
    '`',
  ];
  let state = seed;
  let out = '';
  while (out.length < length) {
    state = (state * 1103515245 + 12345) >>> 0;
    out += pool[state % pool.length];
  }
  return out;
}

describe('highlightPython', () => {
  it('gives back every CRUXEval program, input and output exactly', () => {
    expect(cruxeval.length).toBeGreaterThan(700);
    for (const row of cruxeval) {
      for (const text of [row.code, row.input, row.output]) expect(join(highlightPython(text))).toBe(text);
    }
  });

  it('gives back garbage and unterminated strings exactly, with no empty tokens', () => {
    const cases = ['', "'abc", '"abc\nx = 1', "'''never closed\n\nstill", 'x = "a\\', '\\', "r'\\'", '"""\\', '#', '0x', '1e', '...', '@@=', '\ud83d'];
    for (let seed = 1; seed <= 300; seed++) cases.push(garbage(seed, 1 + (seed % 120)));
    for (const text of cases) {
      const tokens = highlightPython(text);
      expect(join(tokens)).toBe(text);
      expect(tokens.every((t) => t.text.length > 0)).toBe(true);
    }
  });

  it('tells keywords, builtins, constants, names and the defined function apart', () => {
    expect(kinds('def f(nums):\n    return sorted(nums) if nums else None')).toEqual([
      ['def', 'keyword'],
      ['f', 'definition'],
      ['(', 'punctuation'],
      ['nums', 'name'],
      [')', 'punctuation'],
      [':', 'punctuation'],
      ['return', 'keyword'],
      ['sorted', 'builtin'],
      ['(', 'punctuation'],
      ['nums', 'name'],
      [')', 'punctuation'],
      ['if', 'keyword'],
      ['nums', 'name'],
      ['else', 'keyword'],
      ['None', 'constant'],
    ]);
    expect(kinds('lambda x: not x and True or len(x) in range(3)')).toEqual([
      ['lambda', 'keyword'],
      ['x', 'name'],
      [':', 'punctuation'],
      ['not', 'keyword'],
      ['x', 'name'],
      ['and', 'keyword'],
      ['True', 'constant'],
      ['or', 'keyword'],
      ['len', 'builtin'],
      ['(', 'punctuation'],
      ['x', 'name'],
      [')', 'punctuation'],
      ['in', 'keyword'],
      ['range', 'builtin'],
      ['(', 'punctuation'],
      ['3', 'number'],
      [')', 'punctuation'],
    ]);
  });

  it('reads an attribute as a name even when it is called like a builtin', () => {
    expect(kinds('s.count(x).list')).toEqual([
      ['s', 'name'],
      ['.', 'punctuation'],
      ['count', 'name'],
      ['(', 'punctuation'],
      ['x', 'name'],
      [')', 'punctuation'],
      ['.', 'punctuation'],
      ['list', 'name'],
    ]);
  });

  it('reads strings with quotes, escapes and prefixes as one token each', () => {
    expect(kinds(`x = 'it\\'s' + "a \\"b\\"" + r'\\d' + f"{y}"`)).toEqual([
      ['x', 'name'],
      ['=', 'operator'],
      [`'it\\'s'`, 'string'],
      ['+', 'operator'],
      ['"a \\"b\\""', 'string'],
      ['+', 'operator'],
      [`r'\\d'`, 'string'],
      ['+', 'operator'],
      ['f"{y}"', 'string'],
    ]);
    expect(kinds('"""doc\nstring"""')).toEqual([['"""doc\nstring"""', 'string']]);
    // unterminated: to the end of the line, not beyond
    expect(kinds("'abc\nreturn")).toEqual([
      ["'abc", 'string'],
      ['return', 'keyword'],
    ]);
  });

  it('reads numbers, operators and comments', () => {
    expect(kinds('a //= 0x1F + 1.5e-3 ** .5 # half\nb != 10_000j')).toEqual([
      ['a', 'name'],
      ['//=', 'operator'],
      ['0x1F', 'number'],
      ['+', 'operator'],
      ['1.5e-3', 'number'],
      ['**', 'operator'],
      ['.5', 'number'],
      ['# half', 'comment'],
      ['b', 'name'],
      ['!=', 'operator'],
      ['10_000j', 'number'],
    ]);
  });

  it('keeps whitespace and unknown characters as plain text', () => {
    const tokens = highlightPython('x  $? y');
    expect(tokens.map((t) => [t.text, t.kind])).toEqual([
      ['x', 'name'],
      ['  $? ', 'plain'],
      ['y', 'name'],
    ]);
  });
});

describe('<Code>', () => {
  it('renders spans by token kind and escapes the program as text', () => {
    const html = renderToStaticMarkup(createElement(Code, { code: 'def f(x):\n    return "<b>" & x' }));
    expect(html).toBe(
      '<pre class="code"><code><span class="py-keyword">def</span> <span class="py-definition">f</span><span class="py-punctuation">(</span>' +
        '<span class="py-name">x</span><span class="py-punctuation">)</span><span class="py-punctuation">:</span>\n    ' +
        '<span class="py-keyword">return</span> <span class="py-string">&quot;&lt;b&gt;&quot;</span> <span class="py-operator">&amp;</span> <span class="py-name">x</span></code></pre>',
    );
  });
});

describe('codeLines', () => {
  it('gives back the code line by line, cutting a token that spans lines', () => {
    for (const code of [...cruxeval.slice(0, 200).map((t) => t.code), 'def f(s):\n    """a\n\tb"""\n\n\treturn s\n', garbage(7, 400)]) {
      const lines = codeLines(highlightPython(code));
      expect(lines.map((l) => join(l.tokens)).join('\n')).toBe(code);
      for (const line of lines) for (const t of line.tokens) expect(t.text === '' || t.text.includes('\n')).toBe(false);
    }
    const docstring = codeLines(highlightPython('x = """a\nb"""'));
    expect(docstring.map((l) => l.tokens.at(-1))).toEqual([
      { text: '"""a', kind: 'string' },
      { text: 'b"""', kind: 'string' },
    ]);
  });

  it("measures each line's indentation, a tab reaching the next multiple of 4", () => {
    expect(codeLines(highlightPython('def f(x):\n    if x:\n\t\treturn 1\n  \tpass\n\nx')).map((l) => l.indent)).toEqual([0, 4, 8, 4, 0, 0]);
  });
});

describe('<Code wrap> and <CodeText>', () => {
  it('may break a line only between tokens, never inside one', () => {
    const html = renderToStaticMarkup(createElement(Code, { code: 'def f(ab):\n    return ab[1]', wrap: true }));
    expect(html).toBe(
      '<pre class="code wrap"><code><span class="code-row" style="--indent:0ch"><span class="py-keyword">def</span> <span class="py-definition">f</span>' +
        '<wbr/><span class="py-punctuation">(</span><wbr/><span class="py-name">ab</span><wbr/><span class="py-punctuation">)</span><wbr/><span class="py-punctuation">:</span>\n</span>' +
        '<span class="code-row" style="--indent:4ch">    <span class="py-keyword">return</span> <span class="py-name">ab</span><wbr/><span class="py-punctuation">[</span>' +
        '<wbr/><span class="py-number">1</span><wbr/><span class="py-punctuation">]</span></span></code></pre>',
    );
    expect(renderToStaticMarkup(createElement(CodeText, { text: "f('a b')" }))).toBe(
      '<span class="code-text"><span class="py-name">f</span><wbr/><span class="py-punctuation">(</span><wbr/><span class="py-string">&#x27;a b&#x27;</span><wbr/><span class="py-punctuation">)</span></span>',
    );
  });
});
