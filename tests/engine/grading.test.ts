import { describe, expect, it } from 'vitest';
import { answerCloseness, evaluate, gradingRequest, outcomeOf, solveTaskFor } from '../../src/engine/evaluate';
import type { InductionRequest } from '../../src/executor/types';
import type { SampleOutcome } from '../../src/model-service/model-service';
import { sharedExecutor } from '../support/executor';

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

  it('asks for every hidden pair of an induction answer only when told to (partial credit)', () => {
    const program = answer('def f(n):\n    return n + 1');
    expect(gradingRequest('induction', task, program, true)).toEqual({ kind: 'induction', code: program.text, pairs: task.hidden, everyPair: true });
    expect(gradingRequest('deduction', task, answer('2'), true)).toEqual({ kind: 'deduction', answer: '2', output: '2' });
  });

  it("measures a wrong induction program's closeness by the share of hidden pairs it reproduced", () => {
    const wrong = (passed?: number) =>
      ({ ok: false, reason: 'mismatch', detail: '', ms: 0, ...(passed === undefined ? {} : { passed }) }) as Parameters<typeof outcomeOf>[0];
    const program = answer('def f(n):\n    return n');
    expect(answerCloseness('induction', task, program, wrong(1))).toBe(0.5);
    expect(answerCloseness('induction', task, program, wrong(0))).toBe(0);
    // graded the paper's way (stopping at the first wrong pair), there is no count to use
    expect(answerCloseness('induction', task, program, wrong())).toBeNull();
    expect(answerCloseness('induction', { ...task, hidden: [] }, program, wrong(0))).toBeNull();
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

describe('grading an induction program on every pair (real Python)', () => {
  const executor = sharedExecutor();
  const pairs: [string, string][] = [
    ['1', '2'],
    ['2', '5'],
    ["'a'", '0'],
    ['4', '5'],
  ];
  const request = (code: string, everyPair?: boolean): InductionRequest => ({ kind: 'induction', code, pairs, ...(everyPair ? { everyPair } : {}) });

  it('goes on past wrong and raising pairs and counts the ones reproduced, keeping the first failure as the reason', async () => {
    const code = 'def f(n):\n    return n + 1';
    const [every, paper] = await executor().run([request(code, true), request(code)]);
    // counting from 0, as the detail does: pair 1 mismatches (3, not 5), pair 2 raises (str + int), pairs 0 and 3 match
    expect(every).toMatchObject({ ok: false, reason: 'mismatch', detail: 'pair 1: got 3', passed: 2 });
    expect(paper).toMatchObject({ ok: false, reason: 'mismatch', detail: 'pair 1: got 3' });
    expect(paper!.passed).toBeUndefined();
  });

  it('reports a raising first pair as the reason, and a program that fits every pair as correct', async () => {
    const [raising, fits, none] = await executor().run([
      { kind: 'induction', code: 'def f(n):\n    return 10 // (n - 1)', pairs, everyPair: true },
      {
        kind: 'induction',
        code: 'def f(n):\n    return n * n + 1',
        pairs: [pairs[0]!, pairs[1]!, ['4', '17']],
        everyPair: true,
      },
      { kind: 'induction', code: 'def f(n):\n    return -1', pairs, everyPair: true },
    ]);
    // 10 // 0 raises on pair 0; pair 1 gives 10, not 5; 'a' - 1 raises; pair 3 gives 3, not 5
    expect(raising).toMatchObject({ ok: false, reason: 'runtime-error', passed: 0 });
    expect(raising!.detail).toMatch(/ZeroDivisionError/);
    expect(fits).toMatchObject({ ok: true, passed: 3, outputs: ['2', '5', '17'] });
    expect(none).toMatchObject({ ok: false, reason: 'mismatch', passed: 0 });
  });
});
