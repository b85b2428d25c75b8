/**
 * The page's handle on the trainer worker: every call is a message, nothing blocks the page. The
 * worker is watched: one that reports an error, or leaves a sign-of-life request unanswered for
 * DEAD_MS, is taken for dead and terminated, and the page is told so (it then starts another,
 * which resumes the run from its last save: run-store.ts).
 */
import * as Comlink from 'comlink';
import type { RunController } from '../run/run-controller';

/** How often the page asks the worker for a sign of life. */
const PING_MS = 5_000;
/**
 * A request this old without an answer means the worker is gone. Longer than the longest stretch
 * the worker works without yielding (a training micro-batch of the largest preset takes seconds).
 */
const DEAD_MS = 45_000;

let worker: Worker | null = null;
let remote: Comlink.Remote<RunController> | null = null;
let watchdog: ReturnType<typeof setInterval> | null = null;
const deathHandlers: ((message: string) => void)[] = [];

export function runWorker(): Comlink.Remote<RunController> {
  if (!remote) {
    const started = new Worker(new URL('../../workers/run.worker.ts', import.meta.url), { type: 'module', name: 'trainer' });
    // A worker that dies (out of memory, a failed chunk load) answers no call again: say so.
    started.addEventListener('error', (event) => died(started, event.message || 'the trainer worker stopped'));
    worker = started;
    remote = Comlink.wrap<RunController>(started);
    watch(started, remote);
  }
  return remote;
}

function watch(watched: Worker, calls: Comlink.Remote<RunController>): void {
  let waitingSince: number | null = null;
  watchdog = setInterval(() => {
    if (waitingSince !== null) {
      if (performance.now() - waitingSince > DEAD_MS) died(watched, `the trainer worker stopped answering for ${Math.round(DEAD_MS / 1000)} s`);
      return;
    }
    waitingSince = performance.now();
    calls.ping().then(
      () => (waitingSince = null),
      () => {},
    );
  }, PING_MS);
}

function died(which: Worker, message: string): void {
  if (which !== worker) return; // already replaced
  which.terminate();
  if (watchdog) clearInterval(watchdog);
  watchdog = null;
  worker = null;
  remote = null;
  for (const handler of deathHandlers) handler(message);
}

/** Called when the trainer worker dies; the next runWorker() starts a new one. */
export function onWorkerDeath(handler: (message: string) => void): void {
  deathHandlers.push(handler);
}

/** Tests only: kills the trainer worker as a crash would, without a word; the watchdog has to notice. */
export function killTrainerForTest(): void {
  worker?.terminate();
}
