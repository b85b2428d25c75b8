/**
 * Hindsight replay (our addition, part of executor hindsight): after its TRR++ update, a step
 * runs `replayUpdates` more updates, each a cross-entropy batch of `replayRows` examples made
 * fresh: the proposer writes new programs (one batched sampling call for all the updates), the
 * executor runs each on new arguments. The executor is cheap and its answers are the one signal
 * a model this small learns from quickly, so this is where most of a step's learning happens;
 * the paper's pure AZR (`hindsight=false`) has none of it. Fresh programs matter: trained on a
 * fixed pool of 200 programs (scripts/supervised-ceiling.ts pool=200), the tiny model stayed at
 * its held-out floor, where new programs every time gave twice the floor in the same minutes.
 *
 * Still zero human data: the programs are the proposer's, the arguments are random walks of
 * each program's own argument grammar (as the constant probes' are: uniform, or the held-out
 * set's weighted walk for a `structuredArguments` share of them), and every answer is what
 * the executor computed. One program run on N new argument lists is an example for every role:
 *   deduction  (p, i) -> o          one pair
 *   abduction  (p, o) -> i          another pair
 *   induction  (first half of the pairs, no message) -> p
 */
import type { ValidateRequest, Verdict } from '../executor/types';
import type { SampleOutcome } from '../model-service/model-service';
import { type Rng, randomInt } from '../shared/rng';
import { splitPairs } from './config';
import { isCopyTask, type OutputCaps } from './heldout';
import type { HindsightTarget } from './hindsight';
import type { TaskType } from './rewards';

/** A program the proposer wrote, with the pairs it gave on new arguments. */
export interface CheckedProgram {
  code: string;
  pairs: [string, string][];
  /** Pairs on argument lists of their own for its induction example (`uniformInductionArguments`); else `pairs`. */
  inductionPairs?: [string, string][];
}

/**
 * The programs of a batch of proposer samples worth replaying: complete ones (not cut off by the
 * token budget) that are not held-out programs, in order.
 */
export function freshPrograms(samples: readonly Pick<SampleOutcome, 'parts' | 'stopReason'>[], isHeldout: (code: string) => boolean): string[] {
  return samples
    .filter((s) => (s.stopReason === 'eos' || s.stopReason === 'constraint') && s.parts.length === 1)
    .map((s) => s.parts[0]!)
    .filter((code) => !isHeldout(code));
}

/** One validate request per program, on its new argument lists (programs with fewer than two are left out). */
export function replayRequests(codes: readonly string[], argumentsFor: (code: string) => string[]): ValidateRequest[] {
  const requests: ValidateRequest[] = [];
  for (const code of codes) {
    const inputs = argumentsFor(code);
    if (inputs.length >= 2) requests.push({ kind: 'validate', code, inputs });
  }
  return requests;
}

/**
 * The programs whose run succeeded on every argument list and that are not constant on them (two
 * or more distinct outputs), with the pairs whose outputs fit `fitsOutput`. With `induction`
 * (requests and verdicts aligned with `requests`, the same programs on other argument lists),
 * a program whose other run passes the same checks takes those pairs as its `inductionPairs`.
 */
export function checkedPrograms(
  requests: readonly ValidateRequest[],
  verdicts: readonly (Verdict | null)[],
  fitsOutput: (output: string) => boolean,
  induction?: { requests: readonly ValidateRequest[]; verdicts: readonly (Verdict | null)[] },
): CheckedProgram[] {
  const out: CheckedProgram[] = [];
  requests.forEach((request, k) => {
    const pairs = passingPairs(request, verdicts[k], fitsOutput);
    if (!pairs) return;
    const other = induction ? passingPairs(induction.requests[k]!, induction.verdicts[k], fitsOutput) : null;
    out.push(other ? { code: request.code, pairs, inductionPairs: other } : { code: request.code, pairs });
  });
  return out;
}

/** A run's pairs whose outputs fit, or null when it failed, is constant, or leaves fewer than two. */
function passingPairs(request: ValidateRequest, verdict: Verdict | null | undefined, fitsOutput: (output: string) => boolean): [string, string][] | null {
  const outputs = verdict?.ok ? (verdict.outputs ?? []) : [];
  if (outputs.length !== request.inputs.length || new Set(outputs).size < 2) return null;
  const pairs = request.inputs.map((input, j): [string, string] => [input, outputs[j]!]).filter(([, output]) => fitsOutput(output));
  return pairs.length >= 2 ? pairs : null;
}

/**
 * The programs in order, with copy programs (every output one of its pair's arguments,
 * `isCopyTask`) kept only while they stay within `share` of the programs kept (1: all kept).
 * A proposer writes `return x` far more often than anything else (about 70% of its programs
 * after 10 minutes of full AZR, half at the start), which teaches copying, the trivial floor; the
 * held-out set holds at most 3% of them (COPY_SHARE).
 */
export function capCopies(programs: readonly CheckedProgram[], share: number): CheckedProgram[] {
  const kept: CheckedProgram[] = [];
  let copies = 0;
  for (const program of programs) {
    if (share < 1 && isCopyTask(program.pairs)) {
      if (copies + 1 > share * (kept.length + 1)) continue;
      copies++;
    }
    kept.push(program);
  }
  return kept;
}

/**
 * How many programs the next replay round asks for: the shortfall over the share of those asked
 * so far that were kept, at most `MAX_ROUND_FACTOR` times the shortfall (and the first round's
 * share taken as at least 1/MAX_ROUND_FACTOR), 0 when nothing is short.
 */
export function nextRoundSize(needed: number, kept: number, asked: number): number {
  const short = needed - kept;
  if (short <= 0) return 0;
  const rate = Math.max(kept / Math.max(asked, 1), 1 / MAX_ROUND_FACTOR);
  return Math.ceil(short / rate);
}
const MAX_ROUND_FACTOR = 4;

/**
 * The roles each program of one replay update gives targets for. Deduction weighs
 * `deductionWeight` against 1 for each other type that is on: with weight 2 and all three types,
 * a 64-row update has 32 programs, each a deduction example, and 16 abduction and 16 induction
 * examples taken from them in turn. Weight 1 is the even split: every program gives every role.
 * Each program gives a role at most once, so deduction's extra rows come from more programs, not
 * more pairs of one (two pairs of one program taught it less, docs/learning-journal.md).
 */
export function replayRoles(rows: number, types: readonly TaskType[], deductionWeight: number): TaskType[][] {
  const others = types.filter((t) => t !== 'deduction');
  const weight = types.includes('deduction') ? deductionWeight : 0;
  const shares = weight + others.length;
  const programs = Math.max(1, Math.floor((rows * Math.max(weight, 1)) / shares));
  const perOther = Math.min(programs, Math.floor(rows / shares));
  const roles: TaskType[][] = Array.from({ length: programs }, () => (weight > 0 ? ['deduction'] : []));
  const extras = others.length * perOther;
  for (let e = 0; e < extras; e++) roles[Math.floor((e * programs) / extras)]!.push(others[e % others.length]!);
  return roles.map((r) => types.filter((t) => r.includes(t)));
}

/**
 * The hindsight targets of one checked program for the given roles: a deduction pair and a
 * different abduction pair (both drawn with `rng`), and an induction task showing the first half
 * of the pairs (its `inductionPairs` when it has them) with an empty message (the held-out set's
 * induction format) and hiding the rest.
 * With a `balance`, deduction takes the first pair from its drawn one on whose output the balance
 * admits, and the program gives no deduction target when none is (`replayBalance`: random
 * programs answer True, False, 0 and '' far more often than the held-out set, whose values all
 * differ; capped, the supervised ceiling learnt faster but self-play learnt less,
 * docs/learning-journal.md).
 */
export function replayTargets(program: CheckedProgram, types: readonly TaskType[], rng: Rng, balance?: OutputCaps): HindsightTarget[] {
  const { code, pairs } = program;
  const n = pairs.length;
  const drawn = randomInt(rng, n);
  const other = randomInt(rng, n - 1);
  let first: number | null = drawn;
  if (balance && types.includes('deduction')) {
    const admitted = Array.from({ length: n }, (_, k) => (drawn + k) % n).find((i) => balance.admit(pairs[i]![1]));
    first = admitted ?? null;
  }
  const second = ((first ?? drawn) + 1 + other) % n;
  const targets: HindsightTarget[] = [];
  for (const type of types) {
    if (type === 'induction') {
      const { shown, hidden } = splitPairs(program.inductionPairs ?? pairs);
      const [input, output] = hidden[0] ?? shown[0]!;
      targets.push({ type, task: { code, input, output, shown, message: '' }, answer: code, relabelled: false });
    } else if (type === 'abduction') {
      const [input, output] = pairs[second]!;
      targets.push({ type, task: { code, input, output }, answer: input, relabelled: false });
    } else if (first !== null) {
      const [input, output] = pairs[first]!;
      targets.push({ type, task: { code, input, output }, answer: output, relabelled: false });
    }
  }
  return targets;
}
