/**
 * The Absolute Zero loop (SPEC §1) over the model service and the executor. One step:
 * propose (three task types, at the curriculum's program levels), validate every proposal
 * (constant programs are rejected), measure each valid proposal's learnability with n solver
 * attempts (untrained, as in the paper, unless `trainAttempts`), append the valid ones to their
 * buffers, solve a batch per task type (newest tasks first, then balanced by answer), reward both
 * roles, TRR++ advantages over the six groups, and one update: the PPO loss plus, with
 * `hindsight`, cross-entropy on the answers the executor vouches for. No DOM, no React: it runs
 * in Node and in the model worker alike.
 */
import type { ExecRequest, ValidateRequest, Verdict } from '../executor/types';
import type { ProgramLevel } from '../lang/levels';
import { argumentsConstraint } from '../lang/literal-grammar';
import { structuredWeights, uniformWalk, weightedWalk } from '../lang/sampling';
import { drawSignature } from '../lang/signature-draw';
import { parseSignature } from '../lang/types';
import type { ModelService, SampleJob, SampleOutcome, TrainBatch, TrainOptions } from '../model-service/model-service';
import { createRng, type Rng, randomInt } from '../shared/rng';
import { IDENTITY_SEED, type InductionTask, TaskBuffer, type Triplet } from './buffers';
import { commonOutput } from './collapse';
import { contextLength, type EngineConfig, hindsightTaskCount } from './config';
import { constantPrograms } from './constant';
import { Curriculum, type CurriculumState } from './curriculum';
import { answerCloseness, type EvalSummary, type EvalTask, type Executor, evaluate, gradingRequest, outcomeOf, runSome } from './evaluate';
import { type FeedAttempt, type FeedItem, type TaskRecord, TaskRecords } from './feed';
import { trivialFloors } from './floors';
import { CLASS_SHARE, heldoutMatcher, OutputCaps } from './heldout';
import { type GradedAnswer, type HindsightTarget, hindsightTargets } from './hindsight';
import { examTasks } from './level-exam';
import { emptyPhases, type LevelEval, type PerType, type PhaseTimes, type StepMetrics, type TrainFigures } from './metrics';
import { type GradedSolveTask, inductionSolveTask, Prompts, type SolveTask } from './prompts';
import { type CheckedProgram, capCopies, checkedPrograms, freshPrograms, nextRoundSize, replayRequests, replayRoles, replayTargets } from './replay';
import { type AnswerOutcome, creditedSolverReward, groupAdvantages, learnability, proposerReward, type Role, TASK_TYPES, type TaskType } from './rewards';
import { probeSpeed, type SpeedProbe } from './speed-probe';

/** Everything a run needs to continue exactly where it stopped (besides the model checkpoint). */
export interface EngineState {
  version: 1;
  config: EngineConfig;
  step: number;
  seeded: boolean;
  nextId: number;
  rng: number[];
  sampler: number[];
  buffers: { deduction: Triplet[]; abduction: Triplet[]; induction: InductionTask[] };
  /** solver attempts per buffered task (absent in runs saved before it existed) */
  records?: Record<string, TaskRecord>;
  /** the program curriculum (absent in runs saved before it existed) */
  curriculum?: CurriculumState;
}

/** The stage a step is in, for the page's live diagram. */
export type StepPhase = keyof PhaseTimes;

/** Learnability of one valid proposal: its value and the attempts it came from. */
interface Learnability {
  value: number;
  successes: number;
  attempts: FeedAttempt[];
  /** the attempts as solver rows, rewarded like any solver answer (trained on with `trainAttempts`) */
  rows: Row[];
}

type SolverTask = GradedSolveTask & { level?: number };
/** A task from a buffer, with the id its attempts are recorded under. */
type BufferedTask = SolverTask & { id: string };

/** A sampled sequence with its reward, ready to become a training row. */
interface Row {
  type: TaskType;
  role: Role;
  job: SampleJob;
  sample: SampleOutcome;
  reward: number;
}

interface Proposal {
  type: TaskType;
  job: SampleJob;
  sample: SampleOutcome;
  /** the task, when the proposal is valid */
  task: (Triplet & { kind: 'triplet' }) | (InductionTask & { kind: 'induction' }) | null;
  reason: string;
  /** induction: the buffered program the inputs were written for */
  program?: string;
  /** deduction/abduction with `drawInputs`: the argument list the engine drew for the program */
  drawnInput?: string;
  /** program level the proposal was written at (induction: its program's) */
  level?: number;
}

const SEED_ROUNDS = 30;
/**
 * Rows per forward/backward pass: bounds the wasm heap and the padding of short rows, and is the
 * unit the helper thread's share is counted in. 8 and 16 cost the same on one thread; with the
 * helper, 8 balances the two threads better (a 63-row update: 324-334 ms against 375-377 ms,
 * measured in turns).
 */
const MICRO_BATCH_ROWS = 8;
/**
 * Positions per pass (rows x padded length): long rows go 4 (128 tokens) or 2 (256) at a time.
 * Memory then stays bounded whatever the lengths (8 full-context rows needed 648 MB of wasm heap,
 * 2 need a quarter of it), and 8 rows of 255 tokens took 752 ms in one pass, 609 ms in two of 4
 * and 567 ms in four of 2 (tiny preset, one thread, measured in one run).
 */
const MICRO_BATCH_TOKENS = 512;

export class SelfPlay {
  readonly buffers: { deduction: TaskBuffer<Triplet>; abduction: TaskBuffer<Triplet>; induction: TaskBuffer<InductionTask> };
  readonly prompts: Prompts;
  readonly records: TaskRecords;
  /** every proposal of the last step, for the task feed */
  feed: FeedItem[] = [];
  /** told when a step enters a new stage (the page animates its diagram) */
  onPhase: ((phase: StepPhase) => void) | null = null;
  step: number;
  seeded: boolean;
  private nextId: number;
  private readonly rng: Rng;
  /** Held-out programs, up to renaming, are neither kept as proposals nor replayed. */
  private readonly isHeldout: (code: string) => boolean;
  private readonly curriculum: Curriculum;
  /** this step's probe runs of kept deduction/abduction proposals: (p, i, o) triplets for hindsight */
  private probeTriplets: SolveTask[] = [];
  /** trivial floors per level and type, computed once (the held-out set does not change) */
  private floors: Map<string, number> | null = null;
  private phases: PhaseTimes = emptyPhases();
  private sampledTokens = 0;
  private promptTokens = 0;
  private trainedTokens = 0;
  /** time spent in the sampler this step (every phase that samples, replay included) */
  private samplingMs = 0;
  private programs = 0;
  /** the model has grown its memory to the largest step's (ModelService.reserveMemory) */
  private memoryReserved = false;
  /** the held-out set's grammar walk weights, for drawn signatures and structuredArguments (made on first use) */
  private walkWeights: Float64Array | null = null;

  constructor(
    private readonly model: ModelService,
    private readonly executor: Executor,
    readonly config: EngineConfig,
    private readonly heldout: readonly EvalTask[] = [],
    state?: EngineState,
  ) {
    this.prompts = new Prompts(model.tokenizer, config, contextLength(config));
    this.isHeldout = heldoutMatcher(heldout);
    const saved = state?.buffers;
    this.buffers = {
      deduction: new TaskBuffer(saved?.deduction ?? [IDENTITY_SEED]),
      abduction: new TaskBuffer(saved?.abduction ?? [IDENTITY_SEED]),
      induction: new TaskBuffer(saved?.induction ?? []),
    };
    this.step = state?.step ?? 0;
    this.seeded = state?.seeded ?? false;
    this.nextId = state?.nextId ?? 0;
    this.records = new TaskRecords(state?.records);
    this.rng = createRng(`engine:${config.seed}`, state?.rng);
    this.curriculum = new Curriculum(config.level, state?.curriculum, config.examTasks);
    if (state) model.restoreSamplerState(state.sampler);
  }

  /** The three buffers' tasks (the arrays themselves, not copies). */
  bufferItems(): EngineState['buffers'] {
    return { deduction: this.buffers.deduction.items, abduction: this.buffers.abduction.items, induction: this.buffers.induction.items };
  }

  bufferSizes(): PerType<number> {
    return { deduction: this.buffers.deduction.size, abduction: this.buffers.abduction.size, induction: this.buffers.induction.size };
  }

  state(): EngineState {
    return {
      version: 1,
      config: this.config,
      step: this.step,
      seeded: this.seeded,
      nextId: this.nextId,
      rng: this.rng.state(),
      sampler: this.model.samplerState(),
      buffers: this.bufferItems(),
      records: this.records.toJSON(),
      curriculum: this.curriculum.snapshot(),
    };
  }

  private get types(): TaskType[] {
    return TASK_TYPES.filter((t) => this.config[t]);
  }

  /**
   * Fills each buffer with `seedBufferSize` valid tasks before training: the proposer writes
   * from the identity seed onwards, nothing is trained. Gives up after SEED_ROUNDS rounds and
   * trains with what it has (with decoding unconstrained, a random model writes few valid tasks).
   */
  async seed(onProgress?: (sizes: PerType<number>, target: number) => void): Promise<{ rounds: number; proposals: number; valid: number }> {
    const target = this.config.seedBufferSize;
    let rounds = 0;
    let proposals = 0;
    let valid = 0;
    while (!this.seeded && rounds < SEED_ROUNDS) {
      const counts = Object.fromEntries(
        this.types.map((t) => [t, this.buffers[t].size < target + (t === 'induction' ? 0 : 1) ? this.config.batchSize : 0]),
      ) as Partial<PerType<number>>;
      if (Object.values(counts).every((n) => !n)) break;
      const batch = await this.propose(counts);
      for (const p of batch) this.append(p, 0);
      proposals += batch.length;
      valid += batch.filter((p) => p.task).length;
      rounds += 1;
      onProgress?.(this.bufferSizes(), target);
    }
    this.seeded = true;
    return { rounds, proposals, valid };
  }

  /** One full self-play step and its metrics. Seeds first if that has not happened. */
  async runStep(): Promise<StepMetrics> {
    if (!this.memoryReserved) {
      await this.model.reserveMemory(this.trainOptions());
      this.memoryReserved = true;
    }
    if (!this.seeded) await this.seed();
    const started = performance.now();
    this.phases = emptyPhases();
    this.sampledTokens = 0;
    this.promptTokens = 0;
    this.trainedTokens = 0;
    this.samplingMs = 0;
    this.programs = 0;
    this.step += 1;
    const c = this.config;

    const level = this.curriculum.level;
    this.probeTriplets = [];
    const proposals = await this.propose(Object.fromEntries(this.types.map((t) => [t, c.batchSize])));
    const learn = await this.measureLearnability(proposals.filter((p) => p.task));
    const fresh: PerType<number> = { deduction: 0, abduction: 0, induction: 0 };
    for (const p of proposals) if (this.append(p, this.step)) fresh[p.type] += 1;

    this.feed = proposals.map((p) =>
      feedItemOf(p, this.step, learn.get(p), proposerReward(p.task !== null, p.task ? learn.get(p)!.value : 0, c.trivialPenalty)),
    );
    const rows: Row[] = proposals.map((p) => ({
      type: p.type,
      role: 'propose',
      job: p.job,
      sample: p.sample,
      reward: proposerReward(p.task !== null, p.task ? learn.get(p)!.value : 0, c.trivialPenalty),
    }));
    const { rows: solved, graded } = await this.solveBatches(fresh);
    rows.push(...solved);
    this.curriculum.observe(successAtLevel(graded, level));
    const exam = this.curriculum.examDue ? await this.levelExam(level) : null;
    if (exam !== null) this.curriculum.observeExam(exam);

    const attemptGroups = c.trainAttempts ? [...learn.values()].map((l) => l.rows) : [];
    let train = await this.update(rows, c.hindsight ? hindsightTargets(graded, this.extraHindsightTasks()) : [], attemptGroups);
    if (c.hindsight && c.replayUpdates > 0) train = await this.replay(train);
    const metrics = this.metrics(proposals, solved, rows, learn, train);
    metrics.curriculum = { level, reached: this.curriculum.reached, auto: this.curriculum.auto, exam };
    if (c.evalEvery > 0 && (this.step - 1) % c.evalEvery === 0 && this.heldout.length) {
      metrics.evalByLevel = await this.evalByLevel(c.evalTasks);
      metrics.eval = pooledAccuracy(metrics.evalByLevel);
    }
    const stepMs = performance.now() - started;
    metrics.timing = {
      stepMs,
      phases: this.phases,
      sampledTokens: this.sampledTokens,
      sampleTokensPerSec: this.samplingMs > 0 ? (this.sampledTokens * 1000) / this.samplingMs : 0,
      promptTokens: this.promptTokens,
      trainedTokens: this.trainedTokens,
      programs: this.programs,
      programsPerSec: (this.programs * 1000) / stepMs,
    };
    return metrics;
  }

  heldoutTasks(): EvalTask[] {
    return [...this.heldout];
  }

  /**
   * Greedy accuracy per program level on the first `perLevel` held-out tasks of each level, with
   * the best trivial floor of the same tasks (computed once per run: the set does not change).
   * Answers come from the weights' moving average when the model keeps one; `averaged` false
   * asks the live weights (bench learn reports both).
   */
  async evalByLevel(perLevel: number, types: readonly TaskType[] = this.types, averaged = true): Promise<LevelEval[]> {
    const t0 = performance.now();
    const levels = [...new Set(this.heldout.map(levelOf))].sort((a, b) => a - b);
    const out: LevelEval[] = [];
    this.floors ??= new Map();
    for (const level of levels) {
      const tasks = this.heldout.filter((task) => levelOf(task) === level).slice(0, perLevel);
      const entry: LevelEval = {
        level,
        n: { deduction: 0, abduction: 0, induction: 0 },
        accuracy: { deduction: null, abduction: null, induction: null },
        floor: { deduction: null, abduction: null, induction: null },
      };
      for (const type of types) {
        const summary = await this.answerGreedily(tasks, type, averaged);
        entry.n[type] = summary.n;
        entry.accuracy[type] = summary.accuracy;
        const key = `${level}/${type}/${tasks.length}`;
        if (!this.floors.has(key)) this.floors.set(key, (await trivialFloors(this.executor, tasks, type)).best.accuracy);
        entry.floor[type] = this.floors.get(key)!;
      }
      out.push(entry);
    }
    this.phases.eval += performance.now() - t0;
    return out;
  }

  // ------------------------------------------------------------------ phases

  /**
   * The curriculum's exam at `level` (level-exam.ts): the share of fresh grammar programs the
   * solver answers right, greedily with the averaged weights, in its first task type (deduction
   * unless that is off); null when no exam could be drawn. Timed as evaluation.
   */
  private async levelExam(level: number): Promise<number | null> {
    const t0 = performance.now();
    const tasks = await examTasks(this.executor, this.config.seed, this.step, level as ProgramLevel, this.config.examTasks);
    const summary = tasks ? await this.answerGreedily(tasks, this.types[0]!, true) : null;
    this.phases.eval += performance.now() - t0;
    return summary?.accuracy ?? null;
  }

  /** Greedy answers to fixed tasks under the run's decoding settings (the held-out set and the exam). */
  private answerGreedily(tasks: readonly EvalTask[], type: TaskType, averaged: boolean): Promise<EvalSummary> {
    return evaluate(this.model, this.executor, this.prompts, tasks, type, {
      constrained: this.config.constrained,
      outputTokens: this.config.outputTokens,
      averaged,
    });
  }

  private async sample(jobs: SampleJob[], phase: keyof PhaseTimes): Promise<SampleOutcome[]> {
    if (jobs.length === 0) return [];
    this.onPhase?.(phase);
    const t0 = performance.now();
    const out = await this.model.sample(jobs, { temperature: this.config.temperature, constrained: this.config.constrained });
    const ms = performance.now() - t0;
    this.phases[phase] += ms;
    this.samplingMs += ms;
    for (const s of out) this.sampledTokens += s.tokens.length;
    for (const job of jobs) this.promptTokens += job.prompt.length;
    return out;
  }

  private async timed<T>(phase: keyof PhaseTimes, work: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      this.phases[phase] += performance.now() - t0;
    }
  }

  private async execute(requests: (ExecRequest | null)[], phase: keyof PhaseTimes): Promise<(Verdict | null)[]> {
    this.onPhase?.(phase);
    const t0 = performance.now();
    const verdicts = await runSome(this.executor, requests);
    this.phases[phase] += performance.now() - t0;
    this.programs += requests.filter(Boolean).length;
    return verdicts;
  }

  /** Samples and validates `counts[type]` proposals per task type. */
  private async propose(counts: Partial<PerType<number>>): Promise<Proposal[]> {
    const c = this.config;
    const planned: { type: TaskType; job: SampleJob; program?: string; level?: number }[] = [];
    for (const type of ['deduction', 'abduction'] as const) {
      for (const level of this.curriculum.levelsFor(counts[type] ?? 0, this.rng)) {
        planned.push({ type, level, job: this.proposalJob(type, level, { withInput: !c.drawInputs }) });
      }
    }
    // Uniform over the deduction and abduction buffers together, without copying them.
    const [deductions, abductions] = [this.buffers.deduction.items, this.buffers.abduction.items];
    for (let i = 0; i < (counts.induction ?? 0); i++) {
      const pick = randomInt(this.rng, deductions.length + abductions.length);
      const source = pick < deductions.length ? deductions[pick]! : abductions[pick - deductions.length]!;
      planned.push({ type: 'induction', job: this.prompts.proposeInduction(source.code), program: source.code, level: source.level });
    }
    const samples = await this.sample(
      planned.map((p) => p.job),
      'propose',
    );
    const complete = samples.map((s) => s.stopReason === 'eos' || s.stopReason === 'constraint');
    // drawInputs: the model wrote only the program; its argument list is drawn as the probes' are.
    const drawn = planned.map((p, i) =>
      c.drawInputs && p.type !== 'induction' && complete[i] && samples[i]!.parts.length === 1 ? this.probeInputs(samples[i]!.parts[0]!, '', 1)[0] : undefined,
    );
    const requests = planned.map((p, i) => {
      const s = samples[i]!;
      if (!complete[i]) return null;
      if (p.type === 'induction') {
        if (s.parts.length !== c.inductionInputs + 1) return null;
        return { kind: 'validate' as const, code: p.program!, inputs: s.parts.slice(0, c.inductionInputs) };
      }
      const input = c.drawInputs ? drawn[i] : s.parts.length === 2 ? s.parts[1] : undefined;
      if (input === undefined) return null;
      return { kind: 'validate' as const, code: s.parts[0]!, inputs: [input] };
    });
    const verdicts = await this.execute(requests, 'validate');
    const { constant, copy, probes } = await this.timed('validate', () =>
      constantPrograms(this.executor, requests, verdicts, this.config.constantProbes, (code, exclude, count) => this.probeInputs(code, exclude, count)),
    );
    return planned.map((p, i) => {
      const s = samples[i]!;
      const verdict = verdicts[i];
      const base = {
        type: p.type,
        job: p.job,
        sample: s,
        task: null,
        program: p.program,
        ...(p.level ? { level: p.level } : {}),
        ...(drawn[i] !== undefined ? { drawnInput: drawn[i] } : {}),
      };
      if (!verdict) return { ...base, reason: 'truncated' };
      if (!verdict.ok) return { ...base, reason: verdict.reason };
      const outputs = verdict.outputs ?? [];
      if (constant[i]) return { ...base, reason: 'constant' };
      if (copy[i] && c.rejectCopies) return { ...base, reason: 'copy' };
      if (outputs.some((o) => this.model.tokenizer.encode(o).length >= c.outputTokens)) return { ...base, reason: 'output-too-long' };
      const id = `${p.type}_${String(this.nextId++).padStart(6, '0')}`;
      if (p.type === 'induction') {
        const inputs = s.parts.slice(0, c.inductionInputs);
        const level = p.level ? { level: p.level } : {};
        return {
          ...base,
          reason: 'ok',
          task: { kind: 'induction' as const, id, code: p.program!, inputs, outputs, message: s.parts[c.inductionInputs]!, step: this.step, ...level },
        };
      }
      const code = s.parts[0]!;
      if (this.isHeldout(code)) return { ...base, reason: 'held-out' };
      const level = p.level ? { level: p.level } : {};
      // The probes of a kept program are checked triplets too: more inputs for hindsight.
      for (const probe of probes) {
        if (probe.at === i && this.model.tokenizer.encode(probe.output).length < c.outputTokens)
          this.probeTriplets.push({ code, input: probe.input, output: probe.output });
      }
      const input = requests[i]!.inputs[0]!;
      return { ...base, reason: 'ok', task: { kind: 'triplet' as const, id, code, input, output: outputs[0]!, step: this.step, ...level } };
    });
  }

  /**
   * A deduction/abduction proposal prompt with the `references` given (K drawn from its buffer
   * unless replay gives its own), at `level`, and with parameter types drawn from the grammar
   * when `drawSignatures` is on. Without `withInput` the model writes the program only (replay,
   * and proposals under `drawInputs`).
   */
  private proposalJob(
    type: 'deduction' | 'abduction',
    level: number,
    {
      withInput = true,
      references = this.buffers[type].uniformDistinct(this.config.references, this.rng),
    }: { withInput?: boolean; references?: readonly Triplet[] } = {},
  ): SampleJob {
    const c = this.config;
    let signature: ReturnType<typeof drawSignature> | undefined;
    if (c.drawSignatures) {
      const tokenizer = this.model.tokenizer;
      signature = drawSignature(tokenizer, { maxTokens: c.programTokens, level: level as ProgramLevel }, this.rng, this.heldoutWalkWeights());
    }
    const job = this.prompts.propose(type, references, level, signature);
    if (withInput) return job;
    const { followedBy: _input, ...programOnly } = job;
    return programOnly;
  }

  /** The held-out set's walk weights (lang/sampling's structuredWeights), made once. */
  private heldoutWalkWeights(): Float64Array {
    this.walkWeights ??= structuredWeights(this.model.tokenizer);
    return this.walkWeights;
  }

  /**
   * Up to `count` random argument lists for a program's signature, none equal to `exclude`: each
   * the held-out set's weighted walk of its argument grammar with chance `structuredArguments`,
   * else a uniform walk (at 0 or 1 no coin is drawn, so a run of either draws as it always did);
   * `share` overrides that chance.
   */
  private probeInputs(code: string, exclude: string, count: number, share = this.config.structuredArguments): string[] {
    const signature = parseSignature(code);
    if (!signature) return [];
    const tokenizer = this.model.tokenizer;
    const budget = this.config.inputTokens;
    const inputs: string[] = [];
    const weights = share > 0 ? this.heldoutWalkWeights() : null;
    for (let tries = 0; tries < count * 3 && inputs.length < count; tries++) {
      const constraint = argumentsConstraint(tokenizer, signature, { maxTokens: budget });
      const structured = weights !== null && (share >= 1 || this.rng() < share);
      const walk = structured ? weightedWalk(constraint, this.rng, tokenizer.eos, budget, weights) : uniformWalk(constraint, this.rng, tokenizer.eos, budget);
      const text = tokenizer.decode(walk);
      if (text !== exclude && !inputs.includes(text)) inputs.push(text);
    }
    return inputs;
  }

  /** Adds a valid proposal's task to its buffer; true when it did. */
  private append(p: Proposal, step: number): boolean {
    if (!p.task) return false;
    let dropped: { id: string } | undefined;
    if (p.task.kind === 'induction') {
      const { kind: _kind, ...task } = p.task;
      dropped = this.buffers.induction.add({ ...task, step });
    } else {
      const { kind: _kind, ...task } = p.task;
      dropped = this.buffers[p.type as 'deduction' | 'abduction'].add({ ...task, step });
    }
    if (dropped) this.records.forget(p.type, dropped.id);
    return true;
  }

  /** A graded answer's reward: the paper's, plus `partialCredit` for how close a wrong one came. */
  private gradedReward(type: TaskType, task: GradedSolveTask, answer: SampleOutcome, verdict: Verdict | null, outcome: AnswerOutcome): number {
    const credit = this.config.partialCredit;
    const closeness = credit > 0 && outcome === 'wrong' ? answerCloseness(type, task, answer, verdict, this.config.creditByValue) : null;
    return creditedSolverReward(outcome, closeness, credit);
  }

  /** n solver attempts per valid proposal at the sampling temperature (trained on only with `trainAttempts`). */
  private async measureLearnability(valid: Proposal[]): Promise<Map<Proposal, Learnability>> {
    const n = this.config.learnabilitySamples;
    const tasks = valid.map((p) => solverTaskOf(p));
    const jobs = valid.flatMap((p, i) => Array.from({ length: n }, () => this.prompts.solve(p.type, tasks[i]!)));
    const answers = await this.sample(jobs, 'learnability');
    const verdicts = await this.execute(
      answers.map((a, j) => gradingRequest(valid[Math.floor(j / n)]!.type, tasks[Math.floor(j / n)]!, a, this.config.partialCredit > 0)),
      'learnability',
    );
    const result = new Map<Proposal, Learnability>();
    valid.forEach((p, i) => {
      const attempts = Array.from({ length: n }, (_, k) => ({ answer: answers[i * n + k]!.text, outcome: outcomeOf(verdicts[i * n + k]!) }));
      for (const a of attempts) this.records.record(p.type, p.task!.id, this.step, a.outcome, a.answer);
      const successes = attempts.filter((a) => a.outcome === 'correct').length;
      const rows = attempts.map((a, k): Row => {
        const j = i * n + k;
        return {
          type: p.type,
          role: 'solve',
          job: jobs[j]!,
          sample: answers[j]!,
          reward: this.gradedReward(p.type, tasks[i]!, answers[j]!, verdicts[j]!, a.outcome),
        };
      });
      result.set(p, { value: learnability(successes, n), successes, attempts, rows });
    });
    return result;
  }

  /**
   * `count` buffered tasks of a type for the solver: the newest `fresh` first, then uniform draws
   * (or draws balanced by answer, with `balanceTasks`).
   */
  private solverTasks(type: TaskType, count: number, fresh: number): BufferedTask[] {
    const balance = this.config.balanceTasks;
    if (type === 'induction') {
      const buffer = this.buffers.induction;
      const tasks = balance ? buffer.balancedBatch(count, fresh, this.rng, (t) => t.outputs[0] ?? '') : buffer.solverBatch(count, fresh, this.rng);
      return tasks.map((t) => ({ ...inductionSolverTask(t), id: t.id, ...(t.level ? { level: t.level } : {}) }));
    }
    const buffer = this.buffers[type];
    return balance ? buffer.balancedBatch(count, fresh, this.rng, (t) => t.output) : buffer.solverBatch(count, fresh, this.rng);
  }

  /**
   * Tasks learnt by hindsight only (no answer is sampled for them), `hindsightTaskCount` per type:
   * for deduction and abduction this step's probe triplets first (new inputs to known programs),
   * then buffered tasks.
   */
  private extraHindsightTasks(): { type: TaskType; task: SolverTask }[] {
    return this.types.flatMap((type) => {
      const count = hindsightTaskCount(this.config, type);
      if (count === 0) return [];
      const probes = type === 'induction' ? [] : this.probeTriplets.slice(0, count);
      const tasks = [...probes, ...this.solverTasks(type, count - probes.length, 0)];
      return tasks.map((task) => ({ type, task }));
    });
  }

  /** A solver batch per task type, answered at the sampling temperature and graded. */
  private async solveBatches(fresh: PerType<number>): Promise<{ rows: Row[]; graded: (GradedAnswer & { level?: number })[] }> {
    const planned: { type: TaskType; task: BufferedTask; job: SampleJob }[] = [];
    for (const type of this.types) {
      for (const task of this.solverTasks(type, this.config.batchSize, fresh[type])) planned.push({ type, task, job: this.prompts.solve(type, task) });
    }
    const answers = await this.sample(
      planned.map((p) => p.job),
      'solve',
    );
    const verdicts = await this.execute(
      planned.map((p, i) => gradingRequest(p.type, p.task, answers[i]!, this.config.partialCredit > 0)),
      'solve',
    );
    const rows = planned.map((p, i): Row => {
      const outcome = outcomeOf(verdicts[i]!);
      this.records.record(p.type, p.task.id, this.step, outcome, answers[i]!.text);
      return { type: p.type, role: 'solve', job: p.job, sample: answers[i]!, reward: this.gradedReward(p.type, p.task, answers[i]!, verdicts[i]!, outcome) };
    });
    const graded = planned.map((p, i) => ({ type: p.type, task: p.task, answer: answers[i]!, verdict: verdicts[i]!, level: p.task.level }));
    return { rows, graded };
  }

  /**
   * TRR++ over the six groups and one update: the PPO loss on the rows with a non-zero
   * advantage, plus cross-entropy on the hindsight targets the grammar admits. `ownGroups` (the
   * learnability attempts, with `trainAttempts`) are normalised each on its own.
   */
  private async update(rows: Row[], targets: readonly HindsightTarget[], ownGroups: readonly Row[][] = []): Promise<TrainFigures | null> {
    this.onPhase?.('update');
    const t0 = performance.now();
    const batch: TrainBatch = { tokens: [], promptLengths: [], advantages: [], oldLogProbs: [], masks: [], hindsight: [] };
    const groups: Row[][] = [];
    for (const type of TASK_TYPES) {
      for (const role of ['propose', 'solve'] as const) {
        if (role === 'propose' && !this.config.trainProposer) continue;
        groups.push(rows.filter((r) => r.type === type && r.role === role));
      }
    }
    for (const group of [...groups, ...ownGroups]) {
      const rowsWithTokens = group.filter((r) => r.sample.tokens.length > 0);
      const advantages = groupAdvantages(rowsWithTokens.map((r) => r.reward));
      rowsWithTokens.forEach((row, i) => {
        if (advantages[i] === 0) return;
        batch.tokens.push([...row.job.prompt, ...row.sample.tokens]);
        batch.promptLengths.push(row.job.prompt.length);
        batch.advantages.push(advantages[i]!);
        batch.oldLogProbs.push(row.sample.logProbs);
        batch.masks!.push(row.sample.masks);
        batch.hindsight!.push(false);
      });
    }
    const hindsightRows = this.addHindsightRows(batch, targets);
    if (batch.tokens.length === 0) return null;
    const stats = await this.trainOn(batch);
    this.phases.update += performance.now() - t0;
    const { hindsightTokens: _tokens, ...figures } = stats;
    return { ...figures, rows: batch.tokens.length, hindsightRows };
  }

  /** The same work timed, model and executor, between steps (src/engine/speed-probe.ts); changes nothing. */
  speedProbe(): Promise<SpeedProbe> {
    return probeSpeed(this.model, this.executor, this.trainOptions());
  }

  private trainOn(batch: TrainBatch) {
    for (const row of batch.tokens) this.trainedTokens += row.length;
    return this.model.train(batch, this.trainOptions());
  }

  private trainOptions(): TrainOptions {
    return {
      clipEpsilon: this.config.clipEpsilon,
      entropyCoef: this.config.entropyCoef,
      temperature: this.config.temperature,
      microBatchRows: MICRO_BATCH_ROWS,
      microBatchTokens: MICRO_BATCH_TOKENS,
      hindsightWeight: this.config.hindsightWeight,
    };
  }

  /** Appends the targets the grammar admits (and the context holds) as hindsight rows; how many. */
  private addHindsightRows(batch: TrainBatch, targets: readonly HindsightTarget[]): number {
    let added = 0;
    for (const target of targets) {
      if (target.type === 'deduction' && this.model.tokenizer.encode(target.task.output).length >= this.config.outputTokens) continue;
      const job = this.prompts.solve(target.type, target.task);
      if (!this.prompts.fits(job)) continue;
      const forced = this.model.forcedAnswer(job, target.answer, { constrained: this.config.constrained });
      if (!forced) continue;
      batch.tokens.push([...job.prompt, ...forced.tokens]);
      batch.promptLengths.push(job.prompt.length);
      batch.advantages.push(0);
      batch.oldLogProbs.push([]);
      batch.masks!.push(forced.masks);
      batch.hindsight!.push(true);
      added++;
    }
    return added;
  }

  /**
   * Hindsight replay (replay.ts): `replayUpdates` cross-entropy updates, each on `replayRows`
   * examples: programs the proposer writes now (at the curriculum's levels, held-out programs
   * left out) run on new argument lists, copies capped (capCopies). One sampling call and one
   * executor call serve all the updates, and at most two more make up the programs dropped.
   * Adds its figures to the step's update figures.
   */
  private async replay(train: TrainFigures | null): Promise<TrainFigures | null> {
    const c = this.config;
    const types = this.types;
    const roles = replayRoles(c.replayRows, types, c.replayDeductionWeight);
    const perUpdate = roles.length;
    const needed = c.replayUpdates * perUpdate;
    // Rounds refill what the copy cap and failed programs leave short (bounded: a proposer that
    // writes little else than copies gets fewer updates, not an endless step).
    const written: CheckedProgram[] = [];
    let checked: CheckedProgram[] = [];
    let asked = 0;
    for (let round = 0, ask = needed; round < REPLAY_ROUNDS && ask > 0; round++) {
      written.push(...(await this.replayPrograms(ask)));
      asked += ask;
      checked = capCopies(written, c.replayCopyShare);
      ask = nextRoundSize(needed, checked.length, asked);
    }
    checked = checked.slice(0, needed);
    const t0 = performance.now();
    let rows = 0;
    let updates = 0;
    let lossSum = 0;
    for (let start = 0; start < checked.length; start += perUpdate) {
      const batch: TrainBatch = { tokens: [], promptLengths: [], advantages: [], oldLogProbs: [], masks: [], hindsight: [] };
      const balance = c.replayBalance ? new OutputCaps(1, Math.ceil(perUpdate * CLASS_SHARE)) : undefined;
      const targets = checked.slice(start, start + perUpdate).flatMap((program, k) => replayTargets(program, roles[k]!, this.rng, balance));
      if (this.addHindsightRows(batch, targets) === 0) continue;
      const stats = await this.trainOn(batch);
      rows += batch.tokens.length;
      updates += 1;
      lossSum += stats.hindsightLoss ?? 0;
    }
    this.phases.replay += performance.now() - t0;
    if (updates === 0) return train;
    const figures = { replayUpdates: updates, replayRows: rows, replayLoss: lossSum / updates };
    return train ? { ...train, ...figures } : { loss: 0, entropy: 0, gradNorm: 0, clipFraction: 0, approxKl: 0, rows: 0, tokens: 0, skipped: true, ...figures };
  }

  /**
   * `count` new programs the proposer writes for replay (at the curriculum's levels,
   * `replaySpread` of them over the levels up to `replayLevel`; alternating the deduction and
   * abduction prompts), run on new argument lists: those that pass (checkedPrograms).
   */
  private async replayPrograms(count: number): Promise<CheckedProgram[]> {
    const c = this.config;
    const writers = (['deduction', 'abduction'] as const).filter((t) => c[t]);
    const groups = Math.ceil(count / c.replayGroup);
    // replayGroupReferencesOnly: a group shares its prompt (one prefill) but not the draws that
    // are not in it, each program's parameter types and level.
    const own = c.replayGroupReferencesOnly && c.replayGroup > 1;
    const levels = this.curriculum.levelsFor(own ? count : groups, this.rng, c.replayLevel, c.replaySpread);
    const jobs: SampleJob[] = [];
    for (let g = 0; g < groups; g++) {
      const type = writers[g % writers.length]!;
      const size = Math.min(c.replayGroup, count - jobs.length);
      const references = this.buffers[type].uniformDistinct(c.replayReferences, this.rng);
      const whole = own ? null : this.proposalJob(type, levels[g]!, { withInput: false, references });
      for (let k = 0; k < size; k++) jobs.push(whole ? { ...whole } : this.proposalJob(type, levels[jobs.length]!, { withInput: false, references }));
    }
    const samples = await this.sample(jobs, 'replay');
    const codes = freshPrograms(samples, this.isHeldout);
    const requests = replayRequests(codes, (code) => this.probeInputs(code, '', c.inductionInputs));
    // uniformInductionArguments: each program also runs on lists of the uniform walk alone, for its induction example.
    const inductionRequests: ValidateRequest[] = c.uniformInductionArguments
      ? requests.map((r) => ({ kind: 'validate', code: r.code, inputs: this.probeInputs(r.code, '', c.inductionInputs, 0) }))
      : [];
    const verdicts = await this.execute([...requests, ...inductionRequests], 'replay');
    const fits = (o: string) => this.model.tokenizer.encode(o).length < c.outputTokens;
    const induction = c.uniformInductionArguments ? { requests: inductionRequests, verdicts: verdicts.slice(requests.length) } : undefined;
    return checkedPrograms(requests, verdicts.slice(0, requests.length), fits, induction);
  }

  private metrics(proposals: Proposal[], solved: Row[], rows: Row[], learn: Map<Proposal, Learnability>, train: TrainFigures | null): StepMetrics {
    const on = (t: TaskType) => this.config[t];
    const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
    const perType = <T>(f: (t: TaskType) => T): PerType<T> => ({ deduction: f('deduction'), abduction: f('abduction'), induction: f('induction') });
    const rejections: Record<string, number> = {};
    for (const p of proposals) if (!p.task) rejections[p.reason] = (rejections[p.reason] ?? 0) + 1;
    const histogram = new Array<number>(this.config.learnabilitySamples + 1).fill(0);
    for (const { successes } of learn.values()) histogram[successes]! += 1;
    return {
      step: this.step,
      rewards: perType((t) => ({
        propose: on(t) ? mean(rows.filter((r) => r.type === t && r.role === 'propose').map((r) => r.reward)) : null,
        solve: on(t) ? mean(rows.filter((r) => r.type === t && r.role === 'solve').map((r) => r.reward)) : null,
      })),
      solveRate: perType((t) => (on(t) ? mean(solved.filter((r) => r.type === t).map((r) => (r.reward === 1 ? 1 : 0))) : null)),
      validity: perType((t) => (on(t) ? mean(proposals.filter((p) => p.type === t).map((p) => (p.task ? 1 : 0))) : null)),
      counts: {
        proposed: proposals.length,
        valid: proposals.filter((p) => p.task).length,
        solverTasks: solved.length,
        solved: solved.filter((r) => r.reward === 1).length,
      },
      rejections,
      commonOutput: commonOutput(proposals.flatMap((p) => (!p.task ? [] : p.task.kind === 'induction' ? p.task.outputs : [p.task.output]))),
      learnability: { mean: mean([...learn.values()].map((l) => l.value)), histogram },
      buffers: perType((t) => this.buffers[t].size),
      train,
      timing: { stepMs: 0, phases: emptyPhases(), sampledTokens: 0, sampleTokensPerSec: 0, promptTokens: 0, trainedTokens: 0, programs: 0, programsPerSec: 0 },
    };
  }
}

function feedItemOf(p: Proposal, step: number, learn: Learnability | undefined, proposerReward: number): FeedItem {
  const induction = p.type === 'induction';
  const task = p.task;
  return {
    step,
    type: p.type,
    taskId: task?.id ?? null,
    program: task?.code ?? (induction ? (p.program ?? '') : (p.sample.parts[0] ?? p.sample.text)),
    inputs: task
      ? task.kind === 'induction'
        ? task.inputs
        : [task.input]
      : induction
        ? p.sample.parts.slice(0, -1)
        : p.drawnInput !== undefined
          ? [p.drawnInput]
          : p.sample.parts.slice(1, 2),
    outputs: task ? (task.kind === 'induction' ? task.outputs : [task.output]) : [],
    ...(task?.kind === 'induction' ? { message: task.message } : {}),
    verdict: p.reason,
    attempts: learn?.attempts ?? [],
    learnability: learn?.value ?? null,
    proposerReward,
  };
}

function solverTaskOf(p: Proposal): SolverTask {
  const task = p.task!;
  if (task.kind === 'induction') return inductionSolverTask(task);
  return { code: task.code, input: task.input, output: task.output };
}

/** The induction split: the first half of the pairs is shown with the message, the rest hidden. */
export function inductionSolverTask(task: InductionTask): SolverTask {
  return inductionSolveTask(
    task.code,
    task.inputs.map((input, i): [string, string] => [input, task.outputs[i]!]),
    task.message,
  );
}

const levelOf = (task: { level?: number }): number => task.level ?? 4;
/** Most sampling rounds one step's replay makes to fill its updates. */
const REPLAY_ROUNDS = 3;

/** Solver success on this step's tasks of one program level, or null when none was of it. */
function successAtLevel(graded: readonly { level?: number; verdict: Verdict | null }[], level: number): number | null {
  const at = graded.filter((g) => g.level === level);
  if (at.length === 0) return null;
  return at.filter((g) => outcomeOf(g.verdict) === 'correct').length / at.length;
}

/** Accuracy per type over all levels together, weighted by the tasks each level attempted. */
function pooledAccuracy(levels: readonly LevelEval[]): PerType<number | null> {
  const pooled = (type: TaskType): number | null => {
    const n = levels.reduce((sum, l) => sum + l.n[type], 0);
    return n ? levels.reduce((sum, l) => sum + (l.accuracy[type] ?? 0) * l.n[type], 0) / n : null;
  };
  return { deduction: pooled('deduction'), abduction: pooled('abduction'), induction: pooled('induction') };
}
