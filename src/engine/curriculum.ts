/**
 * The program curriculum: which grammar level (1: one-line programs ... 4: the full grammar)
 * proposals are written at. In automatic mode the level falls when the solver keeps failing its
 * own tasks of the current level. It rises on an exam: every EXAM_EVERY steps the solver answers
 * fresh programs of its level drawn from the grammar, not from the proposer, and the level rises
 * when it gets EXAM_PASS of them right. (Its own tasks are no evidence for rising: the proposer
 * keeps them easy at every level, so the solver passed them long before it had learnt a level.
 * Without exams, `examTasks` 0, the level rises on them as it did before.) Proposals follow the mixed
 * strategy of Learning to Execute (Zaremba & Sutskever): half at the current level, half drawn
 * uniformly over the levels reached so far, so that easy programs are not forgotten.
 */
import { type Rng, randomInt } from '../shared/rng';

export const MAX_LEVEL = 4;
/** Smoothed success at or above which the level rises, and at or below which it falls. */
export const LEVEL_UP = 0.6;
export const LEVEL_DOWN = 0.1;
/** Steps at a level before it may rise, and before it may fall. */
const STEPS_BEFORE_UP = 3;
const STEPS_BEFORE_DOWN = 10;
/** Weight of the newest step in the smoothed success rate. */
const SMOOTHING = 0.3;
/** Steps at a level between exams. */
export const EXAM_EVERY = 5;
/** Share of an exam's programs answered right at which the level rises. */
export const EXAM_PASS = 0.5;

export interface CurriculumState {
  level: number;
  reached: number;
  /** smoothed solver success on tasks of the current level; null right after a change */
  success: number | null;
  stepsAtLevel: number;
  /** the last exam's score at the current level; null before its first (absent in older runs) */
  exam?: number | null;
}

export class Curriculum {
  private state: CurriculumState;

  /**
   * `fixed`: 0 for the automatic curriculum, else the level every proposal is written at.
   * `examTasks`: programs in each exam; 0 lets the level rise on the solver's own tasks.
   */
  constructor(
    private readonly fixed: number,
    saved?: CurriculumState,
    private readonly examTasks = 0,
  ) {
    if (!(Number.isInteger(fixed) && fixed >= 0 && fixed <= MAX_LEVEL)) throw new Error(`curriculum: level must be 0 to ${MAX_LEVEL}, not ${fixed}`);
    const start = fixed || 1;
    this.state = saved && fixed === 0 ? { ...saved } : { level: start, reached: start, success: null, stepsAtLevel: 0, exam: null };
  }

  get auto(): boolean {
    return this.fixed === 0;
  }

  get level(): number {
    return this.state.level;
  }

  get reached(): number {
    return this.state.reached;
  }

  /** The last exam's score at the current level (null: none yet, or exams are off). */
  get exam(): number | null {
    return this.state.exam ?? null;
  }

  /** Whether the step just observed ends with an exam (every EXAM_EVERY steps at a level). */
  get examDue(): boolean {
    return this.auto && this.examTasks > 0 && this.state.stepsAtLevel > 0 && this.state.stepsAtLevel % EXAM_EVERY === 0;
  }

  snapshot(): CurriculumState {
    return { ...this.state };
  }

  /**
   * Levels for `count` proposals: all but a `spread` share (a half for proposals; replay's
   * `replaySpread`) at the current level, that share uniform over 1..reached, or over
   * 1..`reachAtLeast` where that is higher (replay's look ahead, `replayLevel`).
   */
  levelsFor(count: number, rng: Rng, reachAtLeast = 0, spread = 0.5): number[] {
    if (!this.auto) return new Array<number>(count).fill(this.fixed);
    const current = count - Math.floor(count * spread);
    const reach = Math.min(MAX_LEVEL, Math.max(this.state.reached, reachAtLeast));
    return Array.from({ length: count }, (_, i) => (i < current ? this.state.level : 1 + randomInt(rng, reach)));
  }

  /** Records one step's solver success on tasks of the current level (null: none were solved at it). */
  observe(success: number | null): void {
    if (!this.auto) return;
    const s = this.state;
    s.stepsAtLevel += 1;
    if (success === null) return;
    s.success = s.success === null ? success : (1 - SMOOTHING) * s.success + SMOOTHING * success;
    const risesOnOwnTasks = this.examTasks === 0;
    if (risesOnOwnTasks && s.success >= LEVEL_UP && s.stepsAtLevel >= STEPS_BEFORE_UP && s.level < MAX_LEVEL) this.move(s.level + 1);
    else if (s.success <= LEVEL_DOWN && s.stepsAtLevel >= STEPS_BEFORE_DOWN && s.level > 1) this.move(s.level - 1);
  }

  /** Records an exam's score (share right) at the current level; the level rises at EXAM_PASS. */
  observeExam(score: number): void {
    if (!this.auto || this.examTasks === 0) return;
    this.state.exam = score;
    if (score >= EXAM_PASS && this.state.level < MAX_LEVEL) this.move(this.state.level + 1);
  }

  private move(level: number): void {
    this.state = { level, reached: Math.max(this.state.reached, level), success: null, stepsAtLevel: 0, exam: null };
  }
}
