/** The curriculum's exam with the real executor: fresh programs of one level, the same for the same run and step. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELDOUT_DEFAULTS } from '../../src/cli/heldout';
import { programKey } from '../../src/engine/heldout';
import { examSeed, examTasks } from '../../src/engine/level-exam';
import { createNodeExecutor } from '../../src/executor/node-executor';
import type { ExecutorPool } from '../../src/executor/pool';
import { LEVEL_SPECS } from '../../src/lang/levels';

let pool: ExecutorPool;
beforeAll(async () => {
  pool = await createNodeExecutor();
}, 120_000);
afterAll(() => pool?.close());

describe("the curriculum's exam", () => {
  it("has a seed of its own for every run and step, none of them the held-out set's", () => {
    const seeds = new Set<number>();
    for (const run of [0, 1, 2]) for (let step = 0; step < 200; step++) seeds.add(examSeed(run, step));
    expect(seeds.size).toBe(600);
    expect(seeds.has(HELDOUT_DEFAULTS.seed)).toBe(false);
  });

  it('draws the programs it is asked for at its level, alike for a step and unlike for the next', async () => {
    const a = await examTasks(pool, 1, 5, 1, 8);
    const again = await examTasks(pool, 1, 5, 1, 8);
    const next = await examTasks(pool, 1, 10, 1, 8);
    expect(a).toHaveLength(8);
    expect(again).toEqual(a);
    expect(next!.map((t) => t.code)).not.toEqual(a!.map((t) => t.code));
    for (const task of a!) {
      expect(task.level).toBe(1);
      expect(task.pairs!.length).toBe(HELDOUT_DEFAULTS.pairs);
      // one-line programs: the def line and a return
      const lines = task.code.split('\n').filter((line) => line.trim());
      expect(lines.length).toBe(2 + LEVEL_SPECS[1].maxStatements);
      expect(lines[1]!.trim()).toMatch(/^return /);
    }
    expect(new Set(a!.map((t) => programKey(t.code))).size).toBe(8);
    const level3 = await examTasks(pool, 1, 5, 3, 4);
    expect(level3!.every((t) => t.level === 3)).toBe(true);
  }, 120_000);
});
