import { describe, expect, it } from 'vitest';
import { Curriculum, LEVEL_DOWN, LEVEL_UP, MAX_LEVEL } from '../../src/engine/curriculum';
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
});
