/** What the engine reports once per step: the figures the page plots and `tabula train` logs. */
import type { TaskType } from './rewards';

export type PerType<T> = Record<TaskType, T>;

export interface TrainFigures {
  loss: number;
  entropy: number;
  gradNorm: number;
  clipFraction: number;
  approxKl: number;
  /** sequences with a non-zero advantage, the ones trained on */
  rows: number;
  tokens: number;
  skipped: boolean;
  /** executor hindsight: mean cross-entropy (nats per token) on the executor's correct answers, null when none */
  hindsightLoss?: number | null;
  /** hindsight rows (correct answers the executor gave) in the update */
  hindsightRows?: number;
  /** hindsight replay: extra updates run after the step's update, their rows, and their mean cross-entropy */
  replayUpdates?: number;
  replayRows?: number;
  replayLoss?: number | null;
}

export interface PhaseTimes {
  propose: number;
  validate: number;
  learnability: number;
  solve: number;
  update: number;
  /** hindsight replay's extra updates, with the executor runs that make their examples */
  replay: number;
  eval: number;
}

export interface Timing {
  stepMs: number;
  /** milliseconds per phase */
  phases: PhaseTimes;
  sampledTokens: number;
  sampleTokensPerSec: number;
  /** prompt positions the sampler read (a step's work grows with them as prompts and programs grow) */
  promptTokens: number;
  /** positions trained on: every row of every update, replay included */
  trainedTokens: number;
  /** executor requests (validations and answer checks) */
  programs: number;
  programsPerSec: number;
}

/** The token positions a step processed: prompts read and tokens sampled, and every row trained on. */
export const stepTokens = (t: Pick<Timing, 'promptTokens' | 'sampledTokens' | 'trainedTokens'>): number => t.promptTokens + t.sampledTokens + t.trainedTokens;

export interface StepMetrics {
  step: number;
  /** mean reward per task type and role; null when that task type is off */
  rewards: PerType<{ propose: number | null; solve: number | null }>;
  /** fraction of solver answers that were correct */
  solveRate: PerType<number | null>;
  /** fraction of proposals that were valid */
  validity: PerType<number | null>;
  /** how many went through each stage of the step, for the page's diagram */
  counts: { proposed: number; valid: number; solverTasks: number; solved: number };
  /** why proposals were rejected, with counts */
  rejections: Record<string, number>;
  /** the most common output among the step's valid proposals and how many gave it (collapse.ts) */
  commonOutput?: { value: string; count: number; of: number } | null;
  /** learnability of the valid proposals: the mean, and how many had k of n attempts right (index k) */
  learnability: { mean: number | null; histogram: number[] };
  buffers: PerType<number>;
  train: TrainFigures | null;
  /** held-out accuracy, on the steps it is measured */
  eval?: PerType<number | null>;
  /** held-out accuracy per program level with its trivial floor, on the steps it is measured */
  evalByLevel?: LevelEval[];
  /**
   * the program curriculum: the level proposals are written at, the highest reached so far, and
   * the score of the exam at that level sat this step (null: none this step)
   */
  curriculum?: { level: number; reached: number; auto: boolean; exam?: number | null };
  /** Wall-clock figures: these differ between runs, everything else is determined by the seed. */
  timing: Timing;
}

/** Held-out accuracy of one program level: tasks per type, accuracy, and the best trivial floor. */
export interface LevelEval {
  level: number;
  n: PerType<number>;
  accuracy: PerType<number | null>;
  /** best trivial strategy's accuracy on the same tasks (constant answer, copy an argument, ...) */
  floor: PerType<number | null>;
}

export const emptyPhases = (): PhaseTimes => ({ propose: 0, validate: 0, learnability: 0, solve: 0, update: 0, replay: 0, eval: 0 });

const pct = (x: number | null): string => (x === null ? '-' : `${Math.round(x * 100)}%`);
const num = (x: number | null, digits = 2): string => (x === null ? '-' : x.toFixed(digits));

/** One line per step for a log: only seed-determined figures, so two runs' logs can be diffed. */
export function formatStep(m: StepMetrics): string {
  const types = (Object.keys(m.validity) as TaskType[]).filter((t) => m.validity[t] !== null || m.solveRate[t] !== null);
  const parts = types.map(
    (t) => `${t.slice(0, 3)} valid ${pct(m.validity[t])} solve ${pct(m.solveRate[t])} r ${num(m.rewards[t].propose)}/${num(m.rewards[t].solve)}`,
  );
  const hindsight = m.train?.hindsightLoss != null ? ` hs ${m.train.hindsightLoss.toFixed(3)}` : '';
  const replay = m.train?.replayLoss != null ? ` rp ${m.train.replayLoss.toFixed(3)}` : '';
  const train = m.train
    ? `loss ${m.train.loss.toFixed(4)} ent ${m.train.entropy.toFixed(3)} gn ${m.train.gradNorm.toFixed(3)}${hindsight}${replay}`
    : 'no update';
  const exam = m.curriculum?.exam != null ? ` exam ${pct(m.curriculum.exam)}` : '';
  const level = m.curriculum ? ` | level ${m.curriculum.level}${exam}` : '';
  const evalPart = m.eval ? ` | eval ${types.map((t) => `${t.slice(0, 3)} ${pct(m.eval![t])}`).join(' ')}` : '';
  return `step ${m.step}${level} | ${parts.join(' | ')} | learn ${num(m.learnability.mean)} | ${train}${evalPart}`;
}
