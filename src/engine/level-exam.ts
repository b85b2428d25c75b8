/**
 * The curriculum's exam: fresh programs of one level, drawn from the grammar by the held-out
 * set's own generator (not written by the proposer, which keeps its tasks easy), that the solver
 * answers greedily. Its score is the curriculum's evidence that a level is learnt. Each exam has
 * its own seed, from the run's seed and the step, so a run and its resume sit the same exams; the
 * exams are never trained on.
 */
import type { ProgramLevel } from '../lang/levels';
import type { EvalTask, Executor } from './evaluate';
import { GaveUpError, generateHeldout, HELDOUT_PAIRS } from './heldout';

/** The exam's stream seed: a mix of the run's seed and the step, apart from the held-out set's. */
export function examSeed(runSeed: number, step: number): number {
  let h = Math.imul(runSeed ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(step + 1, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15), 0xc2b2ae35);
  return (h ^ (h >>> 13)) >>> 0;
}

/**
 * `count` exam programs at `level` for a run's step, or null when the generator gave up (a level
 * with too few distinct programs under the held-out caps): no exam, the level stays.
 */
export async function examTasks(executor: Executor, runSeed: number, step: number, level: ProgramLevel, count: number): Promise<EvalTask[] | null> {
  try {
    return await generateHeldout(executor, { seed: examSeed(runSeed, step), perLevel: count, levels: [level], pairs: HELDOUT_PAIRS });
  } catch (error) {
    if (error instanceof GaveUpError) return null;
    throw error;
  }
}
