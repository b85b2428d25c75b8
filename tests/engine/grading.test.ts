import { describe, expect, it } from 'vitest';
import { evaluate, gradingRequest, outcomeOf, solveTaskFor } from '../../src/engine/evaluate';
import type { SampleOutcome } from '../../src/model-service/model-service';

const answer = (text: string, stopReason: SampleOutcome['stopReason'] = 'eos'): SampleOutcome => ({
  text,
  parts: [text],
  tokens: [1],
  logProbs: [0],
  stopReason,
  masks: null,
});
const verdict = (ok: boolean, reason: string) => ({ ok, reason, detail: '', ms: 0 }) as Parameters<typeof outcomeOf>[0];

describe('grading solver answers', () => {
  const task = {
    code: 'def f(n):\n    return n + 1',
    input: '1',
    output: '2',
    shown: [['1', '2']] as [string, string][],
    hidden: [
      ['5', '6'],
      ['7', '8'],
    ] as [string, string][],
    message: 'm',
  };

  it('asks the executor the question each task type poses', () => {
    expect(gradingRequest('deduction', task, answer('2'))).toEqual({ kind: 'deduction', answer: '2', output: '2' });
    expect(gradingRequest('abduction', task, answer('1'))).toEqual({ kind: 'abduction', code: task.code, answer: '1', output: '2' });
    // Induction: the answer is a program, checked against the hidden pairs only.
    expect(gradingRequest('induction', task, answer('def f(n):\n    return n + 1'))).toEqual({
      kind: 'induction',
      code: 'def f(n):\n    return n + 1',
      pairs: task.hidden,
    });
  });

  it('counts a cut-off answer as malformed without running it', () => {
    expect(gradingRequest('deduction', task, answer('[1, 2', 'length'))).toBeNull();
    expect(gradingRequest('induction', task, answer('def f(n):', 'dead-end'))).toBeNull();
    expect(outcomeOf(null)).toBe('malformed');
  });

  it('separates wrong answers from unreadable ones', () => {
    expect(outcomeOf(verdict(true, 'ok'))).toBe('correct');
    expect(outcomeOf(verdict(false, 'mismatch'))).toBe('wrong');
    expect(outcomeOf(verdict(false, 'runtime-error'))).toBe('wrong');
    expect(outcomeOf(verdict(false, 'timeout'))).toBe('wrong');
    expect(outcomeOf(verdict(false, 'syntax'))).toBe('malformed');
    expect(outcomeOf(verdict(false, 'non-literal-output'))).toBe('malformed');
  });

  it('splits evaluation pairs like training does, and skips induction without pairs', () => {
    const split = solveTaskFor('induction', {
      id: 'a',
      code: 'c',
      input: '1',
      output: '1',
      pairs: [
        ['1', '1'],
        ['2', '2'],
        ['3', '3'],
        ['4', '4'],
        ['5', '5'],
        ['6', '6'],
      ],
    });
    expect(typeof split).toBe('object');
    expect((split as { shown: unknown[] }).shown).toHaveLength(3);
    expect((split as { hidden: unknown[] }).hidden).toEqual([
      ['4', '4'],
      ['5', '5'],
      ['6', '6'],
    ]);
    expect(solveTaskFor('induction', { id: 'b', code: 'c', input: '1', output: '1' })).toMatch(/at least 2/);
  });

  it('gives no accuracy figure, rather than 0, when no task could be attempted', async () => {
    // Induction tasks without pairs are skipped before the model or the executor is asked anything.
    const untouched = new Proxy(
      {},
      {
        get: () => {
          throw new Error('not to be called');
        },
      },
    );
    const tasks = [
      { id: 'a', code: 'def f(n):\n    return n', input: '1', output: '1' },
      { id: 'b', code: 'def f(n):\n    return n', input: '2', output: '2' },
    ];
    const summary = await evaluate(untouched as never, untouched as never, untouched as never, tasks, 'induction', { constrained: true, outputTokens: 16 });
    expect(summary).toMatchObject({ accuracy: null, n: 0, skipped: 2 });
  });
});
