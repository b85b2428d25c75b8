/**
 * The page's state: summaries of what the trainer worker reports. Per-step figures go to the
 * metrics log (charts draw from it without React); this store keeps what components render.
 */
import * as Comlink from 'comlink';
import { create } from 'zustand';
import type { CollapseWarning } from '../engine/collapse';
import type { EngineConfig } from '../engine/config';
import type { FeedItem } from '../engine/feed';
import type { PerType, StepMetrics } from '../engine/metrics';
import type { StorageUse } from '../run/run-controller';
import type { BackendReport, LoadPart, RunEvent, RunStatus } from '../run/run-events';
import type { RunMeta } from '../run/run-record';
import { metricsLog } from './metrics-log';
import { killTrainerForTest, onWorkerDeath, runWorker } from './run-client';
import { readUrlState, writeUrlState } from './url-settings';

/** Proposals kept in the feed, newest first. */
const FEED_LENGTH = 48;

/** A feed item with a key that stays the same while newer items push it down. */
export type FeedEntry = FeedItem & { key: string };

/** A step's proposals, newest first, keyed by step and position. */
const entries = (feed: readonly FeedItem[]): FeedEntry[] => feed.map((item, i) => ({ ...item, key: `${item.step}:${i}` })).reverse();

export interface LoadState {
  fraction: number;
  message: string;
  done: boolean;
}

export interface RunState {
  status: RunStatus;
  load: Record<LoadPart, LoadState>;
  pythonVersion: string;
  pyodideVersion: string;
  pythonWorkers: number;
  backend: BackendReport | null;
  meta: RunMeta | null;
  step: number;
  seeded: boolean;
  phase: string;
  seeding: { sizes: PerType<number>; target: number } | null;
  latest: StepMetrics | null;
  buffers: PerType<number>;
  feed: FeedEntry[];
  feedValidOnly: boolean;
  notice: string;
  /** another tab trains the open run: this one only watches it */
  readOnly: boolean;
  error: string;
  /** where the fix for the error is: 'runs' (delete old runs to make room) */
  errorOffer: 'runs' | null;
  /**
   * Why the link's settings were not used, naming every bad field. It stays until dismissed or
   * until the user applies settings or opens a run, and until then the address is left as typed.
   */
  linkError: string;
  /** signs that the proposer collapsed, over the last few steps (engine/collapse.ts) */
  collapse: CollapseWarning | null;
  savedStep: number | null;
  runs: RunMeta[];
  storage: StorageUse | null;
  overlayId: string | null;
  /** bumped on each step, so panels that query the worker know to refresh */
  version: number;
}

const initial: RunState = {
  status: 'loading',
  load: {
    python: { fraction: 0, message: 'Waiting to start', done: false },
    model: { fraction: 0, message: 'Waiting to start', done: false },
  },
  pythonVersion: '',
  pyodideVersion: '',
  pythonWorkers: 0,
  backend: null,
  meta: null,
  step: 0,
  seeded: false,
  phase: '',
  seeding: null,
  latest: null,
  buffers: { deduction: 0, abduction: 0, induction: 0 },
  feed: [],
  feedValidOnly: false,
  notice: '',
  readOnly: false,
  error: '',
  errorOffer: null,
  linkError: '',
  collapse: null,
  savedStep: null,
  runs: [],
  storage: null,
  overlayId: null,
  version: 0,
};

export const useRun = create<RunState>(() => initial);
const set = useRun.setState;

function onEvent(event: RunEvent): void {
  switch (event.kind) {
    case 'load':
      set((s) => ({ load: { ...s.load, [event.part]: { fraction: event.fraction, message: event.message, done: event.fraction >= 1 } } }));
      break;
    case 'python-ready':
      set((s) => ({
        pythonVersion: event.pythonVersion,
        pyodideVersion: event.pyodideVersion,
        pythonWorkers: event.workers,
        load: { ...s.load, python: { fraction: 1, message: `Python ${event.pythonVersion} ready`, done: true } },
      }));
      break;
    case 'backend':
      set({ backend: event.backend });
      break;
    case 'run':
      metricsLog.replace(event.metrics);
      set((s) => ({
        meta: event.meta,
        step: event.meta.step,
        seeded: event.seeded,
        latest: event.metrics.at(-1) ?? null,
        buffers: event.buffers,
        feed: entries(event.feed).slice(0, FEED_LENGTH),
        notice: event.notice,
        readOnly: event.readOnly,
        collapse: event.collapse,
        savedStep: event.meta.step,
        error: '',
        errorOffer: null,
        phase: '',
        seeding: null,
        version: s.version + 1,
      }));
      if (!useRun.getState().linkError) history.replaceState(null, '', writeUrlState(event.meta.config, event.meta.id));
      void refreshRuns();
      break;
    case 'status':
      set({ status: event.status, ...(event.status === 'idle' ? { phase: '' } : {}) });
      break;
    case 'notice-expired':
      set((s) => (s.notice === event.notice ? { notice: '' } : {}));
      break;
    case 'phase':
      set({ phase: event.phase });
      break;
    case 'seeding':
      set({ seeding: { sizes: event.sizes, target: event.target }, buffers: event.sizes });
      break;
    case 'step':
      metricsLog.append([event.metrics]);
      set((s) => ({
        step: event.metrics.step,
        seeded: true,
        latest: event.metrics,
        buffers: event.metrics.buffers,
        feed: [...entries(event.feed), ...s.feed].slice(0, FEED_LENGTH),
        seeding: null,
        collapse: event.collapse,
        version: s.version + 1,
        meta: s.meta && { ...s.meta, step: event.metrics.step },
      }));
      break;
    case 'saved':
      set({ savedStep: event.step });
      break;
    case 'error':
      set({ error: event.message, errorOffer: event.offer ?? null });
      break;
  }
}

/** For the end-to-end tests and `bench soak`: what a test cannot make the browser do, or see, on its own. */
(globalThis as { __tabulaTest?: unknown }).__tabulaTest = {
  simulateStorageFull: (on: boolean) => runWorker().simulateStorageFull(on),
  health: () => runWorker().health(),
  speedProbe: () => runWorker().speedProbe(),
  killPythonWorker: () => runWorker().killPythonWorkerForTest(),
  killTrainer: killTrainerForTest,
};

let booted = false;

/** Starts the trainer worker once and shows the run the URL (or the last visit) asks for. */
export function boot(): void {
  if (booted) return;
  booted = true;
  const url = readUrlState(location.search);
  if (url.error) set({ linkError: url.error });
  // Asks the browser not to evict saved runs under storage pressure (Chromium decides silently).
  void navigator.storage?.persist?.().catch(() => false);
  onWorkerDeath(recover);
  void runWorker().boot(Comlink.proxy(onEvent), { config: url.config, runId: url.runId });
}

/** Trainer deaths within RECOVERY_WINDOW_MS after which the page stops starting new ones. */
const MAX_RECOVERIES = 3;
const RECOVERY_WINDOW_MS = 10 * 60_000;
const recoveries: number[] = [];

/**
 * The trainer worker died: a new one resumes the run from its last save, and trains on if the
 * old one was training. Only steps since that save are lost, and the notice says which.
 */
function recover(message: string): void {
  const { meta, savedStep, status } = useRun.getState();
  const now = Date.now();
  recoveries.push(now);
  while (recoveries[0]! < now - RECOVERY_WINDOW_MS) recoveries.shift();
  const saved = savedStep !== null ? ` (step ${savedStep})` : '';
  if (!meta || recoveries.length > MAX_RECOVERIES) {
    set({ status: 'failed', error: `${message}. Reload the page: the run resumes from its last autosave${saved}.` });
    return;
  }
  const wasTraining = status === 'running' || status === 'seeding';
  const resumed = `${capitalise(message)}, so a new one resumed the run from its last save${saved}${wasTraining ? ' and trains on' : ''}.`;
  set({ status: 'loading', phase: '', load: initial.load, notice: `${capitalise(message)}: starting a new one…` });
  // The new trainer starts training itself: the page's view of its status may lag behind (events
  // and the boot call's answer travel on different message ports).
  runWorker()
    .boot(Comlink.proxy(onEvent), { config: null, runId: meta.id, resumeNotice: resumed, train: wasTraining })
    .catch((error) => set({ status: 'failed', error: `Could not start a new trainer: ${error instanceof Error ? error.message : String(error)}` }));
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Calls the worker and shows a failure as the page's error instead of losing it. */
async function guarded<T>(work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    set({ error: error instanceof Error ? error.message : String(error) });
    return undefined;
  }
}

/** The user chose settings or a run: the address may follow the page again. */
const leaveLink = () => set({ linkError: '' });

export const controls = {
  start: () => guarded(() => runWorker().start()),
  pause: () => guarded(() => runWorker().pause()),
  step: () => guarded(() => runWorker().step()),
  reset: (config?: EngineConfig) => {
    leaveLink();
    return guarded(() => runWorker().reset(config));
  },
  clearError: () => set({ error: '', errorOffer: null }),
  /** Dismissing the link's error puts the open run's settings in the address. */
  dismissLinkError: () => {
    leaveLink();
    const { meta } = useRun.getState();
    if (meta) history.replaceState(null, '', writeUrlState(meta.config, meta.id));
  },
  /** A copy of the open run that this tab trains (the way out of a read-only tab). */
  copyRun: () => {
    leaveLink();
    return guarded(() => runWorker().copyRun());
  },
};

/** The saved runs (asked for unless `known`) and the storage they take, for the Runs panel. */
export async function refreshRuns(known?: RunMeta[]): Promise<void> {
  const [runs, storage] = await Promise.all([
    known ?? guarded(() => runWorker().listRuns()),
    runWorker()
      .storageUse()
      .catch(() => null),
  ]);
  if (runs) set({ runs, storage });
}

export const runActions = {
  open: (id: string) => {
    leaveLink();
    return guarded(() => runWorker().openRun(id));
  },
  async remove(id: string) {
    const runs = await guarded(() => runWorker().deleteRun(id));
    if (runs) await refreshRuns(runs);
  },
  exportRun: (id: string) => guarded(() => runWorker().exportRun(id)),
  /** Imports a run file; resolves to the new run, or to an error sentence (nothing is changed then). */
  async importRun(bytes: Uint8Array): Promise<{ meta: RunMeta } | { error: string }> {
    try {
      const meta = await runWorker().importRun(Comlink.transfer(bytes, [bytes.buffer]));
      await refreshRuns();
      return { meta };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  },
  async overlay(id: string | null) {
    if (!id) {
      metricsLog.setOverlay(null);
      set({ overlayId: null });
      return;
    }
    const other = await guarded(() => runWorker().overlayMetrics(id));
    if (!other) return;
    metricsLog.setOverlay({ name: other.name, steps: other.metrics });
    set({ overlayId: id });
  },
  exportBuffers: () => guarded(() => runWorker().exportBuffers()),
};
