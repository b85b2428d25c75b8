import { describe, expect, it } from 'vitest';
import { creditedSolverReward, groupAdvantages, learnability, proposerReward, solverReward } from '../../src/engine/rewards';

describe('reward rules', () => {
  it('pays the solver 1 when correct, -0.5 when wrong, -1 when malformed', () => {
    expect(solverReward('correct')).toBe(1);
    expect(solverReward('wrong')).toBe(-0.5);
    expect(solverReward('malformed')).toBe(-1);
  });

  it('gives learnability 0 to impossible and trivial tasks, else 1 - success rate', () => {
    expect(learnability(0, 8)).toBe(0);
    expect(learnability(8, 8)).toBe(0);
    expect(learnability(2, 8)).toBeCloseTo(0.75);
    expect(learnability(7, 8)).toBeCloseTo(0.125);
    expect(() => learnability(9, 8)).toThrow();
  });

  it('gives an invalid proposal -1 and a valid one its learnability', () => {
    expect(proposerReward(false, 0.5, false)).toBe(-1);
    expect(proposerReward(true, 0.5, false)).toBe(0.5);
    expect(proposerReward(true, 0, false)).toBe(0);
  });

  it('maps a trivial or impossible proposal to -0.5 only with the official-code setting', () => {
    expect(proposerReward(true, 0, true)).toBe(-0.5);
    expect(proposerReward(true, 0.25, true)).toBe(0.25);
    expect(proposerReward(false, 0, true)).toBe(-1);
  });
});

describe('partial credit', () => {
  it("ranks wrong answers by closeness under the right one's reward, and leaves the paper's rewards at credit 0", () => {
    expect(creditedSolverReward('wrong', 0.8, 1)).toBeCloseTo(0.3);
    expect(creditedSolverReward('wrong', 0.8, 0.5)).toBeCloseTo(-0.1);
    expect(creditedSolverReward('wrong', 0.999, 1)).toBeLessThan(creditedSolverReward('correct', null, 1));
    expect(creditedSolverReward('wrong', 0.8, 0)).toBe(-0.5);
    // no value to compare (induction, an input that raised): the paper's -0.5
    expect(creditedSolverReward('wrong', null, 1)).toBe(-0.5);
    expect(creditedSolverReward('correct', null, 1)).toBe(1);
    expect(creditedSolverReward('malformed', 0.9, 1)).toBe(-1);
    // a group of wrong answers now has a spread: TRR++ ranks the closer one higher
    const [far, near] = groupAdvantages([creditedSolverReward('wrong', 0.1, 1), creditedSolverReward('wrong', 0.6, 1)]);
    expect(near!).toBeGreaterThan(far!);
  });
});

describe('TRR++ group normalisation', () => {
  it('centres and scales each group by its own mean and standard deviation', () => {
    const a = groupAdvantages([1, -0.5, -0.5, -0.5]);
    const mean = a.reduce((x, y) => x + y, 0) / a.length;
    const std = Math.sqrt(a.reduce((x, y) => x + y * y, 0) / a.length);
    expect(mean).toBeCloseTo(0, 6);
    expect(std).toBeCloseTo(1, 4);
    expect(a[0]).toBeGreaterThan(0);
    expect(a[1]).toBeLessThan(0);
  });

  it('gives a zero-variance group no signal at all', () => {
    expect(groupAdvantages([-0.5, -0.5, -0.5])).toEqual([0, 0, 0]);
    expect(groupAdvantages([1])).toEqual([0]);
    expect(groupAdvantages([])).toEqual([]);
  });

  it('does not let one group’s scale leak into another', () => {
    const small = groupAdvantages([0.1, 0.2]);
    const large = groupAdvantages([10, 20]);
    expect(small[0]).toBeCloseTo(large[0]!, 3);
  });
});
