/**
 * Saved runs in IndexedDB (page or worker). A run's summary and its data are written in one
 * transaction, so a save that fails (storage full, tab closed) leaves the previous save whole.
 */
import type { StepMetrics } from '../engine/metrics';
import { indexedDatabase } from '../storage/indexed-db';
import type { StorageUse } from './run-controller';
import { checkRunParts, type RunMeta, type RunRecord } from './run-record';

const META = 'meta';
const DATA = 'data';
const SETTINGS = 'settings';
const transact = indexedDatabase('tabula-zero-runs', [META, DATA, SETTINGS], 'runs');

type RunData = Omit<RunRecord, 'meta'>;

export async function listRuns(): Promise<RunMeta[]> {
  const metas = await transact<RunMeta[]>([META], 'readonly', (tx) => tx.objectStore(META).getAll());
  return metas.sort((a, b) => b.updated - a.updated);
}

export async function readRun(id: string): Promise<RunRecord | null> {
  const [meta, data] = await Promise.all([
    transact<RunMeta | undefined>([META], 'readonly', (tx) => tx.objectStore(META).get(id)),
    transact<RunData | undefined>([DATA], 'readonly', (tx) => tx.objectStore(DATA).get(id)),
  ]);
  if (!meta || !data) return null;
  return { ...checkRunParts({ meta, state: data.state, metrics: data.metrics, feed: data.feed }), checkpoint: data.checkpoint };
}

export async function readRunMetrics(id: string): Promise<StepMetrics[] | null> {
  const data = await transact<RunData | undefined>([DATA], 'readonly', (tx) => tx.objectStore(DATA).get(id));
  return data?.metrics ?? null;
}

/**
 * Tests only (window.__tabulaTest): makes every save fail as on a full disk. The writes are
 * issued and the transaction aborted, the path a real quota error takes, so the previous save
 * must come through whole. (Chromium's DevTools quota override does not reach IndexedDB here.)
 */
let simulatedFull = false;
export function simulateFull(on: boolean): void {
  simulatedFull = on;
}

export async function writeRun(record: RunRecord): Promise<void> {
  const { meta, ...data } = record;
  const full = simulatedFull;
  try {
    await transact([META, DATA], 'readwrite', (tx) => {
      tx.objectStore(DATA).put(data, meta.id);
      tx.objectStore(META).put(meta, meta.id);
      if (full) tx.abort();
    });
  } catch (error) {
    throw full ? new DOMException('The quota has been exceeded (simulated).', 'QuotaExceededError') : error;
  }
}

export async function deleteRun(id: string): Promise<void> {
  await transact([META, DATA], 'readwrite', (tx) => {
    tx.objectStore(META).delete(id);
    tx.objectStore(DATA).delete(id);
  });
}

/** What this origin stores and may store, and whether the browser promised to keep it. */
export async function estimate(): Promise<StorageUse | null> {
  const manager = globalThis.navigator?.storage;
  if (!manager?.estimate) return null;
  const [{ usage = 0, quota = 0 }, persisted] = await Promise.all([manager.estimate(), manager.persisted?.() ?? Promise.resolve(false)]);
  return { usage, quota, persisted };
}

/** Small values the page keeps between visits: the open run, the measured backend. */
export async function readSetting<T>(key: string): Promise<T | null> {
  return (await transact<T | undefined>([SETTINGS], 'readonly', (tx) => tx.objectStore(SETTINGS).get(key))) ?? null;
}

export async function writeSetting(key: string, value: unknown): Promise<void> {
  await transact([SETTINGS], 'readwrite', (tx) => {
    tx.objectStore(SETTINGS).put(value, key);
  });
}
