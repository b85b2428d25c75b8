/** Start, Pause, Step, Reset, and where the run stands. */
import { controls, useRun } from './run-store';

const STATUS_TEXT: Record<string, string> = {
  loading: 'Loading…',
  idle: 'Ready',
  seeding: 'Seeding the buffers…',
  running: 'Training',
  pausing: 'Pausing after this step…',
  stepping: 'Running one step…',
  failed: 'Stopped',
};

export function Controls() {
  const status = useRun((s) => s.status);
  const step = useRun((s) => s.step);
  const meta = useRun((s) => s.meta);
  const savedStep = useRun((s) => s.savedStep);
  const readOnly = useRun((s) => s.readOnly);
  const ready = meta !== null && status !== 'loading' && status !== 'failed';
  const why = readOnly ? 'Another tab trains this run: train a copy or start a new run to train here' : undefined;
  const busy = status === 'running' || status === 'seeding' || status === 'stepping' || status === 'pausing';

  return (
    <div className="controls" role="toolbar" aria-label="Run controls">
      <button type="button" className="primary" disabled={!ready || busy || readOnly} title={why} onClick={() => void controls.start()}>
        Start
      </button>
      <button type="button" disabled={!ready || status !== 'running'} onClick={() => void controls.pause()}>
        Pause
      </button>
      <button type="button" disabled={!ready || busy || readOnly} title={why} onClick={() => void controls.step()}>
        Step
      </button>
      <button
        type="button"
        disabled={!ready || status === 'stepping'}
        title="A new run with fresh random weights and the same settings; this one stays under Runs"
        onClick={() => void controls.reset()}
      >
        Reset
      </button>
      <span className="step-counter">
        Step <strong data-testid="step">{step}</strong>
      </span>
      <span className="status" data-testid="status" data-status={status} aria-live="polite">
        {STATUS_TEXT[status] ?? status}
      </span>
      {readOnly && (
        <span className="badge" data-testid="read-only">
          read-only
        </span>
      )}
      {savedStep !== null && <span className="saved">Saved at step {savedStep}</span>}
    </div>
  );
}
