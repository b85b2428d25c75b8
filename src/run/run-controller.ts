/**
 * The model worker's side of the page: it owns the model, the Python executor and the self-play
 * engine, runs the loop, saves the run, and answers the page's commands. The page only renders
 * what this reports (run-events.ts). No DOM and no React; storage and runtimes are passed in.
 */
import { buffersJsonl } from '../engine/buffer-export';
import { type BufferPage, type BufferQuery, queryBuffers } from '../engine/buffer-query';
import { type CollapseWarning, detectCollapse } from '../engine/collapse';
import { defaultConfig, type EngineConfig, optimizerOptions, sameConfig, validateConfig } from '../engine/config';
import type { EvalTask } from '../engine/evaluate';
import type { FeedItem } from '../engine/feed';
import { type StepMetrics, stepTokens } from '../engine/metrics';
import { SelfPlay } from '../engine/self-play';
import type { SpeedProbe } from '../engine/speed-probe';
import type { ExecutorOptions, ExecutorPool } from '../executor/pool';
import type { ExecRequest, Verdict } from '../executor/types';
import { BROWSER_BACKENDS } from '../model/backend';
import type { ModelInit, ModelService } from '../model-service/model-service';
import { explainBackend, forgetBackend, rememberedBackend, takeMeasureAll } from './remembered-backend';
import type { RunListener, RunStatus } from './run-events';
import { decodeRunFile, encodeRunFile } from './run-file';
import type { RunLease, RunLocks } from './run-locks';
import type { RunMeta, RunRecord } from './run-record';
import { answerTask, type TryRequest, type TryResult } from './try-it';

export interface RunStorage {
  listRuns(): Promise<RunMeta[]>;
  readRun(id: string): Promise<RunRecord | null>;
  readRunMetrics(id: string): Promise<StepMetrics[] | null>;
  writeRun(record: RunRecord): Promise<void>;
  deleteRun(id: string): Promise<void>;
  readSetting<T>(key: string): Promise<T | null>;
  writeSetting(key: string, value: unknown): Promise<void>;
  /** Bytes this origin stores and may store (null where the browser cannot tell). */
  estimate(): Promise<StorageUse | null>;
  /** tests only: every save fails as on a full disk */
  simulateFull?(on: boolean): void;
}

type WasmFigures = 'mainWasmBytes' | 'helperWasmBytes';

export interface TrainerHealth {
  /** the step after which it was measured */
  step: number;
  tensors: number;
  tensorBytes: number;
  pythonHeapBytes: number;
  workerReplacements: number;
  /** the wasm backend's linear memory on the trainer's thread and on its helper's (null: other backends, no helper) */
  mainWasmBytes: number | null;
  helperWasmBytes: number | null;
  /** steps trained since this trainer started, their token positions (prompts, samples, trained rows) and milliseconds */
  work: { steps: number; tokens: number; ms: number };
}

export interface StorageUse {
  usage: number;
  quota: number;
  /** true when the browser promised not to evict this origin's data */
  persisted: boolean;
}

export interface RunEnvironment {
  model: ModelService;
  startExecutor(options: ExecutorOptions): Promise<ExecutorPool>;
  heldout: readonly EvalTask[];
  storage: RunStorage;
  /** one writer per run (run-locks.ts) */
  locks: RunLocks;
  /** where tfjs finds its wasm files, which backends to try, how to start a helper thread */
  modelInit?: Pick<ModelInit, 'wasmPaths' | 'candidates' | 'spawnHelper'>;
}

export interface BootRequest {
  /** settings from the URL; null when it has none */
  config: EngineConfig | null;
  /** the run named in the URL, if any */
  runId: string | null;
  /** what to say when that run resumes (default: that it resumed from the autosave) */
  resumeNotice?: string;
  /** start training once that run is shown, if this tab holds it (a trainer replacing a dead one) */
  train?: boolean;
}

/** Autosave at most this often while running; pausing and single steps always save. */
const AUTOSAVE_MS = 10_000;

/** A read-only tab looks for the writing tab's newer saves this often. */
export const FOLLOW_MS = 5_000;

export class RunController {
  private listener: RunListener = () => {};
  private executor: ExecutorPool | null = null;
  private engine: SelfPlay | null = null;
  private meta: RunMeta | null = null;
  private metrics: StepMetrics[] = [];
  private feed: FeedItem[] = [];
  private loop: Promise<void> | null = null;
  private keepRunning = false;
  private lastSave = 0;
  private status: RunStatus = 'loading';
  /** this tab's hold on the open run; null: another tab trains it and this one only watches */
  private lease: RunLease | null = null;
  /** while read-only: following the other tab's saves and waiting for its lock */
  private watching: AbortController | null = null;
  private savedStep: number | null = null;
  private lastHealth: Omit<TrainerHealth, WasmFigures> | null = null;
  /** the step or speed probe in progress (oneAtATime) */
  private turns: Promise<unknown> = Promise.resolve();
  private readonly work = { steps: 0, tokens: 0, ms: 0 };
  /** the first visit's "press Start" notice, until the run trains or another run is shown */
  private welcome = '';

  constructor(private readonly env: RunEnvironment) {}

  /** Loads Python and the model side by side, then shows the run the URL or the last visit asks for. */
  async boot(listener: RunListener, request: BootRequest): Promise<void> {
    this.listener = listener;
    try {
      const startConfig = request.config ?? defaultConfig('tiny');
      // Python loads while the backends are measured; the sandbox tab can use it as soon as it is up.
      const executor = this.env
        .startExecutor({
          limits: { timeoutMs: startConfig.timeoutMs },
          onProgress: (p) => this.emit({ kind: 'load', part: 'python', fraction: p.fraction, message: p.message }),
        })
        .then((pool) => {
          this.executor = pool;
          const { pythonVersion, pyodideVersion } = pool.stats;
          this.emit({ kind: 'python-ready', pythonVersion, pyodideVersion, workers: pool.workerCount });
          return pool;
        });
      executor.catch(() => {});
      const { record: saved, notice: unreadable } = await this.pickRun(request);
      const config = saved?.meta.config ?? startConfig;
      const remembered = await rememberedBackend(this.env.storage);
      const timeAll = await takeMeasureAll(this.env.storage);
      const candidates = remembered ? [remembered.name] : (this.env.modelInit?.candidates ?? BROWSER_BACKENDS);
      let tried = 0;
      this.emit({
        kind: 'load',
        part: 'model',
        fraction: 0.05,
        message: remembered ? `Re-checking ${remembered.name} against the CPU` : 'Measuring the tfjs backends',
      });
      const info = await this.env.model.init({
        ...this.env.modelInit,
        candidates,
        timeAll,
        threads: config.threads,
        preset: config.preset,
        seed: config.seed,
        optimizer: optimizerOptions(config),
        log: (message) => {
          if (message.endsWith(': starting')) tried += 1;
          this.emit({ kind: 'load', part: 'model', fraction: Math.min(0.9, 0.05 + (0.85 * tried) / candidates.length), message: capitalise(message) });
        },
      });
      this.emit({ kind: 'load', part: 'model', fraction: 1, message: `Model ready on ${info.backend.backend}` });
      const reason = await explainBackend(this.env.storage, info.backend, remembered);
      this.emit({ kind: 'backend', backend: { name: info.backend.backend, reason, parameters: info.parameters } });
      await executor;
      let notice = unreadable;
      if (saved) {
        try {
          await this.show(saved, request.resumeNotice ?? 'Resumed from the autosave.');
          if (request.train && this.lease) this.start();
          return;
        } catch (error) {
          // load() refuses a damaged checkpoint whole: the weights are still init()'s for this config.
          notice = `The saved run "${saved.meta.name}" could not be loaded (${(error as Error).message}), so a new run with its settings was started; the saved copy is left as it was.`;
        }
      }
      // init() has just made this config's random weights: no need to make them again.
      const welcome = request.config ? '' : `A new run with the default settings (${config.preset} model, seed ${config.seed}): press Start to watch it play.`;
      this.welcome = notice ? '' : welcome;
      await this.fresh(config, notice || welcome, false);
    } catch (error) {
      this.fail(error);
    }
  }

  /**
   * The saved run to resume: the URL's, else the last one shown, unless the URL asks for other
   * settings. A run that cannot be read, or a `?run=` that names none, comes with a notice saying
   * so (a new run starts instead; nothing stored is touched).
   */
  private async pickRun(request: BootRequest): Promise<{ record: RunRecord | null; notice: string }> {
    const id = request.runId ?? (request.config ? null : await this.env.storage.readSetting<string>('current').catch(() => null));
    if (!id) return { record: null, notice: '' };
    let record: RunRecord | null;
    try {
      record = await this.env.storage.readRun(id);
    } catch (error) {
      return {
        record: null,
        notice: `The saved run ${id} could not be read (${(error as Error).message}), so a new run was started; the saved copy is left as it was.`,
      };
    }
    if (!record) return { record: null, notice: request.runId ? `There is no saved run ${id} in this browser, so a new run was started.` : '' };
    if (request.config && !sameConfig(request.config, record.meta.config)) return { record: null, notice: '' };
    return { record, notice: '' };
  }

  /** Forgets the measured backend: the next visit compares them all again. */
  forgetBackend(): Promise<void> {
    return forgetBackend(this.env.storage);
  }

  // ------------------------------------------------------------------ controls

  start(): void {
    if (this.loop || !this.engine || this.refuseReadOnly()) return;
    this.keepRunning = true;
    this.loop = this.runLoop().finally(() => (this.loop = null));
  }

  /** Stops after the current step; resolves once stopped and saved. */
  async pause(): Promise<void> {
    this.keepRunning = false;
    if (this.loop) {
      this.setStatus('pausing');
      await this.loop;
    }
  }

  /** Runs exactly one step (seeding first if needed) when stopped. */
  async step(): Promise<void> {
    if (this.loop || !this.engine || this.refuseReadOnly()) return;
    this.keepRunning = false;
    this.loop = (async () => {
      try {
        await this.oneStep('stepping');
        await this.save();
      } catch (error) {
        this.emit({ kind: 'error', message: `The step failed: ${messageOf(error)}` });
      }
      this.setStatus('idle');
    })().finally(() => (this.loop = null));
    await this.loop;
  }

  /** A new run with fresh weights: with new settings, or the current ones. */
  async reset(config?: EngineConfig): Promise<void> {
    const next = config ?? this.meta?.config ?? defaultConfig('tiny');
    validateConfig(next);
    await this.pause();
    await this.fresh(next, '');
  }

  private async runLoop(): Promise<void> {
    try {
      while (this.keepRunning) {
        await this.oneStep('running');
        if (Date.now() - this.lastSave >= AUTOSAVE_MS) await this.save();
      }
      await this.save();
    } catch (error) {
      this.emit({ kind: 'error', message: `Training stopped: ${messageOf(error)}` });
    }
    this.setStatus('idle');
  }

  private oneStep(status: RunStatus): Promise<void> {
    return this.oneAtATime(() => this.stepNow(status));
  }

  /** Steps and speed probes run one at a time, in call order. */
  private oneAtATime<T>(work: () => Promise<T>): Promise<T> {
    const next = this.turns.then(work, work);
    this.turns = next.catch(() => {});
    return next;
  }

  private async stepNow(status: RunStatus): Promise<void> {
    const engine = this.engine!;
    if (!engine.seeded) {
      this.setStatus('seeding');
      this.emit({ kind: 'phase', phase: 'seed' });
      await engine.seed((sizes, target) => this.emit({ kind: 'seeding', sizes, target }));
    }
    this.setStatus(this.keepRunning || status === 'stepping' ? status : 'pausing');
    const metrics = await engine.runStep();
    this.metrics.push(metrics);
    this.feed = engine.feed;
    this.meta = { ...this.meta!, step: engine.step, updated: Date.now() };
    this.work.steps += 1;
    this.work.tokens += stepTokens(metrics.timing);
    this.work.ms += metrics.timing.stepMs;
    this.lastHealth = this.measureHealth();
    this.emit({ kind: 'step', metrics, feed: this.feed, collapse: this.collapse() });
  }

  // ------------------------------------------------------------------ runs

  private async fresh(config: EngineConfig, notice: string, newWeights = true): Promise<void> {
    validateConfig(config);
    await this.env.model.setThreads(config.threads);
    if (newWeights) await this.env.model.recreate({ preset: config.preset, seed: config.seed, optimizer: optimizerOptions(config) });
    const now = Date.now();
    const saved = await this.env.storage.listRuns().catch((error) => {
      this.emit({ kind: 'error', message: `Could not list the saved runs (${messageOf(error)}), so the new run's name may repeat an old one's.` });
      return [];
    });
    const meta: RunMeta = { id: newRunId(now), name: runName(config, saved), created: now, updated: now, step: 0, config };
    this.leave();
    this.lease = await this.env.locks.tryClaim(meta.id); // a new id: nobody else holds it
    this.savedStep = null;
    this.install(meta, new SelfPlay(this.env.model, this.executor!, config, this.env.heldout), [], []);
    await this.save();
    this.announce(notice);
  }

  /**
   * Shows a saved run: trainable when this tab gets (or was given) its lock, read-only while
   * another tab holds it. A read-only tab follows the other's saves and takes over when it lets go.
   */
  private async show(record: RunRecord, notice: string, lease?: RunLease | null): Promise<void> {
    this.leave();
    this.lease = lease !== undefined ? lease : await this.env.locks.tryClaim(record.meta.id);
    await this.display(record, this.lease ? notice : readOnlyNotice(record.meta.name));
    if (this.lease) await this.env.storage.writeSetting('current', record.meta.id).catch(() => {});
    else this.followWriter(record.meta.id);
  }

  private async display(record: RunRecord, notice: string): Promise<void> {
    await this.env.model.load(record.checkpoint);
    const { config } = record.meta;
    await this.env.model.setThreads(config.threads);
    this.install(record.meta, new SelfPlay(this.env.model, this.executor!, config, this.env.heldout, record.state), record.metrics, record.feed);
    this.lastSave = Date.now();
    this.savedStep = record.meta.step;
    this.announce(notice);
  }

  /** Lets go of the open run: stops following another tab, releases this tab's lock. */
  private leave(): void {
    this.watching?.abort();
    this.watching = null;
    this.lease?.release();
    this.lease = null;
  }

  private followWriter(id: string): void {
    const watch = new AbortController();
    this.watching = watch;
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      this.showNewerSave(id, watch.signal)
        .catch((error) => this.emit({ kind: 'error', message: `Could not read the other tab's latest save: ${messageOf(error)}` }))
        .finally(() => (busy = false));
    }, FOLLOW_MS);
    watch.signal.addEventListener('abort', () => clearInterval(timer));
    this.env.locks.claim(id, watch.signal).then(
      (lease) => this.takeOver(id, lease, watch.signal),
      () => {}, // aborted: this tab moved on
    );
  }

  private async showNewerSave(id: string, signal: AbortSignal): Promise<void> {
    const latest = (await this.env.storage.listRuns()).find((m) => m.id === id);
    if (signal.aborted || !latest || latest.updated <= this.meta!.updated) return;
    const record = await this.env.storage.readRun(id);
    if (signal.aborted || !record) return;
    await this.display(record, readOnlyNotice(record.meta.name));
  }

  /** The writing tab closed or moved on: this tab trains the run from its latest save. */
  private async takeOver(id: string, lease: RunLease, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return lease.release();
    try {
      const record = await this.env.storage.readRun(id);
      if (!record) throw new Error('it is no longer saved');
      await this.show(record, `The other tab has let go of this run, so this tab trains it now, from its last save (step ${record.meta.step}).`, lease);
    } catch (error) {
      lease.release();
      this.emit({ kind: 'error', message: `Could not take over the run from the other tab: ${messageOf(error)}` });
    }
  }

  private refuseReadOnly(): boolean {
    if (this.lease) return false;
    this.emit({ kind: 'error', message: 'Another tab trains this run, so here it is read-only: train a copy or start a new run.' });
    return true;
  }

  /** Copies the open run (as last saved) to a new run that this tab trains. */
  async copyRun(): Promise<void> {
    const meta = this.meta;
    if (!meta) throw new Error('the run is still loading');
    await this.pause();
    await this.save();
    const record = await this.env.storage.readRun(meta.id);
    if (!record) throw new Error('that run is no longer saved');
    const now = Date.now();
    const saved = await this.env.storage.listRuns();
    const copy: RunRecord = {
      ...record,
      meta: { ...record.meta, id: newRunId(now), name: uniqueName(`${record.meta.name} (copy)`, saved), created: now, updated: now },
    };
    await this.env.storage.writeRun(copy);
    await this.show(
      copy,
      `This tab trains "${copy.meta.name}", a copy of "${meta.name}" at step ${copy.meta.step}.`,
      await this.env.locks.tryClaim(copy.meta.id),
    );
  }

  private install(meta: RunMeta, engine: SelfPlay, metrics: StepMetrics[], feed: FeedItem[]): void {
    this.executor!.limits.timeoutMs = meta.config.timeoutMs;
    engine.onPhase = (phase) => this.emit({ kind: 'phase', phase });
    this.engine = engine;
    this.meta = meta;
    this.metrics = [...metrics];
    this.feed = feed;
  }

  /** Signs of collapse over the run's last steps, by its own threshold. */
  private collapse(): CollapseWarning | null {
    return detectCollapse(this.metrics, this.meta!.config.collapseEntropy);
  }

  private announce(notice: string): void {
    if (notice !== this.welcome) this.welcome = '';
    const engine = this.engine!;
    this.emit({
      kind: 'run',
      meta: this.meta!,
      metrics: this.metrics,
      feed: this.feed,
      buffers: engine.bufferSizes(),
      seeded: engine.seeded,
      notice,
      readOnly: !this.lease,
      collapse: this.collapse(),
    });
    this.setStatus('idle');
  }

  /**
   * Writes the whole run in one transaction (only the tab holding its lock does); a failed save
   * is reported, leaves the last good save whole, and the run goes on.
   */
  async save(): Promise<void> {
    if (!this.engine || !this.meta || !this.lease) return;
    try {
      const parts = { state: this.engine.state(), metrics: this.metrics, feed: this.feed, checkpoint: await this.env.model.save() };
      const meta = { ...this.meta, bytes: recordBytes(parts) };
      await this.env.storage.writeRun({ meta, ...parts });
      this.meta = meta;
      await this.env.storage.writeSetting('current', this.meta.id);
      this.lastSave = Date.now();
      this.savedStep = this.meta.step;
      this.emit({ kind: 'saved', step: this.meta.step, at: this.lastSave });
    } catch (error) {
      const kept = this.savedStep === null ? 'nothing of this run is saved yet' : `the last good save (step ${this.savedStep}) is kept whole`;
      if (isQuotaError(error)) {
        this.emit({
          kind: 'error',
          message: `The browser's storage for this page is full, so step ${this.meta.step} was not saved; ${kept}. Delete old runs under Runs to make room (the run goes on).`,
          offer: 'runs',
        });
      } else {
        this.emit({ kind: 'error', message: `The autosave failed (the run goes on; ${kept}): ${messageOf(error)}` });
      }
    }
  }

  /**
   * What a soak samples: the trainer's tensors and the Python workers' memory, as they stood after
   * the latest step (mid-step, a step's own tensors would be counted too).
   */
  async health(): Promise<TrainerHealth> {
    // WebAssembly memory only grows, so it can be read now, even mid-step.
    const [main, helper] = [this.env.model.memory(), await this.env.model.helperMemory()];
    return { ...(this.lastHealth ?? this.measureHealth()), mainWasmBytes: main.wasmBytes, helperWasmBytes: helper?.wasmBytes ?? null };
  }

  /**
   * `bench soak`: the engine's speed probe (src/engine/speed-probe.ts), after the step in progress
   * and before the next, so that it times the same work alone every time.
   */
  speedProbe(): Promise<SpeedProbe> {
    const engine = this.engine;
    if (!engine) return Promise.reject(new Error('no run to probe'));
    return this.oneAtATime(() => engine.speedProbe());
  }

  private measureHealth(): Omit<TrainerHealth, WasmFigures> {
    const { tensors, bytes } = this.env.model.memory();
    return {
      step: this.meta?.step ?? 0,
      tensors,
      tensorBytes: bytes,
      pythonHeapBytes: this.executor?.largestHeapBytes() ?? 0,
      workerReplacements: this.executor?.stats.replacements ?? 0,
      work: { ...this.work },
    };
  }

  /** A sign of life for the page's watchdog (run-client.ts). */
  ping(): true {
    return true;
  }

  /** Tests only: kills a Python worker that is running requests, as a crash would. */
  killPythonWorkerForTest(): boolean {
    return this.executor?.killBusyWorkerForTest() ?? false;
  }

  /** Tests only: saves fail as on a full disk until called with false. */
  simulateStorageFull(on: boolean): void {
    this.env.storage.simulateFull?.(on);
  }

  /** How much this origin stores, for the Runs panel. */
  storageUse(): Promise<StorageUse | null> {
    return this.env.storage.estimate().catch(() => null);
  }

  listRuns(): Promise<RunMeta[]> {
    return this.env.storage.listRuns();
  }

  /** Shows a saved run (the current one is saved first). */
  async openRun(id: string): Promise<void> {
    await this.pause();
    const record = await this.env.storage.readRun(id);
    if (!record) throw new Error('that run is no longer saved');
    await this.show(record, `Opened "${record.meta.name}".`);
  }

  async deleteRun(id: string): Promise<RunMeta[]> {
    if (id === this.meta?.id) throw new Error('this run is open: open or start another run before deleting it');
    const lease = await this.env.locks.tryClaim(id);
    if (!lease) throw new Error('that run is open in another tab: close it there first');
    try {
      await this.env.storage.deleteRun(id);
    } finally {
      lease.release();
    }
    return this.listRuns();
  }

  /** A run as one file's bytes (the open run is saved first, so the file is up to date). */
  async exportRun(id: string): Promise<{ name: string; bytes: Uint8Array }> {
    if (id === this.meta?.id) await this.save();
    const record = await this.env.storage.readRun(id);
    if (!record) throw new Error('that run is no longer saved');
    return { name: record.meta.name, bytes: encodeRunFile(record) };
  }

  /** Checks a run file whole, then saves it as a new run; a bad file changes nothing. */
  async importRun(bytes: Uint8Array): Promise<RunMeta> {
    const record = decodeRunFile(bytes);
    const existing = await this.env.storage.listRuns();
    const id = existing.some((m) => m.id === record.meta.id) ? `${record.meta.id}-import-${Date.now().toString(36)}` : record.meta.id;
    const meta = { ...record.meta, id, name: existing.some((m) => m.name === record.meta.name) ? `${record.meta.name} (imported)` : record.meta.name };
    await this.env.storage.writeRun({ ...record, meta });
    return meta;
  }

  async overlayMetrics(id: string): Promise<{ name: string; metrics: StepMetrics[] }> {
    const [meta, metrics] = await Promise.all([this.env.storage.listRuns().then((all) => all.find((m) => m.id === id)), this.env.storage.readRunMetrics(id)]);
    if (!meta || !metrics) throw new Error('that run is no longer saved');
    return { name: meta.name, metrics };
  }

  exportBuffers(): string {
    return buffersJsonl(this.requireEngine().bufferItems());
  }

  queryBuffers(query: BufferQuery): BufferPage {
    const engine = this.requireEngine();
    return queryBuffers(engine.bufferItems(), engine.records, query);
  }

  // ------------------------------------------------------------------ try it, python

  /** The model's answer to a user's task, graded by the executor; runs between training calls. */
  tryIt(request: TryRequest): Promise<TryResult> {
    const engine = this.requireEngine();
    return answerTask(this.env.model, this.executor!, engine.prompts, engine.config, engine.step, request);
  }

  /** The Python sandbox panel: checks programs in the same executor as training. */
  runPython(requests: ExecRequest[]): Promise<Verdict[]> {
    if (!this.executor) return Promise.reject(new Error('Python is still loading'));
    return this.executor.run(requests);
  }

  // ------------------------------------------------------------------ helpers

  private requireEngine(): SelfPlay {
    if (!this.engine) throw new Error('the run is still loading');
    return this.engine;
  }

  private setStatus(status: RunStatus): void {
    if (status === this.status) return;
    this.status = status;
    this.emit({ kind: 'status', status });
    if (this.welcome && (status === 'seeding' || status === 'running' || status === 'stepping')) {
      this.emit({ kind: 'notice-expired', notice: this.welcome });
      this.welcome = '';
    }
  }

  private fail(error: unknown): void {
    this.status = 'failed';
    this.emit({ kind: 'error', message: messageOf(error) });
    this.emit({ kind: 'status', status: 'failed' });
  }

  private emit(event: Parameters<RunListener>[0]): void {
    // Across comlink the listener returns a promise; if the page went away it rejects, and the
    // loop must not die of it.
    try {
      const sent = this.listener(event) as unknown;
      if (sent instanceof Promise) sent.catch(() => {});
    } catch {
      // as above, for a listener called directly
    }
  }
}

const newRunId = (now: number) => `run-${now.toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;

/** Short and unique among the saved runs: it labels the overlay's lines. */
function runName(config: EngineConfig, saved: readonly RunMeta[]): string {
  const taken = new Set(saved.map((m) => m.name));
  let n = saved.length + 1;
  while (taken.has(`Run ${n} (${config.preset}, seed ${config.seed})`)) n += 1;
  return `Run ${n} (${config.preset}, seed ${config.seed})`;
}

function uniqueName(name: string, saved: readonly RunMeta[]): string {
  const taken = new Set(saved.map((m) => m.name));
  let candidate = name;
  for (let n = 2; taken.has(candidate); n++) candidate = `${name} ${n}`;
  return candidate;
}

const readOnlyNotice = (name: string) =>
  `"${name}" is open in another tab, which trains and saves it, so here it is read-only: this tab shows that tab's saves as they come, and takes over if it closes. To train here, train a copy or start a new run.`;

/** About what the save takes on disk: the weights plus the rest as text. */
function recordBytes(parts: Omit<RunRecord, 'meta'>): number {
  const { checkpoint, ...rest } = parts;
  return checkpoint.byteLength + JSON.stringify(rest).length;
}

function isQuotaError(error: unknown): boolean {
  const e = error as { name?: string; message?: string } | null;
  return e?.name === 'QuotaExceededError' || /quota/i.test(e?.message ?? '');
}

const capitalise = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
