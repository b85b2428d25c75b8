/**
 * Static return types: returnType(code) agrees with the type of what the executor returns, and
 * the typed literal grammar accepts the executor's repr of it by teacher forcing.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { forceTokens } from '../../src/lang/constraint';
import { PROGRAM_LEVELS, type ProgramLevel } from '../../src/lang/levels';
import { argumentsConstraint, literalConstraint } from '../../src/lang/literal-grammar';
import { programConstraint } from '../../src/lang/program-grammar';
import { encodeWithin } from '../../src/lang/replay';
import { returnType } from '../../src/lang/return-type';
import { seededRandom, structuredWeights, uniformWalk, weightedWalk } from '../../src/lang/sampling';
import { createTokenizer } from '../../src/lang/tokenizer';
import { parseSignature, type ValueType } from '../../src/lang/types';
import { sharedExecutor } from '../support/executor';

const tokenizer = createTokenizer();
const eos = tokenizer.eos;
const pool = sharedExecutor({ spare: false });

type Value = { kind: 'int' | 'str' | 'bool' } | { kind: 'list' | 'tuple'; items: Value[] };

/** Parses the repr of an int, str, bool, list or tuple (what subset programs return). */
function parseRepr(text: string): Value {
  let at = 0;
  const value = (): Value => {
    const char = text[at]!;
    if (char === "'" || char === '"') {
      for (at++; text[at] !== char; at++) if (text[at] === '\\') at++;
      at++;
      return { kind: 'str' };
    }
    if (text.startsWith('True', at) || text.startsWith('False', at)) {
      at += text.startsWith('True', at) ? 4 : 5;
      return { kind: 'bool' };
    }
    const number = /^-?\d+/.exec(text.slice(at));
    if (number) {
      at += number[0].length;
      return { kind: 'int' };
    }
    if (char === '[' || char === '(') {
      const close = char === '[' ? ']' : ')';
      const items: Value[] = [];
      at++;
      while (text[at] !== close) {
        items.push(value());
        if (text.startsWith(', ', at)) at += 2;
        else if (text[at] === ',') at++;
      }
      at++;
      return { kind: char === '[' ? 'list' : 'tuple', items };
    }
    throw new Error(`cannot parse ${text} at ${at}`);
  };
  const result = value();
  if (at !== text.length) throw new Error(`trailing text in ${text}`);
  return result;
}

/** True if a value has the type (an empty list has every list type). */
function hasType(value: Value, type: ValueType): boolean {
  if (type === 'list[int]') return hasType(value, { list: 'int' });
  if (type === 'list[str]') return hasType(value, { list: 'str' });
  if (typeof type === 'object') {
    if ('list' in type) return value.kind === 'list' && value.items.every((item) => hasType(item, type.list));
    return value.kind === 'tuple' && value.items.length === type.tuple.length && value.items.every((item, k) => hasType(item, type.tuple[k]!));
  }
  return value.kind === type;
}

const OUTPUT_TOKENS = 1024;

/** Teacher-forces an output repr through the typed literal grammar, with the grammar's own tokens and with encode(). */
function forced(output: string, type: ValueType): { within: boolean; encoded: boolean; sameTokens: boolean } {
  const grammarTokens = encodeWithin(tokenizer, literalConstraint(tokenizer, { maxTokens: OUTPUT_TOKENS, type }), output);
  const encodedTokens = tokenizer.encode(output);
  return {
    within: grammarTokens !== null && forceTokens(literalConstraint(tokenizer, { maxTokens: OUTPUT_TOKENS, type }), grammarTokens, eos),
    encoded: forceTokens(literalConstraint(tokenizer, { maxTokens: OUTPUT_TOKENS, type }), encodedTokens, eos),
    sameTokens: grammarTokens !== null && grammarTokens.slice(0, -1).join() === encodedTokens.join(),
  };
}

describe('return types', () => {
  it('reads the type of the returns off the grammar', () => {
    const cases: [string, ValueType | null][] = [
      ['def f(n):\n    return n + 1', 'int'],
      ['def f(a):\n    return a', 'str'],
      ['def f(s):\n    return s.isdigit()', 'bool'],
      ['def f(nums):\n    return sorted(nums)', 'list[int]'],
      ['def f(s):\n    return s.split()', 'list[str]'],
      ['def f(s):\n    return [c.isdigit() for c in s]', { list: 'bool' }],
      ['def f(s, n):\n    return s, n', { tuple: ['str', 'int'] }],
      ['def f(nums):\n    lst = [x * 2 for x in nums if x % 2 == 0]\n    return sum(lst), lst', { tuple: ['int', 'list[int]'] }],
      ['def f(n, m):\n    if n > m:\n        return n - m\n    elif n == m:\n        return 0\n    return m % 7', 'int'],
      ['def f(n):\n    if n > 3:\n        return n\n    return str(n)', null], // the returns disagree
      ['def f(n):\n    if n > 3:\n        return n, n\n    return n', null],
      ["def f(s):\n    return s + 'or'", 'str'], // a word inside a string literal
      ['def f(text):\n    return text', null], // not a typed name
      // What the grammar never writes because it can raise (an index, max without a default) is still typed.
      ['def f(s):\n    return s[0]', 'str'],
      ['def f(nums):\n    return nums[-1]', 'int'],
      ['def f(words):\n    return words[len(words) - 1]', 'str'],
      ['def f(nums):\n    return max(nums) + 1', 'int'],
      ['def f(words):\n    return min(words), max(words[0])', { tuple: ['str', 'str'] }],
      ['def f(nums):\n    return nums.index(3)', null], // not in the subset
      ['def f(s):\n  return s', null], // not canonical
      ['', null],
      ['return 1', null],
    ];
    for (const [code, type] of cases) expect(returnType(code), code).toEqual(type);
  });

  it('the decoding grammar still writes none of what it only reads to type a program', () => {
    for (const code of ['def f(s):\n    return s[0]', 'def f(nums):\n    return max(nums)', 'def f(nums):\n    return nums[-1] + 2']) {
      expect(returnType(code), code).not.toBeNull();
      expect(encodeWithin(tokenizer, programConstraint(tokenizer, { maxTokens: 64 }), code), code).toBeNull();
    }
  });

  it('types every hand-written one-line program as the executor types its output', async () => {
    const tasks = readFileSync(new URL('../../data/simple-programs.jsonl', import.meta.url), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { code: string; input: string; output: string });
    const verdicts = await pool().run(tasks.map((task) => ({ kind: 'validate', code: task.code, inputs: [task.input] })));
    tasks.forEach((task, k) => {
      const type = returnType(task.code);
      expect(type, task.code).not.toBeNull();
      expect(verdicts[k]!.outputs?.[0], task.code).toBe(task.output);
      expect(hasType(parseRepr(task.output), type!), `${task.code} => ${task.output}`).toBe(true);
    });
  });

  it('is null for CRUXEval programs outside the subset, and right for the few inside it', () => {
    const tasks = readFileSync(new URL('../../data/cruxeval.jsonl', import.meta.url), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; code: string; output: string });
    expect(returnType(tasks.find((task) => task.id === 'sample_0')!.code)).toBeNull();
    const typed = tasks.map((task) => ({ task, type: returnType(task.code) })).filter((entry) => entry.type !== null);
    console.log(`CRUXEval: ${typed.length} of ${tasks.length} programs are in the subset`);
    expect(typed.length).toBeLessThan(tasks.length * 0.05);
    for (const { task, type } of typed) expect(hasType(parseRepr(task.output), type!), `${task.id}: ${task.output}`).toBe(true);
  });

  it('the typed literal grammar takes every shape a program returns', () => {
    const cases: [string, ValueType][] = [
      ['[True, False]', { list: 'bool' }],
      ['[]', { list: 'bool' }],
      ["('ab', 3)", { tuple: ['str', 'int'] }],
      ["(['a', ''], False)", { tuple: ['list[str]', 'bool'] }],
      ['([], [1, -2])', { tuple: ['list[int]', 'list[int]'] }],
      ['-4', 'int'],
      ['0', 'int'],
      ["''", 'str'],
      ["' a, b.-_'", 'str'],
      ['[]', 'list[str]'],
      ['[-1, 22]', 'list[int]'],
      ['True', 'bool'],
    ];
    for (const [text, type] of cases) {
      const result = forced(text, type);
      expect(result.within, text).toBe(true);
      expect(result.encoded, text).toBe(result.sameTokens);
    }
    // Shapes other than the type are refused.
    expect(forced('[1]', { list: 'bool' }).within).toBe(false);
    expect(forced("('ab', 3)", { tuple: ['int', 'str'] }).within).toBe(false);
    expect(forced('True', 'int').within).toBe(false);
  });

  it('forceTokens feeds tokens until one is not allowed', () => {
    const tokens = tokenizer.encode('[1, 2]');
    expect(forceTokens(literalConstraint(tokenizer, { maxTokens: 20, type: 'list[int]' }), tokens, eos)).toBe(true);
    expect(forceTokens(literalConstraint(tokenizer, { maxTokens: 20, type: 'list[int]' }), [...tokens, eos], eos)).toBe(true);
    expect(forceTokens(literalConstraint(tokenizer, { maxTokens: 20, type: 'list[str]' }), tokens, eos)).toBe(false);
    expect(forceTokens(literalConstraint(tokenizer, { maxTokens: 20 }), [...tokens, eos, tokens[0]!], eos)).toBe(false);
    // Incomplete text: refused unless complete is false.
    expect(forceTokens(literalConstraint(tokenizer, { maxTokens: 20 }), tokens.slice(0, 2), eos)).toBe(false);
    expect(forceTokens(literalConstraint(tokenizer, { maxTokens: 20 }), tokens.slice(0, 2), eos, false)).toBe(true);
    // Past the budget.
    expect(forceTokens(literalConstraint(tokenizer, { maxTokens: 4, type: 'list[int]' }), tokens, eos)).toBe(false);
  });

  it('matches the executor on random programs of every level, and the literal grammar accepts the outputs', async () => {
    const random = seededRandom(12);
    const weights = structuredWeights(tokenizer);
    const programs: { code: string; input: string; level: ProgramLevel; type: ValueType | null }[] = [];
    for (let k = 0; k < 800; k++) {
      const level = PROGRAM_LEVELS[k % PROGRAM_LEVELS.length]!;
      const maxTokens = 120;
      const constraint = programConstraint(tokenizer, { maxTokens, level });
      const tokens = k % 2 ? weightedWalk(constraint, random, eos, maxTokens, weights) : uniformWalk(constraint, random, eos, maxTokens);
      const code = tokenizer.decode(tokens);
      const args = argumentsConstraint(tokenizer, parseSignature(code), { maxTokens: 40 });
      programs.push({ code, input: tokenizer.decode(uniformWalk(args, random, eos, 40)), level, type: returnType(code) });
    }
    const typed = programs.filter((p) => p.type !== null).length / programs.length;
    // One return, one type: levels 1 and 2 have no nested returns.
    for (const p of programs) if (p.level <= 2) expect(p.type, p.code).not.toBeNull();
    const verdicts = await pool().run(programs.map((p) => ({ kind: 'validate', code: p.code, inputs: [p.input] })));
    let ran = 0;
    let within = 0;
    let encoded = 0;
    for (let k = 0; k < programs.length; k++) {
      const { code, type } = programs[k]!;
      const verdict = verdicts[k]!;
      if (!verdict.ok || type === null) continue;
      ran++;
      const output = verdict.outputs![0]!;
      expect(hasType(parseRepr(output), type), `${code}\n=> ${output}`).toBe(true);
      const result = forced(output, type);
      if (result.within) within++;
      else expect(output.length, `${code}\n=> ${output}`).toBeGreaterThan(200); // only past the output limits
      // encode() differs from the grammar's tokens only where it joins characters of a string into a word.
      expect(result.encoded, output).toBe(result.within && result.sameTokens);
      if (result.encoded) encoded++;
    }
    console.log(
      `return types: ${(100 * typed).toFixed(1)}% of ${programs.length} programs typed; of ${ran} typed outputs, ` +
        `${((100 * within) / ran).toFixed(1)}% accepted with the grammar's tokens (encodeWithin), ` +
        `${((100 * encoded) / ran).toFixed(1)}% with tokenizer.encode`,
    );
    expect(typed).toBeGreaterThanOrEqual(0.9);
    expect(within / ran).toBeGreaterThanOrEqual(0.99);
    expect(encoded / ran).toBeGreaterThanOrEqual(0.9);
  });
});
