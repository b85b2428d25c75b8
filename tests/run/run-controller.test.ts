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
import { FOLLOW_MS, RunController, type RunStorage } from '../../src/run/run-controller';
import type { RunEvent } from '../../src/run/run-events';
import { processLocks, type RunLocks } from '../../src/run/run-locks';
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
  readSetting = async <T>(key: string) => (this.settings.get(key) as T | undefined) ?? null;
  writeSetting = async (key: string, value: unknown) => void this.settings.set(key, value);
  estimate = async () => null;
}

const pools: ExecutorPool[] = [];
const models: ModelService[] = [];
afterAll(() => {
  for (const pool of pools) pool.close();
  for (const model of models) model.dispose();
});

/** Each controller is its own browser unless `locks` is shared (two tabs of one browser). */
async function bootController(
  storage: MemoryStorage,
  request = { config: config as typeof config | null, runId: null as string | null },
  locks: RunLocks = processLocks(),
) {
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
    locks,
    modelInit: { wasmPaths: nodeWasmPaths(), candidates: ['wasm', 'cpu'], spawnHelper: spawnNodeModelHelper },
  });
  await controller.boot((event) => events.push(event), request);
  const run = events.find((e): e is Extract<RunEvent, { kind: 'run' }> => e.kind === 'run');
  if (!run) throw new Error(`boot failed: ${JSON.stringify(events.filter((e) => e.kind === 'error'))}`);
  return { controller, events, run };
}

const runEvents = (events: RunEvent[]) => events.filter((e): e is Extract<RunEvent, { kind: 'run' }> => e.kind === 'run');
const errors = (events: RunEvent[]) => events.filter((e): e is Extract<RunEvent, { kind: 'error' }> => e.kind === 'error');
const until = async (what: string, check: () => boolean, ms: number) => {
  for (const end = Date.now() + ms; !check(); await new Promise((r) => setTimeout(r, 100)))
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
};

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
    expect(first.events.filter((e) => e.kind === 'phase').map((e) => (e as { phase: string }).phase)).toEqual(
      expect.arrayContaining(['seed', 'propose', 'validate', 'solve', 'update']),
    );
    const stepEvents = first.events.filter((e): e is Extract<RunEvent, { kind: 'step' }> => e.kind === 'step');
    const feed = stepEvents.at(-1)!.feed;
    expect(feed.length).toBe(6);
    // The soak's figures: the steps' token positions and time, summed.
    const timings = stepEvents.map((e) => e.metrics.timing);
    expect((await first.controller.health()).work).toEqual({
      steps: 2,
      tokens: timings.reduce((sum, t) => sum + t.promptTokens + t.sampledTokens + t.trainedTokens, 0),
      ms: timings.reduce((sum, t) => sum + t.stepMs, 0),
    });
    expect(timings.every((t) => t.trainedTokens > 0)).toBe(true);

    // A speed probe asked for mid-run waits for the step under way, and the next step waits for the probe.
    first.controller.start();
    const probe = await first.controller.speedProbe();
    const probed = first.events.length;
    expect(probe.sampledTokens).toBe(16 * 128);
    const lastStep = first.events.slice(0, probed).findLastIndex((e) => e.kind === 'step');
    expect(lastStep).toBeGreaterThan(first.events.indexOf(stepEvents.at(-1)!));
    expect(first.events.slice(lastStep, probed).filter((e) => e.kind === 'phase')).toEqual([]);

    // Pause: it stops after a whole step, saved.
    await first.controller.pause();
    const reached = steps(first.events).at(-1)!;
    expect(reached).toBeGreaterThanOrEqual(3);
    const saved = storage.runs.get(first.run.meta.id)!;
    expect(saved.meta.step).toBe(reached);
    expect(saved.metrics.map((m) => m.step)).toEqual(steps(first.events));

    const answer = await first.controller.tryIt({ type: 'deduction', code: 'def f(s):\n    return s + s', input: "'ab'" });
    expect(answer).toMatchObject({ ok: true, pairs: [["'ab'", "'abab'"]], expected: "'abab'", step: reached });
    if (answer.ok) expect(answer.probability).toBeGreaterThan(0);
    expect(await first.controller.tryIt({ type: 'deduction', code: 'def f(x):\n    return open("x")', input: '1' })).toMatchObject({
      ok: false,
      error: expect.stringContaining('cannot be a task'),
    });
    const induction = await first.controller.tryIt({
      type: 'induction',
      code: 'def f(n):\n    return n * 2',
      inputs: ['1', '2', '3', '4'],
      message: 'double it',
    });
    expect(induction).toMatchObject({
      ok: true,
      shown: 2,
      pairs: [
        ['1', '2'],
        ['2', '4'],
        ['3', '6'],
        ['4', '8'],
      ],
      expected: 'def f(n):\n    return n * 2',
    });
    expect(await first.controller.tryIt({ type: 'induction', code: 'def f(n):\n    return n', inputs: ['1'], message: '' })).toMatchObject({
      ok: false,
      error: expect.stringContaining('at least two inputs'),
    });

    // A "reload": a new controller over the same storage resumes the run, buffers and all.
    const second = await bootController(storage, { config: null, runId: null });
    expect(second.run.meta.id).toBe(first.run.meta.id);
    expect(second.run.meta.step).toBe(reached);
    expect(second.run.metrics).toHaveLength(reached);
    expect(second.run.buffers).toEqual(
      saved.state.buffers && {
        deduction: saved.state.buffers.deduction.length,
        abduction: saved.state.buffers.abduction.length,
        induction: saved.state.buffers.induction.length,
      },
    );
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

  it('says so, and starts a new run, when the saved run cannot be read or loaded, or the link names none', async () => {
    const storage = new MemoryStorage();
    const first = await bootController(storage);
    const id = first.run.meta.id;
    const noticeOf = (events: RunEvent[]) => (events.find((e) => e.kind === 'run') as Extract<RunEvent, { kind: 'run' }>).notice;

    // A link to a run this browser does not have.
    const missing = await bootController(storage, { config: null, runId: 'run-nope' });
    expect(noticeOf(missing.events)).toMatch(/There is no saved run run-nope/);
    expect(missing.run.meta.id).not.toBe(id);

    // A damaged checkpoint in the autosave: refused whole, a new run with its settings, the copy kept.
    const good = storage.runs.get(id)!;
    const damaged = good.checkpoint.slice();
    damaged[damaged.length - 10] = damaged[damaged.length - 10]! ^ 0xff;
    storage.runs.set(id, { ...good, checkpoint: damaged });
    const broken = await bootController(storage, { config: null, runId: id });
    expect(noticeOf(broken.events)).toContain(`The saved run "${good.meta.name}" could not be loaded (`);
    expect(noticeOf(broken.events)).toMatch(/checksum|corrupt/i);
    expect(noticeOf(broken.events)).toContain('so a new run with its settings was started; the saved copy is left as it was.');
    expect(broken.run.meta.id).not.toBe(id);
    expect(broken.run.meta.config).toEqual(good.meta.config);
    expect(storage.runs.get(id)!.checkpoint).toEqual(damaged);

    // A record that cannot be read at all.
    storage.readRun = async (runId: string) => {
      if (runId === id) throw new Error('stored record is not a run');
      return structuredClone(storage.runs.get(runId) ?? null);
    };
    const unreadable = await bootController(storage, { config: null, runId: id });
    expect(noticeOf(unreadable.events)).toContain(`The saved run ${id} could not be read (stored record is not a run), so a new run was started`);
    expect(storage.runs.has(id)).toBe(true);
  }, 300_000);

  it('drops the first visit\'s "press Start" notice once the run trains, and keeps a notice that explains something', async () => {
    const storage = new MemoryStorage();
    const welcomed = await bootController(storage, { config: null, runId: null });
    expect(welcomed.run.notice).toMatch(/^A new run with the default settings .*press Start to watch it play\.$/);
    expect(welcomed.events.some((e) => e.kind === 'notice-expired')).toBe(false);
    await welcomed.controller.step();
    const kinds = welcomed.events.map((e) => (e.kind === 'status' ? e.status : e.kind));
    expect(welcomed.events.filter((e) => e.kind === 'notice-expired')).toEqual([{ kind: 'notice-expired', notice: welcomed.run.notice }]);
    expect(kinds.indexOf('notice-expired')).toBe(kinds.indexOf('seeding') + 1);

    const missing = await bootController(storage, { config: null, runId: 'run-nope' });
    expect(missing.run.notice).toMatch(/There is no saved run run-nope/);
    await missing.controller.step();
    expect(steps(missing.events)).toEqual([1]);
    expect(missing.events.some((e) => e.kind === 'notice-expired')).toBe(false);
  }, 600_000);

  it('two tabs of one run: one trains and saves, the other is read-only, follows its saves, copies it, and takes over when it lets go', async () => {
    const storage = new MemoryStorage();
    const locks = processLocks();
    const writer = await bootController(storage, undefined, locks);
    const id = writer.run.meta.id;
    expect(writer.run.readOnly).toBe(false);
    await writer.controller.step();

    const reader = await bootController(storage, { config: null, runId: id }, locks);
    expect(reader.run.readOnly).toBe(true);
    expect(reader.run.notice).toMatch(/open in another tab, which trains and saves it, so here it is read-only/);
    expect(reader.run.meta.step).toBe(1);
    // It neither steps nor saves, and cannot delete what the other tab has open.
    await reader.controller.step();
    expect(steps(reader.events)).toEqual([]);
    expect(errors(reader.events).at(-1)!.message).toMatch(/read-only: train a copy or start a new run/);
    await reader.controller.save();
    expect(storage.runs.get(id)!.meta.step).toBe(1);

    // The writer's next save reaches the reader.
    await writer.controller.step();
    await until('the reader to show step 2', () => runEvents(reader.events).at(-1)!.meta.step === 2, FOLLOW_MS * 3);
    expect(runEvents(reader.events).at(-1)!.readOnly).toBe(true);

    // A third tab copies it and trains the copy; the original is untouched.
    const third = await bootController(storage, { config: null, runId: id }, locks);
    await third.controller.copyRun();
    const copy = runEvents(third.events).at(-1)!;
    expect(copy).toMatchObject({ readOnly: false, notice: expect.stringContaining('a copy of') });
    expect(copy.meta.id).not.toBe(id);
    expect(copy.meta.step).toBe(2);
    await third.controller.step();
    expect(storage.runs.get(copy.meta.id)!.meta.step).toBe(3);
    expect(storage.runs.get(id)!.meta.step).toBe(2);
    await expect(third.controller.deleteRun(id)).rejects.toThrow(/open in another tab/);

    // The writer moves to a new run: the reader takes over the old one from its last save.
    await writer.controller.reset();
    await until('the reader to take over', () => runEvents(reader.events).at(-1)!.readOnly === false, 10_000);
    expect(runEvents(reader.events).at(-1)!.notice).toMatch(/let go of this run, so this tab trains it now, from its last save \(step 2\)/);
    await reader.controller.step();
    expect(storage.runs.get(id)!.meta.step).toBe(3);
  }, 600_000);

  it('a save refused for lack of space says so, offers Runs, and keeps the last good save', async () => {
    const storage = new MemoryStorage();
    const { controller, events, run } = await bootController(storage);
    await controller.step();
    const good = structuredClone(storage.runs.get(run.meta.id)!);
    expect(good.meta.bytes).toBeGreaterThan(good.checkpoint.byteLength);
    storage.writeRun = async () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
    await controller.step();
    expect(errors(events).at(-1)).toEqual({
      kind: 'error',
      offer: 'runs',
      message:
        "The browser's storage for this page is full, so step 2 was not saved; the last good save (step 1) is kept whole. Delete old runs under Runs to make room (the run goes on).",
    });
    expect(storage.runs.get(run.meta.id)).toEqual(good);
    await controller.step();
    expect(steps(events)).toEqual([1, 2, 3]);
  }, 300_000);
});
