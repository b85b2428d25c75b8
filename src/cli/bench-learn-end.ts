/**
 * Where `bench learn` scores a run. One evaluation at the end moves by several points with the
 * step the clock happens to stop after (the same seeds gave 19.5% and 15.6%,
 * docs/learning-journal.md), so a run is evaluated `count` times over its last minutes and
 * scored by the mean: at 100% - (count - 1 - j) x `spacing` of its training time, j = 0 ..
 * count - 1 (10 minutes, 3 evaluations, 10% apart: after minutes 8, 9 and 10). The clock stops
 * while it evaluates.
 */
import type { LevelEval } from '../engine/metrics';
import { TASK_TYPES, type TaskType } from '../engine/rewards';

export const END_SPACING = 0.1;

/** The training minutes after which a run of `minutes` is evaluated, in order, the last at `minutes`. */
export function endEvalMinutes(minutes: number, count: number, spacing = END_SPACING): number[] {
  if (!Number.isInteger(count) || count < 1) throw new Error(`endEvalMinutes: count must be a whole number from 1 (got ${count})`);
  if ((count - 1) * spacing >= 1) throw new Error(`endEvalMinutes: ${count} evaluations ${spacing * 100}% apart do not fit in one run`);
  return Array.from({ length: count }, (_, j) => minutes * (1 - (count - 1 - j) * spacing));
}

/**
 * The mean of several evaluations of the same held-out tasks, level by level and type by type (a
 * type none of them scored stays null). Tasks and floors are the same in each, so the first's are kept.
 */
export function meanLevelEvals(evals: readonly (readonly LevelEval[])[]): LevelEval[] {
  const first = evals[0];
  if (!first) throw new Error('meanLevelEvals: no evaluations');
  return first.map((entry) => {
    const same = evals.map((e) => e.find((x) => x.level === entry.level));
    if (same.some((x) => !x)) throw new Error(`meanLevelEvals: level ${entry.level} is not in every evaluation`);
    const accuracy = { ...entry.accuracy };
    for (const type of TASK_TYPES) {
      const scored = same.map((x) => x!.accuracy[type]).filter((a): a is number => a !== null);
      accuracy[type] = scored.length ? scored.reduce((a, b) => a + b, 0) / scored.length : null;
    }
    return { ...entry, accuracy };
  });
}

/** A share as a percentage with one decimal, `-` for none: the bench's tables and its per-run lines. */
export const pct = (x: number | null): string => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);

/** A run's level-1 end scores in one line, so that a long bench shows each seed as it finishes. */
export function levelOneLine(end: readonly LevelEval[]): string {
  const one = end.find((e) => e.level === 1);
  if (!one) return 'no level-1 tasks';
  const cell = (type: TaskType): string => {
    const floor = one.floor[type];
    return `${type} ${pct(one.accuracy[type])}${floor === null ? '' : ` (floor ${pct(floor)})`}`;
  };
  return `level 1 (end mean): ${TASK_TYPES.map(cell).join(', ')}`;
}
