import { describe, expect, it } from 'vitest';
import { TaskBuffer } from '../../src/engine/buffers';
import { inductionSolverTask } from '../../src/engine/self-play';
import { createRng } from '../../src/model/rng';

const numbers = (n: number) => new TaskBuffer(Array.from({ length: n }, (_, i) => i));

describe('task buffers', () => {
  it('gives the solver the newest proposals first, newest at the front', () => {
    const batch = numbers(20).solverBatch(4, 3, createRng(1));
    expect(batch.slice(0, 3)).toEqual([19, 18, 17]);
    expect(batch).toHaveLength(4);
  });

  it('fills the rest of a solver batch uniformly from the whole buffer', () => {
    const buffer = numbers(10);
    const rng = createRng(2);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 2000; i++) for (const item of buffer.solverBatch(5, 0, rng)) counts[item]! += 1;
    // 10,000 draws over 10 items: each near 1,000.
    for (const c of counts) expect(c).toBeGreaterThan(850);
    for (const c of counts) expect(c).toBeLessThan(1150);
  });

  it('draws distinct references, at most the buffer size', () => {
    const rng = createRng(3);
    const refs = numbers(6).uniformDistinct(4, rng);
    expect(new Set(refs).size).toBe(4);
    expect(numbers(2).uniformDistinct(6, rng).sort()).toEqual([0, 1]);
  });

  it('returns nothing from an empty buffer', () => {
    const empty = new TaskBuffer<number>();
    expect(empty.solverBatch(4, 2, createRng(1))).toEqual([]);
    expect(empty.uniform(createRng(1))).toBeUndefined();
  });

  it('is reproducible from the seed', () => {
    expect(numbers(50).solverBatch(8, 2, createRng(9))).toEqual(numbers(50).solverBatch(8, 2, createRng(9)));
  });
});

describe('the induction split', () => {
  it('shows the first half of the pairs with the message and hides the rest', () => {
    const task = inductionSolverTask({ id: 'x', code: 'def f(n):\n    return n + 1', inputs: ['1', '2', '3', '4'], outputs: ['2', '3', '4', '5'], message: 'add one', step: 1 });
    expect(task.shown).toEqual([['1', '2'], ['2', '3']]);
    expect(task.hidden).toEqual([['3', '4'], ['4', '5']]);
    expect(task.message).toBe('add one');
  });

  it('rounds an odd split towards showing, keeping at least one hidden pair', () => {
    const task = inductionSolverTask({ id: 'x', code: 'def f(n):\n    return n', inputs: ['1', '2', '3'], outputs: ['1', '2', '3'], message: '', step: 1 });
    expect(task.shown).toHaveLength(2);
    expect(task.hidden).toEqual([['3', '3']]);
  });
});
