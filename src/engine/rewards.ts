/**
 * The reward rules of Absolute Zero (SPEC §1) and Task-Relative REINFORCE++: pure functions, so
 * that every rule is unit-tested on its own.
 */

export const TASK_TYPES = ['deduction', 'abduction', 'induction'] as const;
export type TaskType = (typeof TASK_TYPES)[number];
export const ROLES = ['propose', 'solve'] as const;
export type Role = (typeof ROLES)[number];

/** How a solver's answer fared: right, well-formed but wrong, or unreadable (format error). */
export type AnswerOutcome = 'correct' | 'wrong' | 'malformed';

/** Solver: 1 when correct; the format rule gives -0.5 to a wrong answer and -1 to a malformed one. */
export function solverReward(outcome: AnswerOutcome): number {
  return outcome === 'correct' ? 1 : outcome === 'wrong' ? -0.5 : -1;
}

/**
 * Our `partialCredit`, not the paper's: a wrong answer whose value is `closeness` (0-1) from the
 * right one earns -0.5 + credit x closeness, so that a group of wrong answers still ranks them.
 * Correct and malformed answers keep the paper's rewards; at credit 0 it is solverReward.
 */
export function creditedSolverReward(outcome: AnswerOutcome, closeness: number | null, credit: number): number {
  if (outcome !== 'wrong' || closeness === null || credit === 0) return solverReward(outcome);
  return solverReward(outcome) + credit * closeness;
}

/**
 * Learnability of a proposal from its solver attempts: 0 when none or all succeed (impossible
 * or trivial), else 1 - the success rate. Paid for tasks at the edge of the solver's ability.
 */
export function learnability(successes: number, attempts: number): number {
  if (!(attempts >= 1) || successes < 0 || successes > attempts) throw new Error(`learnability: ${successes} of ${attempts}`);
  if (successes === 0 || successes === attempts) return 0;
  return 1 - successes / attempts;
}

/**
 * Proposer: an invalid proposal gets -1 (format rule); a valid one its learnability. With
 * `trivialPenalty` (the official code, not the paper), a learnability of 0 becomes -0.5.
 */
export function proposerReward(valid: boolean, learnabilityValue: number, trivialPenalty: boolean): number {
  if (!valid) return -1;
  if (learnabilityValue === 0 && trivialPenalty) return -0.5;
  return learnabilityValue;
}

/** Below this standard deviation a group counts as having no variance. */
const ZERO_VARIANCE = 1e-8;
const EPSILON = 1e-6;

/**
 * TRR++: each group's rewards are normalised on their own, (r - mean) / (std + eps), with the
 * population standard deviation. A group whose rewards are all equal carries no signal: all its
 * advantages are 0.
 */
export function groupAdvantages(rewards: readonly number[]): number[] {
  if (rewards.length === 0) return [];
  const mean = rewards.reduce((a, b) => a + b, 0) / rewards.length;
  const variance = rewards.reduce((a, r) => a + (r - mean) ** 2, 0) / rewards.length;
  const std = Math.sqrt(variance);
  if (std < ZERO_VARIANCE) return rewards.map(() => 0);
  return rewards.map((r) => (r - mean) / (std + EPSILON));
}

export const groupKey = (type: TaskType, role: Role): string => `${type}/${role}`;
