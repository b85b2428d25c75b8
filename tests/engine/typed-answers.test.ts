/**
 * Typed deduction answers and teacher-forced hindsight targets, with a random-init tiny model
 * and the real grammar: the answer is written in the program's return type, and the executor's
 * answer forces through the same masks the model samples under.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/engine/config';
import { Prompts } from '../../src/engine/prompts';
import { nodeWasmPaths } from '../../src/model/backend-node';
import { PRESETS } from '../../src/model/config';
import { ModelService } from '../../src/model-service/model-service';

let service: ModelService;
let prompts: Prompts;
beforeAll(async () => {
  service = new ModelService();
  await service.init({ preset: 'tiny', seed: 3, wasmPaths: nodeWasmPaths(), candidates: ['wasm', 'cpu'] });
  prompts = new Prompts(service.tokenizer, defaultConfig('tiny'), PRESETS.tiny.contextLength);
}, 120_000);
afterAll(() => service?.dispose());

const tasks = {
  int: { code: 'def f(x):\n    return x + 3', input: '4', output: '7', pattern: /^-?\d+$/ },
  str: { code: 'def f(s):\n    return s[::-1]', input: "'abc'", output: "'cba'", pattern: /^'.*'$/ },
  list: { code: 'def f(nums):\n    return sorted(nums)', input: '[3, 1]', output: '[1, 3]', pattern: /^\[(-?\d+(, -?\d+)*)?\]$/ },
  bool: { code: 'def f(n):\n    return n > 5', input: '8', output: 'True', pattern: /^(True|False)$/ },
};

describe('typed deduction answers', () => {
  it('a random model answers in the return type the program declares, and nothing else', async () => {
    for (const [type, task] of Object.entries(tasks)) {
      const job = prompts.solve('deduction', task);
      expect(job.valueType, type).toBeTruthy();
      const answers = await service.sample(
        Array.from({ length: 12 }, () => job),
        { temperature: 1 },
      );
      for (const a of answers) expect(a.text, `${type}: ${a.text}`).toMatch(task.pattern);
    }
  }, 120_000);

  it('leaves the answer untyped for a program outside the subset (a CRUXEval task)', () => {
    const job = prompts.solve('deduction', { code: 'def f(text):\n    return text.title()', input: "'ab'", output: "'Ab'" });
    expect(job.valueType ?? null).toBeNull();
  });
});

describe('teacher-forced hindsight targets', () => {
  it("forces the executor's answer for each role through the grammar, eos last, one mask a token", () => {
    const triplet = tasks.int;
    const cases = [
      { job: prompts.solve('deduction', triplet), answer: '7' },
      { job: prompts.solve('abduction', triplet), answer: '4' },
      { job: prompts.solve('induction', { ...triplet, shown: [['4', '7']], message: '' }), answer: triplet.code },
    ];
    for (const { job, answer } of cases) {
      const forced = service.forcedAnswer(job, answer);
      expect(forced, answer).not.toBeNull();
      expect(forced!.tokens.at(-1)).toBe(service.tokenizer.eos);
      expect(service.tokenizer.decode(forced!.tokens.slice(0, -1))).toBe(answer);
      expect(forced!.masks).toHaveLength(forced!.tokens.length);
    }
  });

  it('refuses a target the grammar would not let the model write', () => {
    const job = prompts.solve('deduction', tasks.int);
    expect(service.forcedAnswer(job, "'seven'")).toBeNull(); // a str where the program returns an int
    expect(service.forcedAnswer(job, '7 + 1')).toBeNull(); // not a literal
    expect(service.forcedAnswer(prompts.solve('abduction', tasks.int), "'a'")).toBeNull(); // wrong argument type
    expect(service.forcedAnswer(job, '1'.repeat(200))).toBeNull(); // longer than an answer may be
    // unconstrained decoding has no masks to force through
    expect(service.forcedAnswer(job, "'seven'", { constrained: false })).toMatchObject({ masks: null });
  });
});
