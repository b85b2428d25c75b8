/**
 * The trainer worker's controller in Node, with the real model and executor; only the storage is
 * an in-memory stand-in for IndexedDB (the e2e tests use the real one). Covers what the page's
 * buttons rely on: resume, single steps, pause, reset, import that refuses damage, Try it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { applySettings, defaultConfig } from '../../src/engine/config';
import { createNodeExecutor } from '../../src/executor/node-executor';
import type { ExecutorPool } from '../../src/executor/pool';
import { nodeWasmPaths } from '../../src/model/backend-node';
import { ModelService } from '../../src/model-service/model-service';
import { spawnNodeModelHelper } from '../../src/model-service/node-model-helper';
import { RunController, type RunStorage } from '../../src/run/run-controller';
import type { RunEvent } from '../../src/run/run-events';
import type { RunMeta, RunRecord } from '../../src/run/run-record';

const config = applySettings(defaultConfig('tiny'), ['seed=4', 'batchSize=2', 'learnabilitySamples=2', 'seedBufferSize=2', 'evalEvery=0']);

class MemoryStorage implements RunStorage {
  runs = new Map<string, RunRecord>();
  settings = new Map<string, unknown>();
  listRuns = async () => [...this.runs.values()].map((r) => r.meta).sort((a, b) => b.updated - a.updated);
  readRun = async (id: string) => structuredClone(this.runs.get(id) ?? null);
  readRunMetrics = async (id: string) => this.runs.get(id)?.metrics ?? null;
  writeRun = async (record: RunRecord) => void this.runs.set(record.meta.id, structuredClone(record));
  deleteRun = async (id: string) => void this.runs.delete(id);
  readSetting = async <T,>(key: string) => (this.settings.get(key) as T | undefined) ?? null;
  writeSetting = async (key: string, value: unknown) => void this.settings.set(key, value);
}

const pools: ExecutorPool[] = [];
const models: ModelService[] = [];
afterAll(() => {
  for (const pool of pools) pool.close();
  for (const model of models) model.dispose();
});

async function bootController(storage: MemoryStorage, request = { config: config as typeof config | null, runId: null as string | null }) {
  const events: RunEvent[] = [];
  const model = new ModelService();
  models.push(model);
  const controller = new RunController({
    model,
    startExecutor: async (options) => {
      const pool = await createNodeExecutor({ ...options, workers: 1, spare: false });
      pools.push(pool);
      return pool;
    },
    heldout: [],
    storage,
    modelInit: { wasmPaths: nodeWasmPaths(), candidates: ['wasm', 'cpu'], spawnHelper: spawnNodeModelHelper },
  });
  await controller.boot((event) => events.push(event), request);
  const run = events.find((e): e is Extract<RunEvent, { kind: 'run' }> => e.kind === 'run');
  if (!run) throw new Error(`boot failed: ${JSON.stringify(events.filter((e) => e.kind === 'error'))}`);
  return { controller, events, run };
}

const steps = (events: RunEvent[]) => events.filter((e): e is Extract<RunEvent, { kind: 'step' }> => e.kind === 'step').map((e) => e.metrics.step);

describe('the run controller', () => {
  it('steps, pauses, saves, resumes after a "reload", resets to a new run, and answers Try it', async () => {
    const storage = new MemoryStorage();
    const first = await bootController(storage);
    expect(first.run.meta.step).toBe(0);
    expect(first.events.some((e) => e.kind === 'backend')).toBe(true);
    expect(storage.settings.get('backend')).toMatchObject({ name: expect.stringMatching(/wasm|cpu/) });

    await first.controller.step();
    await first.controller.step();
    expect(steps(first.events)).toEqual([1, 2]);
    expect(first.events.filter((e) => e.kind === 'phase').map((e) => (e as { phase: string }).phase)).toEqual(expect.arrayContaining(['seed', 'propose', 'validate', 'solve', 'update']));
    const feed = first.events.filter((e): e is Extract<RunEvent, { kind: 'step' }> => e.kind === 'step').at(-1)!.feed;
    expect(feed.length).toBe(6);

    // Start, then pause: it stops after a whole step, saved.
    first.controller.start();
    await first.controller.pause();
    const reached = steps(first.events).at(-1)!;
    expect(reached).toBeGreaterThanOrEqual(3);
    const saved = storage.runs.get(first.run.meta.id)!;
    expect(saved.meta.step).toBe(reached);
    expect(saved.metrics.map((m) => m.step)).toEqual(steps(first.events));

    const answer = await first.controller.tryIt({ type: 'deduction', code: 'def f(s):\n    return s + s', input: "'ab'" });
    expect(answer).toMatchObject({ ok: true, pairs: [["'ab'", "'abab'"]], expected: "'abab'", step: reached });
    if (answer.ok) expect(answer.probability).toBeGreaterThan(0);
    expect(await first.controller.tryIt({ type: 'deduction', code: 'def f(x):\n    return open("x")', input: '1' })).toMatchObject({ ok: false, error: expect.stringContaining('cannot be a task') });
    const induction = await first.controller.tryIt({ type: 'induction', code: 'def f(n):\n    return n * 2', inputs: ['1', '2', '3', '4'], message: 'double it' });
    expect(induction).toMatchObject({ ok: true, shown: 2, pairs: [['1', '2'], ['2', '4'], ['3', '6'], ['4', '8']], expected: 'def f(n):\n    return n * 2' });
    expect(await first.controller.tryIt({ type: 'induction', code: 'def f(n):\n    return n', inputs: ['1'], message: '' })).toMatchObject({ ok: false, error: expect.stringContaining('at least two inputs') });

    // A "reload": a new controller over the same storage resumes the run, buffers and all.
    const second = await bootController(storage, { config: null, runId: null });
    expect(second.run.meta.id).toBe(first.run.meta.id);
    expect(second.run.meta.step).toBe(reached);
    expect(second.run.metrics).toHaveLength(reached);
    expect(second.run.buffers).toEqual(saved.state.buffers && {
      deduction: saved.state.buffers.deduction.length, abduction: saved.state.buffers.abduction.length, induction: saved.state.buffers.induction.length,
    });
    expect(second.events.find((e) => e.kind === 'backend')).toMatchObject({ backend: { reason: expect.stringContaining('Measured on') } });
    await second.controller.step();
    expect(steps(second.events)).toEqual([reached + 1]);

    await second.controller.reset();
    const runs = await second.controller.listRuns();
    expect(runs).toHaveLength(2);
    expect(runs[0]!.step).toBe(0);
    expect(new Set(runs.map((r: RunMeta) => r.name)).size).toBe(2);

    // Import: a damaged file changes nothing; a good one is added under a new id.
    const exported = await second.controller.exportRun(first.run.meta.id);
    const damaged = exported.bytes.slice();
    damaged[100] = damaged[100]! ^ 0xff;
    await expect(second.controller.importRun(damaged)).rejects.toThrow(/damaged/);
    expect(await second.controller.listRuns()).toHaveLength(2);
    const imported = await second.controller.importRun(exported.bytes);
    expect(imported.id).not.toBe(first.run.meta.id);
    expect(imported.name).toMatch(/\(imported\)$/);
    expect((await second.controller.overlayMetrics(imported.id)).metrics).toEqual(storage.runs.get(first.run.meta.id)!.metrics);
    await expect(second.controller.deleteRun(runs[0]!.id)).rejects.toThrow(/open/);
  }, 600_000);
});
