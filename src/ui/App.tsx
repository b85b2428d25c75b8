import { useEffect } from 'react';
import { ExecutorPlayground } from './ExecutorPlayground';
import { useExecutor } from './executor-store';
import { LoadingBar } from './LoadingBar';

const LOOP = ['propose', 'validate', 'solve', 'reward', 'update'];

export function App() {
  const { status, progress, error, pythonVersion, workers, start } = useExecutor();
  useEffect(() => void start(), [start]);

  return (
    <main>
      <header>
        <h1>Tabula Zero</h1>
        <p className="tagline">
          Absolute Zero self-play in a browser tab: a model with random weights invents Python tasks, solves them, and
          learns from a Python executor that checks both. Nothing leaves your machine.
        </p>
        <ol className="loop" aria-label="The self-play loop">
          {LOOP.map((stage) => (
            <li key={stage}>{stage}</li>
          ))}
        </ol>
      </header>
      <section className="panel" aria-label="Loading">
        {status === 'failed' ? (
          <p role="alert" className="error">Python could not start: {error}</p>
        ) : status === 'ready' ? (
          <p data-testid="python-status">
            Python {pythonVersion} ready in {workers} sandboxed worker{workers === 1 ? '' : 's'} (Pyodide, WebAssembly).
          </p>
        ) : (
          <LoadingBar label="Python runtime" progress={progress} />
        )}
      </section>
      <ExecutorPlayground />
    </main>
  );
}
