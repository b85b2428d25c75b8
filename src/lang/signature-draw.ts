/**
 * Parameter lists drawn from the grammar, not from the model. Self-play fixes each proposal's
 * parameter types with one: left to choose them, a proposer trained by its learnability reward
 * settles on one type within about 20 steps (84% of one seed's programs took a lone bool, 97% of
 * another's a lone int), and the solver then learns that type alone, whatever the held-out set asks.
 */

import type { ProgramLevel } from './levels';
import { programMachine } from './program-grammar';
import { weightedChoice } from './sampling';
import type { Tokenizer } from './tokenizer';
import type { ParamType } from './types';

/**
 * The parameter types of a `def f(...)` line written by a weighted walk through the program
 * grammar (at `level`, within `maxTokens`) and stopped at its `)`. With structuredWeights this is
 * the walk that writes the held-out set and the curriculum's exams, so the proposer is asked for
 * the same mix of parameter types the grammar itself writes.
 */
export function drawSignature(
  tokenizer: Tokenizer,
  options: { maxTokens: number; level?: ProgramLevel },
  random: () => number,
  weights: ArrayLike<number>,
): ParamType[] {
  const machine = programMachine(tokenizer, options);
  for (let written = 0; written < options.maxTokens; written++) {
    const signature = machine.signature();
    if (signature) return signature;
    machine.advance(weightedChoice(machine.allowed(), weights, random));
  }
  throw new Error(`no signature within ${options.maxTokens} tokens`);
}
