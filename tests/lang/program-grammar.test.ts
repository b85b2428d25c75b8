/**
 * The program grammar against the real executor: random walks through the constraint always
 * end in time and give programs that parse and (nearly always) run.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Verdict } from '../../src/executor/types';
import type { Machine } from '../../src/lang/constraint';
import { argumentsConstraint } from '../../src/lang/literal-grammar';
import { MIN_PROGRAM_TOKENS, programConstraint } from '../../src/lang/program-grammar';
import { encodeWithin } from '../../src/lang/replay';
import { seededRandom, structuredWeights, uniformWalk, weightedWalk } from '../../src/lang/sampling';
import { createTokenizer } from '../../src/lang/tokenizer';
import { type ParamType, parseSignature } from '../../src/lang/types';
import { sharedExecutor } from '../support/executor';

const tokenizer = createTokenizer();
const eos = tokenizer.eos;
const pool = sharedExecutor({ spare: false });

interface Sample {
  code: string;
  input: string;
  tokens: number[];
}

/** Walks programs (budgets cycling through `budgets`) and arguments for their signatures. */
function sample(count: number, seed: number, budgets: number[], structured: boolean): Sample[] {
  const random = seededRandom(seed);
  const weights = structuredWeights(tokenizer);
  const samples: Sample[] = [];
  for (let k = 0; k < count; k++) {
    const maxTokens = budgets[k % budgets.length]!;
    const program = programConstraint(tokenizer, { maxTokens });
    const tokens = structured ? weightedWalk(program, random, eos, maxTokens, weights) : uniformWalk(program, random, eos, maxTokens);
    expect(tokens.length).toBeLessThan(maxTokens); // eos is the maxTokens-th token at the latest
    expect(program.finished).toBe(true);
    expect((program as unknown as Machine).ambiguities).toBe(0);
    const code = tokenizer.decode(tokens);
    const signature = program.signature();
    expect(signature).not.toBeNull();
    expect(parseSignature(code)).toEqual(signature);
    const args = argumentsConstraint(tokenizer, signature, { maxTokens: 40 });
    const input = tokenizer.decode(uniformWalk(args, random, eos, 40));
    samples.push({ code, input, tokens });
  }
  return samples;
}

async function validate(samples: Sample[]): Promise<Verdict[]> {
  return pool().run(samples.map((s) => ({ kind: 'validate', code: s.code, inputs: [s.input] })));
}

function report(label: string, samples: Sample[], verdicts: Verdict[]): { parsed: number; valid: number } {
  const parsed = verdicts.filter((v) => v.reason !== 'syntax').length / verdicts.length;
  const valid = verdicts.filter((v) => v.ok).length / verdicts.length;
  const failures = verdicts
    .map((v, k) => (v.ok ? null : `${v.reason}: ${v.detail}\n${samples[k]!.code}\n>>> f(${samples[k]!.input})`))
    .filter((x) => x !== null);
  console.log(`${label}: parse ${(100 * parsed).toFixed(1)}%, valid ${(100 * valid).toFixed(1)}% of ${verdicts.length}`);
  if (failures.length) console.log(failures.slice(0, 3).join('\n\n'));
  return { parsed, valid };
}

describe('program grammar', () => {
  it('uniform random programs finish within maxTokens, parse, and run', async () => {
    const samples = sample(400, 1, [MIN_PROGRAM_TOKENS + 1, 16, 32, 64, 96, 128, 160, 200, 256], false);
    const { parsed, valid } = report('uniform', samples, await validate(samples));
    expect(parsed).toBe(1);
    expect(valid).toBeGreaterThanOrEqual(0.9);
  });

  it('structured random programs (many statements and loops) finish, parse, and run', async () => {
    const samples = sample(400, 2, [24, 48, 96, 160, 240, 320], true);
    const code = samples.map((s) => s.code).join('\n');
    expect(code).toMatch(/\n {8}\S/); // nested blocks occur
    expect(code).toMatch(/for \w+ in range\(len\(/);
    expect(code).toMatch(/\n {4}else:/);
    const { parsed, valid } = report('structured', samples, await validate(samples));
    expect(parsed).toBe(1);
    expect(valid).toBeGreaterThanOrEqual(0.9);
  });

  it('writes canonical tokens: encode(decode(tokens)) gives them back outside string literals', () => {
    const samples = sample(300, 3, [16, 24, 32, 64, 128, 200], true);
    const quote = tokenizer.id("'");
    let checked = 0;
    for (const s of samples) {
      expect(encodeWithin(tokenizer, programConstraint(tokenizer, { maxTokens: 400 }), s.code)).toEqual([...s.tokens, eos]);
      if (s.tokens.includes(quote)) continue;
      expect(tokenizer.encode(s.code)).toEqual(s.tokens);
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('admits the documented examples and the seed program', () => {
    const docs = readFileSync(new URL('../../docs/language.md', import.meta.url), 'utf8');
    const examples = [...docs.matchAll(/```python\n(def f[\s\S]*?)\n```/g)].map((m) => m[1]!);
    expect(examples.length).toBeGreaterThan(0);
    const programs = [
      ...examples,
      'def f(a):\n    return a',
      'def f(nums):\n    lst = [x * 2 for x in nums if x % 2 == 0]\n    return sum(lst), len(lst)',
      "def f(words, t):\n    parts = []\n    for i, w in enumerate(words):\n        if w.startswith(t):\n            parts.append(w[::-1])\n    return '-'.join(parts)",
      'def f(s):\n    return any([c.isupper() for c in s])',
      "def f(s):\n    return max(s.split(), default='')",
      'def f(n, m):\n    if n > m:\n        return n - m\n    elif n == m:\n        return 0\n    return m % 7',
      'def f(s, t):\n    x = 0\n    for c, w in zip(s, t):\n        if c == w:\n            x += 1\n    return x',
    ];
    for (const code of programs) {
      const tokens = encodeWithin(tokenizer, programConstraint(tokenizer, { maxTokens: 200 }), code);
      expect(tokens, code).not.toBeNull();
    }
  });

  it('rejects programs outside the subset', () => {
    const outside = [
      'def f(s):\n    while s:\n        s = s[1:]\n    return s', // no while
      'def f(s):\n    import os\n    return s', // no imports
      'def f(n):\n    return f(n)', // no recursion
      'def f(s):\n    return s[0]', // index without a loop fact
      'def f(n, m):\n    return n // m', // division by a variable
      'def f(s):\n    return int(s)', // int of a str
      'def f(s):\n    return t', // unbound name
      'def f(s):\n    for c in s:\n        s += c\n    return s', // changes what it walks
      'def f(s):\n    t = s\n    for c in s:\n        t += t\n    return t', // doubles every pass
      'def f(nums):\n    return max(nums)', // max of a possibly empty list
      "def f(s):\n    return s.split('')", // empty separator
      'def f(s):\n    if s:\n        return 1\n    return 0', // truth test of a str
      'def f(s):\n    if True:\n        t = s\n    return t', // bound only in the branch
      'def f(s):\n  return s', // not canonical indentation
    ];
    for (const code of outside) {
      expect(encodeWithin(tokenizer, programConstraint(tokenizer, { maxTokens: 200 }), code), code).toBeNull();
    }
  });

  it('needs room for the smallest program and reports the signature after the def line', () => {
    expect(() => programConstraint(tokenizer, { maxTokens: MIN_PROGRAM_TOKENS })).toThrow();
    const program = programConstraint(tokenizer, { maxTokens: 40 });
    expect(program.signature()).toBeNull();
    for (const text of ['def f(', 'words', ', ', 'n', ')']) program.advance(tokenizer.id(text));
    expect(program.signature()).toEqual(['list[str]', 'int']);
    // The smallest budget leaves exactly one program shape: def f(x):\n    return y
    const tiny = programConstraint(tokenizer, { maxTokens: MIN_PROGRAM_TOKENS + 1 });
    const allowedTexts = () => [...tiny.allowed()].flatMap((v, id) => (v ? [tokenizer.text(id)] : []));
    expect(allowedTexts()).toEqual(['def f(']);
    for (const text of ['def f(', 's', ')', ':', '\n', '    ']) tiny.advance(tokenizer.id(text));
    expect(allowedTexts()).toEqual(['return ']);
    tiny.advance(tokenizer.id('return '));
    expect(allowedTexts()).toContain('s');
    tiny.advance(tokenizer.id('s'));
    expect(allowedTexts()).toEqual(['<eos>']);
    tiny.advance(eos);
    expect(tiny.finished).toBe(true);
    expect(allowedTexts()).toEqual(['<eos>']);
  });

  it('can be held to a given signature (induction answers)', () => {
    const signatures: ParamType[][] = [['int'], ['str', 'list[int]'], ['list[str]', 'bool', 'int']];
    const random = seededRandom(8);
    for (let k = 0; k < 150; k++) {
      const signature = signatures[k % signatures.length]!;
      const least = MIN_PROGRAM_TOKENS + 2 * (signature.length - 1) + 1;
      const maxTokens = least + (k % 40);
      const program = programConstraint(tokenizer, { maxTokens, signature });
      const code = tokenizer.decode(uniformWalk(program, random, eos, maxTokens));
      expect(parseSignature(code)).toEqual(signature);
      expect(program.signature()).toEqual(signature);
    }
    expect(() => programConstraint(tokenizer, { maxTokens: 10, signature: ['int', 'int'] })).toThrow();
    expect(() => programConstraint(tokenizer, { maxTokens: 99, signature: [] })).toThrow();
  });

  it('is fast: allowed() + advance() take microseconds per token', () => {
    const random = seededRandom(9);
    const walks: number[][] = [];
    for (let k = 0; k < 200; k++) {
      const program = programConstraint(tokenizer, { maxTokens: 200 });
      walks.push([...uniformWalk(program, random, eos, 200), eos]);
    }
    let steps = 0;
    const started = performance.now();
    for (const walk of walks) {
      const program = programConstraint(tokenizer, { maxTokens: 200 });
      for (const token of walk) {
        program.allowed();
        program.advance(token);
        steps++;
      }
    }
    const microseconds = ((performance.now() - started) * 1000) / steps;
    console.log(`program constraint: ${microseconds.toFixed(2)} us per token over ${steps} tokens`);
    expect(microseconds).toBeLessThan(100);
  });
});
