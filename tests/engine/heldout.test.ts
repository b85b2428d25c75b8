/** The held-out set: the shipped file's properties, determinism of the generator, and the reader. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  copyCap,
  generateHeldout,
  HELDOUT_LITERAL_TOKENS,
  HELDOUT_PATH,
  HELDOUT_PROGRAM_TOKENS,
  isCopyTask,
  outputClass,
  readHeldout,
  splitArguments,
} from '../../src/engine/heldout';
import { createNodeExecutor } from '../../src/executor/node-executor';
import type { ExecutorPool } from '../../src/executor/pool';
import { createTokenizer } from '../../src/lang/tokenizer';

const ROOT = new URL('../../', import.meta.url);

describe('the shipped held-out set', () => {
  const tasks = readHeldout(readFileSync(new URL(HELDOUT_PATH, ROOT), 'utf8'));

  it('has 192 tasks with sequential ids and unique programs', () => {
    expect(tasks).toHaveLength(192);
    expect(tasks.map((task) => task.id)).toEqual(tasks.map((_, i) => `heldout_${String(i).padStart(3, '0')}`));
    const programs = tasks.map((task) => task.code.replace(/\s+$/gm, ''));
    expect(new Set(programs).size).toBe(tasks.length);
  });

  it('respects the answer-type and answer-value caps', () => {
    const classes = new Map<string, number>();
    const values = new Map<string, number>();
    for (const task of tasks) {
      classes.set(outputClass(task.output), (classes.get(outputClass(task.output)) ?? 0) + 1);
      values.set(task.output, (values.get(task.output) ?? 0) + 1);
    }
    for (const n of classes.values()) expect(n).toBeLessThanOrEqual(Math.ceil(192 * 0.3));
    for (const n of values.values()) expect(n).toBeLessThanOrEqual(Math.floor(192 * 0.03));
  });

  it('has at most 3% copy tasks (every output one of its arguments)', () => {
    const copies = tasks.filter((task) => isCopyTask(task.pairs)).map((task) => task.id);
    expect(copyCap(192)).toBe(Math.floor(192 * 0.03));
    expect(copies.length, copies.join(', ')).toBeLessThanOrEqual(Math.floor(192 * 0.03));
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
});

describe('generateHeldout and the executor', () => {
  let pool: ExecutorPool;
  beforeAll(async () => {
    pool = await createNodeExecutor();
  });
  afterAll(() => pool?.close());

  it('gives the same tasks for the same seed', async () => {
    const first = await generateHeldout(pool, { seed: 5, count: 12, pairs: 6 });
    const second = await generateHeldout(pool, { seed: 5, count: 12, pairs: 6 });
    expect(first).toHaveLength(12);
    expect(second).toEqual(first);
    expect(first[0]!.id).toBe('heldout_000');
  }, 120_000);

  it('every pair of the shipped set is reproduced by its own program', async () => {
    const tasks = readHeldout(readFileSync(new URL(HELDOUT_PATH, ROOT), 'utf8'));
    const verdicts = await pool.run(tasks.map((task) => ({ kind: 'induction', code: task.code, pairs: task.pairs })));
    const failed = tasks.flatMap((task, i) => (verdicts[i]!.ok ? [] : [`${task.id}: ${verdicts[i]!.reason}`]));
    expect(failed).toEqual([]);
  }, 120_000);
});

describe('the copy-task classifier', () => {
  it('splits an argument list at top-level commas only', () => {
    expect(splitArguments("'a, b', [1, (2, 3)], {'k': 4}, 5")).toEqual(["'a, b'", '[1, (2, 3)]', "{'k': 4}", '5']);
    expect(splitArguments('"x\'y", \'q\\\'r\'')).toEqual(['"x\'y"', "'q\\'r'"]);
    expect(splitArguments('[1, 2]')).toEqual(['[1, 2]']);
    expect(splitArguments('')).toEqual(['']);
  });

  it('calls a task a copy task only when every output is one of its arguments', () => {
    expect(isCopyTask([['98', '98'], ['-3', '-3']])).toBe(true);
    expect(isCopyTask([['True, 0', '0'], ["False, 'ab'", "'ab'"]])).toBe(true);
    expect(isCopyTask([['True, 0', '0'], ['False, 96', '480']])).toBe(false);
    expect(isCopyTask([["'a, b'", "'a'"]])).toBe(false);
    expect(isCopyTask([['[1, 2]', '1']])).toBe(false);
  });
});

describe('readHeldout', () => {
  const good = JSON.stringify({ id: 'a', code: 'def f(x):\n    return x', input: '1', output: '1', pairs: [['1', '1']] });

  it('names the line of a malformed entry', () => {
    expect(() => readHeldout(`${good}\n{"id": "b", "code": `)).toThrow(/line 2: not valid JSON/);
    const noPairs = JSON.stringify({ id: 'c', code: 'def f(x):\n    return x', input: '1', output: '1' });
    expect(() => readHeldout(`${good}\n\n${noPairs}\n`)).toThrow(/line 3: field "pairs"/);
    const noCode = JSON.stringify({ id: 'd', input: '1', output: '1', pairs: [['1', '1']] });
    expect(() => readHeldout(noCode)).toThrow(/line 1: field "code"/);
  });

  it('reads a well-formed file', () => {
    expect(readHeldout(`${good}\n`)).toEqual([
      { id: 'a', code: 'def f(x):\n    return x', input: '1', output: '1', pairs: [['1', '1']] },
    ]);
  });
});
