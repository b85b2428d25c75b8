/**
 * "Try it": the model's greedy answer to a task the user wrote, with its probability, graded by
 * the executor. The program is validated like a proposal first, so a bad one gets a reason.
 */
import type { EngineConfig } from '../engine/config';
import { gradingRequest, outcomeOf, type Executor } from '../engine/evaluate';
import type { Prompts } from '../engine/prompts';
import type { ModelService } from '../model-service/model-service';

export interface TryRequest {
  type: 'deduction' | 'abduction';
  code: string;
  input: string;
}

export type TryResult =
  | { ok: true; answer: string; probability: number; correct: boolean; expected: string; output: string; step: number }
  | { ok: false; error: string };

export async function answerTask(
  model: ModelService, executor: Executor, prompts: Prompts, config: EngineConfig, step: number, request: TryRequest,
): Promise<TryResult> {
  const [checked] = await executor.run([{ kind: 'validate', code: request.code, inputs: [request.input] }]);
  if (!checked!.ok) return { ok: false, error: `The program cannot be a task: ${checked!.reason}${checked!.detail ? ` (${checked!.detail})` : ''}` };
  const output = checked!.outputs![0]!;
  const task = { code: request.code, input: request.input, output };
  const job = prompts.solve(request.type, task);
  if (!prompts.fits(job)) return { ok: false, error: `The task is too long for the model's context of ${prompts.contextLength} tokens: shorten the program or input.` };
  const answer = await model.answer(job, { constrained: config.constrained });
  const grading = gradingRequest(request.type, task, answer);
  const [verdict] = grading ? await executor.run([grading]) : [null];
  return {
    ok: true,
    answer: answer.text,
    probability: answer.probability,
    correct: outcomeOf(verdict ?? null) === 'correct',
    expected: request.type === 'deduction' ? output : request.input,
    output,
    step,
  };
}
