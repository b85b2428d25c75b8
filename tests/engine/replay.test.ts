/**
 * Hindsight replay: which proposer programs are replayed, which runs become examples (the real
 * executor's), and the example each role learns from one checked program.
 */
import { describe, expect, it } from 'vitest';
import { OutputCaps } from '../../src/engine/heldout';
import {
  type CheckedProgram,
  capCopies,
  checkedPrograms,
  freshPrograms,
  nextRoundSize,
  replayRequests,
  replayRoles,
  replayTargets,
} from '../../src/engine/replay';
import type { TaskType } from '../../src/engine/rewards';
import type { ValidateRequest, Verdict } from '../../src/executor/types';
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

describe('checkedPrograms with induction runs of their own', () => {
  const request = (code: string, inputs: string[]): ValidateRequest => ({ kind: 'validate', code, inputs });
  const ran = (outputs: string[]): Verdict => ({ ok: true, reason: 'ok', detail: '', outputs, ms: 1 });
  const failed: Verdict = { ok: false, reason: 'runtime-error', detail: 'ZeroDivisionError', ms: 1 };
  const codes = ['def f(n):\n    return n + 1', 'def f(n):\n    return n * 0', 'def f(n):\n    return 10 // n', 'def f(n):\n    return -n'];
  const main = codes.map((code) => request(code, ['1', '2']));
  const mainVerdicts = [ran(['2', '3']), ran(['0', '0']), ran(['10', '5']), ran(['-1', '-2'])];
  const other = codes.map((code) => request(code, ['0', '7', '9']));
  const otherVerdicts = [ran(['1', '8', '10']), ran(['0', '0', '0']), failed, ran(['0', '-7', '-9'])];

  it("gives a program the pairs of its other run when that run passes, and drops a program whose own run fails whatever the other's", () => {
    const checked = checkedPrograms(main, mainVerdicts, () => true, { requests: other, verdicts: otherVerdicts });
    expect(checked).toEqual([
      {
        code: codes[0],
        pairs: [
          ['1', '2'],
          ['2', '3'],
        ],
        inductionPairs: [
          ['0', '1'],
          ['7', '8'],
          ['9', '10'],
        ],
      },
      // its other run raised: no pairs of its own for induction
      {
        code: codes[2],
        pairs: [
          ['1', '10'],
          ['2', '5'],
        ],
      },
      {
        code: codes[3],
        pairs: [
          ['1', '-1'],
          ['2', '-2'],
        ],
        inductionPairs: [
          ['0', '0'],
          ['7', '-7'],
          ['9', '-9'],
        ],
      },
    ]);
    // codes[1] is constant on its own run: dropped, though its other run is constant too
    expect(checked.map((p) => p.code)).not.toContain(codes[1]);
  });

  it('keeps none for induction when the other run leaves fewer than two outputs that fit', () => {
    const [only] = checkedPrograms([main[0]!], [mainVerdicts[0]!], (o) => o !== '8' && o !== '10', { requests: [other[0]!], verdicts: [otherVerdicts[0]!] });
    expect(only).toEqual({
      code: codes[0],
      pairs: [
        ['1', '2'],
        ['2', '3'],
      ],
    });
  });

  it('without them, gives the same programs and pairs and no inductionPairs', () => {
    const plain = checkedPrograms(main, mainVerdicts, () => true);
    expect(plain.map((p) => p.code)).toEqual([codes[0], codes[2], codes[3]]);
    expect(plain.every((p) => p.inductionPairs === undefined)).toBe(true);
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

  it('shows induction its own pairs when the program has them, while deduction and abduction keep theirs', () => {
    const own: [string, string][] = [
      ['10', '20'],
      ['11', '22'],
      ['12', '24'],
      ['13', '26'],
    ];
    for (let seed = 0; seed < 10; seed++) {
      const targets = replayTargets({ ...program, inductionPairs: own }, ['deduction', 'abduction', 'induction'], createRng(seed));
      const plain = replayTargets(program, ['deduction', 'abduction', 'induction'], createRng(seed));
      expect(targets[2]!.task.shown).toEqual(own.slice(0, 2));
      expect([targets[2]!.task.input, targets[2]!.task.output]).toEqual(own[2]);
      // the same draws: deduction's and abduction's pairs are the program's own
      expect(targets.slice(0, 2)).toEqual(plain.slice(0, 2));
      for (const t of targets.slice(0, 2)) expect(program.pairs).toContainEqual([t.task.input, t.task.output]);
    }
  });

  it('gives one target per role that is on', () => {
    expect(replayTargets(program, ['deduction', 'abduction', 'induction'], createRng(1)).map((t) => t.type)).toEqual(['deduction', 'abduction', 'induction']);
    expect(replayTargets(program, ['deduction'], createRng(1)).map((t) => t.type)).toEqual(['deduction']);
  });
});

describe('capCopies', () => {
  const copy = (k: number): CheckedProgram => ({
    code: `def f(a, b):\n    return b  # ${k}`,
    pairs: [
      ['1, 2', '2'],
      ["'x', [3]", '[3]'],
    ],
  });
  const plain = (k: number): CheckedProgram => ({
    code: `def f(n):\n    return n + ${k + 1}`,
    pairs: [
      ['1', String(2 + k)],
      ['2', String(3 + k)],
    ],
  });

  it('keeps copy programs only while they stay within the share of those kept, in order', () => {
    const programs = [copy(0), ...Array.from({ length: 9 }, (_, k) => plain(k)), copy(1), copy(2), plain(9), copy(3)];
    const kept = capCopies(programs, 0.2);
    // the first copy would be all of one kept program; after 9 plain ones, copies make 1/10, then
    // 2/11, both within 0.2; the last would make 3/13, over it
    expect(kept.map((p) => p.code)).toEqual([...Array.from({ length: 9 }, (_, k) => plain(k).code), copy(1).code, copy(2).code, plain(9).code]);
    const copies = kept.filter((p) => p.code.includes('return b')).length;
    expect(copies).toBeLessThanOrEqual(0.2 * kept.length);
  });

  it('keeps every program with share 1 and no copy with share 0', () => {
    const programs = [copy(0), plain(0), copy(1), plain(1)];
    expect(capCopies(programs, 1)).toEqual(programs);
    expect(capCopies(programs, 0)).toEqual([plain(0), plain(1)]);
  });

  it('does not count a program that copies an argument on some pairs only', () => {
    const partly: CheckedProgram = {
      code: 'def f(n):\n    return abs(n)',
      pairs: [
        ['3', '3'],
        ['-2', '2'],
      ],
    };
    expect(capCopies([partly], 0)).toEqual([partly]);
  });
});

describe('nextRoundSize', () => {
  it('asks for the shortfall over the share kept so far, bounded, and nothing when none is short', () => {
    expect(nextRoundSize(100, 100, 100)).toBe(0);
    expect(nextRoundSize(100, 120, 150)).toBe(0);
    expect(nextRoundSize(100, 50, 100)).toBe(100);
    expect(nextRoundSize(100, 90, 100)).toBe(12);
    // a round that kept almost nothing asks for at most 4 times the shortfall
    expect(nextRoundSize(100, 1, 100)).toBe(396);
    expect(nextRoundSize(100, 0, 0)).toBe(400);
  });
});

describe('replayRoles', () => {
  const all: TaskType[] = ['deduction', 'abduction', 'induction'];
  const count = (roles: TaskType[][], type: TaskType) => roles.filter((r) => r.includes(type)).length;

  it('with weight 1 gives every program every role, as the even split always did', () => {
    const roles = replayRoles(64, all, 1);
    expect(roles).toHaveLength(21);
    for (const r of roles) expect(r).toEqual(all);
  });

  it('with weight 2 gives deduction twice the rows of each other type, from twice the programs', () => {
    const roles = replayRoles(64, all, 2);
    expect(roles).toHaveLength(32);
    expect([count(roles, 'deduction'), count(roles, 'abduction'), count(roles, 'induction')]).toEqual([32, 16, 16]);
    expect(roles.flat()).toHaveLength(64);
    // the other roles go round the programs in turn, and keep the types' order
    expect(roles.slice(0, 3)).toEqual([
      ['deduction', 'abduction'],
      ['deduction', 'induction'],
      ['deduction', 'abduction'],
    ]);
  });

  it('keeps each role at most once a program and the rows within the update, for every weight and size', () => {
    for (const rows of [3, 10, 64, 65, 256]) {
      for (let weight = 1; weight <= 8; weight++) {
        const roles = replayRoles(rows, all, weight);
        expect(roles.flat().length).toBeLessThanOrEqual(rows);
        for (const r of roles) expect(new Set(r).size).toBe(r.length);
        expect(count(roles, 'deduction')).toBe(roles.length);
        expect(count(roles, 'abduction')).toBe(count(roles, 'induction'));
        expect(count(roles, 'deduction')).toBeGreaterThanOrEqual(weight * count(roles, 'abduction'));
      }
    }
  });

  it('ignores the weight when deduction is off, and gives deduction every row when it is alone', () => {
    const pair = replayRoles(64, ['abduction', 'induction'], 4);
    expect(pair).toHaveLength(32);
    for (const r of pair) expect(r).toEqual(['abduction', 'induction']);
    const alone = replayRoles(64, ['deduction'], 3);
    expect(alone).toHaveLength(64);
    for (const r of alone) expect(r).toEqual(['deduction']);
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
