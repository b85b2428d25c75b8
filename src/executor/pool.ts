/**
 * A pool of Python workers with a time limit per request. Environment-agnostic: the browser and
 * Node differ only in how a worker is spawned (see browser-executor.ts and node-executor.ts).
 *
 * Time limit, in two steps: at the limit the pool sets Pyodide's interrupt buffer, which stops a
 * bytecode loop within milliseconds; if the request still runs after a grace period (a long C
 * call, or a program that swallows KeyboardInterrupt), the worker is terminated, a warm spare
 * takes its place, and the rest of its batch goes back to the queue. The request itself is run once
 * more on a fresh worker, since a worker can also die or be killed for reasons of its own; if it
 * stops that one too, it gets `timeout` (or `crash` when its worker died).
 */
import { CONTROL_INTERRUPTED, CONTROL_RUNNING, type FromWorker, SIGINT, type ToWorker } from './protocol';
import { DEFAULT_LIMITS, type ExecRequest, type ExecutorLimits, type LoadProgress, type Verdict } from './types';

export interface WorkerHandle {
  post(message: ToWorker): void;
  onMessage(handler: (message: FromWorker) => void): void;
  /** Called when the worker dies on its own (an error it did not catch, or an exit). */
  onDeath(handler: (reason: string) => void): void;
  terminate(): void;
}

export interface ExecutorOptions {
  /** Python workers running requests in parallel. */
  workers?: number;
  /** Keep one more worker loaded, to replace a killed one at once. */
  spare?: boolean;
  /**
   * Resolve create() once the first worker has loaded; the others take requests as they finish
   * loading. A page on two cores then shows Python ready in one load's time, not two side by side.
   */
  readyWhenFirstLoads?: boolean;
  limits?: Partial<ExecutorLimits>;
  onProgress?: (progress: LoadProgress) => void;
}

export interface ExecutorStats {
  requests: number;
  interrupts: number;
  /** Workers replaced: killed at the time limit, grown too large, or crashed. */
  replacements: number;
  /** Requests run again on a fresh worker because theirs died or stopped answering. */
  retried: number;
  /** the interpreter's version (e.g. 3.14.0) */
  pythonVersion: string;
  /** the Pyodide distribution's version (e.g. 314.0.7) */
  pyodideVersion: string;
  loadMs: number;
}

interface Unit {
  job: Job;
  index: number;
  /** workers lost while running it (died, or killed at the time limit) */
  lostWorkers?: number;
}

interface Job {
  requests: ExecRequest[];
  verdicts: Verdict[];
  remaining: number;
  resolve: (verdicts: Verdict[]) => void;
}

const WATCHDOG_MS = 20;
const MAX_LOAD_FAILURES = 3;

class Slot {
  readonly control = new Int32Array(new SharedArrayBuffer(8));
  readonly interrupt = new Int32Array(new SharedArrayBuffer(4));
  readonly ready: Promise<{ loadMs: number; pythonVersion: string; pyodideVersion: string }>;
  busy: Unit[] | null = null;
  batch = 0;
  received = 0;
  lastSeq = 0;
  seqSince = 0;
  interruptedSeq = -1;
  retire = false;
  dead = false;
  /** the worker's WebAssembly memory after its latest request (it never shrinks) */
  heapBytes = 0;
  /** Only loaded workers get batches, so the time limit never counts loading time. */
  loaded = false;
  progress = 0;

  constructor(
    readonly handle: WorkerHandle,
    limits: ExecutorLimits,
  ) {
    this.ready = new Promise((resolve, reject) => {
      handle.onMessage((message) => {
        if (message.type === 'ready') resolve(message);
        else if (message.type === 'fatal') reject(new Error(message.message));
      });
      handle.onDeath((reason) => reject(new Error(`Python worker died while loading: ${reason}`)));
    });
    this.ready.catch(() => {});
    handle.post({
      type: 'init',
      interrupt: this.interrupt.buffer as SharedArrayBuffer,
      control: this.control.buffer as SharedArrayBuffer,
      limits,
    });
  }
}

export class ExecutorPool {
  readonly limits: ExecutorLimits;
  readonly stats: ExecutorStats = {
    requests: 0,
    interrupts: 0,
    replacements: 0,
    retried: 0,
    pythonVersion: '',
    pyodideVersion: '',
    loadMs: 0,
  };
  private slots: Slot[] = [];
  private spare: Slot | null = null;
  private queue: Unit[] = [];
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private nextBatch = 1;
  private closed = false;
  private started = false;
  private loadFailures = 0;
  private broken = '';

  private constructor(
    private readonly spawn: () => WorkerHandle,
    private readonly options: ExecutorOptions,
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
  }

  /**
   * Starts the workers and resolves once all of them (not the spare) can take requests. With
   * `readyWhenFirstLoads`, starts one, resolves once it has loaded, and only then starts the
   * others: loads side by side share the cores and would each take twice as long. The spare
   * starts loading after the workers.
   */
  static async create(spawn: () => WorkerHandle, options: ExecutorOptions = {}): Promise<ExecutorPool> {
    const pool = new ExecutorPool(spawn, options);
    const count = Math.max(1, Math.floor(options.workers ?? 1));
    const first = options.readyWhenFirstLoads ? 1 : count;
    pool.slots = Array.from({ length: first }, () => pool.startSlot(true));
    try {
      const loaded = await Promise.all(pool.slots.map((slot) => slot.ready));
      pool.stats.pythonVersion = loaded[0]!.pythonVersion;
      pool.stats.pyodideVersion = loaded[0]!.pyodideVersion;
      pool.stats.loadMs = Math.max(...loaded.map((l) => l.loadMs));
    } catch (error) {
      pool.close();
      throw error;
    }
    pool.started = true;
    options.onProgress?.({ stage: 'ready', fraction: 1, message: 'Python is ready' });
    // The rest take requests as they finish loading (a failed load is replaced: onLoadFailure).
    for (let i = first; i < count; i++) pool.slots.push(pool.startSlot(false));
    const startSpare = () => {
      if ((options.spare ?? true) && !pool.closed && !pool.spare) pool.spare = pool.startSlot(false);
    };
    Promise.all(pool.slots.map((slot) => slot.ready)).then(startSpare, startSpare);
    return pool;
  }

  /** Resolves once the warm spare has loaded (at once if there is none): benchmarks wait for it. */
  async spareReady(): Promise<void> {
    await this.spare?.ready.catch(() => {});
  }

  get workerCount(): number {
    return this.slots.length;
  }

  /** Checks every request; verdicts come back in request order. Never rejects for a bad program. */
  run(requests: ExecRequest[]): Promise<Verdict[]> {
    if (this.closed) return Promise.reject(new Error('the executor is closed'));
    if (requests.length === 0) return Promise.resolve([]);
    if (this.broken) return Promise.resolve(requests.map(() => crashed(this.broken)));
    return new Promise((resolve) => {
      const job: Job = { requests, verdicts: new Array(requests.length), remaining: requests.length, resolve };
      for (let index = 0; index < requests.length; index++) this.queue.push({ job, index });
      this.dispatch();
    });
  }

  /** The largest WebAssembly memory among the live workers (bytes): what a soak watches grow. */
  largestHeapBytes(): number {
    return Math.max(0, ...this.slots.filter((slot) => !slot.dead).map((slot) => slot.heapBytes));
  }

  async check(request: ExecRequest): Promise<Verdict> {
    return (await this.run([request]))[0]!;
  }

  close(): void {
    this.closed = true;
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    for (const slot of [...this.slots, this.spare]) {
      if (slot && !slot.dead) {
        slot.dead = true;
        slot.handle.terminate();
      }
    }
    for (const unit of this.queue) this.settle(unit, crashed('the executor was closed'));
    this.queue = [];
  }

  private startSlot(reportProgress: boolean): Slot {
    const slot = new Slot(this.spawn(), this.limits);
    slot.ready.then(
      () => {
        slot.loaded = true;
        this.loadFailures = 0;
        this.dispatch();
      },
      (error: Error) => this.onLoadFailure(slot, error),
    );
    slot.handle.onMessage((message) => this.onMessage(slot, message, reportProgress));
    slot.handle.onDeath((reason) => {
      if (!slot.dead) this.replace(slot, crashed(`the Python worker died: ${reason}`));
    });
    return slot;
  }

  /** A worker that cannot start is replaced; after several in a row, Python is unusable here. */
  private onLoadFailure(slot: Slot, error: Error): void {
    if (this.closed || slot.dead || !this.started) return;
    this.loadFailures += 1;
    if (this.loadFailures >= MAX_LOAD_FAILURES) {
      this.broken = `Python workers fail to start: ${error.message}`;
      for (const unit of this.queue.splice(0)) this.settle(unit, crashed(this.broken));
    }
    this.replace(slot, null);
  }

  private onMessage(slot: Slot, message: FromWorker, reportProgress: boolean): void {
    if (message.type === 'progress' && reportProgress && this.options.onProgress) {
      slot.progress = message.progress.fraction;
      const fraction = this.slots.reduce((sum, s) => sum + s.progress, 0) / this.slots.length;
      this.options.onProgress({ ...message.progress, fraction });
    } else if (message.type === 'result' && slot.busy && message.batch === slot.batch) {
      slot.received += 1;
      this.settle(slot.busy[message.index]!, message.verdict);
      slot.heapBytes = message.heapBytes;
      if (message.heapBytes > this.limits.maxHeapBytes) slot.retire = true;
    } else if (message.type === 'fatal' && slot.loaded) {
      this.replace(slot, null);
    } else if (message.type === 'done' && slot.busy && message.batch === slot.batch) {
      slot.busy = null;
      if (slot.retire) this.replace(slot, null);
      else this.dispatch();
    }
  }

  private settle(unit: Unit, verdict: Verdict): void {
    const { job } = unit;
    if (job.verdicts[unit.index] !== undefined) return;
    job.verdicts[unit.index] = verdict;
    this.stats.requests += 1;
    job.remaining -= 1;
    if (job.remaining === 0) job.resolve(job.verdicts);
  }

  private dispatch(): void {
    if (this.closed) return;
    for (const slot of this.slots) {
      if (this.queue.length === 0) break;
      if (slot.busy || slot.dead || !slot.loaded) continue;
      // Small batches balance the workers; large ones save messages. Aim for ~4 per worker.
      const size = Math.min(32, Math.max(1, Math.ceil(this.queue.length / (this.slots.length * 4))));
      const units = this.queue.splice(0, size);
      slot.busy = units;
      slot.batch = this.nextBatch++;
      slot.received = 0;
      slot.lastSeq = Atomics.load(slot.control, CONTROL_RUNNING);
      slot.seqSince = now();
      slot.handle.post({ type: 'run', batch: slot.batch, requests: units.map((u) => u.job.requests[u.index]!) });
    }
    this.armWatchdog();
  }

  private armWatchdog(): void {
    const anyBusy = this.slots.some((slot) => slot.busy);
    if (anyBusy && !this.watchdog) {
      this.watchdog = setInterval(() => this.tick(), WATCHDOG_MS);
      (this.watchdog as { unref?: () => void }).unref?.();
    } else if (!anyBusy && this.watchdog) {
      clearInterval(this.watchdog);
      this.watchdog = null;
    }
  }

  private tick(): void {
    const time = now();
    for (const slot of this.slots) {
      if (!slot.busy) continue;
      const seq = Atomics.load(slot.control, CONTROL_RUNNING);
      if (seq !== slot.lastSeq) {
        slot.lastSeq = seq;
        slot.seqSince = time;
        continue;
      }
      const elapsed = time - slot.seqSince;
      if (elapsed > this.limits.timeoutMs && slot.interruptedSeq !== seq) {
        slot.interruptedSeq = seq;
        this.stats.interrupts += 1;
        Atomics.store(slot.control, CONTROL_INTERRUPTED, seq);
        Atomics.store(slot.interrupt, 0, SIGINT);
      } else if (elapsed > this.limits.timeoutMs + this.limits.graceMs) {
        this.replace(slot, {
          ok: false,
          reason: 'timeout',
          detail: 'did not stop when interrupted at the time limit; its worker was replaced',
          ms: elapsed,
        });
      }
    }
    this.armWatchdog();
  }

  /**
   * Tests only: kills a busy worker the way an unreported crash would, without telling the pool,
   * whose watchdog has to notice (Node reports the exit; a browser reports nothing).
   */
  killBusyWorkerForTest(): boolean {
    const slot = this.slots.find((s) => s.busy && !s.dead);
    slot?.handle.terminate();
    return slot !== undefined;
  }

  /**
   * Kills a worker and puts a fresh one in its place. The requests after the one it was running go
   * back to the front of the queue. The one it was running goes back too, the first time: a
   * worker can die of something else (a crash, a kill). If it loses a second worker, it gets
   * `stuckVerdict` (a time-limit or crash verdict), or a crash when there is none.
   */
  private replace(slot: Slot, stuckVerdict: Verdict | null): void {
    if (slot === this.spare) {
      slot.dead = true;
      slot.handle.terminate();
      this.spare = this.closed ? null : this.startSlot(false);
      return;
    }
    const position = this.slots.indexOf(slot);
    if (position < 0 || slot.dead) return;
    slot.dead = true;
    slot.handle.terminate();
    this.stats.replacements += 1;
    if (slot.busy) {
      const rest = slot.busy.slice(slot.received);
      const stuck = rest[0];
      if (stuck) {
        stuck.lostWorkers = (stuck.lostWorkers ?? 0) + 1;
        if (stuck.lostWorkers >= 2) this.settle(rest.shift()!, stuckVerdict ?? crashed('it stopped two Python workers in a row'));
        else this.stats.retried += 1;
      }
      this.queue.unshift(...rest);
      slot.busy = null;
    }
    if (this.closed) return;
    const successor = this.spare ?? this.startSlot(true);
    this.slots[position] = successor;
    this.spare = (this.options.spare ?? true) ? this.startSlot(false) : null;
    this.dispatch();
  }
}

function crashed(detail: string): Verdict {
  return { ok: false, reason: 'crash', detail, ms: 0 };
}

function now(): number {
  return performance.now();
}
