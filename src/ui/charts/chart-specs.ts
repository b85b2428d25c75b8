/**
 * What each live chart shows, and the pure conversion from StepMetrics to uPlot's aligned columns.
 * No DOM here, so every rule (gaps, alignment of two runs, table formatting) is unit-tested.
 */
import { EXAM_EVERY, EXAM_PASS } from '../../engine/curriculum';
import type { StepMetrics } from '../../engine/metrics';
import { TASK_TYPES, type TaskType } from '../../engine/rewards';
import { REJECT_REASONS } from '../../executor/types';

export type Value = number | null;
/** 'percent' values are stored as 0-100 so axes and legends read naturally */
export type Format = 'percent' | 'number';

export interface SeriesSpec {
  /** unique within its chart; part of the signature that decides when a chart is rebuilt */
  key: string;
  label: string;
  color: string;
  format: Format;
  /** 'y2' is drawn against the right-hand axis, for figures on a different scale */
  scale?: 'y' | 'y2';
  /** line width in CSS pixels */
  width?: number;
  /** a dash pattern: reference lines (a trivial floor) are dashed */
  dash?: number[];
  value: (m: StepMetrics) => Value;
}

export interface AxisSpec {
  unit: string;
  format: Format;
  /** fixed range, so that a chart's meaning does not shift as data arrives */
  range?: [number, number];
  /** counts: ticks on whole numbers only */
  integer?: boolean;
  /** sizes and rates: the axis starts at 0, so that small wobbles do not look like swings */
  fromZero?: boolean;
}

export interface ChartSpec {
  id: string;
  title: string;
  /** one plain-English line on what to look for */
  hint: string;
  y: AxisSpec;
  y2?: AxisSpec;
  /** measured only on some steps: draw points, bridge the gaps, table only the measured steps */
  sparse?: boolean;
  /** the chart that matters most: drawn first, across the whole grid, taller */
  lead?: boolean;
  /** why the chart has nothing to draw yet, in one plain sentence */
  empty: string;
  /** a line under the title from the data (the sample size behind a figure), or null */
  note?(steps: readonly StepMetrics[]): string | null;
  /** the series, given every run drawn (some charts have a series per key seen in the data) */
  series(runs: readonly (readonly StepMetrics[])[]): SeriesSpec[];
}

/** Okabe-Ito hues, one per task type in every chart; propose is a lighter shade of solve. */
export const TYPE_COLORS: Record<TaskType, { solve: string; propose: string }> = {
  deduction: { solve: '#0072B2', propose: '#56B4E9' },
  abduction: { solve: '#D55E00', propose: '#E69F00' },
  induction: { solve: '#009E73', propose: '#7ACCAE' },
};

/** Paul Tol's muted + Okabe-Ito extras: distinct for colour-blind readers, readable on white. */
const REASON_PALETTE = ['#332288', '#CC6677', '#117733', '#882255', '#44AA99', '#999933', '#AA4499', '#6699CC', '#DDAA33', '#000000', '#BB5566', '#004488'];
/** the common reasons first, so they get the most distinct colours; a reason keeps its colour as others appear */
const KNOWN_REASONS = [
  'truncated',
  'syntax',
  'runtime-error',
  'timeout',
  'output-too-long',
  'nondeterministic',
  'no-function',
  'held-out',
  'constant',
  'copy',
  ...REJECT_REASONS,
];

export function reasonColor(reason: string): string {
  const known = [...new Set(KNOWN_REASONS)].indexOf(reason);
  let index = known;
  if (index < 0) {
    let hash = 0;
    for (let i = 0; i < reason.length; i++) hash = (hash * 31 + reason.charCodeAt(i)) >>> 0;
    index = hash;
  }
  return REASON_PALETTE[index % REASON_PALETTE.length]!;
}

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const pct = (x: number | null | undefined): Value => (x === null || x === undefined ? null : x * 100);
const fixed = (series: SeriesSpec[]) => (): SeriesSpec[] => series;
const perType = (make: (t: TaskType) => Omit<SeriesSpec, 'key' | 'label' | 'color'>): SeriesSpec[] =>
  TASK_TYPES.map((t) => ({ key: t, label: cap(t), color: TYPE_COLORS[t].solve, ...make(t) }));

/** Shares of the valid proposals by how many of the n solver attempts got them right. */
export function learnabilityShares(histogram: readonly number[]): { hard: Value; learnable: Value; easy: Value } {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (histogram.length < 2 || total === 0) return { hard: null, learnable: null, easy: null };
  const hard = histogram[0]!;
  const easy = histogram[histogram.length - 1]!;
  return { hard: (hard / total) * 100, learnable: ((total - hard - easy) / total) * 100, easy: (easy / total) * 100 };
}

/** Held-out figures of one level, pooled over task types by the tasks each attempted. */
export function levelFigure(m: StepMetrics, level: number, field: 'accuracy' | 'floor'): Value {
  const entry = m.evalByLevel?.find((e) => e.level === level);
  if (!entry) return null;
  let n = 0;
  let sum = 0;
  for (const t of TASK_TYPES) {
    const v = entry[field][t];
    if (v === null || entry.n[t] === 0) continue;
    n += entry.n[t];
    sum += v * entry.n[t];
  }
  return n ? (sum / n) * 100 : null;
}

/** The pooled floor of one task type over the levels measured, weighted like its accuracy. */
export function pooledFloor(m: StepMetrics, type: TaskType): Value {
  const levels = m.evalByLevel ?? [];
  const n = levels.reduce((a, e) => a + e.n[type], 0);
  if (!n) return null;
  return (levels.reduce((a, e) => a + (e.floor[type] ?? 0) * e.n[type], 0) / n) * 100;
}

/**
 * The sample behind the last held-out figures: how many tasks a level (or a type) were answered,
 * and what one task is worth in points, so that a wobble is not read as learning.
 */
export function heldoutSample(steps: readonly StepMetrics[], by: 'level' | 'type'): string | null {
  const last = [...steps].reverse().find((m) => m.evalByLevel?.length);
  if (!last) return null;
  const levels = last.evalByLevel!;
  const perType = (t: TaskType) => levels.reduce((a, e) => a + e.n[t], 0);
  const types = TASK_TYPES.filter((t) => perType(t) > 0);
  if (by === 'level') {
    const sizes = levels.map((e) => TASK_TYPES.reduce((a, t) => a + e.n[t], 0)).filter((n) => n > 0);
    if (!sizes.length) return null;
    const n = Math.min(...sizes);
    const same = sizes.every((x) => x === n);
    return `Step ${last.step}: ${same ? n : `${n} to ${Math.max(...sizes)}`} tasks a level (${types.length} task types), so one task is ${(100 / n).toFixed(1)} points.`;
  }
  if (!types.length) return null;
  const n = Math.min(...types.map(perType));
  return `Step ${last.step}: ${n} tasks a type over all levels, so one task is ${(100 / n).toFixed(1)} points.`;
}

export const LEVEL_COLORS = ['#332288', '#117733', '#DDAA33', '#CC6677'];
const LEVEL_NAMES = ['one-line programs', 'a few statements', 'if and for', 'the full grammar'];
const FLOOR_DASH = [3, 3];

export const CHARTS: readonly ChartSpec[] = [
  {
    id: 'eval-levels',
    title: 'Held-out accuracy by program level',
    hint: 'Tasks the model never trains on, by difficulty (all task types together). A dashed line is the best trivial rule (a constant answer, copying an argument): only the gap above it is skill. The answers come from a moving average of the weights (the averageDecay setting), which swings less from step to step than the weights being trained.',
    y: { unit: 'correct', format: 'percent', range: [0, 100] },
    sparse: true,
    lead: true,
    empty: 'The model answers the held-out tasks every few steps (the evalEvery setting): the first points come then.',
    note: (steps) => heldoutSample(steps, 'level'),
    series: fixed(
      [1, 2, 3, 4].flatMap((level): SeriesSpec[] => [
        {
          key: `L${level}`,
          label: `Level ${level} (${LEVEL_NAMES[level - 1]})`,
          color: LEVEL_COLORS[level - 1]!,
          format: 'percent',
          value: (m) => levelFigure(m, level, 'accuracy'),
        },
        {
          key: `L${level}/floor`,
          label: `Level ${level} floor`,
          color: LEVEL_COLORS[level - 1]!,
          format: 'percent',
          width: 1,
          dash: FLOOR_DASH,
          value: (m) => levelFigure(m, level, 'floor'),
        },
      ]),
    ),
  },
  {
    id: 'curriculum',
    title: 'Program level (curriculum)',
    hint: `The level new programs are written at: every ${EXAM_EVERY} steps the solver sits an exam of fresh programs of that level, drawn from the grammar rather than written by the proposer, and the level rises when it answers half of them; half of the proposals revisit the easier levels.`,
    y: { unit: 'level', format: 'number', range: [0, 4], integer: true },
    empty: 'The level appears after the first step.',
    series: fixed([
      { key: 'level', label: 'Current level', color: '#332288', format: 'number', value: (m) => m.curriculum?.level ?? null },
      {
        key: 'reached',
        label: 'Highest reached',
        color: '#88CCEE',
        format: 'number',
        width: 1.5,
        dash: FLOOR_DASH,
        value: (m) => m.curriculum?.reached ?? null,
      },
    ]),
  },
  {
    id: 'exam',
    title: "Level exam (the curriculum's evidence)",
    hint: `Every ${EXAM_EVERY} steps at a level the solver answers fresh programs of that level that the grammar drew, not the proposer, with a moving average of the weights; when it gets half of them right (the dashed line), the level rises. The proposer keeps its own tasks easy, so passing those proves little.`,
    y: { unit: 'correct', format: 'percent', range: [0, 100] },
    sparse: true,
    empty: `The first exam comes after ${EXAM_EVERY} steps at a level (the examTasks setting; none with a fixed level).`,
    series: fixed([
      { key: 'exam', label: 'Exam score', color: '#332288', format: 'percent', value: (m) => pct(m.curriculum?.exam) },
      {
        key: 'pass',
        label: 'Rises at',
        color: '#332288',
        format: 'percent',
        width: 1,
        dash: FLOOR_DASH,
        value: (m) => (m.curriculum?.exam == null ? null : EXAM_PASS * 100),
      },
    ]),
  },
  {
    id: 'rewards',
    title: 'Reward per task and role',
    hint: "Solve rewards score answers to the model's own tasks, so they also climb when those tasks get easier; propose rewards are highest when tasks are neither trivial nor impossible.",
    y: { unit: 'mean reward', format: 'number', range: [-1, 1] },
    empty: 'Rewards appear after the first step.',
    series: fixed(
      TASK_TYPES.flatMap((t): SeriesSpec[] => [
        { key: `${t}/propose`, label: `${cap(t)} propose`, color: TYPE_COLORS[t].propose, format: 'number', width: 1.5, value: (m) => m.rewards[t].propose },
        { key: `${t}/solve`, label: `${cap(t)} solve`, color: TYPE_COLORS[t].solve, format: 'number', value: (m) => m.rewards[t].solve },
      ]),
    ),
  },
  {
    id: 'solve-rate',
    title: "Solve rate on the model's own tasks",
    hint: "Share of the solver's answers to tasks the model itself proposed that the executor judged correct. It climbs when tasks get easier too, so it is not skill: the held-out charts are.",
    y: { unit: 'correct', format: 'percent', range: [0, 100] },
    empty: 'Solve rates appear after the first step.',
    series: fixed(perType((t) => ({ format: 'percent', value: (m) => pct(m.solveRate[t]) }))),
  },
  {
    id: 'validity',
    title: 'Valid proposals',
    hint: 'Share of proposals the executor accepted: they ran, in time, gave the same answer twice and not the same answer for every input. The grammar makes every program parse from the first step, so this measures behaviour, not syntax.',
    y: { unit: 'valid', format: 'percent', range: [0, 100] },
    empty: 'Validity appears after the first step.',
    series: fixed(perType((t) => ({ format: 'percent', value: (m) => pct(m.validity[t]) }))),
  },
  {
    id: 'rejections',
    title: 'Why proposals were rejected',
    hint: 'Rejected proposals per step by reason. "constant" programs give the same output whatever the input, so they teach nothing.',
    y: { unit: 'proposals', format: 'number', integer: true, fromZero: true },
    empty: 'Rejections appear after the first step.',
    series(runs) {
      const keys = new Set<string>();
      for (const steps of runs) for (const m of steps) for (const key of Object.keys(m.rejections)) keys.add(key);
      // a reason missing from a step's record was seen 0 times there, not "unknown"
      return [...keys].sort().map((key) => ({ key, label: key, color: reasonColor(key), format: 'number', value: (m) => m.rejections[key] ?? 0 }));
    },
  },
  {
    id: 'learnability',
    title: 'Learnability of new tasks',
    hint: 'Self-play learns most from tasks the solver sometimes gets right: watch the "learnable" share, not the too easy or too hard ones.',
    y: { unit: 'of valid proposals', format: 'percent', range: [0, 100] },
    y2: { unit: 'mean learnability', format: 'number', range: [0, 1] },
    empty: 'Nothing yet: learnability is measured on valid new tasks, after the first step.',
    series: fixed([
      { key: 'hard', label: 'Too hard (none right)', color: '#CC6677', format: 'percent', value: (m) => learnabilityShares(m.learnability.histogram).hard },
      { key: 'learnable', label: 'Learnable', color: '#117733', format: 'percent', value: (m) => learnabilityShares(m.learnability.histogram).learnable },
      { key: 'easy', label: 'Too easy (all right)', color: '#88CCEE', format: 'percent', value: (m) => learnabilityShares(m.learnability.histogram).easy },
      { key: 'mean', label: 'Mean learnability', color: '#332288', format: 'number', scale: 'y2', width: 2.5, value: (m) => m.learnability.mean },
    ]),
  },
  {
    id: 'buffers',
    title: 'Task buffers',
    hint: 'Valid tasks kept per type (the newest 4096): growth means the proposer keeps inventing programs that pass the executor.',
    y: { unit: 'tasks', format: 'number', integer: true, fromZero: true },
    empty: 'Buffer sizes appear after the first step.',
    series: fixed(perType((t) => ({ format: 'number', value: (m) => m.buffers[t] }))),
  },
  {
    id: 'training',
    title: 'Loss, entropy, gradient norm',
    hint: "Hindsight and replay loss falling means the model predicts the executor's answers better (replay: its own programs on new inputs, before it trains on them); entropy falling slowly means growing confidence, a collapse to zero that it stopped exploring.",
    y: { unit: 'loss', format: 'number' },
    y2: { unit: 'entropy (nats), grad norm', format: 'number' },
    empty: 'No update yet: a step trains only on rows with a learning signal.',
    series: fixed([
      { key: 'loss', label: 'Loss', color: '#332288', format: 'number', value: (m) => m.train?.loss ?? null },
      { key: 'hindsight', label: 'Hindsight loss (nats/token)', color: '#AA4499', format: 'number', width: 1.5, value: (m) => m.train?.hindsightLoss ?? null },
      { key: 'replay', label: 'Replay loss (nats/token)', color: '#882255', format: 'number', width: 1.5, value: (m) => m.train?.replayLoss ?? null },
      { key: 'entropy', label: 'Entropy', color: '#44AA99', format: 'number', scale: 'y2', value: (m) => m.train?.entropy ?? null },
      { key: 'gradNorm', label: 'Gradient norm', color: '#CC6677', format: 'number', scale: 'y2', width: 1.5, value: (m) => m.train?.gradNorm ?? null },
    ]),
  },
  {
    id: 'throughput',
    title: 'Throughput',
    hint: 'How fast this tab works: tokens sampled per second, programs run per second, and seconds per step.',
    y: { unit: 'tokens/s', format: 'number', fromZero: true },
    y2: { unit: 'programs/s, s per step', format: 'number', fromZero: true },
    empty: 'Throughput appears after the first step.',
    series: fixed([
      { key: 'tokens', label: 'Tokens/s', color: '#0072B2', format: 'number', value: (m) => m.timing.sampleTokensPerSec },
      { key: 'programs', label: 'Programs/s', color: '#D55E00', format: 'number', scale: 'y2', value: (m) => m.timing.programsPerSec },
      { key: 'stepTime', label: 'Step time (s)', color: '#6b7785', format: 'number', scale: 'y2', width: 1.5, value: (m) => m.timing.stepMs / 1000 },
    ]),
  },
  {
    id: 'eval',
    title: 'Held-out accuracy by task type',
    hint: 'Accuracy on tasks the model never trains on, all levels together, measured every few steps with a moving average of the weights; the dashed line of the same colour is its trivial floor.',
    y: { unit: 'correct', format: 'percent', range: [0, 100] },
    sparse: true,
    empty: 'The model answers the held-out tasks every few steps (the evalEvery setting): the first points come then.',
    note: (steps) => heldoutSample(steps, 'type'),
    series: fixed(
      TASK_TYPES.flatMap((t): SeriesSpec[] => [
        { key: t, label: cap(t), color: TYPE_COLORS[t].solve, format: 'percent', value: (m) => pct(m.eval?.[t]) },
        {
          key: `${t}/floor`,
          label: `${cap(t)} floor`,
          color: TYPE_COLORS[t].solve,
          format: 'percent',
          width: 1,
          dash: FLOOR_DASH,
          value: (m) => pooledFloor(m, t),
        },
      ]),
    ),
  },
];

/** A series as drawn: the current run's, or the overlay run's (dashed, fainter, label suffixed). */
export interface PlotSeries extends SeriesSpec {
  overlay: boolean;
}

export interface ChartData {
  /** overlay series first, so that they are drawn behind the current run; series with no value left out */
  series: PlotSeries[];
  /** uPlot's aligned data: [x = step, ...one column per series], null where a run has no value */
  data: [number[], ...Value[][]];
}

export interface Overlay {
  name: string;
  steps: readonly StepMetrics[];
}

const ascending = (steps: readonly StepMetrics[]): boolean => steps.every((m, i) => i === 0 || steps[i - 1]!.step < m.step);

/** Step numbers of both runs, ascending and unique: the shared x axis. */
export function alignSteps(runs: readonly (readonly StepMetrics[])[]): number[] {
  const [a = [], b = []] = runs;
  if (runs.length <= 2 && ascending(a) && ascending(b)) {
    // runs arrive in step order: a linear merge, this runs for every chart on every step
    const x: number[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      const next = Math.min(a[i]?.step ?? Infinity, b[j]?.step ?? Infinity);
      x.push(next);
      if (a[i]?.step === next) i++;
      if (b[j]?.step === next) j++;
    }
    return x;
  }
  const seen = new Set<number>();
  for (const steps of runs) for (const m of steps) seen.add(m.step);
  return [...seen].sort((p, q) => p - q);
}

/** Each x's step of one run, or undefined where that run has no such step. */
function atSteps(x: readonly number[], steps: readonly StepMetrics[]): readonly (StepMetrics | undefined)[] {
  // the usual case, one run whose steps are the x axis: no lookup needed
  if (steps.length === x.length && steps.every((m, i) => m.step === x[i])) return steps;
  // a later duplicate of a step wins, as in a log that was appended to after a resume
  const byStep = new Map<number, StepMetrics>();
  for (const m of steps) byStep.set(m.step, m);
  return x.map((step) => byStep.get(step));
}

/** NaN or Infinity (a 0/0 somewhere upstream) would break the scale: treat it as a gap. */
const finite = (v: Value): Value => (v === null || !Number.isFinite(v) ? null : v);

export function buildChartData(spec: ChartSpec, steps: readonly StepMetrics[], overlay: Overlay | null): ChartData {
  const runs = overlay ? [steps, overlay.steps] : [steps];
  const specs = spec.series(runs);
  const x = alignSteps(runs);
  const series: PlotSeries[] = [];
  const columns: Value[][] = [];
  const add = (run: readonly (StepMetrics | undefined)[], s: PlotSeries) => {
    const values = run.map((m) => (m ? finite(s.value(m)) : null));
    // a line with no value at all (a task type switched off, no eval yet) would only clutter the legend
    if (values.every((v) => v === null)) return;
    series.push(s);
    columns.push(values);
  };
  if (overlay) {
    const run = atSteps(x, overlay.steps);
    for (const s of specs) add(run, { ...s, key: `overlay:${s.key}`, label: `${s.label} (${overlay.name})`, overlay: true });
  }
  const run = atSteps(x, steps);
  for (const s of specs) add(run, { ...s, overlay: false });
  return { series, data: [x, ...columns] };
}

/**
 * Averages runs of k consecutive steps when there are more steps than maxPoints, so that a long
 * run draws one point every pixel or two: a noisy line drawn at many points per pixel is a
 * solid band that hides the trend and costs the most to paint. Each point sits at its bucket's
 * last step; `from` holds each bucket's first step, for the legend.
 */
export function downsample(chart: ChartData, maxPoints: number): ChartData & { from?: number[] } {
  const [x, ...columns] = chart.data;
  if (x.length <= maxPoints || maxPoints < 1) return chart;
  const k = Math.ceil(x.length / maxPoints);
  const bx: number[] = [];
  const from: number[] = [];
  for (let start = 0; start < x.length; start += k) {
    from.push(x[start]!);
    bx.push(x[Math.min(x.length, start + k) - 1]!);
  }
  const means = columns.map((col) => {
    const out: Value[] = [];
    for (let start = 0; start < col.length; start += k) {
      const end = Math.min(col.length, start + k);
      let sum = 0;
      let n = 0;
      for (let i = start; i < end; i++) {
        const v = col[i];
        if (v != null) {
          sum += v;
          n++;
        }
      }
      out.push(n ? sum / n : null);
    }
    return out;
  });
  return { series: chart.series, data: [bx, ...means], from };
}

/** Changes only when the set of lines changes (a new rejection reason, an overlay): then the chart is rebuilt. */
export const seriesSignature = (series: readonly PlotSeries[]): string => series.map((s) => `${s.key}\u0000${s.label}`).join('\u0001');

/** Rates as percentages, whole numbers as they are, anything else to 3 significant digits. */
export function formatValue(v: Value | undefined, format: Format): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (format === 'percent') return `${Number(v.toFixed(1))}%`;
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(3)));
}

export interface Table {
  columns: string[];
  /** newest first */
  rows: { step: number; cells: string[] }[];
}

/** The numbers behind a chart, for screen readers: the current run's last `limit` steps. */
export function chartTable(spec: ChartSpec, steps: readonly StepMetrics[], limit = 50): Table {
  const series = spec.series([steps]);
  const rows: Table['rows'] = [];
  for (let i = steps.length - 1; i >= 0 && rows.length < limit; i--) {
    const m = steps[i]!;
    const values = series.map((s) => finite(s.value(m)));
    // a sparse chart's other steps carry nothing to read
    if (spec.sparse && values.every((v) => v === null)) continue;
    rows.push({ step: m.step, cells: values.map((v, j) => formatValue(v, series[j]!.format)) });
  }
  return { columns: series.map((s) => s.label), rows };
}
