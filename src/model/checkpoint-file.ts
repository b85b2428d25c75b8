// Node only: checkpoints on disk. Saving is atomic: the bytes go to a temporary file in the same
// directory, are flushed, and the file is renamed over the target, so a crash mid-save leaves the
// previous checkpoint intact rather than a truncated one. Run directories and the held-out set
// are written the same way, through writeFileAtomic.

import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type CheckpointData, type CheckpointExpectations, decodeCheckpoint } from './checkpoint';

export async function writeCheckpointFile(path: string, bytes: Uint8Array): Promise<void> {
  await writeFileAtomic(path, bytes);
}

/** Writes a whole file so that readers see the old content or the new, never a part. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}

/** Reads and checks a checkpoint file (see decodeCheckpoint for the errors). */
export async function readCheckpointFile(path: string, expected: CheckpointExpectations): Promise<CheckpointData> {
  const bytes = await readFile(path);
  return decodeCheckpoint(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), expected);
}
