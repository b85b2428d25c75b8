/**
 * IndexedDB in one helper (page or worker): open a database with its object stores, run one
 * transaction, and resolve only once it has committed, so a failed write leaves the previous
 * value whole rather than half a save.
 */
export type Transact = <T>(stores: string[], mode: IDBTransactionMode, action: (tx: IDBTransaction) => IDBRequest<T> | undefined) => Promise<T>;

/** A database named `name` holding `stores`; `what` names its contents in error messages. */
export function indexedDatabase(name: string, stores: readonly string[], what: string): Transact {
  const open = () =>
    new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name, 1);
      request.onupgradeneeded = () => {
        for (const store of stores) request.result.createObjectStore(store);
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error(`IndexedDB is not available: ${what} cannot be saved`));
    });
  return async (scope, mode, action) => {
    const db = await open();
    try {
      return await new Promise((resolve, reject) => {
        const tx = db.transaction(scope, mode);
        const request = action(tx);
        tx.oncomplete = () => resolve((request ? request.result : undefined) as never);
        tx.onerror = () => reject(tx.error ?? request?.error ?? new Error('IndexedDB failed'));
        tx.onabort = () => reject(tx.error ?? new Error('the save was aborted (is the storage full?)'));
      });
    } finally {
      db.close();
    }
  };
}
