/**
 * The Python sandbox panel's state. Programs run in the trainer worker's executor, the same one
 * that checks the model's tasks.
 */
import { create } from 'zustand';
import type { Verdict } from '../executor/types';
import { runWorker } from './run-client';

export interface ExecutorState {
  running: boolean;
  verdict: Verdict | null;
  error: string;
  check(code: string, input: string): Promise<void>;
}

export const useExecutor = create<ExecutorState>((set) => ({
  running: false,
  verdict: null,
  error: '',

  async check(code, input) {
    set({ running: true, verdict: null, error: '' });
    try {
      const [verdict] = await runWorker().runPython([{ kind: 'validate', code, inputs: [input] }]);
      set({ running: false, verdict: verdict ?? null });
    } catch (error) {
      set({ running: false, error: error instanceof Error ? error.message : String(error) });
    }
  },
}));
