/** Reading CRUXEval-format task files: one {"id","code","input","output"} object a line. */
import { jsonlLines } from '../engine/jsonl';
import type { VerifyRequest } from '../executor/types';

export interface TaskLine {
  id: string;
  /** Absent when the line is malformed; `problem` then says why. */
  request?: VerifyRequest;
  problem?: string;
  /** the line's whole object, when it is one (other fields, such as induction pairs) */
  record?: Record<string, unknown>;
}

export function parseTaskLines(text: string): TaskLine[] {
  const tasks: TaskLine[] = [];
  for (const entry of jsonlLines(text)) {
    const fallbackId = `line ${entry.line}`;
    if ('problem' in entry) {
      tasks.push({ id: fallbackId, problem: entry.problem });
      continue;
    }
    const { record } = entry;
    const id = typeof record.id === 'string' || typeof record.id === 'number' ? String(record.id) : fallbackId;
    const missing = ['code', 'input', 'output'].filter((key) => typeof record[key] !== 'string');
    if (missing.length > 0) {
      tasks.push({ id, problem: `missing or non-string field${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`, record });
      continue;
    }
    tasks.push({
      id,
      record,
      request: {
        kind: 'verify',
        code: record.code as string,
        input: record.input as string,
        output: record.output as string,
      },
    });
  }
  return tasks;
}
