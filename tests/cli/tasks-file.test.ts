import { describe, expect, it } from 'vitest';
import { parseTaskLines } from '../../src/cli/tasks-file';

describe('parseTaskLines', () => {
  it('reads CRUXEval lines into verify requests', () => {
    const [task] = parseTaskLines('{"id": "s1", "code": "def f(x): return x", "input": "1", "output": "1"}\n');
    expect(task).toEqual({
      id: 's1',
      request: { kind: 'verify', code: 'def f(x): return x', input: '1', output: '1' },
      record: { id: 's1', code: 'def f(x): return x', input: '1', output: '1' },
    });
  });
  it('gives each malformed line a problem and a stable id, and skips blank lines', () => {
    const tasks = parseTaskLines('not json\n\n[1]\n{"id": 7, "code": 1, "input": "1"}\n');
    expect(tasks).toEqual([
      { id: 'line 1', problem: 'not valid JSON' },
      { id: 'line 3', problem: 'not a JSON object' },
      { id: '7', problem: 'missing or non-string fields: code, output', record: { id: 7, code: 1, input: '1' } },
    ]);
  });
});
