/** "Try it": the user's task, the model's latest answer to it, and the tab the page shows. */
import { create } from 'zustand';
import type { TryResult } from '../run/try-it';
import { runWorker } from './run-client';

export type Tab = 'watch' | 'buffers' | 'try' | 'settings' | 'runs' | 'python';

interface TryItState {
  tab: Tab;
  type: 'deduction' | 'abduction';
  code: string;
  input: string;
  result: TryResult | null;
  asking: boolean;
  /** ask again after every training step */
  follow: boolean;
  setTab(tab: Tab): void;
  edit(change: Partial<Pick<TryItState, 'type' | 'code' | 'input' | 'follow'>>): void;
  /** Puts a task from the buffers into the form and shows it. */
  pick(type: 'deduction' | 'abduction', code: string, input: string): void;
  ask(): Promise<void>;
}

export const useTryIt = create<TryItState>((set, get) => ({
  tab: 'watch',
  type: 'deduction',
  code: 'def f(s):\n    return s[::-1]',
  input: "'abc'",
  result: null,
  asking: false,
  follow: false,
  setTab: (tab) => set({ tab }),
  edit: (change) => set({ ...change }),
  pick: (type, code, input) => {
    set({ type, code, input, result: null, tab: 'try' });
    void get().ask();
  },
  async ask() {
    if (get().asking) return;
    const { type, code, input } = get();
    set({ asking: true });
    try {
      set({ result: await runWorker().tryIt({ type, code, input }) });
    } catch (error) {
      set({ result: { ok: false, error: error instanceof Error ? error.message : String(error) } });
    } finally {
      set({ asking: false });
    }
  },
}));
