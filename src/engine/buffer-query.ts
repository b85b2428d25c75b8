/**
 * The buffer explorer's query: filter the buffers by a search word, sort by solve rate, age or
 * size, and page through them. Pure, so it runs next to the buffers (in the model worker) and
 * only one page of rows crosses to the page.
 */
import type { InductionTask, Triplet } from './buffers';
import type { TaskRecord, TaskRecords } from './feed';
import type { TaskType } from './rewards';

export type BufferSort = 'age' | 'solve-rate' | 'size';

export interface BufferQuery {
  type: TaskType | 'all';
  /** words that must all appear (case-insensitive) in the id, program, inputs, outputs or message */
  search: string;
  sort: BufferSort;
  /** true: newest, best-solved or longest first */
  descending: boolean;
  offset: number;
  limit: number;
}

export interface BufferRow {
  id: string;
  type: TaskType;
  /** step it was proposed at (0: seeding) */
  step: number;
  program: string;
  inputs: string[];
  outputs: string[];
  message?: string;
  /** program length in characters */
  size: number;
  record: TaskRecord | null;
  /** correct solver attempts over all attempts, null before any */
  solveRate: number | null;
}

export interface BufferPage {
  /** tasks in the buffers searched */
  total: number;
  /** tasks matching the search */
  matched: number;
  rows: BufferRow[];
}

type Buffers = { deduction: readonly Triplet[]; abduction: readonly Triplet[]; induction: readonly InductionTask[] };

export function rowOf(type: TaskType, item: Triplet | InductionTask, records: TaskRecords): BufferRow {
  const record = records.get(type, item.id) ?? null;
  const induction = 'inputs' in item;
  return {
    id: item.id,
    type,
    step: item.step,
    program: item.code,
    inputs: induction ? item.inputs : [item.input],
    outputs: induction ? item.outputs : [item.output],
    ...(induction ? { message: item.message } : {}),
    size: item.code.length,
    record,
    solveRate: record && record.attempts > 0 ? record.correct / record.attempts : null,
  };
}

function matches(row: BufferRow, words: string[]): boolean {
  if (words.length === 0) return true;
  const haystack = [row.id, row.program, ...row.inputs, ...row.outputs, row.message ?? ''].join('\n').toLowerCase();
  return words.every((word) => haystack.includes(word));
}

const SORT_KEYS: Record<BufferSort, (row: BufferRow) => number> = {
  age: (row) => row.step,
  // Tasks never attempted sort below every attempted one, whatever the direction.
  'solve-rate': (row) => row.solveRate ?? -1,
  size: (row) => row.size,
};

export function queryBuffers(buffers: Buffers, records: TaskRecords, query: BufferQuery): BufferPage {
  const types: TaskType[] = query.type === 'all' ? ['deduction', 'abduction', 'induction'] : [query.type];
  const words = query.search.toLowerCase().split(/\s+/).filter(Boolean);
  // Index within its buffer breaks ties, so equal keys keep the buffer's (insertion) order.
  const all = types.flatMap((type) => buffers[type].map((item, index) => ({ row: rowOf(type, item, records), index })));
  const found = all.filter(({ row }) => matches(row, words));
  const key = SORT_KEYS[query.sort];
  const sign = query.descending ? -1 : 1;
  found.sort((a, b) => sign * (key(a.row) - key(b.row) || a.index - b.index));
  const offset = Math.max(0, Math.floor(query.offset));
  const limit = Math.max(1, Math.min(200, Math.floor(query.limit)));
  return { total: all.length, matched: found.length, rows: found.slice(offset, offset + limit).map(({ row }) => row) };
}
