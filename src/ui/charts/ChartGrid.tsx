/** Every live chart in a responsive grid, or a short note until there is something to draw. */
import { useCallback, useSyncExternalStore } from 'react';
import 'uplot/dist/uPlot.min.css';
import { CLASS_CHARTS, useClassMode } from '../class-mode';
import { metricsLog as defaultLog, type MetricsLog } from '../metrics-log';
import { CHARTS } from './chart-specs';
import { LiveChart } from './LiveChart';
import './charts.css';

export interface ChartGridProps {
  /** where the steps come from; the page's metricsLog unless given */
  log?: MetricsLog;
}

export function ChartGrid({ log = defaultLog }: ChartGridProps) {
  const subscribe = useCallback((listener: () => void) => log.subscribe(listener), [log]);
  // a boolean snapshot: the grid renders again only when data appears or goes, not per step
  const hasData = useSyncExternalStore(subscribe, () => log.steps.length > 0 || (log.overlay?.steps.length ?? 0) > 0);
  const classMode = useClassMode((s) => s.on);
  const charts = classMode ? CHARTS.filter((spec) => CLASS_CHARTS.has(spec.id)) : CHARTS;

  return (
    <section className="panel charts" aria-labelledby="charts-heading">
      <h2 id="charts-heading">Live charts</h2>
      {hasData ? (
        <div className="chart-grid">
          {charts.map((spec) => (
            <LiveChart key={spec.id} spec={spec} log={log} />
          ))}
        </div>
      ) : (
        <p className="hint charts-empty">Charts appear after the first step.</p>
      )}
    </section>
  );
}
