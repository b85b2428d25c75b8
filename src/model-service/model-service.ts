/**
 * The model side of Tabula Zero behind one object: tokenizer, grammar constraints, transformer,
 * optimiser and checkpoints. The page runs it in the model worker behind comlink
 * (workers/model.worker.ts); Node code uses it directly. No DOM, no React.
 */
import * as tf from '@tensorflow/tfjs';
import { ChainConstraint, splitChain } from '../lang/chain-constraint';
import { messageConstraint, type TokenConstraint, unconstrained } from '../lang/constraint';
import type { ProgramLevel } from '../lang/levels';
import { argumentsConstraint, literalConstraint } from '../lang/literal-grammar';
import { programConstraint } from '../lang/program-grammar';
import { encodeWithin } from '../lang/replay';
import { createTokenizer, type Marker, TOKENIZER_VERSION, type Tokenizer } from '../lang/tokenizer';
import { type ParamType, parseSignature, type ValueType } from '../lang/types';
import {
  activateBackend,
  type BackendChoice,
  type BackendName,
  BROWSER_BACKENDS,
  maxRelativeError,
  selectBackend,
  type WasmPaths,
  wasmMemoryBytes,
} from '../model/backend';
import { decodeCheckpoint, encodeCheckpoint, restoreCheckpoint, snapshotCheckpoint } from '../model/checkpoint';
import { configFor, type ModelConfig, type PresetName, parameterCount } from '../model/config';
import { MaskInterner, type PackedMask } from '../model/masks';
import { createOptimizer, disposeOptimizer, type Optimizer, type OptimizerOptions } from '../model/optimizer';
import { promptKey, type SampleResult, sampleBatch } from '../model/sample';
import {
  type BatchNormalisers,
  chunkGradients,
  type GradientArrays,
  type GradientHelper,
  largestMicroBatch,
  sequenceLogProbs,
  type TrainBatch,
  type TrainOptions,
  type TrainStats,
  trainStep,
} from '../model/train';
import { createModel, disposeModel, forward, type Model } from '../model/transformer';
import { createRng, type Rng } from '../shared/rng';

/** The batch and options `train` takes, part of this service's API (callers need not reach into the model). */
export type { TrainBatch, TrainOptions };

export interface ModelInit {
  preset: PresetName;
  seed: number;
  /** Where tfjs's wasm binaries are (a URL prefix in the browser, a directory in Node). */
  wasmPaths?: WasmPaths;
  /** Backends to consider, in order of preference (default: all). */
  candidates?: readonly BackendName[];
  /** Time every backend, the slow ones too (see SelectBackendOptions.timeAll). */
  timeAll?: boolean;
  optimizer?: Partial<OptimizerOptions>;
  /** told what the backend self-test is doing, for a progress display */
  log?: (message: string) => void;
  /**
   * 2: a helper model on another thread (from `spawnHelper`) computes half of each update's
   * gradients and samples half of each batch. Results depend on it (sums in another order, other
   * random draws), so a run keeps the count it started with. Default 1.
   */
  threads?: number;
  spawnHelper?: () => ModelHelper;
  /** Other layer sizes than the preset's (experiments, e.g. scripts/supervised-ceiling.ts). */
  shape?: Partial<Pick<ModelConfig, 'nLayers' | 'dModel' | 'nHeads' | 'dMlp' | 'previousToken'>>;
}

/** The helper, ready for a call: the weights it lacks (null: it has them) and the version they are. */
interface SyncedHelper {
  api: HelperApi;
  weights: Float32Array[] | null;
  version: number;
}

/** What a replica needs to mirror the main model: same shapes, same backend. */
export interface ReplicaInit {
  config: ModelConfig;
  backend: BackendName;
  wasmPaths?: WasmPaths;
}

/** The calls a helper model answers: a ModelService on another thread, seen through messages. */
export interface HelperApi {
  initReplica(options: ReplicaInit): Promise<void>;
  /** Each call carries the main model's weights when they changed since the helper last had them. */
  gradients(chunks: TrainBatch[], options: TrainOptions, normalisers: BatchNormalisers, weights: Float32Array[] | null): Promise<GradientArrays | null>;
  sampleSeeded(jobs: SampleJob[], settings: SampleSettings, seed: number, weights: Float32Array[] | null): Promise<SampleOutcome[]>;
  memory(): Promise<MemoryReport>;
}

/** A helper model: its calls, and how to stop its thread. */
export interface ModelHelper {
  api: HelperApi;
  close(): void;
}

export interface ModelInfo {
  backend: BackendChoice;
  config: ModelConfig;
  parameters: number;
  tokenizerVersion: string;
  vocabSize: number;
  step: number;
  /** whether evaluation answers with the weights' moving average (averageDecay > 0) */
  averaged: boolean;
}

/** What the model writes: each kind has its own grammar. */
export type WriteKind = 'program' | 'arguments' | 'literal' | 'message';

export interface WritePart {
  kind: WriteKind;
  /** Most tokens of this part, counting the eos (or next marker) that ends it. */
  maxTokens: number;
  /**
   * For `arguments`: the parameter types of the program they are for, when known; 'program':
   * those of the program written earlier in the same sequence. For `program`: the parameter
   * types the program must take.
   */
  signature?: ParamType[] | null | 'program';
  /** For `program`: the curriculum level of the grammar (1-4; absent: the full grammar). */
  level?: number;
  /** For `literal`: the type the value must have (absent or null: any literal). */
  valueType?: ValueType | null;
}

/** One sequence to write: a part, optionally followed by more parts, each after its marker. */
export interface SampleJob extends WritePart {
  prompt: number[];
  followedBy?: (WritePart & { marker: Marker })[];
}

/** Most tokens a job may generate: its parts' budgets added up. */
export function jobBudget(job: SampleJob): number {
  return job.maxTokens + (job.followedBy ?? []).reduce((sum, part) => sum + part.maxTokens, 0);
}

export interface SampleOutcome extends SampleResult {
  /** The whole generated text (markers included, eos excluded). */
  text: string;
  /** The text of each part, split at the markers; fewer than the parts when it stopped early. */
  parts: string[];
}

export interface SampleSettings {
  temperature: number;
  /** Grammar-constrained decoding (the default); false shows what a random model writes unaided. */
  constrained?: boolean;
  /**
   * Answer with the weights' moving average when the optimiser keeps one (averageDecay > 0), as
   * evaluation does; on this thread only. Greedy (temperature 0), it draws nothing from the
   * sampling generator, so evaluating does not change a seeded run.
   */
  averaged?: boolean;
}

/** A teacher-forced answer: its tokens (eos last) and the mask before each (null: unconstrained). */
export interface ForcedAnswer {
  tokens: number[];
  masks: PackedMask[] | null;
}

/** What ModelService.speedProbe timed: the same work every time. */
export interface ModelSpeed {
  /** PROBE_PASSES training micro-batches of the largest shape, on each model thread at once */
  gradientMs: number;
  trainedTokens: number;
  /** PROBE_ROWS rows of PROBE_TOKENS new tokens each, on the model's own thread */
  sampleMs: number;
  sampledTokens: number;
}

// Sized so that each part takes some hundreds of milliseconds on tiny: long enough that a minute's noise is small beside it.
const PROBE_ROWS = 16;
const PROBE_TOKENS = 128;
const PROBE_PASSES = 3;

export interface MemoryReport {
  backend: string;
  tensors: number;
  bytes: number;
  /** the wasm backend's linear memory on this thread (null on other backends) */
  wasmBytes: number | null;
  /** this thread's JS heap, ArrayBuffers included, where the host can measure it (ModelServiceHooks) */
  heapBytes: number | null;
}

/** What the host of a ModelService can add: Node measures a worker thread's own heap, a page cannot. */
export interface ModelServiceHooks {
  heapBytes?: () => number;
}

export class ModelService {
  readonly tokenizer: Tokenizer = createTokenizer();
  private model: Model | null = null;
  private optimizer: Optimizer | null = null;
  private backend: BackendChoice | null = null;
  private rng: Rng = createRng(0);
  private step = 0;
  /** The helper on another thread (threads: 2), the model config and weights version it holds. */
  private helper: ModelHelper | null = null;
  private helperConfig = '';
  private helperVersion = -1;
  private spawnHelper: (() => ModelHelper) | null = null;
  private helperWasmPaths: WasmPaths | undefined;
  /** Bumped on every change of the weights, so the helper is brought up to date before its next call. */
  private weightsVersion = 0;
  /** Model calls run one at a time, in call order: the page's "Try it" slots in between the engine's. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly hooks: ModelServiceHooks = {}) {}

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => {});
    return next;
  }

  async init(options: ModelInit): Promise<ModelInfo> {
    const config = configFor(options.preset, this.tokenizer.size, { ...options.shape, seed: options.seed });
    // Self-test and time each backend on this model's own shapes: a backend can pass on small
    // ones and fail on the real vocabulary (SwiftShader's WebGPU refuses large buffers).
    const choice = await selectBackend({
      candidates: options.candidates ?? BROWSER_BACKENDS,
      wasmPaths: options.wasmPaths,
      benchConfig: config,
      timeAll: options.timeAll,
      log: options.log,
    });
    this.backend = await this.createOnWorkingBackend(choice, config, options);
    this.rng = createRng(options.seed);
    this.step = 0;
    this.spawnHelper = options.spawnHelper ?? null;
    this.helperWasmPaths = options.wasmPaths;
    this.closeHelper();
    if ((options.threads ?? 1) >= 2) await this.setThreads(options.threads!);
    return this.info();
  }

  /** Threads the model computes on: 2 with a helper, else 1. */
  threads(): number {
    return this.helper ? 2 : 1;
  }

  /**
   * 2 starts a helper model on another thread (with the spawner given to init), 1 stops it. A
   * run sets its own count when it is shown: the count is one of its settings.
   */
  setThreads(threads: number): Promise<void> {
    return this.serial(async () => {
      if (threads < 2) return this.closeHelper();
      if (this.helper) return;
      if (!this.spawnHelper) throw new Error('threads=2 needs a way to start a helper thread here');
      this.helper = this.spawnHelper();
      this.helperConfig = '';
      await this.syncedHelper(true); // a helper that cannot start says so now, not mid-run
    });
  }

  private closeHelper(): void {
    this.helper?.close();
    this.helper = null;
  }

  /**
   * The helper, holding this model's current shapes (re-created when the model's config changed),
   * with the weights to send along with its next call: null when it has them already. A call
   * that carried them records `version` as the helper's (helperVersion). A helper that fails is
   * closed: at start-up (`strict`) the error is thrown; mid-run the model goes on alone, and says so.
   */
  private async syncedHelper(strict = false): Promise<SyncedHelper | null> {
    const helper = this.helper;
    if (!helper) return null;
    const model = this.require();
    try {
      const config = JSON.stringify(model.config);
      if (this.helperConfig !== config) {
        await helper.api.initReplica({ config: model.config, backend: this.backend!.backend, wasmPaths: this.helperWasmPaths });
        this.helperConfig = config;
        this.helperVersion = -1;
      }
      const version = this.weightsVersion;
      const weights = this.helperVersion === version ? null : await Promise.all([...model.params.values()].map((v) => v.data() as Promise<Float32Array>));
      return { api: helper.api, weights, version };
    } catch (error) {
      this.dropHelper(error, strict);
      return null;
    }
  }

  /** Closes a helper whose call failed; at start-up (`strict`) throws, else warns and goes on with one thread. */
  private dropHelper(error: unknown, strict = false): void {
    this.closeHelper();
    const message = `the helper thread failed: ${(error as Error).message}`;
    if (strict) throw new Error(message);
    console.warn(`${message}; going on with one thread`);
  }

  // ------------------------------------------------------------------ a helper's side

  /** As a helper: the main model's shapes on its backend (the weights come with the first call). */
  async initReplica(options: ReplicaInit): Promise<void> {
    await activateBackend(options.backend, options.wasmPaths);
    this.replace(createModel(options.config), null);
  }

  /** As a helper: the main model's weights, in parameter order. */
  async setWeights(values: Float32Array[]): Promise<void> {
    const params = [...this.require().params.values()];
    if (values.length !== params.length) throw new Error(`setWeights: ${values.length} arrays for ${params.length} parameters`);
    params.forEach((variable, i) => {
      const value = tf.tensor(values[i]!, variable.shape);
      variable.assign(value);
      value.dispose();
    });
  }

  /**
   * As a helper: the gradients of some micro-batches of a larger batch (see trainStep), on the
   * main model's new weights when they come along.
   */
  async gradients(
    chunks: TrainBatch[],
    options: TrainOptions,
    normalisers: BatchNormalisers,
    weights: Float32Array[] | null = null,
  ): Promise<GradientArrays | null> {
    if (weights) await this.setWeights(weights);
    return chunkGradients(this.require(), chunks, options, normalisers);
  }

  /** As a helper: samples with a generator of its own, seeded by the caller, on the main model's new weights when they come along. */
  async sampleSeeded(jobs: SampleJob[], settings: SampleSettings, seed: number, weights: Float32Array[] | null = null): Promise<SampleOutcome[]> {
    if (weights) await this.setWeights(weights);
    return this.sampleNow(jobs, settings, createRng(seed));
  }

  info(): ModelInfo {
    const model = this.require();
    return {
      backend: this.backend!,
      config: model.config,
      parameters: parameterCount(model.config),
      tokenizerVersion: TOKENIZER_VERSION,
      vocabSize: this.tokenizer.size,
      step: this.step,
      averaged: Boolean(this.optimizer?.average),
    };
  }

  /** A token's id by its text (a marker such as `<program>`); usable across comlink, unlike the tokenizer. */
  tokenId(text: string): number {
    return this.tokenizer.id(text);
  }

  /** Samples one continuation per job, each under its own grammar. */
  sample(jobs: SampleJob[], settings: SampleSettings): Promise<SampleOutcome[]> {
    return this.serial(async () => {
      const average = settings.averaged ? this.optimizer?.average : null;
      if (average) return this.sampleNow(jobs, settings, settings.temperature === 0 ? () => 0.5 : this.rng, average);
      const helper = jobs.length >= 2 ? await this.syncedHelper() : null;
      if (!helper) return this.sampleNow(jobs, settings, this.rng);
      // The jobs split by helperShare, with a seed drawn here: the same jobs always split, and
      // draw, the same way.
      const seed = Math.floor(this.rng() * 2 ** 32);
      const toHelper = helperShare(jobs);
      const theirs = jobs.filter((_, i) => toHelper[i]);
      const remote = helper.api.sampleSeeded(theirs, settings, seed, helper.weights);
      remote.then(
        () => {
          this.helperVersion = helper.version;
        },
        () => {},
      );
      const mine = await this.sampleNow(
        jobs.filter((_, i) => !toHelper[i]),
        settings,
        this.rng,
      );
      // A helper that fails costs time, not the batch: its jobs are sampled here instead.
      const other = await remote.catch((error: unknown) => {
        this.dropHelper(error);
        return this.sampleNow(theirs, settings, createRng(seed));
      });
      let [m, o] = [0, 0];
      return jobs.map((_, i) => (toHelper[i] ? other[o++]! : mine[m++]!));
    });
  }

  /**
   * The model's greedy answer to one job and its probability: the product, over its tokens, of
   * each token's probability at temperature 1 under the job's grammar. Draws nothing from the
   * sampling generator, so asking does not change a seeded run.
   */
  answer(job: SampleJob, settings: { constrained?: boolean } = {}): Promise<SampleOutcome & { probability: number }> {
    return this.serial(async () => {
      const [greedy] = await this.sampleNow([job], { temperature: 0, constrained: settings.constrained }, () => 0.5);
      if (greedy!.tokens.length === 0) return { ...greedy!, probability: 0 };
      const [logProbs] = await sequenceLogProbs(this.require(), {
        tokens: [[...job.prompt, ...greedy!.tokens]],
        promptLengths: [job.prompt.length],
        masks: greedy!.masks ? [greedy!.masks] : undefined,
      });
      return { ...greedy!, logProbs: logProbs!, probability: Math.exp(logProbs!.reduce((a, b) => a + b, 0)) };
    });
  }

  /**
   * Teacher forcing: `text` as the answer a job should have written (its tokens and eos), with
   * the grammar's allowed set before each token, so that training sees the masked distribution
   * a sample would have been drawn from. null when the grammar does not admit that text, or it
   * does not fit the job's budget.
   */
  forcedAnswer(job: SampleJob, text: string, settings: { constrained?: boolean } = {}): ForcedAnswer | null {
    if (settings.constrained === false) {
      const tokens = [...this.tokenizer.encode(text), this.tokenizer.eos];
      return tokens.length > jobBudget(job) ? null : { tokens, masks: null };
    }
    // The tokens the grammar writes (inside strings it writes a character at a time, where
    // greedy encoding joins words), then the masks along them.
    const tokens = encodeWithin(this.tokenizer, this.constraintFor(job, true), text);
    if (!tokens || tokens.length > jobBudget(job)) return null;
    const constraint = this.constraintFor(job, true);
    const interner = new MaskInterner();
    const masks: PackedMask[] = [];
    for (const token of tokens) {
      if (constraint.finished) return null;
      const allowed = constraint.allowed();
      if (!allowed[token]) return null;
      masks.push(interner.intern(allowed));
      constraint.advance(token);
    }
    return constraint.finished ? { tokens, masks } : null;
  }

  private async sampleNow(jobs: SampleJob[], settings: SampleSettings, rng: () => number, model = this.require()): Promise<SampleOutcome[]> {
    const maxNewTokens = Math.max(1, ...jobs.map(jobBudget));
    const results = await sampleBatch(
      model,
      jobs.map((job) => ({ prompt: job.prompt, constraint: this.constraintFor(job, settings.constrained ?? true) })),
      { maxNewTokens, temperature: settings.temperature, rng, eosId: this.tokenizer.eos },
    );
    return results.map((result, i) => {
      const markers = (jobs[i]!.followedBy ?? []).map((part) => this.tokenizer.markers[part.marker]);
      return {
        ...result,
        text: this.tokenizer.decode(result.tokens.filter((t) => t !== this.tokenizer.eos)),
        parts: splitChain(this.tokenizer, result.tokens, markers),
      };
    });
  }

  train(batch: TrainBatch, options: TrainOptions): Promise<TrainStats> {
    return this.serial(async () => {
      // The new weights travel with the gradient request: one message, no round trip first.
      const helper = await this.syncedHelper();
      const gradients: GradientHelper | undefined = helper ? { gradients: (chunks, o, n) => this.helperGradients(helper, chunks, o, n) } : undefined;
      const stats = await trainStep(this.require(), this.optimizer!, batch, options, gradients);
      if (!stats.skipped) {
        this.step += 1;
        this.weightsVersion += 1;
      }
      return stats;
    });
  }

  /**
   * Runs one training micro-batch of the largest shape `options` allow (rows that fill the
   * context, every token with a mask of its own) here and on the helper thread at once, and
   * throws the gradients away. The wasm backend's memory never shrinks and grows to the most any
   * pass has needed so far: as a run's sequences lengthened it grew in 60-75 MB jumps for half an
   * hour. Reaching the worst case at once keeps a long run at the size it starts at, and a machine
   * short of that memory fails now, not an hour in. Weights, optimiser and samplers are untouched.
   */
  reserveMemory(options: TrainOptions): Promise<void> {
    return this.serial(async () => {
      const model = this.require();
      const batch = largestMicroBatch(model.config, options);
      if (!batch) return; // no limit on a micro-batch: no largest one either
      await this.discardedGradients(model, await this.syncedHelper(), [batch], options);
    });
  }

  /** The gradients of `chunks` (full-context rows) here and on the helper at once, thrown away. */
  private async discardedGradients(model: Model, helper: SyncedHelper | null, chunks: TrainBatch[], options: TrainOptions): Promise<void> {
    const generated = chunks[0]!.tokens.length * model.config.contextLength;
    const normalisers: BatchNormalisers = { policy: generated / 2, hindsight: generated / 2 };
    const far = helper && this.helperGradients(helper, chunks, options, normalisers).catch(() => {});
    await chunkGradients(model, chunks, options, normalisers);
    await far;
  }

  /**
   * The same work timed again and again, so that a soak can tell the engine slowing down from its
   * steps growing heavier (longer programs as the curriculum climbs): PROBE_PASSES training
   * micro-batches of the largest shape (reserveMemory's) here and as many on the helper at once,
   * gradients thrown away, and PROBE_ROWS rows of PROBE_TOKENS tokens (any but eos) sampled here
   * after a fixed prompt, with a generator of its own. Weights, optimiser and the run's sampler
   * are untouched.
   */
  speedProbe(options: TrainOptions): Promise<ModelSpeed> {
    return this.serial(async () => {
      const model = this.require();
      const batch = largestMicroBatch(model.config, options) ?? largestMicroBatch(model.config, { ...options, microBatchRows: 1 })!;
      const helper = await this.syncedHelper();
      let started = performance.now();
      await this.discardedGradients(
        model,
        helper,
        Array.from({ length: PROBE_PASSES }, () => batch),
        options,
      );
      const gradientMs = performance.now() - started;
      const promptLength = Math.min(PROBE_TOKENS, model.config.contextLength - PROBE_TOKENS);
      const prompt = Array.from({ length: Math.max(1, promptLength) }, (_, i) => (i * 7 + 3) % model.config.vocabSize);
      // Any token but eos: no row stops early, so every probe samples the same number of tokens.
      const notEos = new Uint8Array(model.config.vocabSize).fill(1);
      notEos[this.tokenizer.eos] = 0;
      const endless = { allowed: () => notEos, advance: () => {}, finished: false };
      started = performance.now();
      const sampled = await sampleBatch(
        model,
        Array.from({ length: PROBE_ROWS }, () => ({ prompt, constraint: endless })),
        { maxNewTokens: PROBE_TOKENS, temperature: 1, rng: createRng('speed probe'), eosId: this.tokenizer.eos, recordMasks: false },
      );
      return {
        gradientMs,
        trainedTokens: PROBE_PASSES * (helper ? 2 : 1) * batch.tokens.length * model.config.contextLength,
        sampleMs: performance.now() - started,
        sampledTokens: sampled.reduce((sum, row) => sum + row.tokens.length, 0),
      };
    });
  }

  /**
   * The helper's gradients for `chunks`, sent with the weights it lacks; a helper that fails is
   * dropped (the caller does its share itself) and the error passed on.
   */
  private helperGradients(helper: SyncedHelper, chunks: TrainBatch[], options: TrainOptions, normalisers: BatchNormalisers): Promise<GradientArrays | null> {
    return helper.api.gradients(chunks, options, normalisers, helper.weights).then(
      (arrays) => {
        this.helperVersion = helper.version;
        return arrays;
      },
      (error: unknown) => {
        this.dropHelper(error);
        throw error;
      },
    );
  }

  /** The whole state (weights, optimiser, step) as one checkpoint blob. */
  save(metadata?: unknown): Promise<Uint8Array> {
    return this.serial(async () => {
      const data = await snapshotCheckpoint(this.require(), this.optimizer, { tokenizerVersion: TOKENIZER_VERSION, step: this.step, metadata });
      return encodeCheckpoint(data);
    });
  }

  /** Restores a checkpoint; a corrupt or mismatched one throws a CheckpointError and changes nothing. */
  load(bytes: Uint8Array): Promise<ModelInfo> {
    return this.serial(async () => {
      const data = decodeCheckpoint(bytes, { tokenizerVersion: TOKENIZER_VERSION });
      const { model, optimizer } = restoreCheckpoint(data);
      this.replace(model, optimizer);
      this.step = data.step;
      return this.info();
    });
  }

  /**
   * Fresh random weights for a preset on the backend already chosen (a reset, or new settings),
   * without init()'s backend measurements.
   */
  recreate(options: Pick<ModelInit, 'preset' | 'seed' | 'optimizer'>): Promise<ModelInfo> {
    return this.serial(async () => {
      this.require();
      const model = createModel(configFor(options.preset, this.tokenizer.size, { seed: options.seed }));
      this.replace(model, null, options.optimizer);
      this.rng = createRng(options.seed);
      this.step = 0;
      return this.info();
    });
  }

  /** The sampling generator's state, saved with a run so that a resumed run draws on where it left off. */
  samplerState(): number[] {
    return this.rng.state();
  }

  restoreSamplerState(state: readonly number[]): void {
    this.rng = createRng(0, state);
  }

  memory(): MemoryReport {
    const { numTensors, numBytes } = tf.memory();
    return { backend: tf.getBackend(), tensors: numTensors, bytes: numBytes, wasmBytes: wasmMemoryBytes(), heapBytes: this.hooks.heapBytes?.() ?? null };
  }

  /** The helper thread's memory (threads: 2), or null without one or when it does not answer. */
  async helperMemory(): Promise<MemoryReport | null> {
    return this.helper ? this.helper.api.memory().catch(() => null) : null;
  }

  dispose(): void {
    this.closeHelper();
    this.releaseModel();
  }

  private releaseModel(): void {
    if (this.optimizer) disposeOptimizer(this.optimizer);
    if (this.model) disposeModel(this.model);
    this.model = null;
    this.optimizer = null;
  }

  /**
   * Creates the model and checks the chosen backend on it: the same weights must give the CPU
   * backend's logits. On a failure or a disagreement it moves down the ranking, ending on the
   * CPU backend, and says why in the reason shown to the user. (Seen in Chromium here: once
   * WebGPU has been initialised, the wasm backend computes wrong values.)
   */
  private async createOnWorkingBackend(choice: BackendChoice, config: ModelConfig, options: ModelInit): Promise<BackendChoice> {
    const ranked = choice.results
      .filter((r) => r.selfTest === 'pass' && r.stepMs !== null)
      .sort((a, b) => a.stepMs! - b.stepMs!)
      .map((r) => r.name);
    const order = [...new Set<BackendName>([choice.backend, ...ranked, 'cpu'])];
    await activateBackend('cpu');
    const model = createModel(config);
    const reference = await probeLogits(model);
    const failures: string[] = [];
    for (const name of order) {
      try {
        await activateBackend(name, options.wasmPaths);
        const error = maxRelativeError(reference, await probeLogits(model));
        if (!(error <= 1e-3)) throw new Error(`its logits differ from the CPU backend's by ${error.toExponential(1)}`);
        this.replace(model, null, options.optimizer);
        if (failures.length === 0) return choice;
        return { ...choice, backend: name, reason: `${failures.join(' ')} Using ${name} instead.` };
      } catch (error) {
        failures.push(`${name} failed on this model (${(error as Error).message.split('\n')[0]}).`);
      }
    }
    disposeModel(model);
    throw new Error(`no backend can run this model: ${failures.join(' ')}`);
  }

  private constraintFor(job: SampleJob, constrained: boolean): TokenConstraint {
    if (!job.followedBy?.length) return this.partConstraint(job, constrained, []);
    const parts = [{ ...job, marker: -1 }, ...job.followedBy.map((part) => ({ ...part, marker: this.tokenizer.markers[part.marker] }))];
    return new ChainConstraint(
      this.tokenizer,
      parts.map((part) => ({ marker: part.marker, make: (previous) => this.partConstraint(part, constrained, previous) })),
    );
  }

  private partConstraint(part: WritePart, constrained: boolean, previous: readonly string[]): TokenConstraint {
    const options = { maxTokens: part.maxTokens };
    if (!constrained) return unconstrained(this.tokenizer, options);
    switch (part.kind) {
      case 'program':
        return programConstraint(this.tokenizer, {
          ...options,
          ...(Array.isArray(part.signature) ? { signature: part.signature } : {}),
          ...(part.level ? { level: part.level as ProgramLevel } : {}),
        });
      case 'arguments': {
        const signature = part.signature === 'program' ? parseSignature(previous[0] ?? '') : (part.signature ?? null);
        return argumentsConstraint(this.tokenizer, signature?.length ? signature : null, options);
      }
      case 'literal':
        return literalConstraint(this.tokenizer, part.valueType ? { ...options, type: part.valueType } : options);
      case 'message':
        return messageConstraint(this.tokenizer, options);
    }
  }

  private replace(model: Model, optimizer: Optimizer | null, options?: Partial<OptimizerOptions>): void {
    this.releaseModel();
    this.weightsVersion += 1;
    this.model = model;
    this.optimizer = optimizer ?? createOptimizer(model, options);
  }

  private require(): Model {
    if (!this.model) throw new Error('the model is not initialised: call init() or load() first');
    return this.model;
  }
}

/** Logits of a fixed probe sequence, read back to the CPU. */
async function probeLogits(model: Model): Promise<Float32Array> {
  const probe = tf.tidy(() => {
    const ids = Array.from({ length: 16 }, (_, i) => (i * 37 + 11) % model.config.vocabSize);
    return forward(model, tf.tensor2d(ids, [2, 8], 'int32'));
  });
  try {
    return (await probe.data()) as Float32Array;
  } finally {
    probe.dispose();
  }
}

/**
 * Which jobs of a sampling batch go to the helper: jobs with the same prompt stay together (they
 * share one prefill, sampleBatch), and each group goes, in order, to the side with fewer jobs so
 * far (this thread on a tie). Single jobs therefore alternate, this thread first, and the batch's
 * kinds of job, often in runs, spread over both sides.
 */
export function helperShare(jobs: readonly SampleJob[]): boolean[] {
  const sideOf = new Map<string, boolean>();
  let [here, there] = [0, 0];
  return jobs.map((job) => {
    const key = promptKey(job.prompt);
    let toHelper = sideOf.get(key);
    if (toHelper === undefined) {
      toHelper = there < here;
      sideOf.set(key, toHelper);
    }
    if (toHelper) there += 1;
    else here += 1;
    return toHelper;
  });
}
