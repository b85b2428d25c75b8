/**
 * Executor hindsight: which correct answers each solver role learns, and the relabelling of a
 * wrong abduction answer into a task it does solve. The verdicts are the real executor's.
 */
import { describe, expect, it } from 'vitest';
import { correctAnswer, type GradedAnswer, hindsightTargets } from '../../src/engine/hindsight';
import { sharedExecutor } from '../support/executor';

const executor = sharedExecutor({ workers: 1 });

const program = 'def f(n):\n    return n + 3';
const triplet = { code: program, input: '4', output: '7' };

describe('hindsight targets', () => {
  it('teaches each role the answer its task was built from', () => {
    expect(correctAnswer('deduction', triplet)).toBe('7');
    expect(correctAnswer('abduction', triplet)).toBe('4');
    const induction = { ...triplet, shown: [['4', '7']] as [string, string][], message: 'add' };
    expect(correctAnswer('induction', induction)).toBe(program);
  });

  it('gives every graded task its correct answer, right or wrong, and extra tasks too', async () => {
    const [wrong] = await executor().run([{ kind: 'deduction', answer: '8', output: '7' }]);
    const graded: GradedAnswer[] = [
      { type: 'deduction', task: triplet, answer: { text: '8', stopReason: 'eos' }, verdict: wrong! },
      { type: 'deduction', task: triplet, answer: { text: '7', stopReason: 'eos' }, verdict: { ok: true, reason: 'ok', detail: '', ms: 0 } },
    ];
    const targets = hindsightTargets(graded, [{ type: 'abduction', task: triplet }]);
    expect(targets.map((t) => [t.type, t.answer, t.relabelled])).toEqual([
      ['deduction', '7', false],
      ['deduction', '7', false],
      ['abduction', '4', false],
    ]);
  });

  it('relabels a wrong abduction input as the task (p, f(input)) -> input, with the output the executor computed', async () => {
    const [verdict] = await executor().run([{ kind: 'abduction', code: program, answer: '10', output: '7' }]);
    expect(verdict!.ok).toBe(false);
    expect(verdict!.outputs).toEqual(['13']);
    const targets = hindsightTargets([{ type: 'abduction', task: triplet, answer: { text: '10', stopReason: 'eos' }, verdict: verdict! }]);
    expect(targets).toHaveLength(2);
    expect(targets[0]).toMatchObject({ answer: '4', relabelled: false });
    expect(targets[1]).toEqual({ type: 'abduction', task: { code: program, input: '10', output: '13' }, answer: '10', relabelled: true });
    // The relabelled task is a true one.
    const [check] = await executor().run([{ kind: 'abduction', code: program, answer: targets[1]!.answer, output: targets[1]!.task.output }]);
    expect(check!.ok).toBe(true);
  });

  it('does not relabel an answer that failed to run, was cut off, or is not abduction', async () => {
    const [crash] = await executor().run([{ kind: 'abduction', code: 'def f(s):\n    return s[5]', answer: "'ab'", output: "'x'" }]);
    expect(crash!.reason).toBe('runtime-error');
    const cases: GradedAnswer[] = [
      {
        type: 'abduction',
        task: { code: 'def f(s):\n    return s[5]', input: "'abcdef'", output: "'f'" },
        answer: { text: "'ab'", stopReason: 'eos' },
        verdict: crash!,
      },
      {
        type: 'abduction',
        task: triplet,
        answer: { text: '10', stopReason: 'length' },
        verdict: { ok: false, reason: 'mismatch', detail: '', outputs: ['13'], ms: 0 },
      },
      { type: 'deduction', task: triplet, answer: { text: '10', stopReason: 'eos' }, verdict: { ok: false, reason: 'mismatch', detail: '', ms: 0 } },
    ];
    expect(hindsightTargets(cases).filter((t) => t.relabelled)).toEqual([]);
  });
});
