/** The `constant` and `copy` rejections, with the real executor. */
import { describe, expect, it } from 'vitest';
import { constantPrograms } from '../../src/engine/constant';
import type { ValidateRequest } from '../../src/executor/types';
import { sharedExecutor } from '../support/executor';

const executor = sharedExecutor({ workers: 1 });

const probes = (_code: string, exclude: string, count: number) => ['0', '5', "'abc'", '[1, 2, 3]', '12'].filter((x) => x !== exclude).slice(0, count);

async function judge(requests: ValidateRequest[], count = 3) {
  const verdicts = await executor().run(requests);
  return (await constantPrograms(executor(), requests, verdicts, count, probes)).constant;
}

describe('constant programs', () => {
  it('rejects a program whose output does not depend on its input, even when it is wrapped in dead code', async () => {
    const constant = await judge([
      { kind: 'validate', code: 'def f(n):\n    return 7', inputs: ['3'] },
      { kind: 'validate', code: 'def f(n):\n    m = n * 2\n    if m > 1000:\n        return 1\n    return 1', inputs: ['3'] },
    ]);
    expect(constant).toEqual([true, true]);
  });

  it('keeps a program whose output depends on its input', async () => {
    expect(await judge([{ kind: 'validate', code: 'def f(n):\n    return n + 3', inputs: ['4'] }])).toEqual([false]);
  });

  it('ignores probes that fail, and judges nothing from a single input that ran', async () => {
    // f fails on every probe but 0 (str + int), so only the proposal's own input and 0 ran: 2 inputs, 2 outputs.
    const code = 'def f(n):\n    return 10 // n';
    expect(await judge([{ kind: 'validate', code, inputs: ['5'] }])).toEqual([false]);
    const onlyOne = await judge([{ kind: 'validate', code: 'def f(s):\n    return s[0] * 0', inputs: ["'a'"] }], 0);
    expect(onlyOne).toEqual([false]);
  });

  it('judges an induction proposal on its own inputs, and skips invalid proposals', async () => {
    const requests: ValidateRequest[] = [
      { kind: 'validate', code: 'def f(s):\n    return len(s) * 0', inputs: ["'a'", "'bb'", "'ccc'"] },
      { kind: 'validate', code: 'def f(s):\n    return len(s)', inputs: ["'a'", "'bb'", "'ccc'"] },
      { kind: 'validate', code: 'def f(s):\n    return s[9]', inputs: ["'a'"] },
    ];
    const verdicts = await executor().run(requests);
    expect(verdicts[2]!.ok).toBe(false);
    expect((await constantPrograms(executor(), [...requests, null], [...verdicts, null], 3, probes)).constant).toEqual([true, false, false, false]);
  });

  it('hands back every probe that ran as a checked triplet', async () => {
    const requests: ValidateRequest[] = [{ kind: 'validate', code: 'def f(n):\n    return n + 3', inputs: ['4'] }];
    const report = await constantPrograms(executor(), requests, await executor().run(requests), 3, probes);
    // 0 and 5 run; 'abc' is a str, so n + 3 fails and that probe is dropped
    expect(report.probes).toEqual([
      { at: 0, input: '0', output: '3' },
      { at: 0, input: '5', output: '8' },
    ]);
  });

  it('finds copy programs: every output one of its own arguments on every input that ran, not a constant', async () => {
    const requests: ValidateRequest[] = [
      { kind: 'validate', code: 'def f(n):\n    return n', inputs: ['3'] },
      { kind: 'validate', code: 'def f(a, b):\n    x = a\n    return (b)', inputs: ['1, [2]'] },
      { kind: 'validate', code: 'def f(n):\n    return abs(n)', inputs: ['3'] },
      { kind: 'validate', code: 'def f(s):\n    return s', inputs: ["'a'", "'bb'"] },
      { kind: 'validate', code: 'def f(n):\n    return n * 2', inputs: ['3'] },
    ];
    const probed = (_code: string, exclude: string, count: number) => ['-4', '7', '0'].filter((x) => x !== exclude).slice(0, count);
    const twoArgs = (code: string, exclude: string, count: number) => (code.includes('a, b') ? ["'x', 5", '0, []'] : probed(code, exclude, count));
    const report = await constantPrograms(executor(), requests, await executor().run(requests), 3, twoArgs);
    // abs(n) echoes 3, 7 and 0 but not -4; n * 2 echoes only 0
    expect(report.copy).toEqual([true, true, false, true, false]);
    expect(report.constant).toEqual([false, false, false, false, false]);
  });

  it('is off with 0 probes', async () => {
    expect(await judge([{ kind: 'validate', code: 'def f(n):\n    return 7', inputs: ['3'] }], 0)).toEqual([false]);
  });
});
