import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createTokenizer, MARKERS, TOKENIZER_VERSION } from '../../src/lang/tokenizer';

const tokenizer = createTokenizer();
const cruxeval = readFileSync(new URL('../../data/cruxeval.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as { code: string; input: string; output: string });

describe('tokenizer', () => {
  it('has one fixed vocabulary of a few hundred tokens', () => {
    console.log(`vocabulary: ${tokenizer.size} tokens (${TOKENIZER_VERSION})`);
    expect(tokenizer.size).toBeGreaterThan(300);
    expect(tokenizer.size).toBeLessThan(1000);
    const again = createTokenizer();
    expect(again.size).toBe(tokenizer.size);
    for (let id = 0; id < tokenizer.size; id++) expect(again.text(id)).toBe(tokenizer.text(id));
  });

  it('round-trips every CRUXEval code, input and output exactly, fast', () => {
    const texts = cruxeval.flatMap((row) => [row.code, row.input, row.output]);
    expect(texts.length).toBe(2400);
    const started = performance.now();
    const encoded = texts.map((text) => tokenizer.encode(text));
    const ms = performance.now() - started;
    let tokens = 0;
    texts.forEach((text, k) => {
      tokens += encoded[k]!.length;
      expect(tokenizer.decode(encoded[k]!)).toBe(text);
    });
    const chars = texts.reduce((sum, text) => sum + text.length, 0);
    console.log(`CRUXEval: ${chars} characters -> ${tokens} tokens, encoded in ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(1000);
  });

  it('round-trips any string: non-ASCII, emoji, control characters, lone surrogates', () => {
    const samples = [
      '',
      'plain text',
      'tab\there\r\nand\u0000nul',
      'ümlaut café 의 ب Ж',
      'emoji 😀👍🏽 and 𝔘',
      'lone \uD800 high and \uDC00 low surrogates \uDBFF',
      '<eos><pad><solve:deduction> written as text',
      '\u007f\u0080\u00ff\uFFFF',
    ];
    for (const text of samples) expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
    // Random UTF-16 strings, surrogates included.
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (let k = 0; k < 300; k++) {
      let text = '';
      const length = next() % 40;
      for (let i = 0; i < length; i++) text += String.fromCharCode(next() % 3 === 0 ? next() % 0x10000 : 32 + (next() % 95));
      expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
    }
  });

  it('never produces special tokens from text, and names every marker', () => {
    const ids = tokenizer.encode('<pad><eos><program><input><output> <think></think>');
    expect(ids.every((id) => !tokenizer.isSpecial(id))).toBe(true);
    const markerIds = MARKERS.map((marker) => tokenizer.markers[marker]);
    expect(new Set([...markerIds, tokenizer.pad, tokenizer.eos]).size).toBe(MARKERS.length + 2);
    for (const marker of MARKERS) {
      expect(tokenizer.isSpecial(tokenizer.markers[marker])).toBe(true);
      expect(tokenizer.id(marker)).toBe(tokenizer.markers[marker]);
      expect(tokenizer.text(tokenizer.markers[marker])).toBe(marker);
    }
    for (const name of ['<propose:deduction>', '<solve:induction>', '<message>', '<reference>']) {
      expect(MARKERS).toContain(name);
    }
  });

  it('encodes code greedily with the lexemes of the subset', () => {
    const code = 'def f(s, nums):\n    for i in range(len(s)):\n        nums.append(i)\n    return s[::-1], nums';
    const pieces = tokenizer.encode(code).map((id) => tokenizer.text(id));
    expect(pieces).toEqual([
      'def f(',
      's',
      ', ',
      'nums',
      ')',
      ':',
      '\n',
      '    ',
      'for ',
      'i',
      ' in ',
      'range(',
      'len(',
      's',
      ')',
      ')',
      ':',
      '\n',
      '    ',
      '    ',
      'nums',
      '.append(',
      'i',
      ')',
      '\n',
      '    ',
      'return ',
      's',
      '[::-1]',
      ', ',
      'nums',
    ]);
    expect(tokenizer.id(' = ')).toBe(tokenizer.encode(' = ')[0]);
    expect(tokenizer.byteValue(tokenizer.id('<0x41>'))).toBe(0x41);
    expect(tokenizer.decode([tokenizer.id('<0xC3>'), tokenizer.id('<0xA9>')])).toBe('é');
    expect(() => tokenizer.id('no such token')).toThrow();
  });
});
