/**
 * The held-out evaluation set: tasks the self-play loop never sees, drawn as random walks through
 * the same grammars the model samples from, so they measure the model on its own language.
 *
 * Every candidate (a program and its argument lists) comes from one seeded stream, in a fixed
 * order that does not depend on the executor's answers; candidates are then accepted in that
 * order. Same seed, same tasks.
 */
import type { ExecRequest, Verdict } from '../executor/types';
import { argumentsConstraint } from '../lang/literal-grammar';
import { programConstraint } from '../lang/program-grammar';
import { seededRandom, structuredWeights, weightedWalk } from '../lang/sampling';
import { createTokenizer, type Tokenizer } from '../lang/tokenizer';
import { parseSignature } from '../lang/types';

export interface HeldoutTask {
  id: string;
  code: string;
  /** pairs[0]: deduction and abduction use one pair. */
  input: string;
  output: string;
  /** Every (input, output repr) pair; induction shows half and hides half. */
  pairs: [string, string][];
}

export interface HeldoutOptions {
  seed: number;
  count: number;
  /** Input/output pairs per task. */
  pairs: number;
  onProgress?: (done: number, total: number) => void;
}

export interface HeldoutReport {
  tasks: HeldoutTask[];
  /** Programs drawn until the last task was accepted. */
  draws: number;
  /** Why drawn candidates were turned down, by reason. */
  rejected: Record<string, number>;
}

type Executor = { run(requests: ExecRequest[]): Promise<Verdict[]> };

/** The shipped set, relative to the repository root. */
export const HELDOUT_PATH = 'data/heldout.jsonl';

/** Token budgets: a program, and each literal, as the model's prompts allow them. */
export const HELDOUT_PROGRAM_TOKENS = 80;
export const HELDOUT_LITERAL_TOKENS = 24;
/** No answer type may make up more than this share, so that guessing one type scores low. */
const CLASS_SHARE = 0.3;
/** No single output value (0, '', [], True) may make up more than this share. */
const VALUE_SHARE = 0.03;
/**
 * No more than this share of tasks may be copy tasks (every output is one of its pair's
 * arguments, see `isCopyTask`), so that echoing the input scores low.
 */
export const COPY_SHARE = 0.03;
/** Draws allowed per requested task before giving up. */
const DRAWS_PER_TASK = 400;
/** Candidates validated per executor call. */
const BATCH = 64;

export type OutputClass = 'int' | 'str' | 'bool' | 'list' | 'tuple' | 'other';

/** The Python type of a repr, read from its text (the subset has no floats). */
export function outputClass(repr: string): OutputClass {
  if (/^-?\d+$/.test(repr)) return 'int';
  if (repr === 'True' || repr === 'False') return 'bool';
  const first = repr[0];
  if (first === "'" || first === '"') return 'str';
  if (first === '[') return 'list';
  if (first === '(') return 'tuple';
  return 'other';
}

/** Most copy tasks a set of `count` tasks may hold: `COPY_SHARE` of it, at least one. */
export function copyCap(count: number): number {
  return Math.max(1, Math.floor(count * COPY_SHARE));
}

/**
 * Splits CRUXEval argument-list text (`'a, b', [1, (2, 3)], {'k': 4}`) into its top-level
 * arguments, as written: commas inside brackets or string literals do not split, and a trailing
 * comma adds no empty argument. Each argument's text is trimmed.
 */
export function splitArguments(text: string): string[] {
  const args: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === 0) {
      args.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = text.slice(start).trim();
  if (last !== '' || args.length === 0) args.push(last);
  return args;
}

/**
 * A copy task: for every pair, the output repr is, literally, the text of one of that pair's
 * top-level arguments (the whole input, for a one-argument program). Echoing an argument
 * answers such a task's deduction without reading the program.
 */
export function isCopyTask(pairs: readonly (readonly [string, string])[]): boolean {
  return pairs.length > 0 && pairs.every(([input, output]) => splitArguments(input).includes(output));
}

/** Dedupe key of a program: trailing whitespace on lines and at the end does not make it new. */
export function programKey(code: string): string {
  return code
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trimEnd();
}

interface Candidate {
  code: string;
  inputs: string[];
  /** Set when the candidate is turned down before running. */
  problem?: string;
}

/**
 * One candidate from the stream: a program, then argument lists for its signature until
 * `pairs` distinct ones are found (repeated inputs would waste induction pairs).
 */
function drawCandidate(tokenizer: Tokenizer, random: () => number, weights: Float64Array, pairs: number): Candidate {
  const walk = (constraint: Parameters<typeof weightedWalk>[0], limit: number) =>
    tokenizer.decode(weightedWalk(constraint, random, tokenizer.eos, limit, weights));
  const code = walk(programConstraint(tokenizer, { maxTokens: HELDOUT_PROGRAM_TOKENS }), HELDOUT_PROGRAM_TOKENS);
  if (tokenizer.encode(code).length > HELDOUT_PROGRAM_TOKENS) return { code, inputs: [], problem: 'program-too-long' };
  const signature = parseSignature(code);
  if (!signature) return { code, inputs: [], problem: 'no-signature' };
  const inputs: string[] = [];
  // A bounded number of tries keeps the stream's length per candidate finite (a lone bool
  // parameter has only two argument lists).
  for (let tries = 0; tries < pairs * 4 && inputs.length < pairs; tries++) {
    const constraint = argumentsConstraint(tokenizer, signature, { maxTokens: HELDOUT_LITERAL_TOKENS });
    const input = walk(constraint, HELDOUT_LITERAL_TOKENS);
    if (tokenizer.encode(input).length > HELDOUT_LITERAL_TOKENS || inputs.includes(input)) continue;
    inputs.push(input);
  }
  if (inputs.length < pairs) return { code, inputs, problem: 'too-few-inputs' };
  return { code, inputs };
}

/** Draws tasks until `count` are accepted; also says how many draws it took and why others failed. */
export async function generateHeldoutReport(executor: Executor, options: HeldoutOptions): Promise<HeldoutReport> {
  const { seed, count, pairs } = options;
  if (!Number.isInteger(count) || count < 1) throw new Error(`count must be a positive whole number, not ${count}`);
  if (!Number.isInteger(pairs) || pairs < 2) throw new Error(`pairs must be a whole number of at least 2, not ${pairs}`);
  const tokenizer = createTokenizer();
  const weights = structuredWeights(tokenizer);
  const random = seededRandom(seed);
  const classCap = Math.ceil(count * CLASS_SHARE);
  const valueCap = Math.max(1, Math.floor(count * VALUE_SHARE));
  const copyLimit = copyCap(count);
  const maxDraws = count * DRAWS_PER_TASK;

  const tasks: HeldoutTask[] = [];
  const seen = new Set<string>();
  const perClass = new Map<OutputClass, number>();
  const perValue = new Map<string, number>();
  const rejected: Record<string, number> = {};
  const reject = (reason: string) => void (rejected[reason] = (rejected[reason] ?? 0) + 1);
  let copies = 0;
  let draws = 0;

  options.onProgress?.(0, count);
  while (tasks.length < count) {
    if (draws >= maxDraws) {
      throw new Error(
        `gave up after ${draws} draws with ${tasks.length} of ${count} tasks (seed ${seed}); turned down: ${JSON.stringify(rejected)}`,
      );
    }
    const batch: Candidate[] = [];
    while (batch.length < BATCH && draws + batch.length < maxDraws) batch.push(drawCandidate(tokenizer, random, weights, pairs));
    const runnable = batch.filter((candidate) => !candidate.problem);
    const verdicts = await executor.run(runnable.map((c) => ({ kind: 'validate', code: c.code, inputs: c.inputs })));
    const verdictOf = new Map(runnable.map((candidate, i) => [candidate, verdicts[i]!]));

    for (const candidate of batch) {
      if (tasks.length >= count) break;
      draws++;
      const problem = candidate.problem ?? acceptProblem(candidate, verdictOf.get(candidate)!, tokenizer);
      if (problem) {
        reject(problem);
        continue;
      }
      const outputs = verdictOf.get(candidate)!.outputs!;
      const key = programKey(candidate.code);
      const kind = outputClass(outputs[0]!);
      const taskPairs = candidate.inputs.map((input, i) => [input, outputs[i]!] as [string, string]);
      const copy = isCopyTask(taskPairs);
      if (seen.has(key)) reject('duplicate-program');
      else if (copy && copies >= copyLimit) reject('copy-cap');
      else if ((perClass.get(kind) ?? 0) >= classCap) reject(`class-cap-${kind}`);
      else if ((perValue.get(outputs[0]!) ?? 0) >= valueCap) reject('value-cap');
      else {
        seen.add(key);
        perClass.set(kind, (perClass.get(kind) ?? 0) + 1);
        perValue.set(outputs[0]!, (perValue.get(outputs[0]!) ?? 0) + 1);
        if (copy) copies++;
        tasks.push({
          id: `heldout_${String(tasks.length).padStart(3, '0')}`,
          code: candidate.code,
          input: taskPairs[0]![0],
          output: taskPairs[0]![1],
          pairs: taskPairs,
        });
        options.onProgress?.(tasks.length, count);
      }
    }
  }
  return { tasks, draws, rejected };
}

/** Why a run candidate is not a task, or null when it is one (before the caps). */
function acceptProblem(candidate: Candidate, verdict: Verdict, tokenizer: Tokenizer): string | null {
  if (!verdict.ok) return verdict.reason;
  const outputs = verdict.outputs;
  if (!outputs || outputs.length !== candidate.inputs.length) return 'missing-outputs';
  if (outputs.some((output) => tokenizer.encode(output).length > HELDOUT_LITERAL_TOKENS)) return 'output-too-long';
  // The same answer for every input: nothing to induce, and a constant program would pass.
  if (outputs.every((output) => output === outputs[0])) return 'constant-output';
  return null;
}

export async function generateHeldout(executor: Executor, options: HeldoutOptions): Promise<HeldoutTask[]> {
  return (await generateHeldoutReport(executor, options)).tasks;
}

/** One task a line, in the field order of the shipped file. */
export function formatHeldout(tasks: readonly HeldoutTask[]): string {
  return tasks
    .map((task) => JSON.stringify({ id: task.id, code: task.code, input: task.input, output: task.output, pairs: task.pairs }))
    .map((line) => `${line}\n`)
    .join('');
}

/** Parses the JSONL set; a malformed line is an error that names its line number. */
export function readHeldout(text: string): HeldoutTask[] {
  const tasks: HeldoutTask[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    const where = `held-out set, line ${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`${where}: not valid JSON`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${where}: not a JSON object`);
    const record = value as Record<string, unknown>;
    for (const key of ['id', 'code', 'input', 'output']) {
      if (typeof record[key] !== 'string') throw new Error(`${where}: field "${key}" is missing or not a string`);
    }
    const pairs = record.pairs;
    const isPair = (pair: unknown) =>
      Array.isArray(pair) && pair.length === 2 && typeof pair[0] === 'string' && typeof pair[1] === 'string';
    if (!Array.isArray(pairs) || pairs.length === 0 || !pairs.every(isPair)) {
      throw new Error(`${where}: field "pairs" must be a non-empty list of [input, output] strings`);
    }
    const typed = pairs as [string, string][];
    if (typed[0]![0] !== record.input || typed[0]![1] !== record.output) {
      throw new Error(`${where}: "input"/"output" must equal the first pair`);
    }
    tasks.push({
      id: record.id as string,
      code: record.code as string,
      input: record.input as string,
      output: record.output as string,
      pairs: typed.map(([input, output]) => [input, output]),
    });
  });
  return tasks;
}
