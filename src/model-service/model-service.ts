/**
 * The model side of Tabula Zero behind one object: tokenizer, grammar constraints, transformer,
 * optimiser and checkpoints. The page runs it in the model worker behind comlink
 * (workers/model.worker.ts); Node code uses it directly. No DOM, no React.
 */
import * as tf from '@tensorflow/tfjs';
import { argumentsConstraint, literalConstraint } from '../lang/literal-grammar';
import { messageConstraint, unconstrained, type TokenConstraint } from '../lang/constraint';
import { programConstraint } from '../lang/program-grammar';
import { encodeWithin } from '../lang/replay';
import { ChainConstraint, splitChain } from '../lang/chain-constraint';
import { createTokenizer, TOKENIZER_VERSION, type Marker, type Tokenizer } from '../lang/tokenizer';
import type { ProgramLevel } from '../lang/levels';
import { parseSignature, type ParamType, type ValueType } from '../lang/types';
import { activateBackend, maxRelativeError, selectBackend, type BackendChoice, type BackendName, type WasmPaths } from '../model/backend';
import { decodeCheckpoint, encodeCheckpoint, restoreCheckpoint, snapshotCheckpoint } from '../model/checkpoint';
import { configFor, parameterCount, type ModelConfig, type PresetName } from '../model/config';
import { createOptimizer, disposeOptimizer, type Optimizer, type OptimizerOptions } from '../model/optimizer';
import { MaskInterner, type PackedMask } from '../model/masks';
import { createRng, type Rng } from '../model/rng';
import { sampleBatch, type SampleResult } from '../model/sample';
import { sequenceLogProbs, trainStep, type TrainBatch, type TrainOptions, type TrainStats } from '../model/train';
import { createModel, disposeModel, forward, type Model } from '../model/transformer';

/** WebGPU last: initialising it first broke the wasm backend's results in Chromium here. */
const SAFE_ORDER: BackendName[] = ['wasm', 'webgl', 'webgpu', 'cpu'];

export interface ModelInit {
  preset: PresetName;
  seed: number;
  /** Where tfjs's wasm binaries are (a URL prefix in the browser, a directory in Node). */
  wasmPaths?: WasmPaths;
  /** Backends to consider, in order of preference (default: all). */
  candidates?: BackendName[];
  /** Also time backends that render in software (see SelectBackendOptions.timeSoftware). */
  timeSoftware?: boolean;
  optimizer?: Partial<OptimizerOptions>;
  /** told what the backend self-test is doing, for a progress display */
  log?: (message: string) => void;
}

export interface ModelInfo {
  backend: BackendChoice;
  config: ModelConfig;
  parameters: number;
  tokenizerVersion: string;
  vocabSize: number;
  step: number;
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
  then?: (WritePart & { marker: Marker })[];
}

/** Most tokens a job may generate: its parts' budgets added up. */
export function jobBudget(job: SampleJob): number {
  return job.maxTokens + (job.then ?? []).reduce((sum, part) => sum + part.maxTokens, 0);
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
}

/** A teacher-forced answer: its tokens (eos last) and the mask before each (null: unconstrained). */
export interface ForcedAnswer {
  tokens: number[];
  masks: PackedMask[] | null;
}

export interface MemoryReport {
  backend: string;
  tensors: number;
  bytes: number;
}

export class ModelService {
  readonly tokenizer: Tokenizer = createTokenizer();
  private model: Model | null = null;
  private optimizer: Optimizer | null = null;
  private backend: BackendChoice | null = null;
  private rng: Rng = createRng(0);
  private step = 0;
  /** Model calls run one at a time, in call order: the page's "Try it" slots in between the engine's. */
  private queue: Promise<unknown> = Promise.resolve();

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => {});
    return next;
  }

  async init(options: ModelInit): Promise<ModelInfo> {
    const config = configFor(options.preset, this.tokenizer.size, { seed: options.seed });
    // Self-test and time each backend on this model's own shapes: a backend can pass on small
    // ones and fail on the real vocabulary (SwiftShader's WebGPU refuses large buffers).
    const choice = await selectBackend({ candidates: options.candidates ?? SAFE_ORDER, wasmPaths: options.wasmPaths, benchConfig: config, timeSoftware: options.timeSoftware, log: options.log });
    this.backend = await this.createOnWorkingBackend(choice, config, options);
    this.rng = createRng(options.seed);
    this.step = 0;
    return this.info();
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
    };
  }

  /** A token's id by its text (a marker such as `<program>`); usable across comlink, unlike the tokenizer. */
  tokenId(text: string): number {
    return this.tokenizer.id(text);
  }

  /** Samples one continuation per job, each under its own grammar. */
  sample(jobs: SampleJob[], settings: SampleSettings): Promise<SampleOutcome[]> {
    return this.serial(() => this.sampleNow(jobs, settings, this.rng));
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

  private async sampleNow(jobs: SampleJob[], settings: SampleSettings, rng: () => number): Promise<SampleOutcome[]> {
    const model = this.require();
    const maxNewTokens = Math.max(1, ...jobs.map(jobBudget));
    const results = await sampleBatch(
      model,
      jobs.map((job) => ({ prompt: job.prompt, constraint: this.constraintFor(job, settings.constrained ?? true) })),
      { maxNewTokens, temperature: settings.temperature, rng, eosId: this.tokenizer.eos },
    );
    return results.map((result, i) => {
      const markers = (jobs[i]!.then ?? []).map((part) => this.tokenizer.markers[part.marker]);
      return {
        ...result,
        text: this.tokenizer.decode(result.tokens.filter((t) => t !== this.tokenizer.eos)),
        parts: splitChain(this.tokenizer, result.tokens, markers),
      };
    });
  }

  train(batch: TrainBatch, options: TrainOptions): Promise<TrainStats> {
    return this.serial(async () => {
      const stats = await trainStep(this.require(), this.optimizer!, batch, options);
      if (!stats.skipped) this.step += 1;
      return stats;
    });
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
    return { backend: tf.getBackend(), tensors: numTensors, bytes: numBytes };
  }

  dispose(): void {
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
    if (!job.then?.length) return this.partConstraint(job, constrained, []);
    const parts = [{ ...job, marker: -1 }, ...job.then.map((part) => ({ ...part, marker: this.tokenizer.markers[part.marker] }))];
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
    this.dispose();
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
