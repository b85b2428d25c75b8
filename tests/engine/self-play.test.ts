/**
 * The engine end to end in Node with the real model and executor: a seeded run is reproducible
 * step for step, its metrics are complete, and a saved run resumes exactly where it stopped.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSession } from '../../src/cli/engine-session';
import { loadRun, RunDirError, saveRun } from '../../src/cli/run-dir';
import { IDENTITY_SEED } from '../../src/engine/buffers';
import { applySettings, defaultConfig } from '../../src/engine/config';
import type { EvalTask } from '../../src/engine/evaluate';
import { heldoutMatcher, renameTypedNames } from '../../src/engine/heldout';
import type { StepMetrics } from '../../src/engine/metrics';
import { PROBE_REQUESTS, type SpeedProbe } from '../../src/engine/speed-probe';
import { type ParamType, parseSignature, TYPED_NAMES } from '../../src/lang/types';
import type { SampleJob, SampleOutcome } from '../../src/model-service/model-service';

const config = applySettings(defaultConfig('tiny'), [
  'batchSize=2',
  'learnabilitySamples=2',
  'seedBufferSize=2',
  'evalEvery=5',
  'evalTasks=4',
  'seed=11',
  'replayUpdates=2',
  'replayRows=12',
  'examTasks=4',
]);
const withoutTiming = ({ timing: _timing, ...rest }: StepMetrics) => rest;
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** `steps` steps of a seeded run (resumed `from` a saved one), with a speed probe after each when `probe`. */
async function run(steps: number, from?: Awaited<ReturnType<typeof loadRun>>, probe = false) {
  const session = await openSession({ config, workers: 1, backends: ['wasm'], resume: from && { state: from.state, checkpoint: from.checkpoint } });
  try {
    const metrics: StepMetrics[] = [];
    const probes: SpeedProbe[] = [];
    while (session.engine.step < steps) {
      metrics.push(await session.engine.runStep());
      if (probe) probes.push(await session.engine.speedProbe());
    }
    return { metrics, probes, state: session.engine.state(), checkpoint: await session.model.save() };
  } finally {
    session.close();
  }
}

type Session = Awaited<ReturnType<typeof openSession>>;

/**
 * The first step of a fresh session with `settings` over the test config (and the shipped
 * held-out set unless `heldout` is given); `watch` sees the session before it, `after` after it.
 */
async function firstStep(
  settings: string[],
  watch?: (session: Session) => void,
  { heldout, after }: { heldout?: EvalTask[]; after?: (session: Session) => void } = {},
): Promise<StepMetrics> {
  const session = await openSession({ config: applySettings(config, settings), workers: 1, backends: ['wasm'], ...(heldout ? { heldout } : {}) });
  try {
    watch?.(session);
    const metrics = await session.engine.runStep();
    after?.(session);
    return metrics;
  } finally {
    session.close();
  }
}

/** A spy on the session's real sampler: `see` gets every batch of jobs with what was written for them. */
function watchSampler(session: Session, see: (jobs: SampleJob[], written: SampleOutcome[]) => void): void {
  const sample = session.model.sample.bind(session.model);
  session.model.sample = async (jobs, settings) => {
    const written = await sample(jobs, settings);
    see(jobs, written);
    return written;
  };
}

/** `code` with each typed name replaced by another name of its type that the code does not use. */
function renamed(code: string): string {
  const used = new Set(code.match(/[A-Za-z_][A-Za-z0-9_]*/g));
  return renameTypedNames(code, (name, type) => {
    const other = TYPED_NAMES.find((typed) => typed.type === type && !used.has(typed.text));
    if (!other) return name;
    used.add(other.text);
    return other.text;
  });
}

describe('a seeded self-play run', () => {
  it('gives identical metrics for the same seed over 20 steps', async () => {
    const a = await run(20);
    const b = await run(20);
    expect(a.metrics).toHaveLength(20);
    expect(a.metrics.map(withoutTiming)).toEqual(b.metrics.map(withoutTiming));
    const first = a.metrics[0]!;
    expect(first.eval).toBeDefined();
    // The work a step did (what the soak judges its speed by) is the seed's too, unlike its time.
    const work = (m: StepMetrics) => [m.timing.promptTokens, m.timing.sampledTokens, m.timing.trainedTokens];
    expect(a.metrics.map(work)).toEqual(b.metrics.map(work));
    expect(a.metrics.every((m) => m.timing.promptTokens > 0 && m.timing.trainedTokens > 0)).toBe(true);
    expect(Object.keys(first.timing.phases).sort()).toEqual(['eval', 'learnability', 'propose', 'replay', 'solve', 'update', 'validate']);
    expect(first.buffers.deduction).toBeGreaterThanOrEqual(3);
    expect(first.learnability.histogram).toHaveLength(3);
    // The learning default: hindsight rows in every update, the curriculum from level 1, and
    // held-out accuracy per level beside its floor.
    expect(a.metrics.every((m) => m.train === null || (m.train.hindsightRows ?? 0) > 0)).toBe(true);
    // Hindsight replay: its extra updates ran on examples of every task type (12 rows / 3 types =
    // 4 programs each; an update goes when its programs fail or are constant).
    expect(
      a.metrics.every(
        (m) =>
          m.train!.replayUpdates! >= 1 && m.train!.replayUpdates! <= 2 && m.train!.replayRows! > 0 && m.train!.replayRows! <= 24 && m.train!.replayLoss! > 0,
      ),
    ).toBe(true);
    expect(a.metrics.some((m) => m.train!.replayUpdates === 2)).toBe(true);
    expect(first.curriculum).toEqual({ level: 1, reached: 1, auto: true, exam: null });
    // The curriculum's exam: every 5 steps at a level, a score out of its 4 programs.
    const exams = a.metrics.filter((m) => m.curriculum!.exam != null);
    expect(exams[0]!.step).toBe(5);
    expect(exams.every((m) => m.step % 5 === 0 && [0, 0.25, 0.5, 0.75, 1].includes(m.curriculum!.exam!))).toBe(true);
    expect(first.evalByLevel!.map((l) => l.level)).toEqual([1, 2, 3, 4]);
    for (const l of first.evalByLevel!) {
      expect(l.n.deduction).toBe(4);
      expect(l.floor.deduction).toBeGreaterThanOrEqual(0);
    }
  }, 600_000);

  it('in pure AZR mode (hindsight=false) trains on the TRR++ rows only', async () => {
    const pure = applySettings(config, ['hindsight=false', 'evalEvery=0']);
    const session = await openSession({ config: pure, workers: 1, backends: ['wasm'] });
    try {
      for (let i = 0; i < 3; i++) {
        const m = await session.engine.runStep();
        if (m.train) expect(m.train).toMatchObject({ hindsightRows: 0, hindsightLoss: null });
        expect(m.train?.replayUpdates).toBeUndefined();
        expect(m.timing.phases.replay).toBe(0);
      }
    } finally {
      session.close();
    }
  }, 600_000);

  it('with trainAttempts, also trains on the learnability attempts, each proposal’s a zero-mean group after the TRR++ rows', async () => {
    const n = 4;
    const settings = ['hindsight=false', 'evalEvery=0', 'examTasks=0', 'batchSize=8', `learnabilitySamples=${n}`];
    const solving = (session: Session, jobs: SampleJob[]) => {
      const solveTokens = ['deduction', 'abduction', 'induction'].map((t) => session.model.tokenizer.id(`<solve:${t}>`));
      return jobs.every((j) => solveTokens.includes(j.prompt[0]!));
    };
    const step = async (trainAttempts: boolean) => {
      const trained: { row: string; advantage: number }[] = [];
      const solveCalls: { jobs: SampleJob[]; written: SampleOutcome[] }[] = [];
      await firstStep([...settings, `trainAttempts=${trainAttempts}`], (session) => {
        watchSampler(session, (jobs, written) => {
          if (solving(session, jobs)) solveCalls.push({ jobs, written });
        });
        const train = session.model.train.bind(session.model);
        session.model.train = (batch, options) => {
          batch.tokens.forEach((tokens, i) => trained.push({ row: tokens.join(' '), advantage: batch.advantages[i]! }));
          return train(batch, options);
        };
      });
      // the first solving call of a step is the learnability attempts (n a proposal), the next the solver's batch
      const attempts = solveCalls[0]!;
      return { trained, attempts };
    };
    const without = await step(false);
    const withAttempts = await step(true);
    // the same step up to the update: the TRR++ rows come first and unchanged
    expect(withAttempts.trained.slice(0, without.trained.length)).toEqual(without.trained);
    const extra = withAttempts.trained.slice(without.trained.length);
    expect(extra.length).toBeGreaterThan(0);
    const { jobs, written } = withAttempts.attempts;
    expect(jobs.length % n).toBe(0);
    const groupOf = new Map<string, number>();
    jobs.forEach((job, j) => groupOf.set([...job.prompt, ...written[j]!.tokens].join(' '), Math.floor(j / n)));
    const sums = new Map<number, number[]>();
    for (const { row, advantage } of extra) {
      const group = groupOf.get(row);
      expect(group).toBeDefined();
      sums.set(group!, [...(sums.get(group!) ?? []), advantage]);
    }
    for (const advantages of sums.values()) {
      expect(advantages.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 4);
      expect(Math.min(...advantages)).toBeLessThan(0);
      expect(Math.max(...advantages)).toBeGreaterThan(0);
      expect(advantages.length).toBeLessThanOrEqual(n);
    }
  }, 600_000);

  it('gives deduction hindsightDeductionTasks buffered hindsight tasks and the other types hindsightTasks each', async () => {
    // Hindsight rows of the step's own update (replay off), counted by their prompt's task type.
    const hindsightRows = async (deductionTasks: number) => {
      const counts = { deduction: 0, abduction: 0, induction: 0 };
      await firstStep(['replayUpdates=0', 'evalEvery=0', 'examTasks=0', 'hindsightTasks=3', `hindsightDeductionTasks=${deductionTasks}`], (session) => {
        const types = (['deduction', 'abduction', 'induction'] as const).map((t) => [session.model.tokenizer.id(`<solve:${t}>`), t] as const);
        const train = session.model.train.bind(session.model);
        session.model.train = (batch, options) => {
          batch.tokens.forEach((tokens, i) => {
            const type = types.find(([id]) => id === tokens[0])?.[1];
            if (batch.hindsight?.[i] && type) counts[type] += 1;
          });
          return train(batch, options);
        };
      });
      return counts;
    };
    const none = await hindsightRows(0);
    const eight = await hindsightRows(8);
    expect(eight.abduction).toBe(none.abduction);
    expect(eight.induction).toBe(none.induction);
    // eight more tasks, less those whose answer the grammar or the length limit refuses
    expect(eight.deduction - none.deduction).toBeGreaterThanOrEqual(4);
    expect(eight.deduction - none.deduction).toBeLessThanOrEqual(8);
  }, 600_000);

  it('with drawSignatures, every proposal and replay program takes the parameter types drawn for it', async () => {
    const programJobs = async (draw: boolean) => {
      const seen: { signature: SampleJob['signature']; code: string | undefined }[] = [];
      await firstStep(['evalEvery=0', 'batchSize=8', `drawSignatures=${draw}`], (session) =>
        // which proposal jobs the sampler is given, and what it writes for them
        watchSampler(session, (jobs, out) =>
          jobs.forEach((job, i) => {
            if (job.kind === 'program' && job.prompt[0] !== session.model.tokenizer.id('<solve:induction>'))
              seen.push({ signature: job.signature, code: out[i]!.parts[0] });
          }),
        ),
      );
      return seen;
    };
    const drawn = await programJobs(true);
    // 8 deduction and 8 abduction proposals, then replay's programs
    expect(drawn.length).toBeGreaterThan(16);
    const written = drawn.filter((d) => d.code !== undefined && parseSignature(d.code) !== null);
    expect(written.length).toBeGreaterThan(16);
    for (const { signature } of drawn) expect(Array.isArray(signature)).toBe(true);
    for (const { signature, code } of written) expect(parseSignature(code!)).toEqual(signature);
    expect(new Set(drawn.map((d) => (d.signature as ParamType[])[0])).size).toBeGreaterThanOrEqual(3);
    const chosen = await programJobs(false);
    expect(chosen.length).toBeGreaterThan(16);
    expect(chosen.every((d) => d.signature === undefined)).toBe(true);
  }, 600_000);

  it('with drawInputs, proposals are programs only and their triplets take arguments the engine drew', async () => {
    const proposals = async (draw: boolean) => {
      const seen = { jobs: [] as SampleJob[], written: [] as SampleOutcome[], triplets: [] as { code: string; input: string }[] };
      await firstStep(
        ['hindsight=false', 'evalEvery=0', 'examTasks=0', 'batchSize=8', `drawInputs=${draw}`],
        (session) => {
          const writers = new Set([session.model.tokenizer.id('<propose:deduction>'), session.model.tokenizer.id('<propose:abduction>')]);
          watchSampler(session, (jobs, written) =>
            jobs.forEach((job, i) => {
              if (!writers.has(job.prompt[0]!)) return;
              seen.jobs.push(job);
              seen.written.push(written[i]!);
            }),
          );
        },
        {
          after: (session) => {
            const { deduction, abduction } = session.engine.buffers;
            seen.triplets = [...deduction.items, ...abduction.items].filter((t) => t.id !== IDENTITY_SEED.id);
          },
        },
      );
      return seen;
    };
    const drawn = await proposals(true);
    expect(drawn.jobs.length).toBeGreaterThan(16);
    expect(drawn.jobs.every((job) => job.followedBy === undefined)).toBe(true);
    const complete = drawn.written.filter((w) => w.stopReason === 'eos' || w.stopReason === 'constraint');
    expect(complete.length).toBeGreaterThan(8);
    for (const w of complete) expect(w.parts).toHaveLength(1);
    // every buffered triplet is a program the model wrote, on an argument list it did not write
    expect(drawn.triplets.length).toBeGreaterThan(4);
    const programs = new Set(complete.map((w) => w.parts[0]));
    for (const t of drawn.triplets) expect(programs.has(t.code)).toBe(true);
    expect(new Set(drawn.triplets.map((t) => t.input)).size).toBeGreaterThan(drawn.triplets.length / 2);
    // without it, the model writes the input after the program, as in the paper
    const written = await proposals(false);
    expect(written.jobs.every((job) => job.followedBy?.[0]?.marker === '<input>')).toBe(true);
    const pairs = written.written.filter((w) => w.parts.length === 2).map((w) => `${w.parts[0]}\u0000${w.parts[1]}`);
    for (const t of written.triplets) expect(pairs).toContain(`${t.code}\u0000${t.input}`);
  }, 600_000);

  it('shows replayReferences references in the prompts that write replay programs, and proposals keep their K', async () => {
    const referencesPerPrompt = async (replayReferences: number) => {
      const counts = { proposals: [] as number[], replay: [] as number[] };
      await firstStep(['evalEvery=0', 'batchSize=4', 'references=2', `replayReferences=${replayReferences}`], (session) => {
        const tokenizer = session.model.tokenizer;
        const writers = new Set([tokenizer.id('<propose:deduction>'), tokenizer.id('<propose:abduction>')]);
        const reference = tokenizer.id('<reference>');
        watchSampler(session, (jobs) => {
          for (const job of jobs) {
            if (!writers.has(job.prompt[0]!)) continue;
            // a proposal writes its input after the program; replay's jobs write the program only
            (job.followedBy ? counts.proposals : counts.replay).push(job.prompt.filter((t) => t === reference).length);
          }
        });
      });
      return counts;
    };
    const none = await referencesPerPrompt(0);
    // seeding's proposals see the one or two triplets its buffers hold; the step's see K = 2
    expect(none.proposals.length).toBeGreaterThanOrEqual(8);
    expect(none.proposals.slice(-8).every((n) => n === 2)).toBe(true);
    expect(none.replay.length).toBeGreaterThan(8);
    expect(none.replay.every((n) => n === 0)).toBe(true);
    const two = await referencesPerPrompt(2);
    expect(two.replay.length).toBeGreaterThan(8);
    expect(two.replay.every((n) => n === 2)).toBe(true);
  }, 600_000);

  it('draws replay programs in groups of replayGroup sharing one prompt, and with replayGroupReferencesOnly nothing else', async () => {
    const replayGroups = async (referencesOnly: boolean) => {
      const groups: SampleJob[][] = [];
      await firstStep(['evalEvery=0', 'examTasks=0', 'replayGroup=4', `replayGroupReferencesOnly=${referencesOnly}`], (session) => {
        const writers = new Set([session.model.tokenizer.id('<propose:deduction>'), session.model.tokenizer.id('<propose:abduction>')]);
        watchSampler(session, (jobs) => {
          const replay = jobs.filter((job) => writers.has(job.prompt[0]!) && job.followedBy === undefined);
          for (let k = 0; k < replay.length; k += 4) groups.push(replay.slice(k, k + 4));
        });
      });
      return groups;
    };
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    const full = (groups: SampleJob[][]) => groups.filter((g) => g.length === 4);
    const whole = full(await replayGroups(false));
    expect(whole.length).toBeGreaterThanOrEqual(3);
    for (const group of whole) for (const job of group) expect(same(job, group[0])).toBe(true);
    const shared = full(await replayGroups(true));
    expect(shared.length).toBeGreaterThanOrEqual(3);
    for (const group of shared) for (const job of group) expect(job.prompt).toEqual(group[0]!.prompt);
    // each program its own parameter types: some group's differ (drawn, so not every group's)
    expect(shared.some((group) => group.some((job) => !same(job.signature, group[0]!.signature)))).toBe(true);
    expect(shared.every((group) => group.every((job) => job.signature !== undefined))).toBe(true);
    // and the groups' prompts still differ from one another (references drawn per group)
    expect(new Set(shared.map((group) => JSON.stringify(group[0]!.prompt))).size).toBeGreaterThan(1);
  }, 600_000);

  it("with structuredArguments, draws replay's string arguments of every length, where a uniform walk writes them empty or of 8 characters; a share mixes the two", async () => {
    // The string arguments (lengths, quotes left out: the argument grammar writes no quote inside
    // a string) of the programs replay runs on new argument lists.
    const replayStringLengths = async (structured: number) => {
      const lengths: number[] = [];
      await firstStep(['evalEvery=0', 'examTasks=0', 'replayRows=48', `structuredArguments=${structured}`], (session) => {
        let phase = '';
        session.engine.onPhase = (now) => {
          phase = now;
        };
        const run = session.executor.run.bind(session.executor);
        session.executor.run = async (requests) => {
          for (const request of requests) {
            if (phase !== 'replay' || request.kind !== 'validate') continue;
            for (const input of request.inputs) for (const literal of input.match(/'[^']*'/g) ?? []) lengths.push(literal.length - 2);
          }
          return run(requests);
        };
      });
      return lengths;
    };
    const share = (xs: number[], keep: (x: number) => boolean) => xs.filter(keep).length / xs.length;
    const uniform = await replayStringLengths(0);
    expect(uniform.length).toBeGreaterThan(40);
    expect(share(uniform, (n) => n === 0 || n === 8)).toBeGreaterThan(0.75);
    const structured = await replayStringLengths(1);
    expect(structured.length).toBeGreaterThan(40);
    expect(share(structured, (n) => n > 0 && n < 8)).toBeGreaterThan(0.35);
    expect(new Set(structured).size).toBeGreaterThanOrEqual(6);
    // a share of 0.5 draws each list from either walk: between the two
    const mixed = await replayStringLengths(0.5);
    const between = share(mixed, (n) => n > 0 && n < 8);
    expect(between).toBeGreaterThan(share(uniform, (n) => n > 0 && n < 8) + 0.05);
    expect(between).toBeLessThan(share(structured, (n) => n > 0 && n < 8) - 0.05);
  }, 600_000);

  it('with uniformInductionArguments, runs each replay program a second time on uniform-walk argument lists of its own', async () => {
    // Each replay executor call: the programs on their structured lists, then the same programs
    // on lists of the uniform walk (strings empty or of 8 characters), for their induction examples.
    const calls: { codes: string[]; lengths: number[] }[][] = [];
    await firstStep(['evalEvery=0', 'examTasks=0', 'replayRows=48', 'structuredArguments=1', 'uniformInductionArguments=true'], (session) => {
      let phase = '';
      session.engine.onPhase = (now) => {
        phase = now;
      };
      const run = session.executor.run.bind(session.executor);
      session.executor.run = async (requests) => {
        const validates = requests.flatMap((r) => (r?.kind === 'validate' ? [r] : []));
        if (phase === 'replay' && validates.length > 0) {
          const half = validates.length / 2;
          const part = (from: number, to: number) => {
            const slice = validates.slice(from, to);
            const lengths = slice.flatMap((r) => r.inputs.flatMap((input) => (input.match(/'[^']*'/g) ?? []).map((literal) => literal.length - 2)));
            return { codes: slice.map((r) => r.code), lengths };
          };
          calls.push([part(0, half), part(half, validates.length)]);
        }
        return run(requests);
      };
    });
    expect(calls.length).toBeGreaterThan(0);
    const share = (xs: number[], keep: (x: number) => boolean) => xs.filter(keep).length / xs.length;
    for (const [structured, uniform] of calls) expect(uniform!.codes).toEqual(structured!.codes);
    const structuredLengths = calls.flatMap(([structured]) => structured!.lengths);
    const uniformLengths = calls.flatMap(([, uniform]) => uniform!.lengths);
    expect(uniformLengths.length).toBeGreaterThan(40);
    expect(share(uniformLengths, (n) => n === 0 || n === 8)).toBeGreaterThan(0.75);
    expect(share(structuredLengths, (n) => n > 0 && n < 8)).toBeGreaterThan(0.35);
  }, 600_000);

  it('with partialCredit, pays wrong answers by closeness (deduction and abduction by repr or by value, induction by the pairs reproduced), on the same answers', async () => {
    // One seeded first step, so every run samples the same answers before any update.
    const settings = (credit: number, byValue = false) => [
      'evalEvery=0',
      'examTasks=0',
      'batchSize=8',
      'hindsight=false',
      'replayUpdates=0',
      `partialCredit=${credit}`,
      `creditByValue=${byValue}`,
    ];
    // Each run's induction grading requests, and how many pairs each counted verdict reproduced.
    const graded = (into: { everyPair: boolean[]; passed: number[]; pairs: number[] }) => (session: Session) => {
      const run = session.executor.run.bind(session.executor);
      session.executor.run = async (requests) => {
        const verdicts = await run(requests);
        requests.forEach((r, i) => {
          if (r?.kind !== 'induction') return;
          into.everyPair.push(r.everyPair === true);
          if (verdicts[i]!.passed === undefined) return;
          into.passed.push(verdicts[i]!.passed!);
          into.pairs.push(r.pairs.length);
        });
        return verdicts;
      };
    };
    const [paperInduction, creditedInduction] = [
      { everyPair: [] as boolean[], passed: [] as number[], pairs: [] as number[] },
      { everyPair: [] as boolean[], passed: [] as number[], pairs: [] as number[] },
    ];
    const paper = await firstStep(settings(0), graded(paperInduction));
    const credited = await firstStep(settings(1), graded(creditedInduction));
    const byValue = await firstStep(settings(1, true));
    expect(credited.solveRate).toEqual(paper.solveRate);
    expect(byValue.solveRate).toEqual(paper.solveRate);
    for (const type of ['deduction', 'abduction'] as const) {
      for (const run of [credited, byValue]) {
        const [before, after] = [paper.rewards[type].solve!, run.rewards[type].solve!];
        expect(after).toBeGreaterThan(before);
        // at most the full credit on every answer
        expect(after - before).toBeLessThanOrEqual(1);
      }
    }
    // the same wrong answers, measured another way
    expect(byValue.rewards.deduction.solve).not.toBe(credited.rewards.deduction.solve);
    // Induction: graded on every hidden pair only with credit, and paid for the pairs reproduced.
    expect(paperInduction.everyPair.length).toBeGreaterThan(0);
    expect(paperInduction.everyPair.every((every) => !every)).toBe(true);
    expect(paperInduction.passed).toEqual([]);
    expect(creditedInduction.everyPair).toEqual(paperInduction.everyPair.map(() => true));
    // Every credited verdict counts its pairs (a random model's programs reproduce few or none of
    // them; grading.test.ts checks the count and the closeness it gives).
    expect(creditedInduction.passed.length).toBeGreaterThan(0);
    expect(creditedInduction.passed.every((n, i) => Number.isInteger(n) && n >= 0 && n <= creditedInduction.pairs[i]!)).toBe(true);
    const [before, after] = [paper.rewards.induction.solve!, credited.rewards.induction.solve!];
    expect(after).toBeGreaterThanOrEqual(before);
    expect(after - before).toBeLessThanOrEqual(1);
  }, 600_000);

  it('keeps held-out programs out of its buffers under other names too', async () => {
    const settings = ['evalEvery=0', 'batchSize=8'];
    const bufferedCodes = (session: Session) =>
      [...session.engine.buffers.deduction.items, ...session.engine.buffers.abduction.items].filter((t) => t.id !== IDENTITY_SEED.id).map((t) => t.code);
    // What a first step keeps with no held-out set; renamed, it is the held-out set of a second run.
    const kept: string[] = [];
    await firstStep(settings, undefined, { heldout: [], after: (session) => kept.push(...bufferedCodes(session)) });
    const heldout = kept
      .filter((code) => renamed(code) !== code)
      .map((code, i): EvalTask => ({ id: `renamed_${i}`, code: renamed(code), input: '', output: '' }));
    expect(heldout.length).toBeGreaterThan(4);
    const isHeldout = heldoutMatcher(heldout);
    // The second run writes the first's programs again (its first seeding round is the same
    // draw), and none that matches a held-out program, up to renaming, reaches its buffers.
    const written: string[] = [];
    const buffered: string[] = [];
    await firstStep(
      settings,
      (session) =>
        watchSampler(session, (jobs, out) =>
          jobs.forEach((job, i) => {
            if (job.kind === 'program' && job.followedBy !== undefined) written.push(out[i]!.parts[0] ?? '');
          }),
        ),
      { heldout, after: (session) => buffered.push(...bufferedCodes(session)) },
    );
    // written again under their first names: only a comparison up to renaming knows them
    expect(written.filter(isHeldout).filter((code) => !heldout.some((task) => task.code === code)).length).toBeGreaterThan(0);
    expect(buffered.length).toBeGreaterThan(0);
    expect(buffered.filter(isHeldout)).toEqual([]);
  }, 600_000);

  it('with replayBalance, replay drops the deduction rows whose answer an update already has', async () => {
    // The balance draws no random numbers, so both runs write and run the same programs in their
    // first step; level-1 programs only, whose answers repeat within an update (True, 0, '').
    const train = async (balance: boolean) => (await firstStep(['evalEvery=0', 'replayRows=30', 'replayLevel=0', `replayBalance=${balance}`])).train!;
    const [plain, balanced] = [await train(false), await train(true)];
    expect(plain.replayUpdates).toBe(balanced.replayUpdates);
    // 10 programs an update, each a deduction, an abduction and an induction row; the balance
    // caps deduction answers at one per value and 3 per class (bool, int, ...), so some go
    expect(balanced.replayRows).toBeLessThan(plain.replayRows!);
    expect(balanced.replayRows).toBeGreaterThan(0);
  }, 600_000);

  it('with rejectCopies, rejects copy proposals, and replay still trains with every copy dropped', async () => {
    const plain = await firstStep(['evalEvery=0', 'batchSize=8', 'rejectCopies=false']);
    const capped = await firstStep(['evalEvery=0', 'batchSize=8', 'rejectCopies=true', 'replayCopyShare=0']);
    // a random proposer writes `return x` more than anything else
    expect(plain.rejections.copy).toBeUndefined();
    expect(capped.rejections.copy).toBeGreaterThan(0);
    expect(capped.train!.replayUpdates).toBe(2);
  }, 600_000);

  it('resumes a saved run exactly where it stopped', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tz-run-'));
    dirs.push(dir);
    // 6 steps, stopped after 3: the curriculum's exam at step 5 is sat after the resume.
    const straight = await run(6);
    const firstHalf = await run(3);
    await saveRun(
      dir,
      firstHalf.state,
      firstHalf.checkpoint,
      firstHalf.metrics.map((m) => JSON.stringify(m)),
    );
    const loaded = await loadRun(dir);
    expect(loaded.metricsLines).toHaveLength(3);
    const secondHalf = await run(6, loaded);
    expect(secondHalf.metrics.map(withoutTiming)).toEqual(straight.metrics.slice(3).map(withoutTiming));
    expect(straight.metrics[4]!.curriculum!.exam).not.toBeNull();
  }, 600_000);

  it('times the same work with a speed probe between steps, and the run goes on exactly as without it', async () => {
    const plain = await run(3);
    const probed = await run(3, undefined, true);
    expect(probed.metrics.map(withoutTiming)).toEqual(plain.metrics.map(withoutTiming));
    expect(probed.state).toEqual(plain.state);
    expect(probed.checkpoint).toEqual(plain.checkpoint);
    expect(probed.probes).toHaveLength(3);
    const [first] = probed.probes;
    // 16 rows of 128 tokens each, none stopping early
    expect(first).toMatchObject({ sampledTokens: 16 * 128, executorRequests: PROBE_REQUESTS.length });
    expect(first!.trainedTokens).toBeGreaterThanOrEqual(256);
    for (const p of probed.probes) {
      expect(p).toMatchObject({ sampledTokens: first!.sampledTokens, trainedTokens: first!.trainedTokens });
      expect(Math.min(p.gradientMs, p.sampleMs, p.executorMs)).toBeGreaterThan(0);
    }
  }, 600_000);

  it('refuses a damaged run directory with a clear error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tz-bad-'));
    dirs.push(dir);
    await expect(loadRun(dir)).rejects.toThrow(/is not a training run/);
    await writeFile(join(dir, 'state.json'), '{"version": 1, "config": {"preset": "tiny"');
    await expect(loadRun(dir)).rejects.toThrow(RunDirError);
    await writeFile(join(dir, 'state.json'), JSON.stringify({ version: 1, config: { ...config, batchSize: -1 }, step: 0 }));
    await expect(loadRun(dir)).rejects.toThrow(/batchSize/);
    await writeFile(join(dir, 'state.json'), JSON.stringify({ version: 1, config, step: 0 }));
    await writeFile(join(dir, 'deduction.jsonl'), '{"id": "a"}\n');
    await expect(loadRun(dir)).rejects.toThrow(/deduction.jsonl line 1/);
  });
});
