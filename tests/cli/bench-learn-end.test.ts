import { describe, expect, it } from 'vitest';
import { endEvalMinutes, levelOneLine, meanLevelEvals } from '../../src/cli/bench-learn-end';
import type { LevelEval } from '../../src/engine/metrics';

const levelEval = (level: number, deduction: number | null, abduction: number | null): LevelEval => ({
  level,
  n: { deduction: 64, abduction: 64, induction: 0 },
  accuracy: { deduction, abduction, induction: null },
  floor: { deduction: 0.125, abduction: 0.2, induction: null },
});

describe('bench learn: where a run is scored', () => {
  it('evaluates over the last minutes, 10% of the run apart, the last at the end', () => {
    expect(endEvalMinutes(10, 3)).toEqual([8, 9, 10]);
    expect(endEvalMinutes(10, 1)).toEqual([10]);
    expect(endEvalMinutes(2, 2).map((m) => Number(m.toFixed(6)))).toEqual([1.8, 2]);
  });

  it('refuses a count that does not fit in the run', () => {
    expect(() => endEvalMinutes(10, 0)).toThrow(/whole number from 1/);
    expect(() => endEvalMinutes(10, 11)).toThrow(/do not fit/);
  });

  it('scores the mean of the evaluations, level by level and type by type', () => {
    const mean = meanLevelEvals([
      [levelEval(1, 0.1, 0.3), levelEval(2, 0, null)],
      [levelEval(1, 0.2, 0.4), levelEval(2, 0.1, null)],
      [levelEval(1, 0.3, 0.2), levelEval(2, 0.2, null)],
    ]);
    expect(mean.map((e) => e.level)).toEqual([1, 2]);
    expect(mean[0]!.accuracy.deduction).toBeCloseTo(0.2);
    expect(mean[0]!.accuracy.abduction).toBeCloseTo(0.3);
    expect(mean[1]!.accuracy.deduction).toBeCloseTo(0.1);
    expect(mean[1]!.accuracy.abduction).toBeNull();
    expect(mean[0]!.floor.deduction).toBe(0.125);
  });

  it('refuses evaluations of different levels and an empty list', () => {
    expect(() => meanLevelEvals([])).toThrow(/no evaluations/);
    expect(() => meanLevelEvals([[levelEval(1, 0, 0), levelEval(2, 0, 0)], [levelEval(1, 0, 0)]])).toThrow(/level 2 is not in every/);
  });

  it("prints a run's level-1 end scores beside their floors, a type it did not score as a dash", () => {
    expect(levelOneLine([levelEval(2, 0.5, 0.5), levelEval(1, 0.281, 0.4)])).toBe(
      'level 1 (end mean): deduction 28.1% (floor 12.5%), abduction 40.0% (floor 20.0%), induction -',
    );
    expect(levelOneLine([levelEval(2, 0.5, 0.5)])).toBe('no level-1 tasks');
  });
});
