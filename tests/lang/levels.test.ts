/**
 * Program levels: random walks at each level respect the level's limits (read off the text),
 * write no degenerate programs at levels 1-3, and run in the real executor.
 */
import { describe, expect, it } from 'vitest';
import type { Machine } from '../../src/lang/constraint';
import { LEVEL_SPECS, levelBudget, PROGRAM_LEVELS, type ProgramLevel } from '../../src/lang/levels';
import { argumentsConstraint } from '../../src/lang/literal-grammar';
import { MIN_PROGRAM_TOKENS, programConstraint } from '../../src/lang/program-grammar';
import { encodeWithin } from '../../src/lang/replay';
import { seededRandom, structuredWeights, uniformWalk, weightedWalk } from '../../src/lang/sampling';
import { createTokenizer } from '../../src/lang/tokenizer';
import { type ParamType, parseSignature } from '../../src/lang/types';
import { sharedExecutor } from '../support/executor';
import { analyse } from './level-check';

const tokenizer = createTokenizer();
const eos = tokenizer.eos;
const weights = structuredWeights(tokenizer);
const pool = sharedExecutor({ spare: false });

interface Sample {
  code: string;
  input: string;
  tokens: number;
}

/** Walks `count` programs at `level` (caller budgets cycling through `budgets`), with arguments. */
function sample(level: ProgramLevel, count: number, seed: number, structured: boolean, budgets: number[]): Sample[] {
  const random = seededRandom(seed);
  const signatures: (ParamType[] | undefined)[] = [undefined, undefined, ['str'], ['list[int]', 'int'], ['int', 'str', 'bool']];
  const samples: Sample[] = [];
  for (let k = 0; k < count; k++) {
    const maxTokens = budgets[k % budgets.length]!;
    const signature = signatures[k % signatures.length];
    const budget = levelBudget(level, maxTokens);
    const program = programConstraint(tokenizer, { maxTokens, level, ...(signature ? { signature } : {}) });
    const tokens = structured ? weightedWalk(program, random, eos, budget, weights) : uniformWalk(program, random, eos, budget);
    expect(tokens.length).toBeLessThan(budget); // eos is the budget-th token at the latest
    expect(program.finished).toBe(true);
    const machine = program as unknown as Machine;
    expect(machine.ambiguities).toBe(0);
    expect(machine.reserve).toBe(0);
    const code = tokenizer.decode(tokens);
    expect(parseSignature(code)).toEqual(program.signature());
    if (signature) expect(program.signature()).toEqual(signature);
    const args = argumentsConstraint(tokenizer, program.signature(), { maxTokens: 40 });
    samples.push({ code, input: tokenizer.decode(uniformWalk(args, random, eos, 40)), tokens: tokens.length + 1 });
  }
  return samples;
}

/** Checks every sample against its level's limits on the text; returns the share whose return reads a parameter. */
function checkShapes(level: ProgramLevel, samples: Sample[]): number {
  const spec = LEVEL_SPECS[level];
  let reads = 0;
  for (const { code } of samples) {
    const shape = analyse(code);
    expect(shape.statements, code).toBeLessThanOrEqual(spec.maxStatements);
    expect(shape.depth, code).toBeLessThanOrEqual(spec.maxBlockDepth);
    if (!spec.compound) expect(shape.compound, code).toBe(false);
    expect(shape.brackets, code).toBeLessThanOrEqual(spec.maxNesting);
    if (spec.nonDegenerate) {
      expect(shape.returnReadsParam, code).toBe(true);
      expect(shape.deadWrites, code).toEqual([]);
    }
    if (shape.returnReadsParam) reads++;
  }
  return reads / samples.length;
}

async function validity(samples: Sample[]): Promise<{ valid: number; failures: string[] }> {
  const verdicts = await pool().run(samples.map((s) => ({ kind: 'validate', code: s.code, inputs: [s.input] })));
  const failures = verdicts.flatMap((v, k) => (v.ok ? [] : [`${v.reason}: ${v.detail}\n${samples[k]!.code}\n>>> f(${samples[k]!.input})`]));
  return { valid: 1 - failures.length / verdicts.length, failures };
}

describe('program levels', () => {
  it('are 1 to 4, with budgets capped by the level', () => {
    expect(PROGRAM_LEVELS).toEqual([1, 2, 3, 4]);
    for (const level of PROGRAM_LEVELS) expect(LEVEL_SPECS[level].describe.length).toBeGreaterThan(0);
    expect(levelBudget(1, 200)).toBe(LEVEL_SPECS[1].maxTokens);
    expect(levelBudget(1, 12)).toBe(12);
    expect(levelBudget(4, 300)).toBe(300);
    expect(() => levelBudget(5 as ProgramLevel, 100)).toThrow(/level must be one of/);
    expect(() => programConstraint(tokenizer, { maxTokens: 100, level: 0 as ProgramLevel })).toThrow(/level must be one of/);
    // The budget check applies to the capped budget.
    expect(() => programConstraint(tokenizer, { maxTokens: 100, level: 1, signature: ['int', 'int', 'int'] })).not.toThrow();
    expect(() => programConstraint(tokenizer, { maxTokens: MIN_PROGRAM_TOKENS, level: 1 })).toThrow();
  });

  it('level 4 is the grammar without a level: the same walks give the same programs', () => {
    const a = seededRandom(4);
    const b = seededRandom(4);
    for (let k = 0; k < 200; k++) {
      const maxTokens = 16 + (k % 12) * 16;
      const structured = k % 2 === 1;
      const walk = (constraint: ReturnType<typeof programConstraint>, random: () => number) =>
        structured ? weightedWalk(constraint, random, eos, maxTokens, weights) : uniformWalk(constraint, random, eos, maxTokens);
      expect(walk(programConstraint(tokenizer, { maxTokens, level: 4 }), a)).toEqual(walk(programConstraint(tokenizer, { maxTokens }), b));
    }
  });

  it('admits the programs of each level and nothing degenerate', () => {
    const admits = (level: ProgramLevel, code: string) => encodeWithin(tokenizer, programConstraint(tokenizer, { maxTokens: 200, level }), code) !== null;
    const yes: [ProgramLevel, string][] = [
      [1, 'def f(n):\n    return n + 3'],
      [1, 'def f(s):\n    return s[::-1]'],
      [1, 'def f(nums):\n    return len(nums)'],
      [1, 'def f(s, m):\n    return m + 3'],
      [2, 'def f(s):\n    t = s.upper()\n    return t + s'],
      [2, 'def f(nums, n):\n    nums.append(n)\n    nums.sort()\n    return nums'],
      [2, 'def f(n):\n    x = n * 2\n    y = x + 1\n    return y'],
      [3, 'def f(s):\n    x = 0\n    for c in s:\n        x += 2\n    return x'],
      [3, "def f(s):\n    t = ''\n    for c in s:\n        t += c * 2\n    return t"],
      [3, 'def f(n):\n    if n > 3:\n        return n\n    return -n'],
    ];
    const no: [ProgramLevel, string][] = [
      [1, 'def f(n):\n    return 7'], // reads no parameter
      [1, "def f(s):\n    return 'ab'"],
      [1, 'def f(n):\n    return 3 + n'], // a return starts from a parameter
      [1, 'def f(s):\n    return len(sorted(s))'], // two brackets
      [1, 'def f(n):\n    x = n\n    return x'], // no statements at level 1
      [2, "def f(s):\n    t = 'ab'\n    return t + s"], // a value starts from a name
      [2, 'def f(s):\n    t = s.upper()\n    return s'], // t is never read
      [2, 'def f(n):\n    x = n\n    x = n + 1\n    return x'], // the first value of x is never read
      [2, 'def f(n):\n    x = 0\n    return x + n'], // no initializers at level 2
      [2, 'def f(n):\n    if n > 3:\n        return n\n    return -n'], // no compound statements
      [3, 'def f(s):\n    x = 0\n    for c in s:\n        if c.isdigit():\n            x += 1\n    return x'], // blocks nest
      [3, 'def f(n):\n    if True:\n        return n\n    return n'], // a condition starts from a name
    ];
    for (const [level, code] of yes) expect(admits(level, code), code).toBe(true);
    for (const [level, code] of no) expect(admits(level, code), code).toBe(false);
    // All of them are programs of the whole subset.
    for (const [, code] of [...yes, ...no]) expect(admits(4, code), code).toBe(true);
  });

  for (const level of PROGRAM_LEVELS) {
    it(`level ${level}: random programs keep the level's limits, and run`, async () => {
      const cap = LEVEL_SPECS[level].maxTokens;
      // level 1's cap is already the least a three-parameter program needs
      const budgets = level === 4 ? [24, 64, 128, 200] : level === 1 ? [200, cap] : [200, cap, cap - 3];
      const uniform = sample(level, 250, 10 + level, false, budgets);
      const structured = sample(level, 250, 20 + level, true, budgets);
      const all = [...uniform, ...structured];
      const readsParam = checkShapes(level, all);
      const { valid, failures } = await validity(all);
      const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
      const shapes = all.map((s) => analyse(s.code));
      console.log(
        `level ${level}: valid ${(100 * valid).toFixed(1)}% of ${all.length}, ` +
          `tokens ${mean(uniform.map((s) => s.tokens)).toFixed(1)} uniform / ${mean(structured.map((s) => s.tokens)).toFixed(1)} structured, ` +
          `statements ${mean(shapes.map((s) => s.statements)).toFixed(2)}, compound ${shapes.filter((s) => s.compound).length}, ` +
          `return reads a parameter ${(100 * readsParam).toFixed(1)}%`,
      );
      if (failures.length) console.log(failures.slice(0, 3).join('\n\n'));
      expect(valid).toBeGreaterThanOrEqual(0.95);
      if (level === 3) {
        const code = structured.map((s) => s.code).join('\n');
        expect(code).toMatch(/\n {4}for /);
        expect(code).toMatch(/\n {4}if /);
        expect(code).toMatch(/ = \d+\n/); // initializers (an int literal alone)
      }
      if (level >= 2) expect(shapes.some((s) => s.statements === LEVEL_SPECS[level === 4 ? 3 : level].maxStatements)).toBe(true);
    });
  }
});
