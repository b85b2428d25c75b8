/** The held-out set: the shipped file's properties, determinism of the generator, and the reader. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELDOUT_DEFAULTS } from '../../src/cli/heldout';
import {
  CLASS_SHARE,
  copyCap,
  formatHeldout,
  generateHeldout,
  generateHeldoutReport,
  HELDOUT_LITERAL_TOKENS,
  HELDOUT_PATH,
  HELDOUT_PROGRAM_TOKENS,
  heldoutMatcher,
  isCopyTask,
  OutputCaps,
  outputClass,
  programKey,
  readHeldout,
  renamingKey,
  splitArguments,
  valueCapOf,
  valueKey,
} from '../../src/engine/heldout';
import { createNodeExecutor } from '../../src/executor/node-executor';
import type { ExecutorPool } from '../../src/executor/pool';
import { PROGRAM_LEVELS } from '../../src/lang/levels';
import { createTokenizer } from '../../src/lang/tokenizer';

const ROOT = new URL('../../', import.meta.url);

const PER_LEVEL = 64;

describe('the shipped held-out set', () => {
  const tasks = readHeldout(readFileSync(new URL(HELDOUT_PATH, ROOT), 'utf8'));
  const byLevel = PROGRAM_LEVELS.map((level) => tasks.filter((task) => task.level === level));

  it('has 64 tasks at each level, in level order, with sequential ids and unique programs', () => {
    expect(tasks).toHaveLength(PER_LEVEL * PROGRAM_LEVELS.length);
    expect(tasks.map((task) => task.level)).toEqual(PROGRAM_LEVELS.flatMap((level) => Array<number>(PER_LEVEL).fill(level)));
    expect(tasks.map((task) => task.id)).toEqual(
      PROGRAM_LEVELS.flatMap((level) => Array.from({ length: PER_LEVEL }, (_, i) => `heldout_L${level}_${String(i).padStart(3, '0')}`)),
    );
    expect(new Set(tasks.map((task) => programKey(task.code))).size).toBe(tasks.length);
    // Not even a renaming of another program (`len(s)` and `len(t)`).
    expect(new Set(tasks.map((task) => renamingKey(task.code))).size).toBe(tasks.length);
  });

  it('respects the answer-type and answer-value caps within each level, counting == -equal values as one', () => {
    for (const level of byLevel) {
      const classes = new Map<string, number>();
      const values = new Map<string, number>();
      for (const task of level) {
        classes.set(outputClass(task.output), (classes.get(outputClass(task.output)) ?? 0) + 1);
        values.set(valueKey(task.output), (values.get(valueKey(task.output)) ?? 0) + 1);
      }
      for (const n of classes.values()) expect(n).toBeLessThanOrEqual(Math.ceil(PER_LEVEL * CLASS_SHARE));
      for (const [value, n] of values) expect(n, `${level[0]!.level}: ${value}`).toBeLessThanOrEqual(valueCapOf(PER_LEVEL));
    }
  });

  it('has at most 3% copy tasks per level (every output one of its arguments)', () => {
    expect(copyCap(PER_LEVEL)).toBe(Math.max(1, Math.floor(PER_LEVEL * 0.03)));
    for (const level of byLevel) {
      const copies = level.filter((task) => isCopyTask(task.pairs)).map((task) => task.id);
      expect(copies.length, copies.join(', ')).toBeLessThanOrEqual(copyCap(PER_LEVEL));
    }
  });

  it('has outputs that vary within each task, and fits the token limits', () => {
    const tokenizer = createTokenizer();
    for (const task of tasks) {
      expect(task.pairs).toHaveLength(6);
      expect([task.input, task.output]).toEqual(task.pairs[0]);
      expect(new Set(task.pairs.map(([, output]) => output)).size, task.id).toBeGreaterThan(1);
      expect(new Set(task.pairs.map(([input]) => input)).size, task.id).toBe(6);
      expect(tokenizer.encode(task.code).length, task.id).toBeLessThanOrEqual(HELDOUT_PROGRAM_TOKENS);
      for (const [input, output] of task.pairs) {
        expect(tokenizer.encode(input).length, task.id).toBeLessThanOrEqual(HELDOUT_LITERAL_TOKENS);
        expect(tokenizer.encode(output).length, task.id).toBeLessThanOrEqual(HELDOUT_LITERAL_TOKENS);
      }
    }
  });

  it('has level-1 programs that are one line: return <expr>', () => {
    for (const task of byLevel[0]!) expect(task.code, task.id).toMatch(/^def f\([^)]*\):\n {4}return [^\n]+\n?$/);
  });

  it('is written in its own format', () => {
    expect(formatHeldout(tasks)).toBe(readFileSync(new URL(HELDOUT_PATH, ROOT), 'utf8'));
  });
});

describe('generateHeldout and the executor', () => {
  let pool: ExecutorPool;
  beforeAll(async () => {
    pool = await createNodeExecutor();
  });
  afterAll(() => pool?.close());

  it('gives the same tasks for the same seed, level by level', async () => {
    const first = await generateHeldout(pool, { seed: 5, perLevel: 6, pairs: 6 });
    const second = await generateHeldout(pool, { seed: 5, perLevel: 6, pairs: 6 });
    expect(first).toHaveLength(24);
    expect(second).toEqual(first);
    expect(first.map((task) => task.level)).toEqual(PROGRAM_LEVELS.flatMap((level) => Array<number>(6).fill(level)));
    expect(first[0]!.id).toBe('heldout_L1_000');
    expect(first[6]!.id).toBe('heldout_L2_000');
    // Each level draws from its own stream: asking for one level alone gives the same tasks
    // (programs are unique across the set, so only the first level is sure to match exactly).
    const alone = await generateHeldout(pool, { seed: 5, perLevel: 6, levels: [1], pairs: 6 });
    expect(alone).toEqual(first.slice(0, 6));
    const other = await generateHeldout(pool, { seed: 6, perLevel: 6, levels: [1], pairs: 6 });
    expect(other).not.toEqual(alone);
  }, 180_000);

  it('caps one output value per level, counting 0 and False (1 and True) as one', async () => {
    // 3% of 20 rounds down to 0: the cap is one task per value.
    const report = await generateHeldoutReport(pool, { seed: 11, perLevel: 20, levels: [1, 2], pairs: 6 });
    expect(report.levels.map((level) => level.level)).toEqual([1, 2]);
    expect(report.levels.reduce((sum, level) => sum + level.draws, 0)).toBe(report.draws);
    for (const level of [1, 2]) {
      const keys = report.tasks.filter((task) => task.level === level).map((task) => valueKey(task.output));
      expect(new Set(keys).size, keys.join(' ')).toBe(keys.length);
    }
  }, 180_000);

  it('refuses bad options', async () => {
    await expect(generateHeldout(pool, { seed: 1, perLevel: 0, pairs: 6 })).rejects.toThrow(/perLevel/);
    await expect(generateHeldout(pool, { seed: 1, perLevel: 2, levels: [5 as 1], pairs: 6 })).rejects.toThrow(/level must be one of/);
  });

  it('every pair of the shipped set is reproduced by its own program', async () => {
    const tasks = readHeldout(readFileSync(new URL(HELDOUT_PATH, ROOT), 'utf8'));
    const verdicts = await pool.run(tasks.map((task) => ({ kind: 'induction', code: task.code, pairs: task.pairs })));
    const failed = tasks.flatMap((task, i) => (verdicts[i]!.ok ? [] : [`${task.id}: ${verdicts[i]!.reason}`]));
    expect(failed).toEqual([]);
  }, 120_000);

  it('the shipped set is what the default seed generates', async () => {
    const shipped = readHeldout(readFileSync(new URL(HELDOUT_PATH, ROOT), 'utf8'));
    const fresh = await generateHeldout(pool, { seed: HELDOUT_DEFAULTS.seed, perLevel: HELDOUT_DEFAULTS.perLevel, pairs: HELDOUT_DEFAULTS.pairs });
    expect(fresh).toEqual(shipped);
  }, 600_000);
});

describe('OutputCaps', () => {
  it('admits an output value once and an output class up to its cap, counting == values together', () => {
    const caps = new OutputCaps(1, 2);
    expect(caps.admit('0')).toBe(true);
    expect(caps.admit('False')).toBe(false); // == 0
    expect(caps.admit('True')).toBe(true);
    expect(caps.admit('5')).toBe(true); // the second int
    expect(caps.admit('6')).toBe(false); // ints are full
    expect(caps.admit("'a'")).toBe(true);
  });

  it('names the class cap before the value cap, and counts what it takes', () => {
    const caps = new OutputCaps(1, 1);
    expect(caps.refusal('7')).toBeNull();
    caps.take('7');
    expect(caps.refusal('7')).toBe('class'); // both caps are full: the class is named
    expect(caps.refusal('[7]')).toBeNull();
    const values = new OutputCaps(2);
    values.take('[]');
    values.take('[]');
    expect(values.refusal('[]')).toBe('value');
    expect(values.refusal('[1]')).toBeNull();
  });
});

describe('renamingKey', () => {
  it('is one key for programs that differ only in names of one type', () => {
    expect(renamingKey('def f(s):\n    return len(s)')).toBe(renamingKey('def f(t):\n    return len(t)  \n'));
    expect(renamingKey('def f(n, m):\n    return n - m')).toBe(renamingKey('def f(x, y):\n    return x - y'));
    expect(renamingKey('def f(n, m):\n    return n - m')).not.toBe(renamingKey('def f(n, m):\n    return m - n'));
    expect(renamingKey('def f(n):\n    return [n]')).not.toBe(renamingKey('def f(s):\n    return [s]'));
    expect(renamingKey("def f(s):\n    return s + 's'")).not.toBe(renamingKey("def f(s):\n    return s + 't'"));
    expect(renamingKey('def f(nums):\n    return nums.count(1)')).toBe(renamingKey('def f(lst):\n    return lst.count(1)'));
  });
});

describe('heldoutMatcher', () => {
  it('knows a held-out program under other names of the same types, and nothing else', () => {
    const isHeldout = heldoutMatcher([{ code: 'def f(x):\n    return (-x)' }, { code: 'def f(s, n):\n    return s * n' }]);
    expect(isHeldout('def f(x):\n    return (-x)')).toBe(true);
    expect(isHeldout('def f(m):\n    return (-m)\n')).toBe(true);
    expect(isHeldout('def f(t, k):\n    return t * k')).toBe(true);
    // other types, another body, the arguments the other way round
    expect(isHeldout('def f(ok):\n    return (-ok)')).toBe(false);
    expect(isHeldout('def f(x):\n    return (-x) + 1')).toBe(false);
    expect(isHeldout('def f(n, s):\n    return s * n')).toBe(false);
    expect(heldoutMatcher([])('def f(x):\n    return x')).toBe(false);
  });
});

describe('the copy-task classifier', () => {
  it('splits an argument list at top-level commas only', () => {
    expect(splitArguments("'a, b', [1, (2, 3)], {'k': 4}, 5")).toEqual(["'a, b'", '[1, (2, 3)]', "{'k': 4}", '5']);
    expect(splitArguments("\"x'y\", 'q\\'r'")).toEqual(['"x\'y"', "'q\\'r'"]);
    expect(splitArguments('[1, 2]')).toEqual(['[1, 2]']);
    expect(splitArguments('')).toEqual(['']);
  });

  it('calls a task a copy task only when every output is one of its arguments', () => {
    expect(
      isCopyTask([
        ['98', '98'],
        ['-3', '-3'],
      ]),
    ).toBe(true);
    expect(
      isCopyTask([
        ['True, 0', '0'],
        ["False, 'ab'", "'ab'"],
      ]),
    ).toBe(true);
    expect(
      isCopyTask([
        ['True, 0', '0'],
        ['False, 96', '480'],
      ]),
    ).toBe(false);
    expect(isCopyTask([["'a, b'", "'a'"]])).toBe(false);
    expect(isCopyTask([['[1, 2]', '1']])).toBe(false);
  });
});

describe('readHeldout', () => {
  const good = JSON.stringify({ id: 'a', level: 2, code: 'def f(x):\n    return x', input: '1', output: '1', pairs: [['1', '1']] });
  const line = (fields: Record<string, unknown>) =>
    JSON.stringify({ id: 'e', code: 'def f(x):\n    return x', input: '1', output: '1', pairs: [['1', '1']], ...fields });

  it('names the line of a malformed entry', () => {
    expect(() => readHeldout(`${good}\n{"id": "b", "code": `)).toThrow(/line 2: not valid JSON/);
    const noPairs = JSON.stringify({ id: 'c', code: 'def f(x):\n    return x', input: '1', output: '1' });
    expect(() => readHeldout(`${good}\n\n${noPairs}\n`)).toThrow(/line 3: field "pairs"/);
    const noCode = JSON.stringify({ id: 'd', input: '1', output: '1', pairs: [['1', '1']] });
    expect(() => readHeldout(noCode)).toThrow(/line 1: field "code"/);
  });

  it('refuses a level that is not one of the levels, naming the line', () => {
    expect(() => readHeldout(`${good}\n${line({ level: 5 })}`)).toThrow(/line 2: field "level"/);
    expect(() => readHeldout(line({ level: 0 }))).toThrow(/line 1: field "level"/);
    expect(() => readHeldout(line({ level: 2.5 }))).toThrow(/line 1: field "level"/);
    expect(() => readHeldout(line({ level: '2' }))).toThrow(/line 1: field "level"/);
    expect(() => readHeldout(line({ level: null }))).toThrow(/line 1: field "level"/);
  });

  it('reads a well-formed file, and a line without a level as level 4', () => {
    expect(readHeldout(`${good}\n${line({})}\n`)).toEqual([
      { id: 'a', level: 2, code: 'def f(x):\n    return x', input: '1', output: '1', pairs: [['1', '1']] },
      { id: 'e', level: 4, code: 'def f(x):\n    return x', input: '1', output: '1', pairs: [['1', '1']] },
    ]);
  });

  it('reads back what formatHeldout writes', () => {
    const tasks = readHeldout(`${good}\n${line({ level: 1 })}\n`);
    expect(readHeldout(formatHeldout(tasks))).toEqual(tasks);
    expect(formatHeldout(tasks).split('\n')[0]).toBe(good);
  });
});
