/**
 * Hindsight replay: which proposer programs are replayed, which runs become examples (the real
 * executor's), and the example each role learns from one checked program.
 */
import { describe, expect, it } from 'vitest';
import { OutputCaps } from '../../src/engine/heldout';
import { checkedPrograms, freshPrograms, replayRequests, replayTargets } from '../../src/engine/replay';
import { createRng } from '../../src/shared/rng';
import { sharedExecutor } from '../support/executor';

const executor = sharedExecutor();
describe('freshPrograms', () => {
  it('keeps complete programs that are not held out, in order', () => {
    const samples = [
      { parts: ['def f(n):\n    return n + 1'], stopReason: 'eos' as const },
      { parts: ['def f(n):\n    return n +'], stopReason: 'length' as const }, // cut off by the budget
      { parts: ['def f(s):\n    return s[::-1]'], stopReason: 'constraint' as const },
      { parts: ['def f(m):\n    return -m'], stopReason: 'eos' as const }, // a held-out program
      { parts: [], stopReason: 'eos' as const },
    ];
    expect(freshPrograms(samples, (code) => code.includes('-m'))).toEqual(['def f(n):\n    return n + 1', 'def f(s):\n    return s[::-1]']);
  });
});

describe('checked programs with the real executor', () => {
  it('keeps programs that ran on every argument list with two or more outputs, and drops the rest', async () => {
    const codes = [
      'def f(n):\n    return n + 3',
      'def f(n):\n    return 7', // constant on its new inputs
      'def f(s):\n    return s[3]', // fails on short strings
      'def f(flag):\n    return flag', // only one argument list offered
      'def f(s):\n    return s * 20', // outputs too long for some pairs
    ];
    const inputs: Record<string, string[]> = {
      [codes[0]!]: ['1', '5', '-2', '10'],
      [codes[1]!]: ['1', '5', '-2', '10'],
      [codes[2]!]: ["'abcd'", "'a'"],
      [codes[3]!]: ['True'],
      [codes[4]!]: ["''", "'a'", "'abcdef'"],
    };
    const requests = replayRequests(codes, (code) => inputs[code]!);
    expect(requests.map((r) => r.code)).toEqual([codes[0], codes[1], codes[2], codes[4]]);
    const verdicts = await executor().run(requests);
    const checked = checkedPrograms(requests, verdicts, (output) => output.length <= 25);
    expect(checked).toEqual([
      {
        code: codes[0],
        pairs: [
          ['1', '4'],
          ['5', '8'],
          ['-2', '1'],
          ['10', '13'],
        ],
      },
      {
        code: codes[4],
        pairs: [
          ["''", "''"],
          ["'a'", "'aaaaaaaaaaaaaaaaaaaa'"],
        ],
      },
    ]);
  });
});

describe('replayTargets', () => {
  const program = {
    code: 'def f(n):\n    return n * 2',
    pairs: [
      ['1', '2'],
      ['2', '4'],
      ['3', '6'],
      ['4', '8'],
    ] as [string, string][],
  };

  it('gives deduction an output and abduction the input of another pair, each a true example', async () => {
    for (let seed = 0; seed < 20; seed++) {
      const targets = replayTargets(program, ['deduction', 'abduction'], createRng(seed));
      const [deduction, abduction] = targets;
      expect(deduction!.answer).toBe(deduction!.task.output);
      expect(abduction!.answer).toBe(abduction!.task.input);
      expect(abduction!.task.input).not.toBe(deduction!.task.input);
      const [d, a] = await executor().run([
        { kind: 'verify', code: program.code, input: deduction!.task.input, output: deduction!.answer },
        { kind: 'abduction', code: program.code, answer: abduction!.answer, output: abduction!.task.output },
      ]);
      expect([d!.ok, a!.ok]).toEqual([true, true]);
    }
  });

  it('gives induction the first half of the pairs, no message, and the program as the answer', () => {
    const [induction] = replayTargets(program, ['induction'], createRng(1));
    expect(induction).toMatchObject({ type: 'induction', answer: program.code, relabelled: false });
    expect(induction!.task.shown).toEqual([
      ['1', '2'],
      ['2', '4'],
    ]);
    expect(induction!.task.message).toBe('');
  });

  it('gives one target per role that is on', () => {
    expect(replayTargets(program, ['deduction', 'abduction', 'induction'], createRng(1)).map((t) => t.type)).toEqual(['deduction', 'abduction', 'induction']);
    expect(replayTargets(program, ['deduction'], createRng(1)).map((t) => t.type)).toEqual(['deduction']);
  });
});

describe('replay balanced by output', () => {
  it('gives deduction an output not yet taken, and none when every output is taken; abduction is unaffected', () => {
    const bools = {
      code: 'def f(n):\n    return n > 2',
      pairs: [
        ['1', 'False'],
        ['3', 'True'],
        ['5', 'True'],
      ] as [string, string][],
    };
    const balance = new OutputCaps(1, 10);
    const outputs = [0, 1].map(
      (seed) => replayTargets(bools, ['deduction', 'abduction'], createRng(seed), balance).find((t) => t.type === 'deduction')?.answer,
    );
    expect(outputs.sort()).toEqual(['False', 'True']);
    const third = replayTargets(bools, ['deduction', 'abduction', 'induction'], createRng(2), balance);
    expect(third.map((t) => t.type)).toEqual(['abduction', 'induction']);
    expect(third[0]!.answer).toBe(third[0]!.task.input);
  });

  it('draws the same targets as without a balance while every output is new', () => {
    const program = {
      code: 'def f(n):\n    return n * 3',
      pairs: [
        ['1', '3'],
        ['2', '6'],
        ['3', '9'],
      ] as [string, string][],
    };
    for (let seed = 0; seed < 10; seed++) {
      const plain = replayTargets(program, ['deduction', 'abduction'], createRng(seed));
      expect(replayTargets(program, ['deduction', 'abduction'], createRng(seed), new OutputCaps(1, 10))).toEqual(plain);
    }
  });
});
