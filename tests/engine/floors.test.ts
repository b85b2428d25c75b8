/** Trivial floors, graded by the real executor on hand-made tasks whose floor is known. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvalTask } from '../../src/engine/evaluate';
import { commonValues, trivialFloors } from '../../src/engine/floors';
import { valueKey } from '../../src/engine/heldout';
import { createNodeExecutor } from '../../src/executor/node-executor';
import type { ExecutorPool } from '../../src/executor/pool';

function task(id: string, code: string, pairs: [string, string][]): EvalTask {
  return { id, code, input: pairs[0]![0], output: pairs[0]![1], pairs };
}

describe('valueKey and commonValues', () => {
  it('puts values that == makes equal under one key', () => {
    expect(valueKey('False')).toBe(valueKey('0'));
    expect(valueKey('True')).toBe(valueKey('1'));
    expect(valueKey('[True, False]')).toBe(valueKey('[1, 0]'));
    expect(valueKey('(0, True)')).toBe(valueKey('(False, 1)'));
    expect(valueKey('-0')).toBe('0');
    expect(valueKey('10')).toBe('10');
    expect(valueKey("'True'")).toBe("'True'");
    expect(valueKey('[1, 0]')).not.toBe(valueKey('(1, 0)'));
    expect(valueKey('100')).not.toBe(valueKey('1'));
  });

  it('counts equal values together and keeps the commonest spelling', () => {
    expect(commonValues(['0', '0', 'False', "'a'", "'a'", '5'])).toEqual(['0', "'a'", '5']);
    expect(commonValues(['2', '1', '3'], 2)).toEqual(['1', '2']);
  });
});

describe('trivialFloors with the real executor', () => {
  let pool: ExecutorPool;
  beforeAll(async () => {
    pool = await createNodeExecutor({ workers: 2 });
  });
  afterAll(() => pool?.close());

  it('has no floor on no tasks', async () => {
    expect(await trivialFloors(pool, [], 'deduction')).toEqual({ best: { name: 'none', accuracy: 0 }, strategies: [] });
  });

  it('finds a constant that == makes right on every task (0 == False)', async () => {
    const tasks = [
      task('a', 'def f(n):\n    return n - n', [
        ['3', '0'],
        ['4', '0'],
      ]),
      task('b', 'def f(n):\n    return n * 0', [
        ['5', '0'],
        ['6', '0'],
      ]),
      task('c', 'def f(s):\n    return len(s) - len(s)', [
        ["'x'", '0'],
        ["'yy'", '0'],
      ]),
      task('d', 'def f(n):\n    return n < 0', [
        ['7', 'False'],
        ['-1', 'True'],
      ]),
    ];
    const floors = await trivialFloors(pool, tasks, 'deduction');
    expect(floors.best).toEqual({ name: 'constant', answer: '0', accuracy: 1 });
    const copy0 = floors.strategies.find((s) => s.name === 'copy-arg-0')!;
    expect(copy0.accuracy).toBe(0);
  }, 60_000);

  it('finds the copy floor of deduction, per argument position', async () => {
    const tasks = [
      task('a', 'def f(n, s):\n    return s', [
        ["1, 'p'", "'p'"],
        ["2, 'q'", "'q'"],
      ]),
      task('b', 'def f(n, m):\n    return m', [
        ['1, 7', '7'],
        ['2, 8', '8'],
      ]),
      task('c', 'def f(n, s):\n    return s', [
        ["4, 'r'", "'r'"],
        ["5, 't'", "'t'"],
      ]),
      task('d', 'def f(n):\n    return n + 1', [
        ['1', '2'],
        ['2', '3'],
      ]),
    ];
    const floors = await trivialFloors(pool, tasks, 'deduction');
    expect(floors.best).toEqual({ name: 'copy-arg-1', accuracy: 0.75 });
    expect(floors.strategies.find((s) => s.name === 'copy-arg-0')!.accuracy).toBe(0);
    expect(floors.strategies.find((s) => s.name === 'copy-arg-2')!.accuracy).toBe(0);
    expect(floors.strategies.find((s) => s.name === 'constant')!.accuracy).toBe(0.25);
  }, 60_000);

  it('finds the copy-output floor of abduction on identity programs', async () => {
    const tasks = [
      task('a', 'def f(a):\n    return a', [
        ["'hi'", "'hi'"],
        ["'yo'", "'yo'"],
      ]),
      task('b', 'def f(nums):\n    return nums', [
        ['[1, 2]', '[1, 2]'],
        ['[3]', '[3]'],
      ]),
      task('c', 'def f(n):\n    return n', [
        ['9', '9'],
        ['8', '8'],
      ]),
    ];
    const floors = await trivialFloors(pool, tasks, 'abduction');
    expect(floors.best).toEqual({ name: 'copy-output', accuracy: 1 });
  }, 60_000);

  it('scores typed defaults and constant inputs in abduction, and wrong arity as wrong', async () => {
    const tasks = [
      task('a', 'def f(n, s):\n    return n + len(s)', [
        ["3, 'ab'", '5'],
        ["1, ''", '1'],
      ]),
      task('b', 'def f(nums):\n    return sum(nums)', [
        ['[4]', '4'],
        ['[1, 2]', '3'],
      ]),
      task('c', 'def f(n, s):\n    return len(s) * 2', [
        ["0, 'x'", '2'],
        ["1, 'yy'", '4'],
      ]),
    ];
    // a: `1, ''` gives 1, not 5; b: `[]` gives 0, not 4; c: `0, ''` gives 0, not 2.
    // typed-default-1 (`1, 'a'` / `[0]`): a gives 2, b gives 0, c gives 2: one right.
    const floors = await trivialFloors(pool, tasks, 'abduction');
    expect(floors.strategies.find((s) => s.name === 'typed-default-1')!.accuracy).toBeCloseTo(1 / 3);
    expect(floors.strategies.find((s) => s.name === 'copy-output')!.accuracy).toBe(0);
    // The constant input `3, 'ab'` answers a, and c with len('ab') * 2 == 4 != 2: one right.
    expect(floors.strategies.find((s) => s.name === 'constant-input')!.accuracy).toBeCloseTo(1 / 3);
  }, 60_000);

  it('finds the return-a-parameter floor of induction, keeping the parameter names', async () => {
    const tasks = [
      task('a', 'def f(x, y):\n    return y', [
        ['1, 2', '2'],
        ['3, 4', '4'],
        ['5, 6', '6'],
        ['7, 8', '8'],
      ]),
      task('b', 'def f(s, t):\n    if len(s) > 9:\n        return s\n    return t', [
        ["'a', 'b'", "'b'"],
        ["'c', 'd'", "'d'"],
      ]),
      task('c', 'def f(n):\n    return n * 2', [
        ['1', '2'],
        ['2', '4'],
      ]),
      task('d', 'def f(n):\n    return n', [['1', '1']]),
    ];
    const floors = await trivialFloors(pool, tasks, 'induction');
    // d has a single pair: it cannot be graded, and counts as wrong.
    expect(floors.best).toEqual({ name: 'return-param-1', accuracy: 0.5 });
    expect(floors.strategies.find((s) => s.name === 'return-param-0')!.accuracy).toBe(0);
  }, 60_000);

  it('finds the constant floor of induction from the hidden pairs', async () => {
    const tasks = [
      // Shown pairs vary, hidden pairs are all True: `return True` passes, and so does `return 1`.
      task('a', 'def f(n):\n    return n > 2', [
        ['1', 'False'],
        ['5', 'True'],
        ['6', 'True'],
      ]),
      task('b', 'def f(n):\n    return n % 2', [
        ['2', '0'],
        ['3', '1'],
        ['5', '1'],
      ]),
      task('c', 'def f(n):\n    return n + 1', [
        ['1', '2'],
        ['2', '3'],
        ['3', '4'],
      ]),
    ];
    const floors = await trivialFloors(pool, tasks, 'induction');
    const constant = floors.strategies.find((s) => s.name === 'return-constant')!;
    expect(constant.accuracy).toBeCloseTo(2 / 3);
    expect(['1', 'True']).toContain(constant.answer);
    expect(floors.best.name).toBe('return-constant');
  }, 60_000);
});
