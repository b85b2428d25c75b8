/** "Try it": the user's task, the model's latest answer to it, and the tab the page shows. */
import { create } from 'zustand';
import type { TryRequest, TryResult } from '../run/try-it';
import { runWorker } from './run-client';

export type Tab = 'watch' | 'buffers' | 'try' | 'settings' | 'runs' | 'python';
export type TryType = TryRequest['type'];

interface TryItState {
  tab: Tab;
  type: TryType;
  code: string;
  /** one argument list per line (deduction and abduction use the first) */
  inputs: string;
  message: string;
  result: TryResult | null;
  /** the task type the result answers (the form may have changed since) */
  resultType: TryType;
  asking: boolean;
  /** ask again after every training step */
  follow: boolean;
  setTab(tab: Tab): void;
  edit(change: Partial<Pick<TryItState, 'type' | 'code' | 'inputs' | 'message' | 'follow'>>): void;
  /** Puts a task from the buffers into the form, shows it and asks. */
  pick(type: TryType, code: string, inputs: string[], message?: string): void;
  ask(): Promise<void>;
}

function requestOf(s: Pick<TryItState, 'type' | 'code' | 'inputs' | 'message'>): TryRequest {
  const lines = s.inputs.split('\n').filter((line) => line.trim());
  return s.type === 'induction'
    ? { type: 'induction', code: s.code, inputs: lines, message: s.message }
    : { type: s.type, code: s.code, input: lines[0] ?? '' };
}

export const useTryIt = create<TryItState>((set, get) => ({
  tab: 'watch',
  type: 'deduction',
  code: 'def f(s):\n    return s[::-1]',
  inputs: "'abc'",
  message: '',
  result: null,
  resultType: 'deduction',
  asking: false,
  follow: false,
  setTab: (tab) => set({ tab }),
  edit: (change) => set({ ...change }),
  pick: (type, code, inputs, message = '') => {
    set({ type, code, inputs: inputs.join('\n'), message, result: null, tab: 'try' });
    void get().ask();
  },
  async ask() {
    if (get().asking) return;
    const request = requestOf(get());
    set({ asking: true });
    try {
      set({ result: await runWorker().tryIt(request), resultType: request.type });
    } catch (error) {
      set({ result: { ok: false, error: error instanceof Error ? error.message : String(error) } });
    } finally {
      set({ asking: false });
    }
  },
}));
