import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CheckpointData,
  CheckpointError,
  crc32,
  decodeCheckpoint,
  encodeCheckpoint,
  restoreCheckpoint,
  snapshotCheckpoint,
} from '../../src/model/checkpoint';
import { readCheckpointFile, writeCheckpointFile } from '../../src/model/checkpoint-file';
import { createOptimizer, disposeOptimizer, type Optimizer } from '../../src/model/optimizer';
import { type TrainBatch, trainStep } from '../../src/model/train';
import { createModel, disposeModel, type Model } from '../../src/model/transformer';
import { microConfig, tokens, useBackend } from './helpers';

const TOKENIZER = 'tz-tok-1';

function batch(vocab: number, seed: number): TrainBatch {
  const seqs = [tokens(10, vocab, seed), tokens(7, vocab, seed + 1)];
  return { tokens: seqs, promptLengths: [4, 3], advantages: [1, -1], oldLogProbs: seqs.map((s, i) => new Array(s.length - [4, 3][i]!).fill(-3)) };
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function expectSameState(a: CheckpointData, b: CheckpointData): void {
  for (const [name, values] of a.params) expect(sameBits(values, b.params.get(name)!), name).toBe(true);
  expect(b.optimizer!.step).toBe(a.optimizer!.step);
  for (const [name, values] of a.optimizer!.m) expect(sameBits(values, b.optimizer!.m.get(name)!), `m ${name}`).toBe(true);
  for (const [name, values] of a.optimizer!.v) expect(sameBits(values, b.optimizer!.v.get(name)!), `v ${name}`).toBe(true);
}

/** Rebuilds a blob with an edited header and a valid checksum (the format is documented). */
function withHeader(bytes: Uint8Array, edit: (header: Record<string, unknown>) => void): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const headerLength = view.getUint32(12, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + headerLength)));
  edit(header);
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = new Uint8Array(Math.ceil(json.length / 4) * 4).fill(0x20);
  padded.set(json);
  json = padded;
  const data = bytes.subarray(16 + headerLength, bytes.length - 4);
  const out = new Uint8Array(16 + json.length + data.length + 4);
  out.set(bytes.subarray(0, 16));
  new DataView(out.buffer).setUint32(12, json.length, true);
  out.set(json, 16);
  out.set(data, 16 + json.length);
  new DataView(out.buffer).setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

describe('checkpoints', () => {
  let model: Model;
  let optimizer: Optimizer;
  let bytes: Uint8Array;
  let original: CheckpointData;
  beforeAll(async () => {
    await useBackend('cpu');
    model = createModel(microConfig());
    optimizer = createOptimizer(model, { learningRate: 1e-2 });
    for (let s = 0; s < 3; s++) await trainStep(model, optimizer, batch(20, s), { clipEpsilon: 0.2, entropyCoef: 0.01 });
    original = await snapshotCheckpoint(model, optimizer, { tokenizerVersion: TOKENIZER, step: 3, metadata: { run: 'test', rng: [1, 2, 3, 4] } });
    bytes = encodeCheckpoint(original);
  });
  afterAll(() => {
    disposeOptimizer(optimizer);
    disposeModel(model);
  });

  it('round-trips weights and optimiser state bit-exactly, and training continues identically', async () => {
    const decoded = decodeCheckpoint(bytes, { tokenizerVersion: TOKENIZER, config: { dModel: 16 } });
    expect(decoded.step).toBe(3);
    expect(decoded.metadata).toEqual({ run: 'test', rng: [1, 2, 3, 4] });
    expect(decoded.config).toEqual(model.config);
    expectSameState(original, decoded);

    const restored = restoreCheckpoint(decoded);
    expectSameState(original, await snapshotCheckpoint(restored.model, restored.optimizer, { tokenizerVersion: TOKENIZER, step: 3 }));
    const next = batch(20, 9);
    const a = await trainStep(model, optimizer, next, { clipEpsilon: 0.2, entropyCoef: 0.01 });
    const b = await trainStep(restored.model, restored.optimizer!, next, { clipEpsilon: 0.2, entropyCoef: 0.01 });
    expect(b).toEqual(a);
    expectSameState(
      await snapshotCheckpoint(model, optimizer, { tokenizerVersion: TOKENIZER, step: 4 }),
      await snapshotCheckpoint(restored.model, restored.optimizer, { tokenizerVersion: TOKENIZER, step: 4 }),
    );
    disposeOptimizer(restored.optimizer!);
    disposeModel(restored.model);
  });

  it('gives clear errors for corrupt files', () => {
    const expected = { tokenizerVersion: TOKENIZER };
    const fail = (b: Uint8Array, kind: string, message: RegExp) => {
      let error: unknown;
      try {
        decodeCheckpoint(b, expected);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CheckpointError);
      expect((error as CheckpointError).kind).toBe(kind);
      expect((error as Error).message).toMatch(message);
    };
    const flipped = bytes.slice();
    flipped[bytes.length - 100]! ^= 0x10;
    fail(flipped, 'checksum', /checksum mismatch.*corrupt/);
    fail(bytes.slice(0, bytes.length - 10), 'truncated', /truncated/);
    fail(bytes.slice(0, 10), 'truncated', /truncated/);
    const magic = bytes.slice();
    magic[0] = 0x50;
    fail(magic, 'bad-magic', /not a Tabula Zero checkpoint/);
    fail(new TextEncoder().encode('{"hello": "world"} and some more text'), 'bad-magic', /bad magic/);
    const version = bytes.slice();
    new DataView(version.buffer).setUint32(8, 99, true);
    fail(version, 'version', /format version 99 is not supported/);
    const header = bytes.slice();
    header[20] = 0xff;
    fail(header, 'checksum', /header is unreadable.*corrupt/);
  });

  it('refuses a checkpoint from another tokenizer or another model shape, naming what differs', () => {
    expect(() => decodeCheckpoint(bytes, { tokenizerVersion: 'tz-tok-2' })).toThrow(/tokenizer version "tz-tok-1".*"tz-tok-2"/);
    expect(() => decodeCheckpoint(bytes, { tokenizerVersion: TOKENIZER, config: { dModel: 32 } })).toThrow(/dModel is 16 in the checkpoint, expected 32/);
    const deeper = withHeader(bytes, (h) => {
      (h.config as Record<string, number>).nLayers = 3;
    });
    expect(() => decodeCheckpoint(deeper, { tokenizerVersion: TOKENIZER })).toThrow(/lacks tensor param\/h2\.norm1/);
    const wider = withHeader(bytes, (h) => {
      (h.config as Record<string, number>).vocabSize = 21;
    });
    expect(() => decodeCheckpoint(wider, { tokenizerVersion: TOKENIZER })).toThrow(/param\/wte has shape \[20, 16\], the config implies \[21, 16\]/);
    const invalid = withHeader(bytes, (h) => {
      (h.config as Record<string, number>).nHeads = 3;
    });
    expect(() => decodeCheckpoint(invalid, { tokenizerVersion: TOKENIZER })).toThrow(/invalid model config.*nHeads/);
  });

  it('saves atomically to a file and loads it back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tz-ckpt-'));
    try {
      const path = join(dir, 'run.tzckpt');
      await writeCheckpointFile(path, bytes);
      await writeCheckpointFile(path, bytes); // overwrite in place
      expect(await readdir(dir)).toEqual(['run.tzckpt']);
      expectSameState(original, await readCheckpointFile(path, { tokenizerVersion: TOKENIZER }));
      await expect(readCheckpointFile(path, { tokenizerVersion: 'other' })).rejects.toThrow(CheckpointError);
      await expect(writeCheckpointFile(join(dir, 'missing', 'x.tzckpt'), bytes)).rejects.toThrow();
      expect(await readdir(dir)).toEqual(['run.tzckpt']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
