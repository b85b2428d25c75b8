/**
 * Greedy evaluation on fixed tasks (the held-out set or any CRUXEval-format file): the model
 * answers each task at temperature 0 and the executor grades the answer as in training.
 * A task whose prompt and answer cannot fit the context is reported as skipped, never dropped.
 */
import type { ExecRequest, Verdict } from '../executor/types';
import type { ModelService, SampleOutcome } from '../model-service/model-service';
import { reprCloseness, valueCloseness } from './closeness';
import { type GradedSolveTask, inductionSolveTask, type Prompts } from './prompts';
import type { AnswerOutcome, TaskType } from './rewards';

export interface Executor {
  run(requests: ExecRequest[]): Promise<Verdict[]>;
}

export interface EvalTask {
  id: string;
  code: string;
  input: string;
  output: string;
  /** induction: input/output pairs; the first half is shown, the rest graded */
  pairs?: [string, string][];
  /** program level (held-out set); absent counts as the full grammar, level 4 */
  level?: number;
}

export interface EvalResult {
  id: string;
  answer: string | null;
  correct: boolean;
  /** why the task was not attempted */
  skipped?: string;
}

export interface EvalSummary {
  /** correct over attempted; null when nothing could be attempted (no figure, not 0) */
  accuracy: number | null;
  /** tasks attempted */
  n: number;
  skipped: number;
  results: EvalResult[];
}

/** Executor verdicts that mean the answer could not be read at all (the format rule's -1). */
const MALFORMED = new Set(['syntax', 'no-function', 'non-literal-input', 'non-literal-output', 'malformed']);

/**
 * The executor request that grades an answer, or null when the answer is cut off (malformed).
 * `everyPair` has an induction answer run on every hidden pair, for partial credit.
 */
export function gradingRequest(type: TaskType, task: GradedSolveTask, answer: SampleOutcome, everyPair = false): ExecRequest | null {
  if (answer.stopReason === 'length' || answer.stopReason === 'dead-end') return null;
  if (type === 'deduction') return { kind: 'deduction', answer: answer.text, output: task.output };
  if (type === 'abduction') return { kind: 'abduction', code: task.code, answer: answer.text, output: task.output };
  return { kind: 'induction', code: answer.text, pairs: task.hidden ?? [], ...(everyPair ? { everyPair } : {}) };
}

export function outcomeOf(verdict: Verdict | null): AnswerOutcome {
  if (!verdict) return 'malformed';
  if (verdict.ok) return 'correct';
  return MALFORMED.has(verdict.reason) ? 'malformed' : 'wrong';
}

/**
 * How close a graded answer came to the right one, or null where there is nothing to compare.
 * Deduction compares the answer's value with the task's output (closeness.ts: by repr, or by
 * value), abduction the output its input gives (none when it raised). Induction counts the
 * hidden pairs its program reproduced, when the verdict has that count (`everyPair`).
 */
export function answerCloseness(type: TaskType, task: GradedSolveTask, answer: SampleOutcome, verdict: Verdict | null, byValue = false): number | null {
  const closeness = byValue ? valueCloseness : reprCloseness;
  if (type === 'deduction') return closeness(answer.text, task.output);
  if (type === 'induction') {
    const pairs = task.hidden?.length ?? 0;
    return verdict?.passed === undefined || pairs === 0 ? null : verdict.passed / pairs;
  }
  const given = verdict?.outputs?.[0];
  return given === undefined ? null : closeness(given, task.output);
}

/** Runs the requests that exist; null requests get a null verdict. */
export async function runSome(executor: Executor, requests: (ExecRequest | null)[]): Promise<(Verdict | null)[]> {
  const present = requests.filter((r): r is ExecRequest => r !== null);
  const verdicts = present.length ? await executor.run(present) : [];
  let next = 0;
  return requests.map((r) => (r ? verdicts[next++]! : null));
}

/** The solver's view of an evaluation task for a mode, with the hidden pairs for induction. */
export function solveTaskFor(mode: TaskType, task: EvalTask): GradedSolveTask | string {
  if (mode !== 'induction') return { code: task.code, input: task.input, output: task.output };
  const pairs = task.pairs ?? [];
  if (pairs.length < 2) return 'induction needs at least 2 input/output pairs';
  return inductionSolveTask(task.code, pairs, '');
}

export async function evaluate(
  model: ModelService,
  executor: Executor,
  prompts: Prompts,
  tasks: readonly EvalTask[],
  mode: TaskType,
  options: {
    constrained: boolean;
    outputTokens: number;
    batch?: number;
    onProgress?: (done: number) => void;
    /** answer with the weights' moving average when the model keeps one (SampleSettings.averaged) */
    averaged?: boolean;
  },
): Promise<EvalSummary> {
  const results: EvalResult[] = [];
  const batch = options.batch ?? 64;
  for (let start = 0; start < tasks.length; start += batch) {
    const chunk = tasks.slice(start, start + batch);
    const prepared = chunk.map((task) => {
      const solveTask = solveTaskFor(mode, task);
      if (typeof solveTask === 'string') return { task, skipped: solveTask };
      const job = prompts.solve(mode, solveTask);
      if (!prompts.fits(job)) return { task, skipped: 'does not fit the context' };
      if (mode === 'deduction' && model.tokenizer.encode(task.output).length >= options.outputTokens) {
        return { task, skipped: 'the output is longer than an answer may be' };
      }
      return { task, solveTask, job };
    });
    const runnable = prepared.filter((p) => p.job);
    const answers = runnable.length
      ? await model.sample(
          runnable.map((p) => p.job!),
          { temperature: 0, constrained: options.constrained, averaged: options.averaged },
        )
      : [];
    const verdicts = await runSome(
      executor,
      runnable.map((p, i) => gradingRequest(mode, p.solveTask!, answers[i]!)),
    );
    let next = 0;
    for (const p of prepared) {
      if (!p.job) {
        results.push({ id: p.task.id, answer: null, correct: false, skipped: p.skipped });
        continue;
      }
      const index = next++;
      results.push({ id: p.task.id, answer: answers[index]!.text, correct: outcomeOf(verdicts[index]!) === 'correct' });
    }
    options.onProgress?.(Math.min(tasks.length, start + batch));
  }
  const attempted = results.filter((r) => !r.skipped);
  const correct = attempted.filter((r) => r.correct).length;
  return { accuracy: attempted.length ? correct / attempted.length : null, n: attempted.length, skipped: results.length - attempted.length, results };
}
