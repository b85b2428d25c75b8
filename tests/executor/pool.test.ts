/**
 * Scheduling logic of the pool with scripted fake workers (pure logic; the real workers are
 * covered by hostile.test.ts). A fake answers requests by their code: 'hang' never answers,
 * 'die' kills the worker, 'grow' reports a huge heap, 'slow' answers after 20 ms.
 */
import { describe, expect, it } from 'vitest';
import { ExecutorPool, type WorkerHandle } from '../../src/executor/pool';
import type { FromWorker, ToWorker } from '../../src/executor/protocol';
import type { ExecRequest } from '../../src/executor/types';

function fakeSpawner(startable = Infinity, loadDelays: number[] = []) {
  const spawned: { terminated: boolean }[] = [];
  const spawn = (): WorkerHandle => {
    const state = { terminated: false };
    const broken = spawned.length >= startable;
    spawned.push(state);
    const listeners: ((m: FromWorker) => void)[] = [];
    const deaths: ((reason: string) => void)[] = [];
    const emit = (m: FromWorker) => setTimeout(() => !state.terminated && listeners.forEach((l) => l(m)), 1);
    return {
      onMessage: (handler) => listeners.push(handler),
      onDeath: (handler) => deaths.push(handler),
      terminate: () => void (state.terminated = true),
      post: (message: ToWorker) => {
        if (message.type === 'init') {
          const m: FromWorker = broken
            ? { type: 'fatal', message: 'Python failed to start: gone' }
            : { type: 'ready', loadMs: 1, pythonVersion: '3.14.0', pyodideVersion: '314.0.7' };
          return setTimeout(() => emit(m), loadDelays[spawned.indexOf(state)] ?? 0);
        }
        message.requests.forEach((request, index) => {
          const code = 'code' in request ? request.code : '';
          if (code === 'hang') return; // never answers: the watchdog must act
          if (code === 'die') return setTimeout(() => deaths.forEach((d) => d('boom')), 2);
          if (code === 'slow')
            return setTimeout(
              () => emit({ type: 'result', batch: message.batch, index, heapBytes: 1, verdict: { ok: true, reason: 'ok', detail: code, ms: 0 } }),
              20,
            );
          const heapBytes = code === 'grow' ? 2 ** 31 : 1;
          emit({ type: 'result', batch: message.batch, index, heapBytes, verdict: { ok: true, reason: 'ok', detail: code, ms: 0 } });
        });
        if (!message.requests.some((r) => 'code' in r && (r.code === 'hang' || r.code === 'die'))) {
          const slow = message.requests.some((r) => 'code' in r && r.code === 'slow');
          setTimeout(() => emit({ type: 'done', batch: message.batch }), slow ? 25 : 0);
        }
      },
    };
  };
  return { spawn, spawned };
}

const req = (code: string): ExecRequest => ({ kind: 'validate', code, inputs: ['1'] });

describe('ExecutorPool scheduling', () => {
  it('replaces a worker that does not stop, tries its request once more on a fresh one, and finishes the rest of its batch elsewhere', async () => {
    const { spawn, spawned } = fakeSpawner();
    const pool = await ExecutorPool.create(spawn, { workers: 1, limits: { timeoutMs: 40, graceMs: 40 } });
    const verdicts = await pool.run([req('a'), req('hang'), req('b'), req('c')]);
    expect(verdicts.map((v) => v.reason)).toEqual(['ok', 'timeout', 'ok', 'ok']);
    expect(verdicts.map((v) => v.detail).filter((d) => d.length === 1)).toEqual(['a', 'b', 'c']);
    expect(pool.stats).toMatchObject({ interrupts: 2, replacements: 2, retried: 1 });
    expect(spawned[0]!.terminated && spawned[1]!.terminated).toBe(true);
    pool.close();
  });

  it("reports Python's version and Pyodide's apart", async () => {
    const pool = await ExecutorPool.create(fakeSpawner().spawn, { workers: 1 });
    expect(pool.stats).toMatchObject({ pythonVersion: '3.14.0', pyodideVersion: '314.0.7' });
    pool.close();
  });

  it('gives a crash verdict to a request that killed two workers, and runs the others', async () => {
    const { spawn } = fakeSpawner();
    const pool = await ExecutorPool.create(spawn, { workers: 1 });
    const verdicts = await pool.run([req('die'), req('x')]);
    expect(verdicts.map((v) => v.reason)).toEqual(['crash', 'ok']);
    expect(verdicts[0]!.detail).toContain('boom');
    expect(pool.stats).toMatchObject({ replacements: 2, retried: 1 });
    pool.close();
  });

  it('runs a request again, to its real verdict, when its worker was killed from outside without a word', async () => {
    const { spawn } = fakeSpawner();
    const pool = await ExecutorPool.create(spawn, { workers: 1, limits: { timeoutMs: 40, graceMs: 40 } });
    const running = pool.run([req('slow'), req('y')]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(pool.killBusyWorkerForTest()).toBe(true);
    const verdicts = await running;
    expect(verdicts.map((v) => [v.reason, v.detail])).toEqual([
      ['ok', 'slow'],
      ['ok', 'y'],
    ]);
    expect(pool.stats).toMatchObject({ replacements: 1, retried: 1 });
    pool.close();
  });

  it('retires a worker whose memory grew past the cap once its batch is done', async () => {
    const { spawn, spawned } = fakeSpawner();
    const pool = await ExecutorPool.create(spawn, { workers: 1, limits: { maxHeapBytes: 2 ** 30 } });
    expect((await pool.run([req('grow')]))[0]!.ok).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(spawned[0]!.terminated).toBe(true);
    expect((await pool.run([req('after')]))[0]!.detail).toBe('after');
    pool.close();
  });

  it('fails to start with a clear error when Python cannot load', async () => {
    const spawn = (): WorkerHandle => ({
      onMessage: (handler) => setTimeout(() => handler({ type: 'fatal', message: 'Python failed to start: no wasm' }), 1),
      onDeath: () => {},
      post: () => {},
      terminate: () => {},
    });
    await expect(ExecutorPool.create(spawn, { workers: 1 })).rejects.toThrow('no wasm');
  });

  it('stops respawning when replacements cannot start, and says so in every verdict', async () => {
    const { spawn, spawned } = fakeSpawner(1);
    const pool = await ExecutorPool.create(spawn, { workers: 1, spare: false });
    const verdicts = await pool.run([req('die'), req('x'), req('y')]);
    expect(verdicts.map((v) => v.reason)).toEqual(['crash', 'crash', 'crash']);
    expect(verdicts[1]!.detail).toContain('fail to start: Python failed to start: gone');
    expect(spawned.length).toBeLessThanOrEqual(5);
    expect((await pool.run([req('z')]))[0]!.reason).toBe('crash');
    pool.close();
  });

  it('with readyWhenFirstLoads, starts once one worker has loaded, then loads the others, then the spare', async () => {
    const { spawn, spawned } = fakeSpawner(Infinity, [1, 300]);
    const started = Date.now();
    const pool = await ExecutorPool.create(spawn, { workers: 2, readyWhenFirstLoads: true });
    expect(Date.now() - started).toBeLessThan(250);
    expect(pool.workerCount).toBe(2);
    expect(spawned.length).toBe(2); // the second started after the first loaded; no spare yet
    expect((await pool.run([req('a'), req('b')])).map((v) => v.detail)).toEqual(['a', 'b']);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(spawned.length).toBe(3);
    pool.close();
  });

  it('with readyWhenFirstLoads, replaces a later worker that fails to load', async () => {
    const { spawn, spawned } = fakeSpawner();
    let calls = 0;
    const flaky = (): WorkerHandle => {
      const handle = spawn();
      if (calls++ !== 1) return handle;
      return { ...handle, onMessage: (handler) => handle.onMessage((m) => handler(m.type === 'ready' ? { type: 'fatal', message: 'load failed' } : m)) };
    };
    const pool = await ExecutorPool.create(flaky, { workers: 2, readyWhenFirstLoads: true, spare: false });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(spawned.length).toBe(3);
    expect(spawned[1]!.terminated).toBe(true);
    expect((await pool.run([req('a'), req('b')])).map((v) => v.detail)).toEqual(['a', 'b']);
    pool.close();
  });
});
