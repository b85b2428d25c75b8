/**
 * Collapse: the proposer stops exploring and writes one trivial program over and over (`return
 * True`), so the solve rate on its own tasks climbs to 100% while held-out accuracy stays flat.
 * This names the signs in one plain sentence, with what to try, for the page and the CLI. It
 * judges the last few steps together, so one odd step neither raises nor clears it.
 */
import { valueKey } from './heldout';
import type { StepMetrics } from './metrics';

/** Steps judged together. */
export const COLLAPSE_WINDOW = 5;
/** Share of new tasks every solver attempt got right, at or over which tasks are "too easy". */
export const TOO_EASY_SHARE = 0.8;
/** Share of new programs giving one value, at or over which programs "return the same value". */
export const SAME_OUTPUT_SHARE = 0.6;
/** Valid proposals the window needs before their shares are judged. */
const MIN_PROPOSALS = 16;

export interface CollapseWarning {
  /** the signs seen, by name: 'entropy', 'too-easy', 'same-output' */
  signs: string[];
  /** one plain sentence: what is happening */
  sentence: string;
  /** what to try */
  tryThis: string;
  /** the same news for a class, without the jargon */
  plain: string;
}

/** Counts of values with `==`-equal ones together (`True` and `1`), the largest first entry kept. */
function mostCommon(counted: Iterable<{ value: string; count: number }>): { value: string; count: number } | null {
  const totals = new Map<string, { value: string; count: number }>();
  for (const { value, count } of counted) {
    const key = valueKey(value);
    const entry = totals.get(key) ?? { value, count: 0 };
    entry.count += count;
    totals.set(key, entry);
  }
  return [...totals.values()].reduce<{ value: string; count: number } | null>((a, b) => (!a || b.count > a.count ? b : a), null);
}

/** The most common output among a step's valid proposals (`==`-equal values together), with its count. */
export function commonOutput(outputs: readonly string[]): { value: string; count: number; of: number } | null {
  const best = mostCommon(outputs.map((value) => ({ value, count: 1 })));
  return best && { ...best, of: outputs.length };
}

const percent = (x: number) => `${Math.round(x * 100)}%`;

/** The warning for the last COLLAPSE_WINDOW steps, or null when they show no sign of collapse. */
export function detectCollapse(steps: readonly StepMetrics[], entropyLimit: number): CollapseWarning | null {
  const recent = steps.slice(-COLLAPSE_WINDOW);
  const signs: string[] = [];
  const seen: string[] = [];

  const entropies = recent.flatMap((m) => (m.train && !m.train.skipped ? [m.train.entropy] : []));
  if (entropies.length >= 2) {
    const entropy = entropies.reduce((a, b) => a + b, 0) / entropies.length;
    if (entropy < entropyLimit) {
      signs.push('entropy');
      seen.push(`its entropy is ${entropy.toFixed(2)} nats a token (under ${entropyLimit})`);
    }
  }

  let easy = 0;
  let judged = 0;
  for (const m of recent) {
    const h = m.learnability.histogram;
    judged += h.reduce((a, b) => a + b, 0);
    easy += h.length > 1 ? h[h.length - 1]! : 0;
  }
  if (judged >= MIN_PROPOSALS && easy / judged >= TOO_EASY_SHARE) {
    signs.push('too-easy');
    seen.push(`${percent(easy / judged)} of its new tasks are too easy (every attempt right)`);
  }

  const stepsCommon = recent.flatMap((m) => (m.commonOutput ? [m.commonOutput] : []));
  const outputs = stepsCommon.reduce((a, c) => a + c.of, 0);
  const top = mostCommon(stepsCommon);
  if (top && outputs >= MIN_PROPOSALS && top.count / outputs >= SAME_OUTPUT_SHARE) {
    signs.push('same-output');
    seen.push(`${percent(top.count / outputs)} of its new programs return ${top.value.length > 24 ? `${top.value.slice(0, 24)}…` : top.value}`);
  }

  if (signs.length === 0) return null;
  return {
    signs,
    sentence: `The proposer looks collapsed: over the last ${recent.length} steps ${seen.join(', ')}. The solve rate on its own tasks says nothing now; only held-out accuracy does.`,
    tryThis: 'Try a higher temperature or an entropy bonus (entropyCoef), a lower learning rate, or a new run with another seed.',
    plain:
      'The model has stopped trying new things: it keeps setting itself the same easy kind of puzzle. Its score on its own puzzles means nothing now; the held-out chart shows what it can really do.',
  };
}
