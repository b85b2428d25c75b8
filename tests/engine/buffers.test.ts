import { describe, expect, it } from 'vitest';
import { BUFFER_CAPACITY, TaskBuffer } from '../../src/engine/buffers';
import { inductionSolverTask } from '../../src/engine/self-play';
import { createRng } from '../../src/shared/rng';

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

  it('keeps at most its capacity, dropping the oldest and saying which', () => {
    const buffer = new TaskBuffer([1, 2, 3], 3);
    expect(buffer.add(4)).toBe(1);
    expect(buffer.items).toEqual([2, 3, 4]);
    expect(new TaskBuffer([1, 2, 3, 4, 5], 3).items).toEqual([3, 4, 5]);
    expect(new TaskBuffer<number>([], 3).add(1)).toBeUndefined();
    expect(new TaskBuffer().capacity).toBe(BUFFER_CAPACITY);
  });

  it('is reproducible from the seed', () => {
    expect(numbers(50).solverBatch(8, 2, createRng(9))).toEqual(numbers(50).solverBatch(8, 2, createRng(9)));
  });
});

describe('the induction split', () => {
  it('shows the first half of the pairs with the message and hides the rest', () => {
    const task = inductionSolverTask({
      id: 'x',
      code: 'def f(n):\n    return n + 1',
      inputs: ['1', '2', '3', '4'],
      outputs: ['2', '3', '4', '5'],
      message: 'add one',
      step: 1,
    });
    expect(task.shown).toEqual([
      ['1', '2'],
      ['2', '3'],
    ]);
    expect(task.hidden).toEqual([
      ['3', '4'],
      ['4', '5'],
    ]);
    expect(task.message).toBe('add one');
  });

  it('rounds an odd split towards showing, keeping at least one hidden pair', () => {
    const task = inductionSolverTask({ id: 'x', code: 'def f(n):\n    return n', inputs: ['1', '2', '3'], outputs: ['1', '2', '3'], message: '', step: 1 });
    expect(task.shown).toHaveLength(2);
    expect(task.hidden).toEqual([['3', '3']]);
  });
});

describe('solver batches balanced by answer', () => {
  // 40 tasks answered False, 10 answered 0 (== False), 5 ints, 5 strs, 2 lists.
  const outputs = [...Array(40).fill('False'), ...Array(10).fill('0'), '1', '2', '3', '4', '5', "'a'", "'b'", "'c'", "'d'", "'e'", '[1]', '[2]'];
  const buffer = new TaskBuffer(outputs.map((output, i) => ({ id: `t${i}`, output })));
  const of = (t: { output: string }) => t.output;

  it('lets no value Python calls equal fill more than a quarter of a batch', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const batch = buffer.balancedBatch(16, 0, createRng(seed), of);
      expect(batch).toHaveLength(16);
      expect(batch.filter((t) => t.output === 'False' || t.output === '0').length).toBeLessThanOrEqual(4);
    }
  });

  it('draws every output class about equally, though the buffer is mostly bools', () => {
    const counts = new Map<string, number>();
    for (let seed = 1; seed <= 50; seed++) {
      for (const t of buffer.balancedBatch(8, 0, createRng(seed), of)) {
        const kind = t.output.startsWith("'") ? 'str' : t.output.startsWith('[') ? 'list' : t.output === 'False' ? 'bool' : 'int';
        counts.set(kind, (counts.get(kind) ?? 0) + 1);
      }
    }
    // 400 draws over 4 classes: about 100 each, though bools are 40 of the 62 tasks; False and 0
    // share the value cap (2 of a batch of 8), so bools get at most 100.
    for (const kind of ['str', 'list', 'int']) expect(counts.get(kind) ?? 0, kind).toBeGreaterThan(70);
    expect(counts.get('bool') ?? 0).toBeGreaterThan(30);
    expect(counts.get('bool') ?? 0).toBeLessThanOrEqual(100);
  });

  it("still puts this step's new tasks first, and is reproducible from the seed", () => {
    const batch = buffer.balancedBatch(8, 3, createRng(4), of);
    expect(batch.slice(0, 3).map((t) => t.id)).toEqual(['t61', 't60', 't59']);
    expect(buffer.balancedBatch(8, 3, createRng(4), of)).toEqual(batch);
    expect(new TaskBuffer<{ output: string }>([]).balancedBatch(4, 0, createRng(1), of)).toEqual([]);
  });
});
