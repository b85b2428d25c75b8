/**
 * How many of a model's (program, input) proposals pass the executor's full validation: the
 * figure that says whether constrained decoding lets a random model bootstrap. The model writes
 * a program under the program grammar, then an argument list typed by that program's signature,
 * exactly as a deduction proposer does.
 */
import type { ExecutorPool } from '../executor/pool';
import { parseSignature } from '../lang/types';
import type { ModelService } from '../model-service/model-service';

export interface ValidityReport {
  proposals: number;
  /** Programs that parsed (syntax verdicts excluded). */
  parsed: number;
  valid: number;
  validRate: number;
  /** Rejection reasons with their counts, most frequent first. */
  reasons: [reason: string, count: number][];
}

export interface ValidityOptions {
  proposals: number;
  batch?: number;
  programTokens?: number;
  inputTokens?: number;
  temperature?: number;
  constrained?: boolean;
  onProgress?: (done: number) => void;
}

export async function measureProposalValidity(service: ModelService, executor: ExecutorPool, options: ValidityOptions): Promise<ValidityReport> {
  const { tokenizer } = service;
  const batch = options.batch ?? 32;
  const settings = { temperature: options.temperature ?? 1, constrained: options.constrained ?? true };
  const programPrompt = [tokenizer.id('<propose:deduction>'), tokenizer.id('<program>')];
  const counts = new Map<string, number>();
  let parsed = 0;
  let valid = 0;
  for (let done = 0; done < options.proposals; done += batch) {
    const size = Math.min(batch, options.proposals - done);
    const programs = await service.sample(
      Array.from({ length: size }, () => ({ kind: 'program' as const, prompt: programPrompt, maxTokens: options.programTokens ?? 160 })),
      settings,
    );
    const inputs = await service.sample(
      programs.map((program) => ({
        kind: 'arguments' as const,
        prompt: [...programPrompt, ...program.tokens.filter((t) => t !== tokenizer.eos), tokenizer.id('<input>')],
        signature: parseSignature(program.text),
        maxTokens: options.inputTokens ?? 48,
      })),
      settings,
    );
    const verdicts = await executor.run(programs.map((program, i) => ({ kind: 'validate', code: program.text, inputs: [inputs[i]!.text] })));
    for (const verdict of verdicts) {
      if (verdict.reason !== 'syntax') parsed += 1;
      if (verdict.ok) valid += 1;
      else counts.set(verdict.reason, (counts.get(verdict.reason) ?? 0) + 1);
    }
    options.onProgress?.(done + size);
  }
  return {
    proposals: options.proposals,
    parsed,
    valid,
    validRate: valid / options.proposals,
    reasons: [...counts].sort((a, b) => b[1] - a[1]),
  };
}
