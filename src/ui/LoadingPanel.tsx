/** Start-up: a progress bar per runtime, then what was chosen and why. */
import { useClassMode } from './class-mode';
import { LoadingBar } from './LoadingBar';
import { useRun } from './run-store';

export function LoadingPanel() {
  const load = useRun((s) => s.load);
  const pythonVersion = useRun((s) => s.pythonVersion);
  const pyodideVersion = useRun((s) => s.pyodideVersion);
  const workers = useRun((s) => s.pythonWorkers);
  const backend = useRun((s) => s.backend);
  const failed = useRun((s) => s.status === 'failed');
  const error = useRun((s) => s.error);
  const started = useRun((s) => s.meta !== null);
  const ready = load.python.done && load.model.done;
  const plain = useClassMode((s) => s.on);

  return (
    <section className={ready ? 'panel loading-panel compact' : 'panel loading-panel'} aria-label="Loading">
      {failed && (
        <p role="alert" className="error">
          {started ? 'Self-play stopped' : 'Self-play cannot start'}: {error}
        </p>
      )}
      {!load.python.done || !pythonVersion ? (
        <LoadingBar label="Python runtime" fraction={load.python.fraction} message={load.python.message} />
      ) : (
        <p data-testid="python-status" className="ready-line">
          {plain
            ? '✓ Python is ready to check every puzzle and answer.'
            : `✓ Python ${pythonVersion} ready in ${workers} sandboxed worker${workers === 1 ? '' : 's'} (Pyodide ${pyodideVersion}, WebAssembly).`}
        </p>
      )}
      {!load.model.done ? (
        <LoadingBar label="Model and backend self-test" fraction={load.model.fraction} message={load.model.message} />
      ) : (
        backend && (
          <p className="ready-line" data-testid="model-status">
            {plain ? (
              <>✓ The model is ready: {(backend.parameters / 1e6).toFixed(2)} million numbers, all random at the start, that it tunes as it learns.</>
            ) : (
              <>
                ✓ Model of {(backend.parameters / 1e6).toFixed(2)}M parameters on <strong data-testid="backend">{backend.name}</strong>
                <span className="backend-reason" data-testid="backend-reason">
                  {' '}
                  — {backend.reason}
                </span>
              </>
            )}
          </p>
        )
      )}
    </section>
  );
}
