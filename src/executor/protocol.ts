import type { ExecRequest, ExecutorLimits, LoadProgress, Verdict } from './types';

/**
 * Messages between an executor pool and one Python worker. Control calls use plain
 * postMessage rather than comlink: the worker's loop is synchronous while it runs a batch,
 * so results must stream out as it goes, and the pool must be able to kill it mid-batch.
 */
export type ToWorker =
  | {
      type: 'init';
      /** Pyodide's interrupt buffer (Int32Array over a SharedArrayBuffer). */
      interrupt: SharedArrayBuffer;
      /** [0]: sequence number of the request now running; [1]: the one the pool interrupted. */
      control: SharedArrayBuffer;
      limits: ExecutorLimits;
    }
  | { type: 'run'; batch: number; requests: ExecRequest[] };

export type FromWorker =
  | { type: 'progress'; progress: LoadProgress }
  /** pythonVersion: the interpreter's (sys.version_info, e.g. 3.14.0); pyodideVersion: its distribution's (e.g. 314.0.7) */
  | { type: 'ready'; loadMs: number; pythonVersion: string; pyodideVersion: string }
  | { type: 'result'; batch: number; index: number; verdict: Verdict; heapBytes: number }
  | { type: 'done'; batch: number }
  | { type: 'fatal'; message: string };

export const CONTROL_RUNNING = 0;
export const CONTROL_INTERRUPTED = 1;
/** Pyodide raises KeyboardInterrupt when the interrupt buffer holds SIGINT (2). */
export const SIGINT = 2;
