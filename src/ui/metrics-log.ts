/**
 * Every step's metrics of the current run, and optionally a second run to overlay, kept outside
 * React: charts subscribe and draw on each new step without a React render per point.
 */
import type { StepMetrics } from '../engine/metrics';

type Listener = () => void;

export interface MetricsLog {
  /** the current run's steps, oldest first */
  readonly steps: readonly StepMetrics[];
  /** another run's steps drawn dashed behind the current one, or null */
  readonly overlay: { name: string; steps: readonly StepMetrics[] } | null;
  /** called after every change: new steps, a reset, a new overlay */
  subscribe(listener: Listener): () => void;
}

export class MutableMetricsLog implements MetricsLog {
  steps: StepMetrics[] = [];
  overlay: { name: string; steps: StepMetrics[] } | null = null;
  private readonly listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  append(batch: readonly StepMetrics[]): void {
    if (batch.length === 0) return;
    this.steps.push(...batch);
    this.emit();
  }

  replace(steps: readonly StepMetrics[]): void {
    this.steps = [...steps];
    this.emit();
  }

  setOverlay(overlay: { name: string; steps: readonly StepMetrics[] } | null): void {
    this.overlay = overlay && { name: overlay.name, steps: [...overlay.steps] };
    this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}

export const metricsLog = new MutableMetricsLog();
