/**
 * Executor hindsight: answers the executor vouches for, learnt by cross-entropy beside TRR++.
 * Zero human data: every target comes from running the model's own programs.
 *
 * - A validated task is a correct example for its solver role: (p, i) -> o for deduction,
 *   (p, o) -> i for abduction, shown pairs + message -> p for induction.
 * - A wrong abduction answer i' whose run gave o' is the correct answer of another task:
 *   (p, o') -> i' (relabelling, as in hindsight experience replay).
 */
import type { Verdict } from '../executor/types';
import type { SampleOutcome } from '../model-service/model-service';
import type { SolveTask } from './prompts';
import type { TaskType } from './rewards';

/** A solver's answer to a task and the executor's verdict on it. */
export interface GradedAnswer {
  type: TaskType;
  task: SolveTask;
  answer: Pick<SampleOutcome, 'text' | 'stopReason'>;
  verdict: Verdict | null;
}

export interface HindsightTarget {
  type: TaskType;
  task: SolveTask;
  /** the answer text to learn */
  answer: string;
  /** true when the task was made from a wrong answer (abduction relabelling) */
  relabelled: boolean;
}

/** The answer a task was built from, which the executor has checked: o, i or p. */
export function correctAnswer(type: TaskType, task: SolveTask): string {
  if (type === 'deduction') return task.output;
  if (type === 'abduction') return task.input;
  return task.code;
}

/**
 * Targets for a step: the correct answer of every graded task and of every extra task, then a
 * relabelled task for every wrong abduction answer that ran and gave another output.
 */
export function hindsightTargets(graded: readonly GradedAnswer[], extra: readonly { type: TaskType; task: SolveTask }[] = []): HindsightTarget[] {
  const targets: HindsightTarget[] = [];
  for (const { type, task } of [...graded, ...extra]) targets.push({ type, task, answer: correctAnswer(type, task), relabelled: false });
  for (const g of graded) {
    const relabel = relabelledAbduction(g);
    if (relabel) targets.push(relabel);
  }
  return targets;
}

/** (p, o') -> i' for an abduction answer i' that ran to a different output o'; else null. */
export function relabelledAbduction(g: GradedAnswer): HindsightTarget | null {
  if (g.type !== 'abduction' || !g.verdict || g.verdict.ok || g.verdict.reason !== 'mismatch') return null;
  const output = g.verdict.outputs?.[0];
  if (output === undefined || output === g.task.output) return null;
  if (g.answer.stopReason !== 'eos' && g.answer.stopReason !== 'constraint') return null;
  return { type: 'abduction', task: { code: g.task.code, input: g.answer.text, output }, answer: g.answer.text, relabelled: true };
}
