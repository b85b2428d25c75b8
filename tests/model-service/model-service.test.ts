/**
 * The model service end to end in Node: a random-init tiny model writes proposals under the
 * grammar, the real executor validates them, and checkpoints round-trip through the service.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureProposalValidity } from '../../src/bench/proposal-validity';
import { createNodeExecutor } from '../../src/executor/node-executor';
import type { ExecutorPool } from '../../src/executor/pool';
import { nodeWasmPaths } from '../../src/model/backend-node';
import { ModelService } from '../../src/model-service/model-service';

let service: ModelService;
let executor: ExecutorPool;

beforeAll(async () => {
  service = new ModelService();
  await service.init({ preset: 'tiny', seed: 7, wasmPaths: nodeWasmPaths(), candidates: ['wasm', 'cpu'] });
  executor = await createNodeExecutor({ workers: 2 });
}, 120_000);
afterAll(() => {
  executor?.close();
  service?.dispose();
});

describe('a random model under the grammar', () => {
  it('writes proposals that mostly pass full validation (at least 60%)', async () => {
    const report = await measureProposalValidity(service, executor, { proposals: 48, batch: 24 });
    expect(report.parsed).toBe(48);
    expect(report.validRate).toBeGreaterThanOrEqual(0.6);
  }, 120_000);

  it('writes almost nothing valid without it, which is why the grammar is there', async () => {
    const report = await measureProposalValidity(service, executor, { proposals: 24, batch: 24, constrained: false, programTokens: 64, inputTokens: 16 });
    expect(report.validRate).toBeLessThan(0.1);
  }, 120_000);

  it('writes programs that define f and arguments that fit their signature', async () => {
    const [program] = await service.sample([{ kind: 'program', prompt: [service.tokenizer.id('<program>')], maxTokens: 80 }], { temperature: 1 });
    expect(program!.text).toMatch(/^def f\(/);
    expect(program!.tokens.length).toBeLessThanOrEqual(80);
    expect(program!.logProbs.every((p) => p <= 0 && Number.isFinite(p))).toBe(true);
  });
});

describe('checkpoints through the service', () => {
  it('save then load gives back the same state, byte for byte', async () => {
    const first = await service.save({ note: 'test' });
    const info = await service.load(first);
    expect(info.tokenizerVersion).toBe('tz-tok-2');
    const second = await service.save({ note: 'test' });
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
  });

  it('a corrupt checkpoint is refused with a clear error and changes nothing', async () => {
    const before = await service.save();
    const corrupt = before.slice();
    corrupt[corrupt.length - 10]! ^= 0xff;
    await expect(service.load(corrupt)).rejects.toThrow(/checksum|corrupt/i);
    await expect(service.load(before.slice(0, 100))).rejects.toThrow(/truncated|corrupt/i);
    expect(Buffer.from(await service.save()).equals(Buffer.from(before))).toBe(true);
  });
});
