// Checkpoints: the model's weights and the optimiser's state in one versioned binary blob.
//
//   bytes 0-7    magic "TZCKPT\r\n" (the CR LF catches text-mode mangling)
//   bytes 8-11   format version, uint32 little-endian
//   bytes 12-15  header length H, uint32 little-endian
//   16 .. 16+H   header: UTF-8 JSON, space-padded to a multiple of 4 bytes
//   then         every tensor's float32 values, little-endian, in the header's order
//   last 4       CRC-32 of everything before it, uint32 little-endian
//
// The header holds the model config, the caller's tokenizer version (token ids mean nothing with
// another tokenizer), the training step, each tensor's name, shape, dtype and place, the
// optimiser's options and step count, and free-form caller metadata. Environment-agnostic: Node
// file I/O is in checkpoint-file.ts.

import * as tf from '@tensorflow/tfjs';
import { type ModelConfig, paramSpecs, validateConfig } from './config';
import { createOptimizer, type Optimizer, type OptimizerOptions } from './optimizer';
import { createModel, type Model } from './transformer';

export const CHECKPOINT_FORMAT_VERSION = 1;
const MAGIC = [0x54, 0x5a, 0x43, 0x4b, 0x50, 0x54, 0x0d, 0x0a]; // "TZCKPT\r\n"
const PREAMBLE = 16;

export interface CheckpointData {
  config: ModelConfig;
  tokenizerVersion: string;
  /** training step (the caller's count) */
  step: number;
  /** parameter values by name (paramSpecs order) */
  params: Map<string, Float32Array>;
  optimizer: {
    step: number;
    options: OptimizerOptions;
    m: Map<string, Float32Array>;
    v: Map<string, Float32Array>;
    /** the weights' moving average (averageDecay > 0), or null */
    average: Map<string, Float32Array> | null;
  } | null;
  /** anything JSON the caller wants to keep with the weights (run settings, RNG state, ...) */
  metadata: unknown;
}

export type CheckpointErrorKind = 'bad-magic' | 'truncated' | 'corrupt' | 'checksum' | 'version' | 'tokenizer' | 'config';

/** A checkpoint that cannot be read or does not fit; `kind` says which. */
export class CheckpointError extends Error {
  constructor(
    readonly kind: CheckpointErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'CheckpointError';
  }
}

interface TensorEntry {
  name: string;
  shape: number[];
  dtype: 'float32';
  /** offset in float32 values from the start of the data section */
  offset: number;
}

interface Header {
  config: ModelConfig;
  tokenizerVersion: string;
  step: number;
  tensors: TensorEntry[];
  optimizer: { step: number; options: OptimizerOptions } | null;
  metadata: unknown;
}

/** Nearly every platform is little-endian; there raw float32 bytes are copied as they are. */
const LITTLE_ENDIAN = new Uint8Array(new Float32Array([1]).buffer)[3] === 0x3f;

// ---------------------------------------------------------------------------------------------
// CRC-32 (IEEE 802.3, as in zip and PNG)

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// ---------------------------------------------------------------------------------------------

/**
 * Copies the model's weights (and the optimiser's state) off the device with one read. The
 * result can be encoded, kept in memory, or restored.
 */
export async function snapshotCheckpoint(
  model: Model,
  optimizer: Optimizer | null,
  info: { tokenizerVersion: string; step: number; metadata?: unknown },
): Promise<CheckpointData> {
  const names = [...model.params.keys()];
  const sources: tf.Tensor[] = [...model.params.values()];
  if (optimizer) sources.push(...optimizer.m, ...optimizer.v, ...(optimizer.average?.params.values() ?? []));
  const flat = tf.tidy(() => tf.concat(sources.map((t) => tf.reshape(t, [-1]))));
  const all = (await flat.data()) as Float32Array;
  flat.dispose();
  let at = 0;
  const take = (size: number): Float32Array => {
    const out = all.slice(at, at + size);
    at += size;
    return out;
  };
  const params = new Map<string, Float32Array>();
  for (const name of names) params.set(name, take(model.params.get(name)!.size));
  let opt: CheckpointData['optimizer'] = null;
  if (optimizer) {
    const m = new Map<string, Float32Array>();
    const v = new Map<string, Float32Array>();
    optimizer.names.forEach((name, i) => m.set(name, take(optimizer.m[i]!.size)));
    optimizer.names.forEach((name, i) => v.set(name, take(optimizer.v[i]!.size)));
    let average: Map<string, Float32Array> | null = null;
    if (optimizer.average) {
      average = new Map();
      for (const [name, variable] of optimizer.average.params) average.set(name, take(variable.size));
    }
    opt = { step: optimizer.step, options: { ...optimizer.options }, m, v, average };
  }
  return { config: { ...model.config }, tokenizerVersion: info.tokenizerVersion, step: info.step, params, optimizer: opt, metadata: info.metadata ?? null };
}

export function encodeCheckpoint(data: CheckpointData): Uint8Array {
  const specs = paramSpecs(data.config);
  const tensors: TensorEntry[] = [];
  const arrays: Float32Array[] = [];
  let offset = 0;
  const add = (name: string, shape: number[], values: Float32Array | undefined): void => {
    const size = shape.reduce((a, b) => a * b, 1);
    if (!values || values.length !== size) throw new Error(`encodeCheckpoint: ${name} needs ${size} values, has ${values?.length ?? 'none'}`);
    tensors.push({ name, shape, dtype: 'float32', offset });
    arrays.push(values);
    offset += size;
  };
  for (const spec of specs) add(`param/${spec.name}`, spec.shape, data.params.get(spec.name));
  if (data.optimizer) {
    for (const spec of specs) add(`adam.m/${spec.name}`, spec.shape, data.optimizer.m.get(spec.name));
    for (const spec of specs) add(`adam.v/${spec.name}`, spec.shape, data.optimizer.v.get(spec.name));
    if (data.optimizer.average) for (const spec of specs) add(`average/${spec.name}`, spec.shape, data.optimizer.average.get(spec.name));
  }
  const header: Header = {
    config: data.config,
    tokenizerVersion: data.tokenizerVersion,
    step: data.step,
    tensors,
    optimizer: data.optimizer ? { step: data.optimizer.step, options: data.optimizer.options } : null,
    metadata: data.metadata ?? null,
  };
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 4) * 4;
  if (padded !== json.length) {
    const withPad = new Uint8Array(padded).fill(0x20);
    withPad.set(json);
    json = withPad;
  }
  const total = PREAMBLE + json.length + offset * 4 + 4;
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  view.setUint32(8, CHECKPOINT_FORMAT_VERSION, true);
  view.setUint32(12, json.length, true);
  bytes.set(json, PREAMBLE);
  let at = PREAMBLE + json.length;
  for (const values of arrays) {
    if (LITTLE_ENDIAN) {
      bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), at);
      at += values.byteLength;
    } else {
      for (let i = 0; i < values.length; i++, at += 4) view.setFloat32(at, values[i]!, true);
    }
  }
  view.setUint32(total - 4, crc32(bytes.subarray(0, total - 4)), true);
  return bytes;
}

export interface CheckpointExpectations {
  /** the running tokenizer's version: a checkpoint from another tokenizer is refused */
  tokenizerVersion: string;
  /** fields the checkpoint's config must match (e.g. the configured preset); omitted: any */
  config?: Partial<ModelConfig>;
}

/** Parses and checks a checkpoint; throws CheckpointError with a message saying what is wrong. */
export function decodeCheckpoint(bytes: Uint8Array, expected: CheckpointExpectations): CheckpointData {
  if (bytes.length < PREAMBLE + 4) {
    if (bytes.length >= MAGIC.length && !MAGIC.every((b, i) => bytes[i] === b)) {
      throw new CheckpointError('bad-magic', 'not a Tabula Zero checkpoint (bad magic bytes)');
    }
    throw new CheckpointError('truncated', `checkpoint is truncated: ${bytes.length} bytes is less than the fixed preamble`);
  }
  if (!MAGIC.every((b, i) => bytes[i] === b)) throw new CheckpointError('bad-magic', 'not a Tabula Zero checkpoint (bad magic bytes)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== CHECKPOINT_FORMAT_VERSION) {
    throw new CheckpointError('version', `checkpoint format version ${version} is not supported (this build reads version ${CHECKPOINT_FORMAT_VERSION})`);
  }
  const headerLength = view.getUint32(12, true);
  if (PREAMBLE + headerLength + 4 > bytes.length) {
    throw new CheckpointError(
      'truncated',
      `checkpoint is truncated: its header alone needs ${PREAMBLE + headerLength + 4} bytes, the file has ${bytes.length}`,
    );
  }
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREAMBLE, PREAMBLE + headerLength))) as Header;
    if (!header || typeof header !== 'object' || !Array.isArray(header.tensors) || typeof header.config !== 'object') throw new Error('missing fields');
  } catch (error) {
    const crcOk = crc32(bytes.subarray(0, bytes.length - 4)) === view.getUint32(bytes.length - 4, true);
    throw new CheckpointError(
      crcOk ? 'corrupt' : 'checksum',
      `checkpoint header is unreadable (${(error as Error).message})${crcOk ? '' : '; the checksum does not match either: the file is corrupt'}`,
    );
  }
  const values = header.tensors.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
  const total = PREAMBLE + headerLength + values * 4 + 4;
  if (bytes.length < total) throw new CheckpointError('truncated', `checkpoint is truncated: ${bytes.length} bytes, expected ${total}`);
  if (bytes.length > total) throw new CheckpointError('corrupt', `checkpoint has ${bytes.length - total} unexpected trailing bytes`);
  const stored = view.getUint32(total - 4, true);
  const actual = crc32(bytes.subarray(0, total - 4));
  if (stored !== actual) {
    throw new CheckpointError('checksum', `checkpoint checksum mismatch (stored ${hex(stored)}, computed ${hex(actual)}): the file is corrupt`);
  }

  if (header.tokenizerVersion !== expected.tokenizerVersion) {
    throw new CheckpointError(
      'tokenizer',
      `checkpoint was made with tokenizer version "${header.tokenizerVersion}", but this build's tokenizer is "${expected.tokenizerVersion}"`,
    );
  }
  try {
    validateConfig(header.config);
  } catch (error) {
    throw new CheckpointError('config', `checkpoint has an invalid model config: ${(error as Error).message}`);
  }
  for (const [field, want] of Object.entries(expected.config ?? {})) {
    const have = (header.config as unknown as Record<string, unknown>)[field];
    if (have !== want) {
      throw new CheckpointError(
        'config',
        `checkpoint model config does not match: ${field} is ${JSON.stringify(have)} in the checkpoint, expected ${JSON.stringify(want)}`,
      );
    }
  }

  // Every tensor the config implies must be there, with its shape.
  const byName = new Map(header.tensors.map((t) => [t.name, t]));
  const dataStart = PREAMBLE + headerLength;
  const read = (name: string, shape: number[]): Float32Array => {
    const entry = byName.get(name);
    if (!entry) throw new CheckpointError('config', `checkpoint lacks tensor ${name}`);
    if (entry.dtype !== 'float32') throw new CheckpointError('corrupt', `checkpoint tensor ${name} has dtype ${entry.dtype}; only float32 is supported`);
    if (entry.shape.length !== shape.length || entry.shape.some((s, i) => s !== shape[i])) {
      throw new CheckpointError('config', `checkpoint tensor ${name} has shape [${entry.shape.join(', ')}], the config implies [${shape.join(', ')}]`);
    }
    const size = shape.reduce((a, b) => a * b, 1);
    if (entry.offset < 0 || entry.offset + size > values) throw new CheckpointError('corrupt', `checkpoint tensor ${name} lies outside the data section`);
    const start = dataStart + entry.offset * 4;
    if (LITTLE_ENDIAN) return new Float32Array(bytes.slice(start, start + size * 4).buffer);
    const out = new Float32Array(size);
    for (let i = 0, at = start; i < size; i++, at += 4) out[i] = view.getFloat32(at, true);
    return out;
  };
  const specs = paramSpecs(header.config);
  const params = new Map<string, Float32Array>();
  for (const spec of specs) params.set(spec.name, read(`param/${spec.name}`, spec.shape));
  let optimizer: CheckpointData['optimizer'] = null;
  if (header.optimizer) {
    const m = new Map<string, Float32Array>();
    const v = new Map<string, Float32Array>();
    for (const spec of specs) m.set(spec.name, read(`adam.m/${spec.name}`, spec.shape));
    for (const spec of specs) v.set(spec.name, read(`adam.v/${spec.name}`, spec.shape));
    // Checkpoints saved without an average (averageDecay 0, or before averages existed) have none.
    let average: Map<string, Float32Array> | null = null;
    if (byName.has(`average/${specs[0]!.name}`)) {
      average = new Map();
      for (const spec of specs) average.set(spec.name, read(`average/${spec.name}`, spec.shape));
    }
    optimizer = { step: header.optimizer.step, options: header.optimizer.options, m, v, average };
  }
  return { config: header.config, tokenizerVersion: header.tokenizerVersion, step: header.step, params, optimizer, metadata: header.metadata ?? null };
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

/** A new model (and optimiser, when the checkpoint has its state) holding the checkpoint's values. */
export function restoreCheckpoint(data: CheckpointData): { model: Model; optimizer: Optimizer | null } {
  const model = createModel(data.config, data.params);
  const optimizer = data.optimizer
    ? createOptimizer(model, data.optimizer.options, { step: data.optimizer.step, m: data.optimizer.m, v: data.optimizer.v, average: data.optimizer.average })
    : null;
  return { model, optimizer };
}
