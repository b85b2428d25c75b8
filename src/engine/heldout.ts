/**
 * The held-out evaluation set: tasks the self-play loop never sees, drawn as random walks through
 * the same grammars the model samples from, so they measure the model on its own language.
 *
 * Every candidate (a program and its argument lists) comes from one seeded stream, in a fixed
 * order that does not depend on the executor's answers; candidates are then accepted in that
 * order. Same seed, same tasks.
 */
import type { ExecRequest, Verdict } from '../executor/types';
import { PROGRAM_LEVELS, type ProgramLevel } from '../lang/levels';
import { argumentsConstraint } from '../lang/literal-grammar';
import { programConstraint } from '../lang/program-grammar';
import { seededRandom, structuredWeights, weightedWalk } from '../lang/sampling';
import { createTokenizer, type Tokenizer } from '../lang/tokenizer';
import { NONE, parseSignature, TYPE_NAMES, type TypeId, typeOfName } from '../lang/types';
import { jsonlLines } from './jsonl';

export interface HeldoutTask {
  id: string;
  /** The program grammar's difficulty level it was drawn at (src/lang/levels.ts). */
  level: number;
  code: string;
  /** pairs[0]: deduction and abduction use one pair. */
  input: string;
  output: string;
  /** Every (input, output repr) pair; induction shows half and hides half. */
  pairs: [string, string][];
}

export interface HeldoutOptions {
  seed: number;
  /** Tasks drawn at each level. */
  perLevel: number;
  /** The levels, in the order their tasks appear; all of `PROGRAM_LEVELS` by default. */
  levels?: readonly ProgramLevel[];
  /** Input/output pairs per task. */
  pairs: number;
  /** Tasks accepted so far, of all levels together. */
  onProgress?: (done: number, total: number) => void;
}

export interface LevelReport {
  level: ProgramLevel;
  /** Programs drawn at this level until its last task was accepted. */
  draws: number;
  /** Why drawn candidates were turned down, by reason. */
  rejected: Record<string, number>;
}

export interface HeldoutReport {
  tasks: HeldoutTask[];
  /** Programs drawn until the last task was accepted, all levels together. */
  draws: number;
  /** Why drawn candidates were turned down, by reason, all levels together. */
  rejected: Record<string, number>;
  /** The same, per level, in the order of the levels. */
  levels: LevelReport[];
}

type Executor = { run(requests: ExecRequest[]): Promise<Verdict[]> };

/** The shipped set, relative to the repository root. */
export const HELDOUT_PATH = 'data/heldout.jsonl';

/** Token budgets: a program, and each literal, as the model's prompts allow them. */
export const HELDOUT_PROGRAM_TOKENS = 80;
export const HELDOUT_LITERAL_TOKENS = 24;
/** No answer type may make up more than this share of a level, so that guessing one type scores low. */
export const CLASS_SHARE = 0.3;
/**
 * No single output value (0, '', [], True) may make up more than this share of a level; values
 * that `==` makes equal (0 and False) count as one.
 */
export const VALUE_SHARE = 0.03;
/**
 * No more than this share of a level's tasks may be copy tasks (every output is one of its pair's
 * arguments, see `isCopyTask`), so that echoing the input scores low.
 */
export const COPY_SHARE = 0.03;
/** Input/output pairs per task in the shipped set (induction shows half). */
export const HELDOUT_PAIRS = 6;
/** Draws allowed per requested task before giving up. */
const DRAWS_PER_TASK = 800;
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

/**
 * Most tasks of one level (of `count` tasks) whose first output is one value (by `valueKey`):
 * `VALUE_SHARE` of it, at least one.
 */
export function valueCapOf(count: number): number {
  return Math.max(1, Math.floor(count * VALUE_SHARE));
}

/**
 * Counts of output values (`==`-equal values together, by `valueKey`) and output classes against
 * caps: the held-out generator's balance, also used by solver batches and balanced replay.
 */
export class OutputCaps {
  private readonly perValue = new Map<string, number>();
  private readonly perClass = new Map<OutputClass, number>();

  constructor(
    private readonly valueCap: number,
    private readonly classCap = Number.POSITIVE_INFINITY,
  ) {}

  /** Which cap the output is refused by, the class's checked first; null when it fits under both. */
  refusal(output: string): 'class' | 'value' | null {
    if ((this.perClass.get(outputClass(output)) ?? 0) >= this.classCap) return 'class';
    if ((this.perValue.get(valueKey(output)) ?? 0) >= this.valueCap) return 'value';
    return null;
  }

  /** Counts the output, whether or not it fits. */
  take(output: string): void {
    const kind = outputClass(output);
    const value = valueKey(output);
    this.perClass.set(kind, (this.perClass.get(kind) ?? 0) + 1);
    this.perValue.set(value, (this.perValue.get(value) ?? 0) + 1);
  }

  /** Counts the output if it fits under both caps; says whether it did. */
  admit(output: string): boolean {
    if (this.refusal(output)) return false;
    this.take(output);
    return true;
  }
}

/** Most copy tasks a level of `count` tasks may hold: `COPY_SHARE` of it, at least one. */
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

/**
 * A key under which output reprs that Python's `==` makes equal are one value: `False` and `0`,
 * `True` and `1`, `-0` and `0`, also inside lists and tuples (`[True, 0]` and `[1, False]`).
 * Text inside string literals is left alone. (Lists and tuples never compare equal, so their
 * brackets stay.)
 */
export function valueKey(repr: string): string {
  let key = '';
  let i = 0;
  while (i < repr.length) {
    const ch = repr[i]!;
    if (ch === "'" || ch === '"') {
      let j = i + 1;
      while (j < repr.length && repr[j] !== ch) j += repr[j] === '\\' ? 2 : 1;
      key += repr.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    const word = /^(?:True|False|-?0(?![0-9xXoObB.]))(?![A-Za-z0-9_])/.exec(repr.slice(i));
    const before = key[key.length - 1];
    if (word && (before === undefined || !/[A-Za-z0-9_.]/.test(before))) {
      key += word[0] === 'True' ? '1' : '0';
      i += word[0].length;
      continue;
    }
    key += ch;
    i++;
  }
  return key;
}

/** Dedupe key of a program: trailing whitespace on lines and at the end does not make it new. */
export function programKey(code: string): string {
  return code
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trimEnd();
}

/**
 * Whether a program is one of `heldout`'s up to renaming (renamingKey): self-play never trains on
 * those, so that `return (-m)` learnt does not answer the held-out `return (-x)`.
 */
export function heldoutMatcher(heldout: readonly { code: string }[]): (code: string) => boolean {
  const keys = new Set(heldout.map((task) => renamingKey(task.code)));
  return (code) => keys.has(renamingKey(code));
}

/**
 * `code` with every typed name (types.ts) outside string literals replaced by `rename(name, type)`,
 * asked once per name, so that a name is replaced the same way wherever it occurs.
 */
export function renameTypedNames(code: string, rename: (name: string, type: TypeId) => string): string {
  const renamed = new Map<string, string>();
  return code.replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|[A-Za-z_][A-Za-z0-9_]*/g, (token) => {
    if (token[0] === "'" || token[0] === '"') return token;
    const type = typeOfName(token);
    if (type === NONE) return token;
    let name = renamed.get(token);
    if (name === undefined) {
      name = rename(token, type);
      renamed.set(token, name);
    }
    return name;
  });
}

/**
 * Dedupe key of a program up to renaming: each typed name (types.ts) is replaced, in order of
 * first use, by its type and a number, so `return len(s)` and `return len(t)` are one program,
 * while `return [n]` and `return [s]` (different types) stay two. String literals are kept.
 */
export function renamingKey(code: string): string {
  const perType = new Map<number, number>();
  return renameTypedNames(programKey(code), (_name, type) => {
    const k = perType.get(type) ?? 0;
    perType.set(type, k + 1);
    return `<${TYPE_NAMES[type]}#${k}>`;
  });
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
function drawCandidate(tokenizer: Tokenizer, random: () => number, weights: Float64Array, pairs: number, level: ProgramLevel): Candidate {
  const walk = (constraint: Parameters<typeof weightedWalk>[0], limit: number) =>
    tokenizer.decode(weightedWalk(constraint, random, tokenizer.eos, limit, weights));
  const code = walk(programConstraint(tokenizer, { maxTokens: HELDOUT_PROGRAM_TOKENS, level }), HELDOUT_PROGRAM_TOKENS);
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

/** The generator drew its allowance of candidates without finding enough tasks for a level. */
export class GaveUpError extends Error {}

/** The stream seed of one level: each level draws from its own stream, so levels do not shift each other. */
function levelSeed(seed: number, level: number): number {
  return (seed + Math.imul(level, 0x9e3779b9)) >>> 0;
}

/**
 * Draws `perLevel` tasks for each level, level by level; also says how many draws it took and
 * why others failed, for the whole set and per level. The caps on answer type, answer value
 * (values that `==` makes equal count as one, see `valueKey`) and copy tasks apply within each
 * level; programs are unique across the whole set, up to renaming their names (`renamingKey`).
 */
export async function generateHeldoutReport(executor: Executor, options: HeldoutOptions): Promise<HeldoutReport> {
  const { seed, perLevel, pairs } = options;
  const levels = [...(options.levels ?? PROGRAM_LEVELS)];
  if (!Number.isInteger(perLevel) || perLevel < 1) throw new Error(`perLevel must be a positive whole number, not ${perLevel}`);
  if (!Number.isInteger(pairs) || pairs < 2) throw new Error(`pairs must be a whole number of at least 2, not ${pairs}`);
  if (levels.length === 0) throw new Error('levels must name at least one level');
  for (const level of levels) {
    if (!(PROGRAM_LEVELS as readonly number[]).includes(level)) throw new Error(`level must be one of ${PROGRAM_LEVELS.join(', ')}, not ${level}`);
  }
  if (new Set(levels).size !== levels.length) throw new Error(`levels must not repeat (got ${levels.join(', ')})`);
  const tokenizer = createTokenizer();
  const weights = structuredWeights(tokenizer);
  const total = perLevel * levels.length;
  const tasks: HeldoutTask[] = [];
  const seen = new Set<string>();
  const reports: LevelReport[] = [];
  options.onProgress?.(0, total);
  for (const level of levels) {
    const report = await drawLevel(executor, { tokenizer, weights, seed, level, perLevel, pairs, seen }, (task) => {
      tasks.push(task);
      options.onProgress?.(tasks.length, total);
    });
    reports.push(report);
  }
  const rejected: Record<string, number> = {};
  for (const report of reports) {
    for (const [reason, n] of Object.entries(report.rejected)) rejected[reason] = (rejected[reason] ?? 0) + n;
  }
  return { tasks, draws: reports.reduce((sum, r) => sum + r.draws, 0), rejected, levels: reports };
}

interface LevelContext {
  tokenizer: Tokenizer;
  weights: Float64Array;
  seed: number;
  level: ProgramLevel;
  perLevel: number;
  pairs: number;
  /** Program keys (`renamingKey`) accepted so far, in any level. */
  seen: Set<string>;
}

async function drawLevel(executor: Executor, ctx: LevelContext, accept: (task: HeldoutTask) => void): Promise<LevelReport> {
  const { tokenizer, weights, seed, level, perLevel: count, pairs, seen } = ctx;
  const random = seededRandom(levelSeed(seed, level));
  const caps = new OutputCaps(valueCapOf(count), Math.ceil(count * CLASS_SHARE));
  const copyLimit = copyCap(count);
  const maxDraws = count * DRAWS_PER_TASK;

  let accepted = 0;
  const rejected: Record<string, number> = {};
  const reject = (reason: string) => void (rejected[reason] = (rejected[reason] ?? 0) + 1);
  let copies = 0;
  let draws = 0;

  while (accepted < count) {
    if (draws >= maxDraws) {
      throw new GaveUpError(
        `level ${level}: gave up after ${draws} draws with ${accepted} of ${count} tasks (seed ${seed}); turned down: ${JSON.stringify(rejected)}`,
      );
    }
    const batch: Candidate[] = [];
    while (batch.length < BATCH && draws + batch.length < maxDraws) batch.push(drawCandidate(tokenizer, random, weights, pairs, level));
    const runnable = batch.filter((candidate) => !candidate.problem);
    const verdicts = runnable.length ? await executor.run(runnable.map((c) => ({ kind: 'validate', code: c.code, inputs: c.inputs }))) : [];
    const verdictOf = new Map(runnable.map((candidate, i) => [candidate, verdicts[i]!]));

    for (const candidate of batch) {
      if (accepted >= count) break;
      draws++;
      const problem = candidate.problem ?? acceptProblem(candidate, verdictOf.get(candidate)!, tokenizer);
      if (problem) {
        reject(problem);
        continue;
      }
      const outputs = verdictOf.get(candidate)!.outputs!;
      const key = renamingKey(candidate.code);
      const refusal = caps.refusal(outputs[0]!);
      const taskPairs = candidate.inputs.map((input, i) => [input, outputs[i]!] as [string, string]);
      const copy = isCopyTask(taskPairs);
      if (seen.has(key)) reject('duplicate-program');
      else if (copy && copies >= copyLimit) reject('copy-cap');
      else if (refusal === 'class') reject(`class-cap-${outputClass(outputs[0]!)}`);
      else if (refusal === 'value') reject('value-cap');
      else {
        seen.add(key);
        caps.take(outputs[0]!);
        if (copy) copies++;
        accept({
          id: `heldout_L${level}_${String(accepted).padStart(3, '0')}`,
          level,
          code: candidate.code,
          input: taskPairs[0]![0],
          output: taskPairs[0]![1],
          pairs: taskPairs,
        });
        accepted++;
      }
    }
  }
  return { level, draws, rejected };
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
    .map((task) => JSON.stringify({ id: task.id, level: task.level, code: task.code, input: task.input, output: task.output, pairs: task.pairs }))
    .map((line) => `${line}\n`)
    .join('');
}

/**
 * Parses the JSONL set; a malformed line is an error that names its line number. A line without
 * a "level" was written before levels existed, with the full grammar: it reads as level 4.
 */
export function readHeldout(text: string): HeldoutTask[] {
  const tasks: HeldoutTask[] = [];
  for (const entry of jsonlLines(text)) {
    const where = `held-out set, line ${entry.line}`;
    if ('problem' in entry) throw new Error(`${where}: ${entry.problem}`);
    const { record } = entry;
    for (const key of ['id', 'code', 'input', 'output']) {
      if (typeof record[key] !== 'string') throw new Error(`${where}: field "${key}" is missing or not a string`);
    }
    const pairs = record.pairs;
    const isPair = (pair: unknown) => Array.isArray(pair) && pair.length === 2 && typeof pair[0] === 'string' && typeof pair[1] === 'string';
    if (!Array.isArray(pairs) || pairs.length === 0 || !pairs.every(isPair)) {
      throw new Error(`${where}: field "pairs" must be a non-empty list of [input, output] strings`);
    }
    const typed = pairs as [string, string][];
    if (typed[0]![0] !== record.input || typed[0]![1] !== record.output) {
      throw new Error(`${where}: "input"/"output" must equal the first pair`);
    }
    let level = 4;
    if (record.level !== undefined) {
      if (typeof record.level !== 'number' || !(PROGRAM_LEVELS as readonly number[]).includes(record.level)) {
        throw new Error(`${where}: field "level" must be one of ${PROGRAM_LEVELS.join(', ')} (got ${JSON.stringify(record.level)})`);
      }
      level = record.level;
    }
    tasks.push({
      id: record.id as string,
      level,
      code: record.code as string,
      input: record.input as string,
      output: record.output as string,
      pairs: typed.map(([input, output]) => [input, output]),
    });
  }
  return tasks;
}
