import { describe, expect, it } from 'vitest';
import { commonOutput, detectCollapse } from '../../src/engine/collapse';
import type { StepMetrics } from '../../src/engine/metrics';

/** A step with only what the detector reads. */
const step = (over: { entropy?: number; histogram?: number[]; common?: StepMetrics['commonOutput'] }): StepMetrics =>
  ({
    step: 1,
    train: over.entropy === undefined ? null : { entropy: over.entropy, skipped: false },
    learnability: { mean: null, histogram: over.histogram ?? [0, 0, 0, 0, 0] },
    commonOutput: over.common ?? null,
  }) as unknown as StepMetrics;

describe('collapse detection', () => {
  it('finds the most common output, ==-equal values counted together', () => {
    // True == 1 in Python: one value
    expect(commonOutput(['True', '1', 'True', "'a'", '2'])).toEqual({ value: 'True', count: 3, of: 5 });
    expect(commonOutput(['0', 'False', '-0', '2'])).toMatchObject({ value: '0', count: 3, of: 4 });
    expect(commonOutput([])).toBeNull();
  });

  it('stays quiet on a healthy run', () => {
    const healthy = Array.from({ length: 5 }, () => step({ entropy: 1.1, histogram: [3, 2, 2, 1, 2], common: { value: '3', count: 2, of: 10 } }));
    expect(detectCollapse(healthy, 0.2)).toBeNull();
  });

  it('names every sign in one sentence, with what to try', () => {
    const collapsed = Array.from({ length: 5 }, () => step({ entropy: 0.1, histogram: [0, 0, 0, 1, 9], common: { value: 'True', count: 9, of: 10 } }));
    const warning = detectCollapse(collapsed, 0.2)!;
    expect(warning.signs).toEqual(['entropy', 'too-easy', 'same-output']);
    expect(warning.sentence).toBe(
      'The proposer looks collapsed: over the last 5 steps its entropy is 0.10 nats a token (under 0.2), 90% of its new tasks are too easy (every attempt right), 90% of its new programs return True. The solve rate on its own tasks says nothing now; only held-out accuracy does.',
    );
    expect(warning.tryThis).toMatch(/temperature/);
  });

  it('judges the window together: one step, or too few proposals, is not enough', () => {
    expect(detectCollapse([step({ entropy: 0.05 })], 0.2)).toBeNull();
    expect(detectCollapse([step({ histogram: [0, 0, 0, 0, 5] }), step({ histogram: [0, 0, 0, 0, 5] })], 0.2)).toBeNull();
    // the last five steps count, not the older ones
    const recovered = [...Array.from({ length: 5 }, () => step({ entropy: 0.05 })), ...Array.from({ length: 5 }, () => step({ entropy: 0.9 }))];
    expect(detectCollapse(recovered, 0.2)).toBeNull();
  });

  it('pools the same value across steps', () => {
    const same = [step({ common: { value: 'True', count: 7, of: 10 } }), step({ common: { value: 'True', count: 6, of: 8 } })];
    expect(detectCollapse(same, 0.2)?.signs).toEqual(['same-output']);
    // 13 of 28 return True once a step of lists joins them: under the share
    const mixed = [...same, step({ common: { value: '[]', count: 4, of: 10 } })];
    expect(detectCollapse(mixed, 0.2)).toBeNull();
  });
});
