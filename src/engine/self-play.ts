/**
 * The Absolute Zero loop (SPEC §1) over the model service and the executor. One step:
 * propose (three task types), validate every proposal, measure each valid proposal's
 * learnability with n untrained solver attempts, append the valid ones to their buffers, solve a
 * batch per task type (newest tasks first), reward both roles, TRR++ advantages over the six
 * groups, one PPO update. No DOM, no React: it runs in Node and in the model worker alike.
 */
import type { ExecRequest, Verdict } from '../executor/types';
import type { ModelService, SampleJob, SampleOutcome } from '../model-service/model-service';
import type { TrainBatch } from '../model/train';
import { createRng, randomInt, type Rng } from '../model/rng';
import { PRESETS } from '../model/config';
import { splitPairs, type EngineConfig } from './config';
import { IDENTITY_SEED, TaskBuffer, type InductionTask, type Triplet } from './buffers';
import { programKey } from './heldout';
import { evaluate, gradingRequest, outcomeOf, runSome, type EvalTask, type Executor } from './evaluate';
import { TaskRecords, type FeedAttempt, type FeedItem, type TaskRecord } from './feed';
import { emptyPhases, type PerType, type PhaseTimes, type StepMetrics, type TrainFigures } from './metrics';
import { Prompts, type SolveTask } from './prompts';
import { TASK_TYPES, groupAdvantages, learnability, proposerReward, solverReward, type Role, type TaskType } from './rewards';

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
}

/** The stage a step is in, for the page's live diagram. */
export type StepPhase = keyof PhaseTimes;

/** Learnability of one valid proposal: its value and the attempts it came from. */
interface Learnability {
  value: number;
  successes: number;
  attempts: FeedAttempt[];
}

type SolverTask = SolveTask & { hidden?: [string, string][] };
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
}

const SEED_ROUNDS = 30;
/** Rows per forward/backward pass: bounds the wasm heap and the padding of short rows. */
const MICRO_BATCH_ROWS = 16;

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
  private readonly heldoutCodes: Set<string>;
  private phases: PhaseTimes = emptyPhases();
  private sampledTokens = 0;
  private programs = 0;

  constructor(
    private readonly model: ModelService,
    private readonly executor: Executor,
    readonly config: EngineConfig,
    private readonly heldout: readonly EvalTask[] = [],
    state?: EngineState,
  ) {
    this.prompts = new Prompts(model.tokenizer, config, PRESETS[config.preset].contextLength);
    this.heldoutCodes = new Set(heldout.map((task) => programKey(task.code)));
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
      const counts = Object.fromEntries(this.types.map((t) => [t, this.buffers[t].size < target + (t === 'induction' ? 0 : 1) ? this.config.batchSize : 0])) as Partial<PerType<number>>;
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
    if (!this.seeded) await this.seed();
    const started = performance.now();
    this.phases = emptyPhases();
    this.sampledTokens = 0;
    this.programs = 0;
    this.step += 1;
    const c = this.config;

    const proposals = await this.propose(Object.fromEntries(this.types.map((t) => [t, c.batchSize])));
    const learn = await this.measureLearnability(proposals.filter((p) => p.task));
    const fresh: PerType<number> = { deduction: 0, abduction: 0, induction: 0 };
    for (const p of proposals) if (this.append(p, this.step)) fresh[p.type] += 1;

    this.feed = proposals.map((p) => feedItemOf(p, this.step, learn.get(p), proposerReward(p.task !== null, p.task ? learn.get(p)!.value : 0, c.trivialPenalty)));
    const rows: Row[] = proposals.map((p) => ({
      type: p.type,
      role: 'propose',
      job: p.job,
      sample: p.sample,
      reward: proposerReward(p.task !== null, p.task ? learn.get(p)!.value : 0, c.trivialPenalty),
    }));
    const solved = await this.solveBatches(fresh);
    rows.push(...solved);

    const train = await this.update(rows);
    const metrics = this.metrics(proposals, solved, rows, learn, train);
    if (c.evalEvery > 0 && (this.step - 1) % c.evalEvery === 0 && this.heldout.length) metrics.eval = await this.evalHeldout(c.evalTasks);
    const stepMs = performance.now() - started;
    const samplingMs = this.phases.propose + this.phases.learnability + this.phases.solve;
    metrics.timing = {
      stepMs,
      phases: this.phases,
      sampledTokens: this.sampledTokens,
      sampleTokensPerSec: samplingMs > 0 ? (this.sampledTokens * 1000) / samplingMs : 0,
      programs: this.programs,
      programsPerSec: (this.programs * 1000) / stepMs,
    };
    return metrics;
  }

  heldoutTasks(): EvalTask[] {
    return [...this.heldout];
  }

  /** Greedy accuracy on the first `count` held-out tasks per task type (default: those enabled). */
  async evalHeldout(count: number, types: readonly TaskType[] = this.types): Promise<PerType<number | null>> {
    const t0 = performance.now();
    const out: PerType<number | null> = { deduction: null, abduction: null, induction: null };
    for (const type of types) {
      const summary = await evaluate(this.model, this.executor, this.prompts, this.heldout.slice(0, count), type, {
        constrained: this.config.constrained,
        outputTokens: this.config.outputTokens,
      });
      out[type] = summary.accuracy;
    }
    this.phases.eval += performance.now() - t0;
    return out;
  }

  // ------------------------------------------------------------------ phases

  private async sample(jobs: SampleJob[], phase: keyof PhaseTimes): Promise<SampleOutcome[]> {
    if (jobs.length === 0) return [];
    this.onPhase?.(phase);
    const t0 = performance.now();
    const out = await this.model.sample(jobs, { temperature: this.config.temperature, constrained: this.config.constrained });
    this.phases[phase] += performance.now() - t0;
    for (const s of out) this.sampledTokens += s.tokens.length;
    return out;
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
    const planned: { type: TaskType; job: SampleJob; program?: string }[] = [];
    for (const type of ['deduction', 'abduction'] as const) {
      for (let i = 0; i < (counts[type] ?? 0); i++) {
        planned.push({ type, job: this.prompts.propose(type, this.buffers[type].uniformDistinct(c.references, this.rng)) });
      }
    }
    // Uniform over the deduction and abduction buffers together, without copying them.
    const [deductions, abductions] = [this.buffers.deduction.items, this.buffers.abduction.items];
    for (let i = 0; i < (counts.induction ?? 0); i++) {
      const pick = randomInt(this.rng, deductions.length + abductions.length);
      const program = (pick < deductions.length ? deductions[pick]! : abductions[pick - deductions.length]!).code;
      planned.push({ type: 'induction', job: this.prompts.proposeInduction(program), program });
    }
    const samples = await this.sample(planned.map((p) => p.job), 'propose');
    const requests = planned.map((p, i) => {
      const s = samples[i]!;
      const complete = s.stopReason === 'eos' || s.stopReason === 'constraint';
      if (p.type === 'induction') {
        if (!complete || s.parts.length !== c.inductionInputs + 1) return null;
        return { kind: 'validate' as const, code: p.program!, inputs: s.parts.slice(0, c.inductionInputs) };
      }
      if (!complete || s.parts.length !== 2) return null;
      return { kind: 'validate' as const, code: s.parts[0]!, inputs: [s.parts[1]!] };
    });
    const verdicts = await this.execute(requests, 'validate');
    return planned.map((p, i) => {
      const s = samples[i]!;
      const verdict = verdicts[i];
      const base = { type: p.type, job: p.job, sample: s, task: null, program: p.program };
      if (!verdict) return { ...base, reason: 'truncated' };
      if (!verdict.ok) return { ...base, reason: verdict.reason };
      const outputs = verdict.outputs ?? [];
      if (outputs.some((o) => this.model.tokenizer.encode(o).length >= c.outputTokens)) return { ...base, reason: 'output-too-long' };
      const id = `${p.type}_${String(this.nextId++).padStart(6, '0')}`;
      if (p.type === 'induction') {
        const inputs = s.parts.slice(0, c.inductionInputs);
        return { ...base, reason: 'ok', task: { kind: 'induction' as const, id, code: p.program!, inputs, outputs, message: s.parts[c.inductionInputs]!, step: this.step } };
      }
      const code = s.parts[0]!;
      if (this.heldoutCodes.has(programKey(code))) return { ...base, reason: 'held-out' };
      return { ...base, reason: 'ok', task: { kind: 'triplet' as const, id, code, input: s.parts[1]!, output: outputs[0]!, step: this.step } };
    });
  }

  /** Adds a valid proposal's task to its buffer; true when it did. */
  private append(p: Proposal, step: number): boolean {
    if (!p.task) return false;
    if (p.task.kind === 'induction') {
      const { kind: _kind, ...task } = p.task;
      this.buffers.induction.add({ ...task, step });
    } else {
      const { kind: _kind, ...task } = p.task;
      this.buffers[p.type as 'deduction' | 'abduction'].add({ ...task, step });
    }
    return true;
  }

  /** n solver attempts per valid proposal at the sampling temperature; not trained on. */
  private async measureLearnability(valid: Proposal[]): Promise<Map<Proposal, Learnability>> {
    const n = this.config.learnabilitySamples;
    const tasks = valid.map((p) => solverTaskOf(p));
    const jobs = valid.flatMap((p, i) => Array.from({ length: n }, () => this.prompts.solve(p.type, tasks[i]!)));
    const answers = await this.sample(jobs, 'learnability');
    const verdicts = await this.execute(
      answers.map((a, j) => gradingRequest(valid[Math.floor(j / n)]!.type, tasks[Math.floor(j / n)]!, a)),
      'learnability',
    );
    const result = new Map<Proposal, Learnability>();
    valid.forEach((p, i) => {
      const attempts = Array.from({ length: n }, (_, k) => ({ answer: answers[i * n + k]!.text, outcome: outcomeOf(verdicts[i * n + k]!) }));
      for (const a of attempts) this.records.record(p.type, p.task!.id, this.step, a.outcome, a.answer);
      const successes = attempts.filter((a) => a.outcome === 'correct').length;
      result.set(p, { value: learnability(successes, n), successes, attempts });
    });
    return result;
  }

  /** A solver batch per task type, answered at the sampling temperature and graded. */
  private async solveBatches(fresh: PerType<number>): Promise<Row[]> {
    const planned: { type: TaskType; task: BufferedTask; job: SampleJob }[] = [];
    for (const type of this.types) {
      const tasks: BufferedTask[] =
        type === 'induction'
          ? this.buffers.induction.solverBatch(this.config.batchSize, fresh.induction, this.rng).map((t) => ({ ...inductionSolverTask(t), id: t.id }))
          : this.buffers[type].solverBatch(this.config.batchSize, fresh[type], this.rng);
      for (const task of tasks) planned.push({ type, task, job: this.prompts.solve(type, task) });
    }
    const answers = await this.sample(planned.map((p) => p.job), 'solve');
    const verdicts = await this.execute(
      planned.map((p, i) => gradingRequest(p.type, p.task, answers[i]!)),
      'solve',
    );
    return planned.map((p, i) => {
      const outcome = outcomeOf(verdicts[i]!);
      this.records.record(p.type, p.task.id, this.step, outcome, answers[i]!.text);
      return { type: p.type, role: 'solve', job: p.job, sample: answers[i]!, reward: solverReward(outcome) };
    });
  }

  /** TRR++ over the six groups and one PPO update on the rows with a non-zero advantage. */
  private async update(rows: Row[]): Promise<TrainFigures | null> {
    this.onPhase?.('update');
    const t0 = performance.now();
    const batch: TrainBatch = { tokens: [], promptLengths: [], advantages: [], oldLogProbs: [], masks: [] };
    for (const type of TASK_TYPES) {
      for (const role of ['propose', 'solve'] as const) {
        if (role === 'propose' && !this.config.trainProposer) continue;
        const group = rows.filter((r) => r.type === type && r.role === role && r.sample.tokens.length > 0);
        const advantages = groupAdvantages(group.map((r) => r.reward));
        group.forEach((row, i) => {
          if (advantages[i] === 0) return;
          batch.tokens.push([...row.job.prompt, ...row.sample.tokens]);
          batch.promptLengths.push(row.job.prompt.length);
          batch.advantages.push(advantages[i]!);
          batch.oldLogProbs.push(row.sample.logProbs);
          batch.masks!.push(row.sample.masks);
        });
      }
    }
    if (batch.tokens.length === 0) return null;
    const stats = await this.model.train(batch, {
      clipEpsilon: this.config.clipEpsilon,
      entropyCoef: this.config.entropyCoef,
      temperature: this.config.temperature,
      microBatchRows: MICRO_BATCH_ROWS,
    });
    this.phases.update += performance.now() - t0;
    return { ...stats, rows: batch.tokens.length };
  }

  private metrics(
    proposals: Proposal[],
    solved: Row[],
    rows: Row[],
    learn: Map<Proposal, Learnability>,
    train: TrainFigures | null,
  ): StepMetrics {
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
      learnability: { mean: mean([...learn.values()].map((l) => l.value)), histogram },
      buffers: perType((t) => this.buffers[t].size),
      train,
      timing: { stepMs: 0, phases: emptyPhases(), sampledTokens: 0, sampleTokensPerSec: 0, programs: 0, programsPerSec: 0 },
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
    inputs: task ? (task.kind === 'induction' ? task.inputs : [task.input]) : induction ? p.sample.parts.slice(0, -1) : p.sample.parts.slice(1, 2),
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
  const pairs = task.inputs.map((input, i): [string, string] => [input, task.outputs[i]!]);
  return { code: task.code, input: task.inputs[0]!, output: task.outputs[0]!, ...splitPairs(pairs), message: task.message };
}
