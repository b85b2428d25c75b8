/** Reading CRUXEval-format task files: one {"id","code","input","output"} object a line. */
import type { VerifyRequest } from '../executor/types';

export interface TaskLine {
  id: string;
  /** Absent when the line is malformed; `problem` then says why. */
  request?: VerifyRequest;
  problem?: string;
}

export function parseTaskLines(text: string): TaskLine[] {
  const tasks: TaskLine[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    const fallbackId = `line ${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      tasks.push({ id: fallbackId, problem: 'not valid JSON' });
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      tasks.push({ id: fallbackId, problem: 'not a JSON object' });
      return;
    }
    const record = value as Record<string, unknown>;
    const id = typeof record.id === 'string' || typeof record.id === 'number' ? String(record.id) : fallbackId;
    const missing = ['code', 'input', 'output'].filter((key) => typeof record[key] !== 'string');
    if (missing.length > 0) {
      tasks.push({ id, problem: `missing or non-string field${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}` });
      return;
    }
    tasks.push({
      id,
      request: {
        kind: 'verify',
        code: record.code as string,
        input: record.input as string,
        output: record.output as string,
      },
    });
  });
  return tasks;
}
