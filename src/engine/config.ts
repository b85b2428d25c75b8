/**
 * The self-play engine's one configuration: every setting of a run, flat (so that it maps onto
 * `--set key=value` and the page's URL), with per-preset defaults, documented ranges, and
 * validation that names the field at fault.
 */
import { isPresetName, PRESETS, type PresetName } from '../model/config';
import type { TaskType } from './rewards';

export interface EngineConfig {
  preset: PresetName;
  seed: number;
  /** Task types on or off (ablations). */
  deduction: boolean;
  abduction: boolean;
  induction: boolean;
  /** false: "train solver only" (proposals still happen, the proposer's rows are not trained on). */
  trainProposer: boolean;
  /** Proposals and solver tasks per task type per step (the paper: 64). */
  batchSize: number;
  /** K: reference triplets shown to a deduction/abduction proposer (the paper: 6). */
  references: number;
  /** N: inputs an induction proposer writes; the first half is shown, the rest hidden (paper: 10). */
  inductionInputs: number;
  /** n: solver attempts per valid proposal for its learnability (paper: 8; not trained on there). */
  learnabilitySamples: number;
  /**
   * Our addition, off by default: the n learnability attempts also train the solver, each valid
   * proposal's attempts a group of their own (advantage against that task's mean, as GRPO does),
   * beside TRR++'s solver rows. Rewards stay the executor's verdicts: no hindsight targets.
   */
  trainAttempts: boolean;
  /**
   * Our addition, off by default (0): a wrong deduction or abduction answer earns -0.5 + this x
   * how close its value came to the right one (1 - edit distance of the reprs over the longer, or
   * by value with `creditByValue`), a wrong induction program this x the share of the hidden
   * pairs it reproduces (graded on every pair, `everyPair`),
   * so that a group of wrong answers still carries a signal. Aimed at pure AZR, whose binary
   * reward from its own tasks left its solver under its floors (runs 34, 36).
   */
  partialCredit: number;
  /**
   * How `partialCredit` measures closeness: by value (ints by their distance, strings by their
   * characters, lists item by item; closeness.ts), instead of by the edit distance of the reprs,
   * which pays a wrong answer for sharing its type's quotes and brackets (run 45).
   */
  creditByValue: boolean;
  temperature: number;
  learningRate: number;
  /**
   * Held-out evaluation answers with an exponential moving average of the weights, this decay per
   * update (optimizer.ts); 0 answers with the live weights. Training never uses the average.
   */
  averageDecay: number;
  /**
   * How fast the average's decay rises to averageDecay: (1 + t) / (averageRamp + t) at update t,
   * so that it spans about the last t / (averageRamp - 1) updates until then (optimizer.ts).
   */
  averageRamp: number;
  clipEpsilon: number;
  entropyCoef: number;
  /** The official code's rule: a valid but trivial or impossible proposal gets -0.5, not 0. */
  trivialPenalty: boolean;
  /** Grammar-constrained decoding (false shows why it is needed). */
  constrained: boolean;
  /** Executor time limit per program, in ms. */
  timeoutMs: number;
  /** Valid triplets each buffer gets before training starts. */
  seedBufferSize: number;
  /** Token budgets (each counts the token that ends the part). */
  programTokens: number;
  inputTokens: number;
  outputTokens: number;
  messageTokens: number;
  /**
   * Executor hindsight (our addition to the paper): every validated task's correct answer, and
   * every wrong abduction input relabelled with the output it does give, is also learnt by
   * cross-entropy in the same update. false: the paper's pure AZR (TRR++ only).
   */
  hindsight: boolean;
  /** Weight of the hindsight cross-entropy term beside the TRR++ loss. */
  hindsightWeight: number;
  /** Extra buffered abduction and induction tasks each learnt by hindsight each step, without sampling an answer. */
  hindsightTasks: number;
  /** The same for deduction, apart so that deduction can take more without induction's share growing (runs 49-50). */
  hindsightDeductionTasks: number;
  /**
   * Hindsight replay (with `hindsight`): extra cross-entropy updates per step, each on examples
   * made fresh: new programs the proposer writes, run on new arguments (replay.ts). 0: off.
   */
  replayUpdates: number;
  /** Examples per replay update, split over the task types that are on (by `replayDeductionWeight`). */
  replayRows: number;
  /**
   * Replay rows given to deduction, as a multiple of each other type's: 2 gives deduction half of
   * a 64-row update (32 programs) and abduction and induction 16 each; 1 is an even split.
   */
  replayDeductionWeight: number;
  /**
   * Most share of a step's replay programs that may be copies (every output one of its
   * arguments): the held-out set's own cap (3%); 1 keeps them all. Replay asks for more programs
   * to make up the ones it drops.
   */
  replayCopyShare: number;
  /**
   * Replay programs drawn per prompt (the same references, parameter types and level): a prompt
   * is prefilled once for its group, so larger groups sample faster; 1 gives every program a
   * prompt of its own. Groups of 2 or 4 learnt less (runs 39-41, docs/learning-journal.md).
   */
  replayGroup: number;
  /**
   * A replay group shares its prompt (the references, so one prefill) but each of its programs
   * draws its own parameter types and level; off, the group's programs share those too.
   */
  replayGroupReferencesOnly: boolean;
  /**
   * Replay's deduction answers balanced in each update: every output value once, an output class
   * at most the held-out set's share (OutputCaps, heldout.ts).
   */
  replayBalance: boolean;
  /**
   * Replay's programs: `replaySpread` of them (a half) uniform over the levels up to the higher
   * of the level reached and this one, the rest at the curriculum's level, so that replay shows
   * the model programs of levels its curriculum has not reached (0: only those reached). A fixed
   * `level` fixes replay's too.
   */
  replayLevel: number;
  /** Share of replay's programs drawn uniformly over the levels up to `replayLevel`; the rest are at the curriculum's level. */
  replaySpread: number;
  /**
   * K for replay's prompts: reference triplets shown to the proposer when it writes replay's
   * programs. Those prompts are most of what a step prefills (about 45k of a step's 50k prompt
   * positions with 2), yet without references replay's programs taught far less (run 30).
   */
  replayReferences: number;
  /** Program curriculum: 0 lets the engine move the level by the solver's success; 1-4 fixes it. */
  level: number;
  /**
   * Programs in the curriculum's exam: every few steps the solver answers this many fresh
   * programs of its level drawn from the grammar, and the level rises when it gets half right.
   * 0: the level rises on the solver's own tasks instead (which the proposer keeps easy).
   */
  examTasks: number;
  /**
   * Each deduction/abduction proposal (and replay program) takes parameter types drawn from the
   * grammar (signature-draw.ts) instead of the model's choice, so the proposer cannot settle on
   * one type. The model still writes the names, the body and the input.
   */
  drawSignatures: boolean;
  /**
   * The share of the engine's own argument lists (replay's, the constant probes', `drawInputs`')
   * drawn from the weighted walk that writes the held-out set's (strings of every length up to 8
   * characters, ints of one or two digits); the rest come from a uniform walk (strings nearly all
   * empty or 8 characters). Was a switch (true = 1) before 2026-12-07's sixteenth session.
   */
  structuredArguments: number;
  /**
   * Replay's induction examples show pairs on argument lists of their own, all from the uniform
   * walk, while its deduction and abduction pairs keep the `structuredArguments` mix (each
   * program runs on both sets; its induction falls back to the mixed pairs when the uniform ones
   * fail or are constant). Off: every role takes its pairs from the mixed lists.
   */
  uniformInductionArguments: boolean;
  /**
   * Deduction/abduction proposals are programs only: the engine draws each one's argument list
   * as the constant probes draw theirs (typed random values), instead of the model writing it.
   * A departure from the paper, off by default: its pure AZR proposer wrote empty arguments for
   * half its deduction programs (docs/learning-journal.md, run 34).
   */
  drawInputs: boolean;
  /** Extra random inputs each proposal is run on; all outputs equal means it is rejected as `constant` (0: off). */
  constantProbes: number;
  /**
   * Reject copy proposals (`copy`): on those inputs, every output is one of its own arguments
   * (`return x`). A random proposer writes them more than anything else, and they teach echoing,
   * the trivial floor. Needs `constantProbes` > 0.
   */
  rejectCopies: boolean;
  /** Solver batches drawn evenly over output types, with no output value more than a quarter of a batch. */
  balanceTasks: boolean;
  /**
   * Threads the model computes on: 2 runs a helper model on a second core that computes part of
   * each update's gradients and samples half of each batch. A seeded run is reproducible for a
   * given count, but 1 and 2 give different runs (other sums, other random draws).
   */
  threads: number;
  /** Held-out evaluation every this many steps (0: never). */
  evalEvery: number;
  /** Held-out tasks per type and program level in that periodic evaluation. */
  evalTasks: number;
  /** Mean token entropy (nats) below which the run is said to have collapsed (collapse.ts). */
  collapseEntropy: number;
}

type Field = keyof EngineConfig;

interface FieldSpec {
  kind: 'int' | 'number' | 'bool' | 'preset';
  min?: number;
  max?: number;
  doc: string;
}

export const FIELDS: Readonly<Record<Field, FieldSpec>> = {
  preset: { kind: 'preset', doc: 'model size: tiny, small or base' },
  seed: { kind: 'int', min: 0, max: 2 ** 31 - 1, doc: 'seed of every random choice of the run' },
  deduction: { kind: 'bool', doc: 'deduction tasks on' },
  abduction: { kind: 'bool', doc: 'abduction tasks on' },
  induction: { kind: 'bool', doc: 'induction tasks on' },
  trainProposer: { kind: 'bool', doc: 'train the proposer too (false: train solver only)' },
  batchSize: { kind: 'int', min: 1, max: 256, doc: 'proposals and solver tasks per task type per step' },
  references: { kind: 'int', min: 0, max: 16, doc: 'K, reference triplets shown to a proposer' },
  inductionInputs: { kind: 'int', min: 2, max: 16, doc: 'N, inputs per induction task (half shown)' },
  learnabilitySamples: { kind: 'int', min: 2, max: 32, doc: 'n, solver attempts per proposal for its learnability' },
  trainAttempts: { kind: 'bool', doc: "the learnability attempts also train the solver, each proposal's n attempts a group of their own" },
  partialCredit: {
    kind: 'number',
    min: 0,
    max: 1,
    doc: "a wrong answer earns -0.5 + this x its closeness: deduction/abduction to the right value, induction the share of hidden pairs it reproduces (0: the paper's rewards)",
  },
  creditByValue: { kind: 'bool', doc: 'partialCredit measures closeness by value (numbers by distance, strings by characters) instead of by repr' },
  temperature: { kind: 'number', min: 0.05, max: 4, doc: 'sampling temperature' },
  learningRate: { kind: 'number', min: 1e-7, max: 0.1, doc: 'AdamW learning rate' },
  averageDecay: {
    kind: 'number',
    min: 0,
    max: 0.9999,
    doc: 'held-out evaluation answers with a moving average of the weights, this decay per update (0: the live weights)',
  },
  averageRamp: {
    kind: 'number',
    min: 1.5,
    max: 1000,
    doc: "the average's decay is (1 + t) / (averageRamp + t) at update t until it reaches averageDecay: it spans about the last t / (averageRamp - 1) updates",
  },
  clipEpsilon: { kind: 'number', min: 0.01, max: 1, doc: 'PPO clip range' },
  entropyCoef: { kind: 'number', min: 0, max: 1, doc: 'weight of the entropy bonus' },
  trivialPenalty: { kind: 'bool', doc: 'give trivial/impossible proposals -0.5 (official code) instead of 0 (paper)' },
  constrained: { kind: 'bool', doc: 'grammar-constrained decoding' },
  timeoutMs: { kind: 'int', min: 50, max: 30_000, doc: 'executor time limit per program (ms)' },
  seedBufferSize: { kind: 'int', min: 1, max: 1024, doc: 'valid triplets per buffer before training' },
  programTokens: { kind: 'int', min: 16, max: 1024, doc: 'longest program, in tokens' },
  inputTokens: { kind: 'int', min: 4, max: 256, doc: 'longest argument list, in tokens' },
  outputTokens: { kind: 'int', min: 4, max: 256, doc: 'longest output literal, in tokens' },
  messageTokens: { kind: 'int', min: 1, max: 128, doc: 'longest induction message, in tokens' },
  hindsight: { kind: 'bool', doc: "also learn the executor's correct answers by cross-entropy (false: the paper's pure AZR)" },
  hindsightWeight: { kind: 'number', min: 0, max: 10, doc: 'weight of the hindsight cross-entropy term' },
  hindsightTasks: { kind: 'int', min: 0, max: 256, doc: 'extra buffered abduction tasks, and as many induction ones, learnt by hindsight each step' },
  hindsightDeductionTasks: { kind: 'int', min: 0, max: 256, doc: 'extra buffered deduction tasks learnt by hindsight each step' },
  replayUpdates: {
    kind: 'int',
    min: 0,
    max: 64,
    doc: 'hindsight replay: extra cross-entropy updates per step on new programs the proposer writes, run on new arguments (0: off)',
  },
  replayRows: { kind: 'int', min: 3, max: 256, doc: 'examples per replay update, split over the task types that are on (see replayDeductionWeight)' },
  replayDeductionWeight: {
    kind: 'int',
    min: 1,
    max: 8,
    doc: "replay rows given to deduction, as a multiple of each other type's (1: an even split)",
  },
  replayCopyShare: {
    kind: 'number',
    min: 0,
    max: 1,
    doc: "most share of replay's programs that may be copies of an argument (1: no cap); replay asks for more to make up the rest",
  },
  replayGroup: { kind: 'int', min: 1, max: 16, doc: 'replay programs drawn per prompt, which is prefilled once for them (1: a prompt each)' },
  replayGroupReferencesOnly: {
    kind: 'bool',
    doc: "a replay group shares only its prompt's references (one prefill); each program draws its own parameter types and level",
  },
  replayBalance: { kind: 'bool', doc: "balance each replay update's deduction answers: every output value once" },
  replayLevel: {
    kind: 'int',
    min: 0,
    max: 4,
    doc: 'replay writes replaySpread of its programs over the levels up to this one, whatever the curriculum has reached (0: only those reached)',
  },
  replaySpread: {
    kind: 'number',
    min: 0,
    max: 1,
    doc: "share of replay's programs drawn uniformly over the levels up to replayLevel; the rest are at the curriculum's level",
  },
  replayReferences: { kind: 'int', min: 0, max: 16, doc: "K for replay's prompts: reference triplets shown to the proposer when it writes replay's programs" },
  level: { kind: 'int', min: 0, max: 4, doc: 'program level: 0 = automatic curriculum, 1 (one-line) to 4 (full grammar)' },
  examTasks: {
    kind: 'int',
    min: 0,
    max: 256,
    doc: "fresh grammar programs of the curriculum's level answered every 5 steps; it rises at half right (0: rise on own tasks)",
  },
  drawSignatures: { kind: 'bool', doc: "proposals take parameter types drawn from the grammar's walk instead of the model's choice" },
  structuredArguments: {
    kind: 'number',
    min: 0,
    max: 1,
    doc: "share of the engine's argument lists (replay's, the probes') from the weighted walk that writes the held-out set's, strings of every length; the rest from a uniform walk",
  },
  uniformInductionArguments: {
    kind: 'bool',
    doc: "replay's induction examples show pairs on argument lists of their own from the uniform walk; deduction and abduction keep the structuredArguments mix",
  },
  drawInputs: { kind: 'bool', doc: 'deduction/abduction proposals are programs only; the engine draws their argument lists as the probes do' },
  constantProbes: { kind: 'int', min: 0, max: 8, doc: 'extra inputs a proposal runs on to reject constant programs (0: off)' },
  rejectCopies: { kind: 'bool', doc: 'reject copy proposals (every output one of its arguments, as `return x`); needs constantProbes > 0' },
  balanceTasks: { kind: 'bool', doc: 'balance solver batches by output type and value' },
  threads: { kind: 'int', min: 1, max: 2, doc: 'model threads: 2 adds a helper model on a second core for half of every update and sampling batch' },
  evalEvery: { kind: 'int', min: 0, max: 100_000, doc: 'held-out evaluation every this many steps (0: never)' },
  evalTasks: { kind: 'int', min: 1, max: 10_000, doc: 'held-out tasks per type and level in that evaluation' },
  collapseEntropy: { kind: 'number', min: 0, max: 10, doc: 'token entropy (nats) under which the page and the CLI warn that the proposer has collapsed' },
};

const SHARED = {
  seed: 1,
  deduction: true,
  abduction: true,
  induction: true,
  trainProposer: true,
  trainAttempts: false,
  partialCredit: 0,
  creditByValue: false,
  temperature: 1,
  clipEpsilon: 0.2,
  entropyCoef: 0,
  trivialPenalty: false,
  constrained: true,
  timeoutMs: 1000,
  averageDecay: 0.99,
  averageRamp: 10,
  hindsight: true,
  hindsightWeight: 1,
  // 2: 32 programs an update instead of 21, each a deduction example (docs/learning-journal.md, run 26).
  replayDeductionWeight: 2,
  replayCopyShare: 0.03,
  replayGroup: 1,
  replayGroupReferencesOnly: false,
  replayBalance: false,
  // 2: level-2 programs in a quarter of replay; induction +6 points on levels 1-2 (run 27, docs/learning-journal.md).
  replayLevel: 2,
  replaySpread: 0.5,
  level: 0,
  examTasks: 32,
  drawSignatures: true,
  // 0.5: level-1 deduction +4 and abduction +7 points, induction -3.5, over 0 side by side (run 46, docs/learning-journal.md).
  structuredArguments: 0.5,
  uniformInductionArguments: false,
  drawInputs: false,
  constantProbes: 3,
  rejectCopies: true,
  balanceTasks: true,
  threads: 2,
  evalEvery: 10,
  evalTasks: 16,
  collapseEntropy: 0.2,
} as const;

/** Sizes chosen so that the longest prompt plus answer fits each preset's context. */
const PER_PRESET: Record<PresetName, Omit<EngineConfig, keyof typeof SHARED | 'preset'>> = {
  tiny: {
    batchSize: 8,
    references: 2,
    // as many as a proposal: without them a step was 27% shorter but learnt far less (run 30, docs/learning-journal.md)
    replayReferences: 2,
    inductionInputs: 4,
    learnabilitySamples: 4,
    learningRate: 1e-3,
    seedBufferSize: 8,
    hindsightTasks: 32,
    hindsightDeductionTasks: 32,
    replayUpdates: 16,
    replayRows: 64,
    programTokens: 72,
    inputTokens: 20,
    outputTokens: 24,
    messageTokens: 10,
  },
  small: {
    batchSize: 16,
    references: 4,
    replayReferences: 4,
    inductionInputs: 6,
    learnabilitySamples: 6,
    learningRate: 3e-4,
    seedBufferSize: 16,
    hindsightTasks: 32,
    hindsightDeductionTasks: 32,
    replayUpdates: 4,
    replayRows: 64,
    programTokens: 128,
    inputTokens: 24,
    outputTokens: 32,
    messageTokens: 16,
  },
  base: {
    batchSize: 32,
    references: 6,
    replayReferences: 6,
    inductionInputs: 10,
    learnabilitySamples: 8,
    learningRate: 1e-4,
    seedBufferSize: 32,
    hindsightTasks: 64,
    hindsightDeductionTasks: 64,
    replayUpdates: 4,
    replayRows: 128,
    programTokens: 192,
    inputTokens: 32,
    outputTokens: 48,
    messageTokens: 24,
  },
};

export class ConfigError extends Error {}

export function defaultConfig(preset: PresetName = 'tiny'): EngineConfig {
  if (!isPresetName(preset)) throw new ConfigError(`preset: unknown model preset "${String(preset)}" (expected tiny, small or base)`);
  return { preset, ...SHARED, ...PER_PRESET[preset] };
}

/** Shown solver pairs of an induction task: the first half (rounded up); the rest are hidden. */
export function shownCount(inputs: number): number {
  return Math.ceil(inputs / 2);
}

/** The induction split, in training and in evaluation alike. */
export function splitPairs<T>(pairs: readonly T[]): { shown: T[]; hidden: T[] } {
  const shown = shownCount(pairs.length);
  return { shown: pairs.slice(0, shown), hidden: pairs.slice(shown) };
}

/** The longest prompt plus answer of each task-role, in tokens (see prompts.ts for the layouts). */
export function longestSequences(c: EngineConfig): Record<string, number> {
  const program = c.programTokens - 1;
  const input = c.inputTokens - 1;
  const output = c.outputTokens - 1;
  return {
    'propose:deduction/abduction (without references)': 2 + c.programTokens + c.inputTokens,
    'propose:induction': 3 + program + c.inductionInputs * c.inputTokens + c.messageTokens,
    'solve:deduction': 4 + program + input + c.outputTokens,
    'solve:abduction': 4 + program + output + c.inputTokens,
    'solve:induction': 3 + shownCount(c.inductionInputs) * (2 + input + output) + (c.messageTokens - 1) + c.programTokens,
  };
}

/**
 * A config saved before some settings existed, completed with the defaults of its preset for the
 * missing ones (a run saved then keeps training as it did: hindsight, its replay and the curriculum
 * were not there, so they stay off for it).
 */
export function upgradeConfig(saved: Partial<EngineConfig> & { preset: PresetName }): EngineConfig {
  const legacy: Partial<EngineConfig> = {
    hindsight: false,
    level: 4,
    constantProbes: 0,
    balanceTasks: false,
    replayUpdates: 0,
    threads: 1,
    averageDecay: 0,
    replayDeductionWeight: 1,
    replayLevel: 0,
    replayCopyShare: 1,
    rejectCopies: false,
    examTasks: 0,
    drawSignatures: false,
    structuredArguments: 0,
  };
  const base = defaultConfig(saved.preset);
  const missing = Object.fromEntries((Object.keys(FIELDS) as Field[]).filter((f) => !(f in saved)).map((f) => [f, f in legacy ? legacy[f] : base[f]]));
  const upgraded = { ...base, ...missing, ...saved } as EngineConfig;
  // structuredArguments was a switch before it was a share.
  const structured: unknown = upgraded.structuredArguments;
  if (typeof structured === 'boolean') upgraded.structuredArguments = structured ? 1 : 0;
  // Deduction's buffered hindsight tasks were hindsightTasks, as the other types', before they had a setting of their own.
  if (!('hindsightDeductionTasks' in saved)) upgraded.hindsightDeductionTasks = upgraded.hindsightTasks;
  // Replay's prompts showed the run's own K references before they had a setting of their own.
  return 'replayReferences' in saved ? upgraded : { ...upgraded, replayReferences: upgraded.references };
}

/** Buffered tasks of a type learnt by hindsight only each step. */
export function hindsightTaskCount(config: EngineConfig, type: TaskType): number {
  return type === 'deduction' ? config.hindsightDeductionTasks : config.hindsightTasks;
}

/** The optimiser's settings of a run (the rest are the optimiser's defaults). */
export function optimizerOptions(config: EngineConfig): { learningRate: number; averageDecay: number; averageRamp: number } {
  return { learningRate: config.learningRate, averageDecay: config.averageDecay, averageRamp: config.averageRamp };
}

/** Whether two configs set every field alike. */
export function sameConfig(a: EngineConfig, b: EngineConfig): boolean {
  return (Object.keys(FIELDS) as Field[]).every((field) => a[field] === b[field]);
}

/** What is wrong with one setting; `message` does not repeat the field's name. */
export interface SettingProblem {
  field: string;
  message: string;
}

/** Why a field's value is out of its range or kind, or null; `typed` is the text the user gave. */
function fieldProblem(field: Field, value: unknown, typed?: string): string | null {
  const spec: FieldSpec = FIELDS[field];
  const got = `(got ${typed !== undefined ? JSON.stringify(typed) : JSON.stringify(value)})`;
  const range = `${spec.min} to ${spec.max}`;
  if (spec.kind === 'preset' && !(typeof value === 'string' && isPresetName(value))) return `expected tiny, small or base ${got}`;
  if (spec.kind === 'bool' && typeof value !== 'boolean') return `expected true or false ${got}`;
  if (spec.kind === 'int' && !(Number.isInteger(value) && (value as number) >= spec.min! && (value as number) <= spec.max!)) {
    return `expected a whole number from ${range} ${got}`;
  }
  if (spec.kind === 'number' && !(typeof value === 'number' && value >= spec.min! && value <= spec.max!)) return `expected a number from ${range} ${got}`;
  return null;
}

/** Tokens the run's model reads at once (its preset's context). */
export function contextLength(config: EngineConfig): number {
  return PRESETS[config.preset].contextLength;
}

/** Problems between fields (task types, context length); only asked once every field is in range. */
function crossFieldProblems(config: EngineConfig): SettingProblem[] {
  const problems: SettingProblem[] = [];
  if (!config.deduction && !config.abduction && !config.induction) problems.push({ field: 'deduction', message: 'at least one task type must be on' });
  if (config.induction && !config.deduction && !config.abduction) {
    problems.push({ field: 'induction', message: 'needs deduction or abduction on too (its programs come from their buffers)' });
  }
  const context = contextLength(config);
  for (const [what, length] of Object.entries(longestSequences(config))) {
    if (length > context) {
      problems.push({
        field: 'programTokens',
        message: `${what} can need ${length} tokens, more than the ${config.preset} context of ${context}; lower programTokens, inputTokens, outputTokens, messageTokens or inductionInputs`,
      });
      break;
    }
  }
  return problems;
}

/** Each field of a config that is out of its range or kind, and each key that is not a setting. */
function fieldProblems(config: EngineConfig, typed: Partial<Record<string, string>>): SettingProblem[] {
  const problems: SettingProblem[] = [];
  for (const field of Object.keys(FIELDS) as Field[]) {
    const message = fieldProblem(field, config[field], typed[field]);
    if (message) problems.push({ field, message });
  }
  for (const key of Object.keys(config))
    if (!(key in FIELDS)) problems.push({ field: key, message: `not a setting (known: ${Object.keys(FIELDS).join(', ')})` });
  return problems;
}

/** Every problem of a config: each field out of range, then (if none) those between fields. */
export function configProblems(config: EngineConfig, typed: Partial<Record<string, string>> = {}): SettingProblem[] {
  const problems = fieldProblems(config, typed);
  return problems.length ? problems : crossFieldProblems(config);
}

/** "field: message; field: message", the form the CLI and the page show. */
export const describeProblems = (problems: readonly SettingProblem[], name: (field: string) => string = (f) => f): string =>
  problems.map((p) => `${name(p.field)}: ${p.message}`).join('; ');

/** Throws a ConfigError naming every field that is out of range or inconsistent. */
export function validateConfig(config: EngineConfig): void {
  const problems = configProblems(config);
  if (problems.length) throw new ConfigError(describeProblems(problems));
}

/**
 * `key=value` settings onto a config (a new object), with every problem found: unknown keys,
 * values that do not parse, values out of range (each quoting the text given), then conflicts
 * between fields. A `preset=` setting is applied first and brings that preset's defaults.
 */
export function checkSettings(config: EngineConfig, settings: readonly string[]): { config: EngineConfig | null; problems: SettingProblem[] } {
  const problems: SettingProblem[] = [];
  const parsed: [Field, unknown][] = [];
  const typed: Partial<Record<string, string>> = {};
  for (const setting of settings) {
    const result = parseSetting(setting);
    if ('problem' in result) problems.push(result.problem);
    else {
      parsed.push([result.field, result.value]);
      typed[result.field] = result.raw;
    }
  }
  const preset = parsed.find(([field]) => field === 'preset');
  let next: EngineConfig = preset ? { ...defaultConfig(preset[1] as PresetName), seed: config.seed } : { ...config };
  for (const [field, value] of parsed) if (field !== 'preset') next = { ...next, [field]: value };
  // Settings that did not parse rule the config out: the parsed ones may be wrong too and are
  // named as well, but conflicts between fields are not (they may come from the unparsed ones).
  if (problems.length) return { config: null, problems: [...problems, ...fieldProblems(next, typed)] };
  problems.push(...configProblems(next, typed));
  return { config: problems.length ? null : next, problems };
}

/** checkSettings that throws a ConfigError naming every problem (the CLI's --set). */
export function applySettings(config: EngineConfig, settings: readonly string[]): EngineConfig {
  const { config: next, problems } = checkSettings(config, settings);
  if (!next) throw new ConfigError(describeProblems(problems));
  return next;
}

function parseSetting(setting: string): { field: Field; value: unknown; raw: string } | { problem: SettingProblem } {
  const eq = setting.indexOf('=');
  if (eq <= 0) return { problem: { field: setting, message: 'expected key=value' } };
  const field = setting.slice(0, eq).trim();
  const raw = setting.slice(eq + 1).trim();
  if (!(field in FIELDS)) return { problem: { field, message: `not a setting (known: ${Object.keys(FIELDS).join(', ')})` } };
  const spec = FIELDS[field as Field];
  const known = field as Field;
  if (spec.kind === 'bool') {
    if (raw !== 'true' && raw !== 'false') return { problem: { field, message: `expected true or false (got ${JSON.stringify(raw)})` } };
    return { field: known, value: raw === 'true', raw };
  }
  if (spec.kind === 'int' || spec.kind === 'number') return { field: known, value: raw === '' ? NaN : Number(raw), raw };
  if (!isPresetName(raw)) return { problem: { field, message: `expected tiny, small or base (got ${JSON.stringify(raw)})` } };
  return { field: known, value: raw, raw };
}
