/**
 * "Try it": the model's greedy answer to a task the user wrote, with its probability, graded by
 * the executor. The program is validated like a proposal first, so a bad one gets a reason.
 * Deduction: predict f(input). Abduction: find an input giving f(input)'s output. Induction: from
 * the first half of the input/output pairs and a message, write a program that also gives the
 * other half.
 */
import type { EngineConfig } from '../engine/config';
import { type Executor, gradingRequest, outcomeOf } from '../engine/evaluate';
import { type GradedSolveTask, inductionSolveTask, type Prompts } from '../engine/prompts';
import type { ModelService } from '../model-service/model-service';

export type TryRequest =
  | { type: 'deduction' | 'abduction'; code: string; input: string }
  | { type: 'induction'; code: string; inputs: string[]; message: string };

export type TryResult =
  | {
      ok: true;
      answer: string;
      probability: number;
      correct: boolean;
      /** deduction: f(input)'s output; abduction: the user's input; induction: the user's program */
      expected: string;
      /** the input/output pairs the executor computed (one for deduction and abduction) */
      pairs: [string, string][];
      /** induction: how many pairs the model was shown (the rest grade its program) */
      shown: number;
      step: number;
    }
  | { ok: false; error: string };

export async function answerTask(
  model: ModelService,
  executor: Executor,
  prompts: Prompts,
  config: EngineConfig,
  step: number,
  request: TryRequest,
): Promise<TryResult> {
  const inputs = request.type === 'induction' ? request.inputs.map((i) => i.trim()).filter(Boolean) : [request.input];
  if (request.type === 'induction' && inputs.length < 2)
    return { ok: false, error: 'Induction needs at least two inputs, one per line: the model sees the first half and is graded on the rest.' };
  const [checked] = await executor.run([{ kind: 'validate', code: request.code, inputs }]);
  if (!checked!.ok) return { ok: false, error: `The program cannot be a task: ${checked!.reason}${checked!.detail ? ` (${checked!.detail})` : ''}` };
  const pairs = inputs.map((input, i): [string, string] => [input, checked!.outputs![i]!]);
  const task: GradedSolveTask =
    request.type === 'induction' ? inductionSolveTask(request.code, pairs, request.message) : { code: request.code, input: pairs[0]![0], output: pairs[0]![1] };
  const job = prompts.solve(request.type, task);
  if (!prompts.fits(job)) return { ok: false, error: `The task is too long for the model's context of ${prompts.contextLength} tokens: shorten it.` };
  const answer = await model.answer(job, { constrained: config.constrained });
  const grading = gradingRequest(request.type, task, answer);
  const [verdict] = grading ? await executor.run([grading]) : [null];
  return {
    ok: true,
    answer: answer.text,
    probability: answer.probability,
    correct: outcomeOf(verdict ?? null) === 'correct',
    expected: request.type === 'deduction' ? pairs[0]![1] : request.type === 'abduction' ? pairs[0]![0] : request.code,
    pairs,
    shown: task.shown?.length ?? 1,
    step,
  };
}
