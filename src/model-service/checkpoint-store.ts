/**
 * Checkpoints in IndexedDB (browser, page or worker). Each is stored whole in one put, so a
 * failed save leaves the previous version in place rather than half a file.
 */
import { indexedDatabase } from '../storage/indexed-db';

const STORE = 'checkpoints';
const transact = indexedDatabase('tabula-zero', [STORE], 'checkpoints');

export async function writeCheckpoint(name: string, bytes: Uint8Array): Promise<void> {
  await transact([STORE], 'readwrite', (tx) => tx.objectStore(STORE).put(bytes, name));
}

export async function readCheckpoint(name: string): Promise<Uint8Array | null> {
  const value = await transact<Uint8Array | undefined>([STORE], 'readonly', (tx) => tx.objectStore(STORE).get(name));
  return value ?? null;
}

export async function listCheckpoints(): Promise<string[]> {
  return (await transact([STORE], 'readonly', (tx) => tx.objectStore(STORE).getAllKeys())).map(String);
}

export async function deleteCheckpoint(name: string): Promise<void> {
  await transact([STORE], 'readwrite', (tx) => tx.objectStore(STORE).delete(name));
}
