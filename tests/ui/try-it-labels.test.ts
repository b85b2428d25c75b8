import { describe, expect, it } from 'vitest';
import { tryLabels } from '../../src/ui/try-it-labels';

describe('Try it labels', () => {
  it('name what the model answers for each task type: an output, an input, a program', () => {
    expect(tryLabels('deduction').answer).toBe("Model's answer (the output)");
    expect(tryLabels('abduction').answer).toBe("Model's answer (an input)");
    expect(tryLabels('induction').answer).toBe("Model's answer (a program)");
  });

  it('say that the correct answer comes from Python, in the same terms', () => {
    expect(tryLabels('deduction').correct).toBe('Correct output (from Python)');
    expect(tryLabels('abduction').correct).toMatch(/^A correct input: .*Python/);
    expect(tryLabels('induction').correct).toMatch(/^Correct outputs \(from Python\)/);
  });

  it('give every field of a type its own name', () => {
    for (const type of ['deduction', 'abduction', 'induction'] as const) {
      const labels = Object.values(tryLabels(type));
      expect(new Set(labels).size, type).toBe(labels.length);
    }
  });
});
