/**
 * The page's view of the Python executor. The pool lives outside React; components subscribe
 * to this store and call its actions.
 */
import { create } from 'zustand';
import { createBrowserExecutor } from '../executor/browser-executor';
import type { ExecutorPool } from '../executor/pool';
import type { LoadProgress, Verdict } from '../executor/types';

export interface ExecutorState {
  status: 'idle' | 'loading' | 'ready' | 'failed';
  progress: LoadProgress;
  error: string;
  pythonVersion: string;
  workers: number;
  running: boolean;
  verdict: Verdict | null;
  start(): Promise<void>;
  check(code: string, input: string): Promise<void>;
}

let pool: ExecutorPool | null = null;

export const useExecutor = create<ExecutorState>((set, get) => ({
  status: 'idle',
  progress: { stage: 'download', fraction: 0, message: 'Waiting to start' },
  error: '',
  pythonVersion: '',
  workers: 0,
  running: false,
  verdict: null,

  async start() {
    if (get().status === 'loading' || get().status === 'ready') return;
    set({ status: 'loading', error: '' });
    try {
      pool = await createBrowserExecutor({ onProgress: (progress) => set({ progress }) });
      set({ status: 'ready', pythonVersion: pool.stats.pythonVersion, workers: pool.workerCount });
    } catch (error) {
      set({ status: 'failed', error: error instanceof Error ? error.message : String(error) });
    }
  },

  async check(code, input) {
    if (!pool) return;
    set({ running: true, verdict: null });
    const verdict = await pool.check({ kind: 'validate', code, inputs: [input] });
    set({ running: false, verdict });
  },
}));
