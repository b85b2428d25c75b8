/**
 * Checkpoints in IndexedDB (browser, page or worker). Each is stored whole in one put, so a
 * failed save leaves the previous version in place rather than half a file.
 */
const DB_NAME = 'tabula-zero';
const STORE = 'checkpoints';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB is not available'));
  });
}

async function run<T>(mode: IDBTransactionMode, action: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const request = action(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error ?? request.error);
      transaction.onabort = () => reject(transaction.error ?? new Error('the save was aborted (storage full?)'));
    });
  } finally {
    db.close();
  }
}

export async function writeCheckpoint(name: string, bytes: Uint8Array): Promise<void> {
  await run('readwrite', (store) => store.put(bytes, name));
}

export async function readCheckpoint(name: string): Promise<Uint8Array | null> {
  const value = await run('readonly', (store) => store.get(name) as IDBRequest<Uint8Array | undefined>);
  return value ?? null;
}

export async function listCheckpoints(): Promise<string[]> {
  return (await run('readonly', (store) => store.getAllKeys())).map(String);
}

export async function deleteCheckpoint(name: string): Promise<void> {
  await run('readwrite', (store) => store.delete(name));
}
