import { describe, expect, it } from 'vitest';
import { jsonlLines } from '../../src/engine/jsonl';

describe('jsonlLines', () => {
  it('skips blank lines but counts them, so a problem names the line an editor shows', () => {
    const text = '{"a":1}\n\n  \n[1]\n{oops\n{"b":"x"}\r\n';
    expect(jsonlLines(text)).toEqual([
      { line: 1, record: { a: 1 } },
      { line: 4, problem: 'not a JSON object' },
      { line: 5, problem: 'not valid JSON' },
      { line: 6, record: { b: 'x' } },
    ]);
  });
});
