/**
 * Saved runs in IndexedDB (page or worker). A run's summary and its data are written in one
 * transaction, so a save that fails (storage full, tab closed) leaves the previous save whole.
 */
import type { StepMetrics } from '../engine/metrics';
import { checkRunParts, type RunMeta, type RunRecord } from './run-record';

const DB_NAME = 'tabula-zero-runs';
const META = 'meta';
const DATA = 'data';
const SETTINGS = 'settings';

type RunData = Omit<RunRecord, 'meta'>;

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      for (const name of [META, DATA, SETTINGS]) request.result.createObjectStore(name);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB is not available: runs cannot be saved'));
  });
}

/** Runs `action` in one transaction and resolves when it has committed. */
async function transact<T>(stores: string[], mode: IDBTransactionMode, action: (tx: IDBTransaction) => IDBRequest<T> | void): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(stores, mode);
      const request = action(tx);
      tx.oncomplete = () => resolve((request ? request.result : undefined) as T);
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB failed'));
      tx.onabort = () => reject(tx.error ?? new Error('the save was aborted (is the storage full?)'));
    });
  } finally {
    db.close();
  }
}

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

export async function writeRun(record: RunRecord): Promise<void> {
  const { meta, ...data } = record;
  await transact([META, DATA], 'readwrite', (tx) => {
    tx.objectStore(DATA).put(data, meta.id);
    tx.objectStore(META).put(meta, meta.id);
  });
}

export async function deleteRun(id: string): Promise<void> {
  await transact([META, DATA], 'readwrite', (tx) => {
    tx.objectStore(META).delete(id);
    tx.objectStore(DATA).delete(id);
  });
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
