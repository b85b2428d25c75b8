/**
 * One live chart. uPlot owns the canvas: React renders the frame once, and new steps reach the
 * plot through a metricsLog subscription; a shared queue draws one chart per animation frame.
 */
import { useCallback, useEffect, useReducer, useRef, useState, useSyncExternalStore } from 'react';
import uPlot from 'uplot';
import { metricsLog as defaultLog, type MetricsLog } from '../metrics-log';
import {
  type AxisSpec,
  buildChartData,
  type ChartSpec,
  chartTable,
  downsample,
  formatValue,
  type PlotSeries,
  seriesSignature,
  type Value,
} from './chart-specs';
import { scheduleDraw } from './draw-queue';

export interface LiveChartProps {
  spec: ChartSpec;
  /** where the steps come from; the page's metricsLog unless given */
  log?: MetricsLog;
  /** plot height in CSS pixels, axes included, legend not */
  height?: number;
}

export function LiveChart({ spec, log = defaultLog, height = spec.lead ? 260 : 180 }: LiveChartProps) {
  const plotRef = useRef<HTMLDivElement>(null);
  const [empty, setEmpty] = useState(false);

  useEffect(() => {
    const el = plotRef.current!;
    let plot: uPlot | null = null;
    let signature = '';
    let cancelDraw = () => {};
    // each point's first step when points average several steps, for the legend's "Step" entry
    const view: View = { from: undefined };
    // read once, then kept by the ResizeObserver: reading clientWidth on every draw forces a layout
    let width = el.clientWidth || 320;
    // about one point per 2 pixels: more only paints a solid band, slowly
    const budget = () => Math.max(60, Math.floor(width / 2));
    const draw = () => {
      const { series, data, from } = downsample(buildChartData(spec, log.steps, log.overlay), budget());
      view.from = from;
      setEmpty(series.length === 0);
      const next = seriesSignature(series);
      if (plot && next === signature) {
        plot.setData(data);
        return;
      }
      // a new line (reason, overlay) changes uPlot's series and legend: rebuilding is simplest
      plot?.destroy();
      plot = new uPlot(plotOptions(spec, series, view, width, height), data, el);
      signature = next;
    };
    const schedule = () => {
      cancelDraw = scheduleDraw(draw);
    };
    draw();
    const unsubscribe = log.subscribe(schedule);
    const resize = new ResizeObserver(([entry]) => {
      const w = Math.floor(entry?.contentRect.width ?? 0);
      if (!plot || w === 0 || w === plot.width) return;
      width = w;
      plot.setSize({ width, height });
      if (plot.data[0].length > budget() || view.from) schedule(); // the point budget follows the width
    });
    resize.observe(el);
    return () => {
      unsubscribe();
      cancelDraw();
      resize.disconnect();
      plot?.destroy();
    };
  }, [spec, log, height]);

  return (
    <figure className={spec.lead ? 'chart lead' : 'chart'} aria-label={spec.title} data-testid={`chart-${spec.id}`}>
      <figcaption>
        <span className="chart-title">{spec.title}</span>
        <span className="chart-hint">{spec.hint}</span>
        {spec.note && <ChartNote spec={spec} log={log} />}
      </figcaption>
      {empty && <p className="chart-empty">{spec.empty}</p>}
      {/* the canvas says nothing to a screen reader: the table below carries the numbers */}
      <div className="chart-plot" ref={plotRef} aria-hidden="true" />
      <ChartTable spec={spec} log={log} />
    </figure>
  );
}

/** The data's line under the title (a sample size); a string snapshot, so React renders it only when it changes. */
function ChartNote({ spec, log }: { spec: ChartSpec; log: MetricsLog }) {
  const subscribe = useCallback((listener: () => void) => log.subscribe(listener), [log]);
  const note = useSyncExternalStore(subscribe, () => spec.note?.(log.steps) ?? null);
  return note ? (
    <span className="chart-note" data-testid={`note-${spec.id}`}>
      {note}
    </span>
  ) : null;
}

/** Rows exist only while the details are open, so a closed table costs nothing per step. */
function ChartTable({ spec, log }: { spec: ChartSpec; log: MetricsLog }) {
  const [open, setOpen] = useState(false);
  const [, refresh] = useReducer((n: number) => n + 1, 0);
  useEffect(() => (open ? log.subscribe(refresh) : undefined), [open, log]);
  const table = open ? chartTable(spec, log.steps) : { columns: spec.series([log.steps]).map((s) => s.label), rows: [] };

  return (
    <details className="chart-table" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Show as table</summary>
      <div className="chart-table-scroll">
        <table data-testid={`table-${spec.id}`}>
          <caption>
            {spec.title}: the last {table.rows.length} steps, newest first
          </caption>
          <thead>
            <tr>
              <th scope="col">Step</th>
              {table.columns.map((label) => (
                <th scope="col" key={label}>
                  {label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {/* keyed by position: every row moves down one on each step anyway */}
            {table.rows.map((row, i) => (
              <tr key={i}>
                <th scope="row">{row.step}</th>
                {row.cells.map((cell, j) => (
                  <td key={j}>{cell}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

const AXIS_COLOR = '#52606d';
const GRID_COLOR = '#e6ebf1';
const FONT = '11px system-ui, -apple-system, "Segoe UI", sans-serif';
/** tick steps for whole-number axes (steps, counts), so no tick reads 2.5 steps */
const WHOLE_INCRS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000, 1e6];

function tickLabel(v: number, format: AxisSpec['format']): string {
  if (format === 'percent') return `${Math.round(v)}%`;
  if (Math.abs(v) >= 1000) return `${Number((v / 1000).toPrecision(3))}k`;
  return String(Number(v.toPrecision(4)));
}

function yAxis(axis: AxisSpec, scale: 'y' | 'y2'): uPlot.Axis {
  return {
    scale,
    side: scale === 'y' ? 3 : 1,
    label: axis.unit,
    labelSize: 18,
    labelFont: FONT,
    font: FONT,
    size: 44,
    stroke: AXIS_COLOR,
    grid: { show: scale === 'y', stroke: GRID_COLOR, width: 1 },
    ticks: { show: false },
    values: (_u, splits) => splits.map((v) => tickLabel(v, axis.format)),
    ...(axis.integer ? { incrs: WHOLE_INCRS } : {}),
  };
}

function scale(axis: AxisSpec): uPlot.Scale {
  if (axis.range) return { range: axis.range };
  if (axis.fromZero) return { range: (_u, min, max) => [Math.min(0, min ?? 0), max > 0 ? max * 1.08 : 1] };
  return {};
}

/** Dots on a sparse line while they are few; once they would merge into a band, the line alone. */
function fewPoints(u: uPlot, seriesIdx: number, idx0: number, idx1: number): boolean {
  const col = u.data[seriesIdx]!;
  let n = 0;
  for (let i = idx0; i <= idx1; i++) if (col[i] != null) n++;
  return n * 12 <= u.bbox.width / devicePixelRatio;
}

function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/**
 * While not hovering, the legend shows the current run's latest step, and each line's last value
 * at or before it: the overlay run is compared at the same point, even where it runs further.
 */
function latestIdxs(u: uPlot, series: readonly PlotSeries[]): (number | null)[] {
  const lastBy = (col: readonly (number | null | undefined)[], from: number): number | null => {
    for (let j = from; j >= 0; j--) if (col[j] != null) return j;
    return null;
  };
  const cols = u.data as readonly (readonly (number | null | undefined)[])[];
  const end = cols[0]!.length - 1;
  let step = -1;
  series.forEach((s, i) => {
    if (!s.overlay) step = Math.max(step, lastBy(cols[i + 1]!, end) ?? -1);
  });
  if (step < 0) step = end; // only the overlay has values
  return cols.map((col, i) => (i === 0 ? step : lastBy(col, step)));
}

interface View {
  from: number[] | undefined;
}

function plotOptions(spec: ChartSpec, series: readonly PlotSeries[], view: View, width: number, height: number): uPlot.Options {
  const scales: uPlot.Scales = { x: { time: false }, y: scale(spec.y) };
  if (spec.y2) scales.y2 = scale(spec.y2);
  const axes: uPlot.Axis[] = [
    {
      font: FONT,
      stroke: AXIS_COLOR,
      size: 28,
      grid: { stroke: GRID_COLOR, width: 1 },
      ticks: { show: false },
      incrs: WHOLE_INCRS,
      values: (_u, splits) => splits.map((v) => tickLabel(v, 'number')),
    },
    yAxis(spec.y, 'y'),
  ];
  if (spec.y2) axes.push(yAxis(spec.y2, 'y2'));

  return {
    width,
    height,
    scales,
    axes,
    // no drag-zoom: the next step would reset it anyway
    cursor: { drag: { x: false, y: false, setScale: false } },
    legend: { live: true, markers: { dash: (_u, i) => (series[i - 1]?.overlay || series[i - 1]?.dash ? 'dashed' : 'solid') } },
    series: [
      {
        label: 'Step',
        value: (_u, v: Value, _s, idx) => {
          const first = idx == null ? undefined : view.from?.[idx];
          return v == null ? '–' : first !== undefined && first !== v ? `${first}–${v} (mean)` : String(v);
        },
      },
      ...series.map(
        (s): uPlot.Series => ({
          label: s.label,
          scale: s.scale ?? 'y',
          class: s.overlay ? 'chart-overlay' : undefined,
          stroke: s.overlay ? withAlpha(s.color, 0.55) : s.color,
          width: s.overlay ? 1.25 : (s.width ?? 2),
          dash: s.overlay ? [5, 4] : s.dash,
          spanGaps: spec.sparse === true,
          // dense lines get uPlot's default: points only while they are few and far apart
          points: spec.sparse ? { show: fewPoints, size: 6, fill: s.overlay ? '#fff' : s.color } : undefined,
          value: (_u, v: Value) => formatValue(v, s.format),
        }),
      ),
    ],
    hooks: {
      setLegend: [
        (u) => {
          // uPlot blanks the legend when the cursor leaves; show the latest values instead
          if (u.cursor.idx == null) u.setLegend({ idxs: latestIdxs(u, series) }, false);
        },
      ],
    },
  };
}
