/**
 * Class mode: plain language for a classroom. One simple line per loop stage, an example from
 * each step, only the charts a class needs, and no optimiser or backend jargon. Remembered in
 * this browser (localStorage), so a teacher sets it once.
 */
import { create } from 'zustand';

const KEY = 'tabula:class-mode';

function remembered(): boolean {
  try {
    return globalThis.localStorage?.getItem(KEY) === 'on';
  } catch {
    return false; // storage blocked (a privacy setting): the toggle still works for this visit
  }
}

interface ClassModeState {
  on: boolean;
  toggle(): void;
}

export const useClassMode = create<ClassModeState>((set, get) => ({
  on: remembered(),
  toggle() {
    const on = !get().on;
    set({ on });
    try {
      globalThis.localStorage?.setItem(KEY, on ? 'on' : 'off');
    } catch {
      // not remembered, nothing else lost
    }
  },
}));

/** The charts class mode shows: held-out skill first, then the loop's own figures. */
export const CLASS_CHARTS: ReadonlySet<string> = new Set(['eval-levels', 'solve-rate', 'validity', 'curriculum']);
