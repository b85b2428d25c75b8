/**
 * Prompts as token sequences with role/task markers (SPEC §2), and the jobs the model writes
 * after them. The layouts, where `p`, `i`, `o`, `m` are encoded texts:
 *
 *   propose deduction/abduction: <propose:T> (<reference> p <input> i <output> o)*k <program>  → p <input> i
 *   propose induction:           <propose:induction> <program> p <input>                      → i1 <sep> i2 ... <message> m
 *   solve deduction:             <solve:deduction> <program> p <input> i <output>              → o
 *   solve abduction:             <solve:abduction> <program> p <output> o <input>              → i
 *   solve induction:             <solve:induction> (<input> i <output> o)*shown <message> m <program> → p
 */

import { returnType } from '../lang/return-type';
import type { Tokenizer } from '../lang/tokenizer';
import { type ParamType, parseSignature } from '../lang/types';
import { jobBudget, type SampleJob } from '../model-service/model-service';
import type { Triplet } from './buffers';
import { type EngineConfig, splitPairs } from './config';

export interface SolveTask {
  code: string;
  /** deduction and abduction: the input and output of the triplet. */
  input: string;
  output: string;
  /** induction: the pairs shown to the solver, and the message. */
  shown?: [string, string][];
  message?: string;
}

/** A solve task with, for induction, the pairs kept back to grade the answer. */
export type GradedSolveTask = SolveTask & { hidden?: [string, string][] };

/**
 * An induction task as its solver sees it: the first half of the pairs shown with the message,
 * the rest hidden for grading. The one place the split is made (self-play, evaluation, Try it).
 */
export function inductionSolveTask(code: string, pairs: [string, string][], message: string): GradedSolveTask {
  return { code, input: pairs[0]![0], output: pairs[0]![1], ...splitPairs(pairs), message };
}

export class Prompts {
  constructor(
    private readonly tokenizer: Tokenizer,
    private readonly config: EngineConfig,
    readonly contextLength: number,
  ) {}

  private m(name: Parameters<Tokenizer['id']>[0]): number {
    return this.tokenizer.id(name);
  }

  private enc(text: string): number[] {
    return this.tokenizer.encode(text);
  }

  /**
   * A deduction/abduction proposal: as many of the references as fit the context after room for
   * the program and its input, in the order given. `signature` fixes the program's parameter
   * types (drawSignatures); without it the model chooses them.
   */
  propose(type: 'deduction' | 'abduction', references: readonly Triplet[], level?: number, signature?: ParamType[]): SampleJob {
    const c = this.config;
    const room = this.contextLength - c.programTokens - c.inputTokens - 2;
    const prompt = [this.m(`<propose:${type}>`)];
    for (const ref of references) {
      const block = [this.m('<reference>'), ...this.enc(ref.code), this.m('<input>'), ...this.enc(ref.input), this.m('<output>'), ...this.enc(ref.output)];
      if (prompt.length + block.length > room) continue;
      prompt.push(...block);
    }
    prompt.push(this.m('<program>'));
    return {
      prompt,
      kind: 'program',
      maxTokens: c.programTokens,
      ...(level ? { level } : {}),
      ...(signature ? { signature } : {}),
      followedBy: [{ marker: '<input>', kind: 'arguments', signature: 'program', maxTokens: c.inputTokens }],
    };
  }

  /** An induction proposal for program `code`: N argument lists, then the message. */
  proposeInduction(code: string): SampleJob {
    const c = this.config;
    const signature = parseSignature(code);
    const argumentsPart = { kind: 'arguments' as const, signature, maxTokens: c.inputTokens };
    return {
      prompt: [this.m('<propose:induction>'), this.m('<program>'), ...this.enc(code), this.m('<input>')],
      ...argumentsPart,
      followedBy: [
        ...Array.from({ length: c.inductionInputs - 1 }, () => ({ ...argumentsPart, marker: '<sep>' as const })),
        { marker: '<message>', kind: 'message', maxTokens: c.messageTokens },
      ],
    };
  }

  solve(type: 'deduction' | 'abduction' | 'induction', task: SolveTask): SampleJob {
    const c = this.config;
    if (type === 'deduction') {
      return {
        prompt: [this.m('<solve:deduction>'), this.m('<program>'), ...this.enc(task.code), this.m('<input>'), ...this.enc(task.input), this.m('<output>')],
        kind: 'literal',
        maxTokens: c.outputTokens,
        // Typed answers: the program's static return type, which the grammar reads off the program.
        valueType: returnType(task.code),
      };
    }
    if (type === 'abduction') {
      return {
        prompt: [this.m('<solve:abduction>'), this.m('<program>'), ...this.enc(task.code), this.m('<output>'), ...this.enc(task.output), this.m('<input>')],
        kind: 'arguments',
        signature: parseSignature(task.code),
        maxTokens: c.inputTokens,
      };
    }
    const prompt = [this.m('<solve:induction>')];
    for (const [input, output] of task.shown ?? []) prompt.push(this.m('<input>'), ...this.enc(input), this.m('<output>'), ...this.enc(output));
    prompt.push(this.m('<message>'), ...this.enc(task.message ?? ''), this.m('<program>'));
    // The shown inputs fix the parameter types, so the answer must take the same arguments.
    return { prompt, kind: 'program', maxTokens: c.programTokens, signature: parseSignature(task.code) };
  }

  /** Whether a job's prompt plus its longest answer fits the context. */
  fits(job: SampleJob): boolean {
    return job.prompt.length + jobBudget(job) <= this.contextLength;
  }
}
