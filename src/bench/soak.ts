/**
 * A soak's figures and its verdict: memory must stay flat over a long run. Sampled once a minute
 * between steps. The baseline is minute 5 (warm-up may grow): the mean of minutes 5 to 9, since a
 * single JS heap sample swings by 10% with garbage collection and a single minute's s/step with
 * the machine. Flat means: the same number of tensors at every sample from minute 5 on, and the
 * JS heap, the process's resident memory (Node only), the model threads' WebAssembly memory, the
 * helper thread's heap (Node only), the largest Python worker's memory and the time a step takes,
 * averaged over the last five minutes, within 10% (25% for the time) of the baseline's. The resident memory is there because ArrayBuffers (gradients, tensor data) live
 * outside the JS heap: a leak of them once grew it by 30 MB a step while the heap looked flat.
 *
 * The time is judged on a speed probe (src/engine/speed-probe.ts): the same training pass,
 * sampling and Python requests, timed once a minute between steps. A learning run's steps do more
 * work as it goes (the curriculum climbs to longer programs, more replay programs pass), and that
 * is not the engine slowing down; nor is the time per token position a fair measure of it, since
 * attention and Python cost more per position as programs lengthen. Each of the probe's three
 * parts is judged. Samples without a probe are judged per 1000 positions, or per step without
 * the counts. Steps and positions are shown either way.
 */

export interface SoakSample {
  minute: number;
  /** steps completed so far */
  steps: number;
  /** mean seconds per step over this minute's steps (null: no step ended in it) */
  secondsPerStep: number | null;
  /** mean token positions a step processed this minute: prompts and sampled tokens, and every trained row (null: not counted) */
  tokensPerStep: number | null;
  /** milliseconds per 1000 of those positions this minute, step time over positions (null: not counted) */
  msPerThousandTokens: number | null;
  tensors: number;
  tensorBytes: number;
  /** JS heap: Node's after a full collection; in the page, measureUserAgentSpecificMemory's total */
  heapBytes: number;
  /** the whole process's resident memory, threads and ArrayBuffers included (Node); null in the page */
  residentBytes: number | null;
  /** the wasm backend's linear memory on the model's own thread (null on other backends) */
  mainWasmBytes: number | null;
  /** the same on the helper model's thread (threads: 2); else null */
  helperWasmBytes: number | null;
  /** the helper thread's JS heap and ArrayBuffers, its WebAssembly memory not counted (Node with threads: 2); else null */
  helperHeapBytes: number | null;
  pythonHeapBytes: number;
  workerReplacements: number;
  /** the speed probe's times, taken this minute: the same work every time (null: not probed) */
  probe: ProbeTimes | null;
}

/** A speed probe's times (SpeedProbe's), in milliseconds. */
export interface ProbeTimes {
  gradientMs: number;
  sampleMs: number;
  executorMs: number;
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

const WINDOW = 5;

/** The mean, or null for no values. */
export const meanOrNull = (xs: readonly number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

export function judgeSoak(samples: readonly SoakSample[]): SoakVerdict {
  const from = samples.filter((s) => s.minute >= BASELINE_MINUTE);
  const start = from.slice(0, WINDOW);
  const end = from.slice(-WINDOW);
  if (from.length < 2 * WINDOW) {
    return { flat: false, problems: [`too short to judge: needs ${2 * WINDOW} minutes of samples from minute ${BASELINE_MINUTE} on`], baselineMinute: null };
  }
  const problems: string[] = [];
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  const mean = (xs: SoakSample[], f: (s: SoakSample) => number | null) => meanOrNull(xs.map(f).filter((v): v is number => v !== null));
  const span = `minutes ${start[0]!.minute}-${start.at(-1)!.minute}`;
  const last = `minutes ${end[0]!.minute}-${end.at(-1)!.minute}`;
  for (const s of from)
    if (s.tensors !== from[0]!.tensors) problems.push(`minute ${s.minute}: ${s.tensors} tensors, ${from[0]!.tensors} at minute ${from[0]!.minute}`);
  const grew = (what: string, f: (s: SoakSample) => number | null, slack: number, show: (n: number) => string) => {
    const before = mean(start, f);
    const after = mean(end, f);
    if (before !== null && after !== null && after > before * slack) {
      problems.push(`${what}: ${show(after)} over ${last}, over ${Math.round(slack * 100)}% of ${show(before)} over ${span}`);
    }
  };
  grew('JS heap', (s) => s.heapBytes, MEMORY_SLACK, mb);
  grew('resident memory', (s) => s.residentBytes, MEMORY_SLACK, mb);
  grew('WebAssembly memory (model thread)', (s) => s.mainWasmBytes, MEMORY_SLACK, mb);
  grew('WebAssembly memory (helper thread)', (s) => s.helperWasmBytes, MEMORY_SLACK, mb);
  grew('helper thread heap', (s) => s.helperHeapBytes, MEMORY_SLACK, mb);
  grew('Python worker memory', (s) => s.pythonHeapBytes, MEMORY_SLACK, mb);
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  const both = (f: (s: SoakSample) => number | null) => mean(start, f) !== null && mean(end, f) !== null;
  if (both((s) => s.probe?.gradientMs ?? null)) {
    grew("the probe's training pass slowed", (s) => s.probe?.gradientMs ?? null, STEP_SLACK, ms);
    grew("the probe's sampling slowed", (s) => s.probe?.sampleMs ?? null, STEP_SLACK, ms);
    grew("the probe's Python requests slowed", (s) => s.probe?.executorMs ?? null, STEP_SLACK, ms);
  } else if (both((s) => s.msPerThousandTokens)) {
    grew(
      'work slowed',
      (s) => s.msPerThousandTokens,
      STEP_SLACK,
      (n) => `${n.toFixed(1)} ms per 1000 tokens`,
    );
  } else {
    grew(
      'steps slowed',
      (s) => s.secondsPerStep,
      STEP_SLACK,
      (n) => `${n.toFixed(2)} s/step`,
    );
  }
  return { flat: problems.length === 0, problems, baselineMinute: BASELINE_MINUTE };
}

/** The samples as a Markdown table, one row a minute. */
export function soakTable(samples: readonly SoakSample[]): string {
  const fixed = (n: number | null, digits: number) => (n === null ? '–' : n.toFixed(digits));
  const mb = (n: number | null) => fixed(n === null ? null : n / 1e6, 1);
  return [
    '| minute | steps | s/step | tokens/step | ms/1000 tokens | probe: train ms | probe: sample ms | probe: Python ms | tensors | tensor MB | JS heap MB | resident MB | wasm MB | helper wasm MB | helper heap MB | Python MB | workers replaced |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...samples.map(
      (s) =>
        `| ${s.minute} | ${s.steps} | ${fixed(s.secondsPerStep, 2)} | ${fixed(s.tokensPerStep, 0)} | ${fixed(s.msPerThousandTokens, 1)} | ${fixed(s.probe?.gradientMs ?? null, 0)} | ${fixed(s.probe?.sampleMs ?? null, 0)} | ${fixed(s.probe?.executorMs ?? null, 0)} | ${s.tensors} | ${mb(s.tensorBytes)} | ${mb(s.heapBytes)} | ${mb(s.residentBytes)} | ${mb(s.mainWasmBytes)} | ${mb(s.helperWasmBytes)} | ${mb(s.helperHeapBytes)} | ${mb(s.pythonHeapBytes)} | ${s.workerReplacements} |`,
    ),
  ].join('\n');
}
