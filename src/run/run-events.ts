/**
 * What the model worker tells the page: loading progress, the run it shows, each step's figures
 * and proposals, the live stage of the step, and the status of the controls. One message per
 * event, a handful per step: never per token.
 */
import type { CollapseWarning } from '../engine/collapse';
import type { FeedItem } from '../engine/feed';
import type { PerType, StepMetrics } from '../engine/metrics';
import type { StepPhase } from '../engine/self-play';
import type { RunMeta } from './run-record';

export type LoadPart = 'python' | 'model';

/**
 * loading: the runtimes are starting; idle: ready, waiting for a command; seeding: filling the
 * buffers before the first step; running: stepping until paused; pausing: finishing the current
 * step; stepping: one step; failed: cannot go on (see the error).
 */
export type RunStatus = 'loading' | 'idle' | 'seeding' | 'running' | 'pausing' | 'stepping' | 'failed';

export interface BackendReport {
  name: string;
  reason: string;
  parameters: number;
}

export type RunEvent =
  | { kind: 'load'; part: LoadPart; fraction: number; message: string }
  /** pythonVersion: the interpreter's (e.g. 3.14.0); pyodideVersion: the distribution's (e.g. 314.0.7) */
  | { kind: 'python-ready'; pythonVersion: string; pyodideVersion: string; workers: number }
  | { kind: 'backend'; backend: BackendReport }
  /** a run is shown: new, resumed after a reload, or opened from the saved runs */
  | {
      kind: 'run';
      meta: RunMeta;
      metrics: StepMetrics[];
      feed: FeedItem[];
      buffers: PerType<number>;
      seeded: boolean;
      notice: string;
      readOnly: boolean;
      collapse: CollapseWarning | null;
    }
  | { kind: 'status'; status: RunStatus }
  /** the run started training: the page drops this notice if it still shows it (the welcome) */
  | { kind: 'notice-expired'; notice: string }
  | { kind: 'phase'; phase: StepPhase | 'seed' }
  | { kind: 'seeding'; sizes: PerType<number>; target: number }
  | { kind: 'step'; metrics: StepMetrics; feed: FeedItem[]; collapse: CollapseWarning | null }
  | { kind: 'saved'; step: number; at: number }
  /** offer 'runs': the fix is under Runs (delete old runs to make room) */
  | { kind: 'error'; message: string; offer?: 'runs' };

export type RunListener = (event: RunEvent) => void;
