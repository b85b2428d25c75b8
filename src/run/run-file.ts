/**
 * A run as one file, for export and import. Layout:
 *   8 bytes  magic "TZRUN\0\0\x01"
 *   4 bytes  length L of the JSON header (little-endian)
 *   L bytes  JSON {format, meta, state, metrics, feed}
 *   ...      the model checkpoint (its own format, with its own checks)
 *   4 bytes  CRC-32 of everything before
 * Decoding checks all of it before anything is stored, so a damaged file is refused whole.
 */

import { TOKENIZER_VERSION } from '../lang/tokenizer';
import { CheckpointError, crc32, decodeCheckpoint } from '../model/checkpoint';
import { PRESETS } from '../model/config';
import { checkRunParts, type RunRecord, RunRecordError } from './run-record';

const MAGIC = new Uint8Array([0x54, 0x5a, 0x52, 0x55, 0x4e, 0, 0, 1]);

export function encodeRunFile(record: RunRecord): Uint8Array {
  const header = new TextEncoder().encode(
    JSON.stringify({ format: 'tabula-zero-run', meta: record.meta, state: record.state, metrics: record.metrics, feed: record.feed }),
  );
  const out = new Uint8Array(MAGIC.length + 4 + header.length + record.checkpoint.length + 4);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(MAGIC.length, header.length, true);
  out.set(header, MAGIC.length + 4);
  out.set(record.checkpoint, MAGIC.length + 4 + header.length);
  view.setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

/** Reads a run file; throws a RunRecordError with a sentence a user can act on. */
export function decodeRunFile(bytes: Uint8Array): RunRecord {
  if (bytes.length < MAGIC.length + 8 || !MAGIC.every((b, i) => bytes[i] === b)) {
    // No word on the file's name here: the page adds it where the name is not a run file's (importErrorText).
    throw new RunRecordError("this is not a Tabula Zero run file (it does not start with a run file's signature)");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(bytes.length - 4, true) !== crc32(bytes.subarray(0, bytes.length - 4))) {
    throw new RunRecordError('the run file is damaged (its checksum does not match): it was cut short or changed');
  }
  const headerLength = view.getUint32(MAGIC.length, true);
  const checkpointStart = MAGIC.length + 4 + headerLength;
  if (checkpointStart > bytes.length - 4) throw new RunRecordError('the run file is damaged (its header is longer than the file)');
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(MAGIC.length + 4, checkpointStart)));
  } catch {
    throw new RunRecordError('the run file is damaged (its header is not valid JSON)');
  }
  if (header.format !== 'tabula-zero-run') throw new RunRecordError('this is not a Tabula Zero run file (unknown format)');
  const parts = checkRunParts({ meta: header.meta, state: header.state, metrics: header.metrics, feed: header.feed });
  const checkpoint = bytes.slice(checkpointStart, bytes.length - 4);
  try {
    // The model must be the size the run's preset says, or its prompts would not fit.
    const { contextLength, dModel, nLayers, nHeads, dMlp } = PRESETS[parts.meta.config.preset];
    decodeCheckpoint(checkpoint, { tokenizerVersion: TOKENIZER_VERSION, config: { contextLength, dModel, nLayers, nHeads, dMlp } });
  } catch (error) {
    if (error instanceof CheckpointError) throw new RunRecordError(`the run's model checkpoint cannot be used: ${error.message}`);
    throw error;
  }
  return { ...parts, checkpoint };
}
