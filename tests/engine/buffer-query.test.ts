import { describe, expect, it } from 'vitest';
import { type BufferQuery, queryBuffers } from '../../src/engine/buffer-query';
import type { InductionTask, Triplet } from '../../src/engine/buffers';
import { TaskRecords } from '../../src/engine/feed';

const triplet = (id: string, code: string, step: number, input = '1', output = '2'): Triplet => ({ id, code, input, output, step });
const buffers = {
  deduction: [
    triplet('d1', 'def f(a):\n    return sorted(a, reverse=True)', 1, '[3, 1]', '[1, 3]'),
    triplet('d2', 'def f(a):\n    return a * 2', 2),
    triplet('d3', 'def f(s):\n    return s.upper()', 3, "'ab'", "'AB'"),
  ],
  abduction: [triplet('a1', 'def f(x):\n    return x + 1', 2)],
  induction: [
    { id: 'i1', code: 'def f(n):\n    return n % 3', inputs: ['4', '5'], outputs: ['1', '2'], message: 'remainder by three', step: 4 } satisfies InductionTask,
  ],
};
const query = (change: Partial<BufferQuery>): BufferQuery => ({ type: 'all', search: '', sort: 'age', descending: true, offset: 0, limit: 10, ...change });

describe('the buffer explorer query', () => {
  it('finds tasks by a word of the program, input, output or message, case-insensitively', () => {
    const records = new TaskRecords();
    expect(queryBuffers(buffers, records, query({ search: 'SORTED' })).rows.map((r) => r.id)).toEqual(['d1']);
    expect(queryBuffers(buffers, records, query({ search: "'AB'" })).rows.map((r) => r.id)).toEqual(['d3']);
    expect(queryBuffers(buffers, records, query({ search: 'three' })).rows.map((r) => r.id)).toEqual(['i1']);
    // Every word must appear, anywhere in the task.
    const both = queryBuffers(buffers, records, query({ search: 'upper ab' }));
    expect(both.rows.map((r) => r.id)).toEqual(['d3']);
    expect(both).toMatchObject({ total: 5, matched: 1 });
    expect(queryBuffers(buffers, records, query({ search: 'return' })).matched).toBe(5);
    expect(queryBuffers(buffers, records, query({ search: 'nothing-like-this' })).matched).toBe(0);
  });

  it('limits to one buffer and pages through it', () => {
    const records = new TaskRecords();
    const page = queryBuffers(buffers, records, query({ type: 'deduction', sort: 'age', descending: false, offset: 1, limit: 1 }));
    expect(page).toMatchObject({ total: 3, matched: 3 });
    expect(page.rows.map((r) => r.id)).toEqual(['d2']);
  });

  it('sorts by solve rate from the records, tasks never tried last, and by size', () => {
    const records = new TaskRecords();
    records.record('deduction', 'd1', 5, 'correct', '[1, 3]');
    records.record('deduction', 'd1', 6, 'wrong', '[3]');
    records.record('deduction', 'd2', 6, 'correct', '2');
    const rate = queryBuffers(buffers, records, query({ type: 'deduction', sort: 'solve-rate' }));
    expect(rate.rows.map((r) => [r.id, r.solveRate])).toEqual([
      ['d2', 1],
      ['d1', 0.5],
      ['d3', null],
    ]);
    expect(rate.rows[1]!.record!.history.map((h) => h.outcome)).toEqual(['correct', 'wrong']);
    const size = queryBuffers(buffers, records, query({ sort: 'size', descending: false }));
    expect(size.rows[0]!.size).toBeLessThanOrEqual(size.rows[1]!.size);
    expect(size.rows.at(-1)!.id).toBe('d1');
  });

  it('keeps only the latest attempts in a task record, and survives a save', () => {
    const records = new TaskRecords();
    for (let step = 1; step <= 30; step++) records.record('abduction', 'a1', step, step % 2 ? 'correct' : 'malformed', String(step));
    const saved = JSON.parse(JSON.stringify(records.toJSON()));
    const restored = new TaskRecords(saved).get('abduction', 'a1')!;
    expect(restored.attempts).toBe(30);
    expect(restored.correct).toBe(15);
    expect(restored.history).toHaveLength(20);
    expect(restored.history[0]!.step).toBe(11);
    expect(new TaskRecords(saved).get('deduction', 'a1')).toBeUndefined();
  });
});

describe('task records', () => {
  it('forget a task that left its buffer, under its type only', () => {
    const records = new TaskRecords();
    records.record('deduction', 'd1', 1, 'correct', '2');
    records.record('abduction', 'd1', 1, 'wrong', '3');
    records.forget('deduction', 'd1');
    expect(records.get('deduction', 'd1')).toBeUndefined();
    expect(records.get('abduction', 'd1')).toMatchObject({ attempts: 1, correct: 0 });
  });
});
