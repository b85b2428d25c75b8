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

/** The most common output among a step's valid proposals (`==`-equal values together), with its count. */
export function commonOutput(outputs: readonly string[]): { value: string; count: number; of: number } | null {
  if (outputs.length === 0) return null;
  const counts = new Map<string, { value: string; count: number }>();
  for (const output of outputs) {
    const key = valueKey(output);
    const entry = counts.get(key) ?? { value: output, count: 0 };
    entry.count += 1;
    counts.set(key, entry);
  }
  const best = [...counts.values()].reduce((a, b) => (b.count > a.count ? b : a));
  return { ...best, of: outputs.length };
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

  const common = new Map<string, { value: string; count: number }>();
  let outputs = 0;
  for (const m of recent) {
    if (!m.commonOutput) continue;
    outputs += m.commonOutput.of;
    const key = valueKey(m.commonOutput.value);
    const entry = common.get(key) ?? { value: m.commonOutput.value, count: 0 };
    entry.count += m.commonOutput.count;
    common.set(key, entry);
  }
  const top = [...common.values()].sort((a, b) => b.count - a.count)[0];
  if (top && outputs >= MIN_PROPOSALS && top.count / outputs >= SAME_OUTPUT_SHARE) {
    signs.push('same-output');
    seen.push(`${percent(top.count / outputs)} of its new programs return ${top.value.length > 24 ? `${top.value.slice(0, 24)}…` : top.value}`);
  }

  if (signs.length === 0) return null;
  return {
    signs,
    sentence: `The proposer looks collapsed: over the last ${recent.length} steps ${seen.join(', ')}. The solve rate on its own tasks says nothing now; only held-out accuracy does.`,
    tryThis: 'Try a higher temperature or an entropy bonus (entropyCoef), a lower learning rate, or a new run with another seed.',
    plain: 'The model has stopped trying new things: it keeps setting itself the same easy kind of puzzle. Its score on its own puzzles means nothing now; the held-out chart shows what it can really do.',
  };
}
