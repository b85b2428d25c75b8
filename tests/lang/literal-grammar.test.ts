/**
 * Literal, argument, message and unconstrained decoding: random walks end in time, and
 * literals and argument lists read back in Python with the shapes asked for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeExecutor } from '../../src/executor/node-executor';
import type { ExecutorPool } from '../../src/executor/pool';
import { forceTokens, messageConstraint, type TokenConstraint, unconstrained } from '../../src/lang/constraint';
import { argumentsConstraint, literalConstraint } from '../../src/lang/literal-grammar';
import { seededRandom, uniformWalk } from '../../src/lang/sampling';
import { createTokenizer } from '../../src/lang/tokenizer';
import type { ParamType, ValueType } from '../../src/lang/types';

const tokenizer = createTokenizer();
const eos = tokenizer.eos;
let pool: ExecutorPool;

beforeAll(async () => {
  pool = await createNodeExecutor({ spare: false });
});
afterAll(() => pool?.close());

/** Describes a value's shape: `int`, `[str]`, `(int,[])`, `{str:int}`; lists list their item shapes, deduplicated. */
const DESCRIBE = `def f(*args):
    def d(v):
        if type(v) is list:
            return '[' + '|'.join(sorted(set(d(y) for y in v))) + ']'
        if type(v) is tuple:
            return '(' + ','.join(d(y) for y in v) + ')'
        if type(v) is dict:
            return '{' + '|'.join(sorted(set(d(k) + ':' + d(y) for k, y in v.items()))) + '}'
        for name, kind in [('bool', bool), ('int', int), ('str', str), ('NoneType', type(None))]:
            if type(v) is kind:
                return name
        return '?'
    return [d(a) for a in args]`;

/** A regex over DESCRIBE's output for one value of this type. */
function shapePattern(type: ValueType): string {
  if (typeof type === 'object') {
    if ('list' in type) {
      const item = shapePattern(type.list);
      return `\\[(?:${item}(?:\\|${item})*)?\\]`;
    }
    return `\\(${type.tuple.map(shapePattern).join(',')}\\)`;
  }
  if (type === 'list[int]') return shapePattern({ list: 'int' });
  if (type === 'list[str]') return shapePattern({ list: 'str' });
  if (type === 'none') return 'NoneType';
  if (type === 'any') return '.*';
  return type;
}

function walk(constraint: TokenConstraint, random: () => number, maxTokens: number): string {
  const tokens = uniformWalk(constraint, random, eos, maxTokens);
  expect(tokens.length).toBeLessThan(maxTokens);
  expect(constraint.finished).toBe(true);
  return tokenizer.decode(tokens);
}

/** Runs DESCRIBE on each argument text; returns the shape lists (or the failure reasons). */
async function describeAll(inputs: string[]): Promise<(string[] | string)[]> {
  const verdicts = await pool.run(inputs.map((input) => ({ kind: 'validate', code: DESCRIBE, inputs: [input] })));
  return verdicts.map((v) => (v.ok ? (JSON.parse(v.outputs![0]!.replace(/'/g, '"')) as string[]) : `${v.reason}: ${v.detail}`));
}

describe('literal grammar', () => {
  it('untyped output literals end in time and read back as Python literals', async () => {
    const random = seededRandom(1);
    const texts: string[] = [];
    for (let k = 0; k < 300; k++) {
      const maxTokens = 2 + (k % 60);
      texts.push(walk(literalConstraint(tokenizer, { maxTokens }), random, maxTokens));
    }
    const verdicts = await pool.run(texts.map((text) => ({ kind: 'deduction', answer: text, output: text })));
    verdicts.forEach((verdict, k) => expect(verdict.reason, texts[k]).toBe('ok'));
    expect(texts.some((t) => t.startsWith('{'))).toBe(true);
    expect(texts.some((t) => t.endsWith(',)'))).toBe(true);
  });

  it('typed output literals have the type asked for and are their own repr', async () => {
    const types: ValueType[] = [
      'int',
      'str',
      'bool',
      'none',
      'list[int]',
      { list: 'str' },
      { list: { list: 'int' } },
      { tuple: ['int', 'str'] },
      { tuple: ['bool'] },
      { tuple: [] },
      { tuple: ['int', { list: 'str' }, { tuple: ['none', 'int'] }] },
    ];
    const random = seededRandom(2);
    const cases: { type: ValueType; text: string }[] = [];
    for (let k = 0; k < 330; k++) {
      const type = types[k % types.length]!;
      const maxTokens = 16 + (k % 30);
      cases.push({ type, text: walk(literalConstraint(tokenizer, { maxTokens, type }), random, maxTokens) });
    }
    const shapes = await describeAll(cases.map((c) => c.text));
    cases.forEach((c, k) => {
      const shape = shapes[k]!;
      expect(Array.isArray(shape), `${c.text}: ${shape}`).toBe(true);
      expect(shape[0], c.text).toMatch(new RegExp(`^${shapePattern(c.type)}$`));
    });
    const reprs = await pool.run(cases.map((c) => ({ kind: 'validate', code: 'def f(x):\n    return x', inputs: [c.text] })));
    reprs.forEach((verdict, k) => expect(verdict.outputs?.[0], cases[k]!.text).toBe(cases[k]!.text));
  });

  it('argument lists match the signature, or hold 1 to 3 values without one', async () => {
    const signatures: (ParamType[] | null)[] = [['str'], ['int', 'int'], ['list[int]', 'str'], ['bool', 'list[str]', 'int'], null];
    const random = seededRandom(3);
    const cases: { signature: ParamType[] | null; text: string }[] = [];
    for (let k = 0; k < 300; k++) {
      const signature = signatures[k % signatures.length]!;
      const maxTokens = 8 + (k % 40);
      cases.push({ signature, text: walk(argumentsConstraint(tokenizer, signature, { maxTokens }), random, maxTokens) });
    }
    const shapes = await describeAll(cases.map((c) => c.text));
    cases.forEach((c, k) => {
      const shape = shapes[k]!;
      expect(Array.isArray(shape), `${c.text}: ${shape}`).toBe(true);
      if (!c.signature) {
        expect(shape.length).toBeGreaterThanOrEqual(1);
        expect(shape.length).toBeLessThanOrEqual(3);
        return;
      }
      expect(shape.length, c.text).toBe(c.signature.length);
      c.signature.forEach((type, i) => expect(shape[i], c.text).toMatch(new RegExp(`^${shapePattern(type)}$`)));
    });
  });

  it('refuses budgets too small for any value', () => {
    expect(() => literalConstraint(tokenizer, { maxTokens: 1 })).toThrow();
    expect(() => literalConstraint(tokenizer, { maxTokens: 5, type: { tuple: ['int', 'int'] } })).toThrow();
    expect(() => argumentsConstraint(tokenizer, ['int', 'int'], { maxTokens: 3 })).toThrow();
    const smallest = literalConstraint(tokenizer, { maxTokens: 2 });
    expect(tokenizer.decode(uniformWalk(smallest, seededRandom(4), eos, 2))).toMatch(/^(\d\d?|''|True|False|None|\[\]|\(\)|\{\})$/);
  });

  it('writes an int in pairs of digits from the left, the tokens encode() gives it, and no other way', () => {
    const int = () => literalConstraint(tokenizer, { maxTokens: 12, type: 'int' });
    const pieces = (text: string) => tokenizer.encode(text).map((id) => tokenizer.text(id));
    expect(pieces('-132')).toEqual(['-', '13', '2']);
    expect(pieces('1005')).toEqual(['10', '05']);
    for (const text of ['0', '7', '-7', '42', '-99', '100', '-132', '1005', '123456']) {
      expect(forceTokens(int(), tokenizer.encode(text), eos), text).toBe(true);
    }
    const chars = (text: string) => [...text].map((char) => tokenizer.id(char));
    // The same ints a digit at a time, a leading zero, a digit before a pair: refused.
    for (const tokens of [chars('42'), chars('-132'), [tokenizer.id('05')], [tokenizer.id('1'), tokenizer.id('23')], [tokenizer.id('-'), tokenizer.id('0')]]) {
      expect(forceTokens(int(), tokens, eos), tokenizer.decode(tokens)).toBe(false);
    }
    // An argument is at most two digits: one token.
    const argument = () => argumentsConstraint(tokenizer, ['int'], { maxTokens: 8 });
    expect(forceTokens(argument(), tokenizer.encode('-42'), eos)).toBe(true);
    expect(forceTokens(argument(), tokenizer.encode('123'), eos)).toBe(false);
  });
});

describe('message and unconstrained decoding', () => {
  it('messages are plain text on one line, eos allowed at every step', () => {
    const random = seededRandom(5);
    for (let k = 0; k < 200; k++) {
      const maxTokens = 1 + (k % 24);
      const message = messageConstraint(tokenizer, { maxTokens });
      const tokens: number[] = [];
      while (!message.finished) {
        const mask = message.allowed();
        expect(mask[eos]).toBe(1);
        const choices = [...mask].flatMap((v, id) => (v ? [id] : []));
        const token = choices[Math.floor(random() * choices.length)]!;
        message.advance(token);
        if (token !== eos) tokens.push(token);
      }
      expect(tokens.length).toBeLessThan(maxTokens);
      for (const token of tokens) {
        expect(tokenizer.isSpecial(token)).toBe(false);
        expect(tokenizer.byteValue(token)).toBe(-1);
      }
      expect(tokenizer.decode(tokens)).not.toContain('\n');
    }
  });

  it('unconstrained allows every non-special token and eos, until the budget ends', () => {
    const constraint = unconstrained(tokenizer, { maxTokens: 3 });
    const mask = constraint.allowed();
    for (let id = 0; id < tokenizer.size; id++) expect(mask[id]).toBe(tokenizer.isSpecial(id) && id !== eos ? 0 : 1);
    constraint.advance(tokenizer.id('<0xFF>'));
    constraint.advance(tokenizer.id('x'));
    expect([...constraint.allowed()].flatMap((v, id) => (v ? [id] : []))).toEqual([eos]);
    constraint.advance(eos);
    expect(constraint.finished).toBe(true);
  });
});
