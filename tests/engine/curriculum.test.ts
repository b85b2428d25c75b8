import { describe, expect, it } from 'vitest';
import { Curriculum, EXAM_EVERY, EXAM_PASS, LEVEL_DOWN, LEVEL_UP, MAX_LEVEL } from '../../src/engine/curriculum';
import { createRng } from '../../src/shared/rng';

describe('the program curriculum', () => {
  it('starts at level 1 and rises when the solver does well on its level', () => {
    const c = new Curriculum(0);
    expect([c.level, c.reached, c.auto]).toEqual([1, 1, true]);
    for (let i = 0; i < 3; i++) c.observe(1);
    expect(c.level).toBe(2);
    expect(c.reached).toBe(2);
  });

  it('needs a few steps at a level before rising, and ignores steps with no task at it', () => {
    const c = new Curriculum(0);
    c.observe(1);
    c.observe(null);
    expect(c.level).toBe(1);
    c.observe(1);
    expect(c.level).toBe(2);
  });

  it('falls back when the solver keeps failing, but remembers the highest level reached', () => {
    const c = new Curriculum(0);
    for (let i = 0; i < 3; i++) c.observe(1);
    for (let i = 0; i < 3; i++) c.observe(1);
    expect(c.level).toBe(3);
    for (let i = 0; i < 9; i++) c.observe(0);
    expect(c.level).toBe(3);
    c.observe(0);
    expect(c.level).toBe(2);
    expect(c.reached).toBe(3);
  });

  it('stays put between the thresholds and never passes the last level', () => {
    const c = new Curriculum(0);
    const middle = (LEVEL_UP + LEVEL_DOWN) / 2;
    for (let i = 0; i < 30; i++) c.observe(middle);
    expect(c.level).toBe(1);
    for (let i = 0; i < 100; i++) c.observe(1);
    expect(c.level).toBe(MAX_LEVEL);
  });

  it('writes half of the proposals at the current level and the rest over the levels reached', () => {
    const c = new Curriculum(0);
    for (let i = 0; i < 6; i++) c.observe(1);
    const levels = c.levelsFor(400, createRng(1));
    expect(levels.slice(0, 200).every((l) => l === 3)).toBe(true);
    const rest = levels.slice(200);
    for (const l of [1, 2, 3]) expect(rest.filter((x) => x === l).length).toBeGreaterThan(40);
    expect(rest.every((l) => l >= 1 && l <= 3)).toBe(true);
  });

  it('lets replay look ahead: half over the levels up to replayLevel, the other half at the current level', () => {
    const c = new Curriculum(0);
    const levels = c.levelsFor(400, createRng(1), 3);
    expect(levels.slice(0, 200).every((l) => l === 1)).toBe(true);
    const rest = levels.slice(200);
    for (const l of [1, 2, 3]) expect(rest.filter((x) => x === l).length).toBeGreaterThan(40);
    expect(rest.every((l) => l <= 3)).toBe(true);
    // a level already reached is not lowered by a smaller look ahead
    for (let i = 0; i < 6; i++) c.observe(1);
    expect(Math.max(...c.levelsFor(400, createRng(2), 2))).toBe(3);
    expect(new Curriculum(2).levelsFor(4, createRng(1), 4)).toEqual([2, 2, 2, 2]);
  });

  it('draws replaySpread of the levels over the look ahead and the rest at the current level', () => {
    const levels = new Curriculum(0).levelsFor(400, createRng(3), 2, 0.25);
    expect(levels.slice(0, 300).every((l) => l === 1)).toBe(true);
    const spread = levels.slice(300);
    expect(spread.filter((l) => l === 2).length).toBeGreaterThan(30);
    expect(spread.filter((l) => l === 1).length).toBeGreaterThan(30);
    expect(new Curriculum(0).levelsFor(8, createRng(3), 2, 0).every((l) => l === 1)).toBe(true);
    expect(new Curriculum(0).levelsFor(3, createRng(3), 2, 0.5).slice(0, 2)).toEqual([1, 1]);
  });

  it('keeps a fixed level whatever the solver does, and resumes from a saved state', () => {
    const fixed = new Curriculum(2);
    for (let i = 0; i < 20; i++) fixed.observe(1);
    expect(fixed.level).toBe(2);
    expect(fixed.levelsFor(5, createRng(1))).toEqual([2, 2, 2, 2, 2]);
    const c = new Curriculum(0);
    for (let i = 0; i < 3; i++) c.observe(1);
    const resumed = new Curriculum(0, c.snapshot());
    expect(resumed.snapshot()).toEqual(c.snapshot());
    expect(() => new Curriculum(5)).toThrow(/level/);
  });

  describe('with exams', () => {
    const steps = (c: Curriculum, n: number, success: number | null) => {
      const due: boolean[] = [];
      for (let i = 0; i < n; i++) {
        c.observe(success);
        due.push(c.examDue);
      }
      return due;
    };

    it('does not rise on the solver passing its own tasks, only on an exam', () => {
      const c = new Curriculum(0, undefined, 32);
      steps(c, 30, 1);
      expect(c.level).toBe(1);
      c.observeExam(EXAM_PASS - 0.01);
      expect([c.level, c.exam]).toEqual([1, EXAM_PASS - 0.01]);
      c.observeExam(EXAM_PASS);
      expect([c.level, c.reached, c.exam]).toEqual([2, 2, null]);
    });

    it('sits an exam every EXAM_EVERY steps at a level, counting again after a rise', () => {
      const c = new Curriculum(0, undefined, 32);
      const due = steps(c, 2 * EXAM_EVERY, null);
      expect(due.flatMap((d, i) => (d ? [i + 1] : []))).toEqual([EXAM_EVERY, 2 * EXAM_EVERY]);
      steps(c, 1, null);
      c.observeExam(1);
      expect(c.level).toBe(2);
      const after = steps(c, EXAM_EVERY, null);
      expect(after.flatMap((d, i) => (d ? [i + 1] : []))).toEqual([EXAM_EVERY]);
    });

    it('still falls when the solver keeps failing its own tasks', () => {
      const c = new Curriculum(0, undefined, 32);
      c.observeExam(1);
      expect(c.level).toBe(2);
      steps(c, 10, 0);
      expect(c.level).toBe(1);
      expect(c.reached).toBe(2);
    });

    it('sits none with a fixed level or with exams off, and ignores a score given anyway', () => {
      for (const c of [new Curriculum(2, undefined, 32), new Curriculum(0, undefined, 0)]) {
        expect(steps(c, 3 * EXAM_EVERY, null).some(Boolean)).toBe(false);
        const level = c.level;
        c.observeExam(1);
        expect([c.level, c.exam]).toEqual([level, null]);
      }
    });

    it('resumes with its last exam, and reads a state saved before exams existed', () => {
      const c = new Curriculum(0, undefined, 32);
      steps(c, EXAM_EVERY, 0.5);
      c.observeExam(0.25);
      const resumed = new Curriculum(0, c.snapshot(), 32);
      expect(resumed.snapshot()).toEqual(c.snapshot());
      expect(resumed.exam).toBe(0.25);
      const old = new Curriculum(0, { level: 3, reached: 3, success: 0.4, stepsAtLevel: 7 }, 32);
      expect([old.level, old.exam]).toEqual([3, null]);
    });
  });
});
