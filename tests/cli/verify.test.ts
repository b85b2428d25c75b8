/** `tabula verify` end to end, through the real binary and real Pyodide. */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = new URL('../../bin/tabula.mjs', import.meta.url).pathname;

function tabula(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('node', [BIN, ...args], { maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('tabula verify', () => {
  it('passes all 800 CRUXEval tasks', async () => {
    const { code, stdout } = await tabula(['verify', 'data/cruxeval.jsonl']);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('800 passed, 0 failed');
    const first = JSON.parse(lines[0]!);
    expect(first).toMatchObject({ id: 'sample_0', verdict: 'valid', reason: 'ok' });
    expect(Object.keys(first).sort()).toEqual(['id', 'ms', 'reason', 'verdict']);
  }, 120_000);

  it('gives malformed lines and failing programs their own verdicts and still exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tabula-verify-'));
    const file = join(dir, 'mixed.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify({ id: 'good', code: 'def f(x):\n    return x * 2', input: '21', output: '42' }),
        '{"id": "broken", "code": ',
        JSON.stringify({ id: 'wrong', code: 'def f(x):\n    return x', input: '1', output: '2' }),
        JSON.stringify({ id: 'loop', code: 'def f(x):\n    while True: pass', input: '1', output: '1' }),
        JSON.stringify({ id: 'no-output', code: 'def f(x):\n    return x', input: '1' }),
      ].join('\n'),
    );
    const { code, stdout } = await tabula(['verify', file, '--timeout-ms', '300', '--workers', '1']);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    const verdicts = lines.slice(0, -1).map((line) => JSON.parse(line));
    expect(verdicts.map((v) => [v.id, v.verdict, v.reason])).toEqual([
      ['good', 'valid', 'ok'],
      ['line 2', 'invalid', 'malformed'],
      ['wrong', 'invalid', 'mismatch'],
      ['loop', 'invalid', 'timeout'],
      ['no-output', 'invalid', 'malformed'],
    ]);
    expect(lines.at(-1)).toBe('1 passed, 4 failed');
  }, 60_000);

  it('explains a missing file and a bad option instead of crashing', async () => {
    const missing = await tabula(['verify', 'no/such/file.jsonl']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read no/such/file.jsonl: ENOENT');
    const bad = await tabula(['verify', 'data/cruxeval.jsonl', '--workers', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--workers must be a whole number');
  });
});
