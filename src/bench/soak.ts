/**
 * A soak's figures and its verdict: memory must stay flat over a long run. Sampled once a minute
 * between steps; the baseline is the sample at minute 5 (warm-up is allowed to grow). Flat means:
 * the same number of tensors, the JS heap and the largest Python worker's memory within 10% of
 * the baseline, and seconds per step over the last five minutes within 25% of the baseline's.
 */

export interface SoakSample {
  minute: number;
  /** steps completed so far */
  steps: number;
  /** mean seconds per step over this minute's steps (null: no step ended in it) */
  secondsPerStep: number | null;
  tensors: number;
  tensorBytes: number;
  /** JS heap: Node's after a full collection; in the page, measureUserAgentSpecificMemory's total */
  heapBytes: number;
  pythonHeapBytes: number;
  workerReplacements: number;
}

export interface SoakVerdict {
  flat: boolean;
  /** what grew, one sentence each; empty when flat */
  problems: string[];
  /** the sample everything is compared with, or null when the soak was too short to judge */
  baselineMinute: number | null;
}

export const BASELINE_MINUTE = 5;
const MEMORY_SLACK = 1.1;
const STEP_SLACK = 1.25;

export function judgeSoak(samples: readonly SoakSample[]): SoakVerdict {
  const baseline = samples.find((s) => s.minute === BASELINE_MINUTE);
  const later = samples.filter((s) => s.minute > BASELINE_MINUTE);
  if (!baseline || later.length === 0) {
    return { flat: false, problems: [`too short to judge: needs samples after minute ${BASELINE_MINUTE}`], baselineMinute: null };
  }
  const problems: string[] = [];
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  for (const s of later) {
    if (s.tensors !== baseline.tensors) problems.push(`minute ${s.minute}: ${s.tensors} tensors, ${baseline.tensors} at minute ${BASELINE_MINUTE}`);
    if (s.heapBytes > baseline.heapBytes * MEMORY_SLACK) problems.push(`minute ${s.minute}: JS heap ${mb(s.heapBytes)}, over 110% of ${mb(baseline.heapBytes)} at minute ${BASELINE_MINUTE}`);
    if (s.pythonHeapBytes > baseline.pythonHeapBytes * MEMORY_SLACK) {
      problems.push(`minute ${s.minute}: Python worker memory ${mb(s.pythonHeapBytes)}, over 110% of ${mb(baseline.pythonHeapBytes)} at minute ${BASELINE_MINUTE}`);
    }
  }
  const recent = later.slice(-5).filter((s) => s.secondsPerStep !== null);
  const recentSteps = recent.reduce((sum, s) => sum + s.secondsPerStep!, 0) / Math.max(1, recent.length);
  if (baseline.secondsPerStep !== null && recent.length > 0 && recentSteps > baseline.secondsPerStep * STEP_SLACK) {
    problems.push(`steps slowed: ${recentSteps.toFixed(2)} s/step over the last ${recent.length} minutes, over 125% of ${baseline.secondsPerStep.toFixed(2)} at minute ${BASELINE_MINUTE}`);
  }
  return { flat: problems.length === 0, problems, baselineMinute: BASELINE_MINUTE };
}

/** The samples as a Markdown table, one row a minute. */
export function soakTable(samples: readonly SoakSample[]): string {
  const mb = (n: number) => (n / 1e6).toFixed(1);
  return [
    '| minute | steps | s/step | tensors | tensor MB | JS heap MB | Python MB | workers replaced |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...samples.map((s) => `| ${s.minute} | ${s.steps} | ${s.secondsPerStep === null ? '–' : s.secondsPerStep.toFixed(2)} | ${s.tensors} | ${mb(s.tensorBytes)} | ${mb(s.heapBytes)} | ${mb(s.pythonHeapBytes)} | ${s.workerReplacements} |`),
  ].join('\n');
}
