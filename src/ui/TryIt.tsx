/** The user writes a task, the model answers it: greedy, with the answer's probability, while training goes on. */
import { useEffect } from 'react';
import { useRun } from './run-store';
import { useTryIt } from './try-it-store';

export function TryIt() {
  const { type, code, input, result, asking, follow, edit, ask } = useTryIt();
  const step = useRun((s) => s.step);
  const ready = useRun((s) => s.meta !== null && s.pythonVersion !== '');

  useEffect(() => {
    if (follow && ready) void useTryIt.getState().ask();
  }, [step, follow, ready]);

  return (
    <section className="panel" aria-labelledby="try-title">
      <h2 id="try-title">Try it</h2>
      <p className="hint">
        Write a task and see what the model answers now. The answer is its most likely one (greedy); the probability is how likely it was to write exactly
        that at temperature 1. Training goes on meanwhile.
      </p>
      <label className="field">
        <span>Task</span>
        <select aria-label="Task type" value={type} onChange={(e) => edit({ type: e.target.value as 'deduction' | 'abduction' })}>
          <option value="deduction">Deduction: predict the output of f(input)</option>
          <option value="abduction">Abduction: find an input that gives f's output</option>
        </select>
      </label>
      <label className="field">
        <span>Program (defines f)</span>
        <textarea aria-label="Try program" value={code} spellCheck={false} rows={5} onChange={(e) => edit({ code: e.target.value })} />
      </label>
      <label className="field">
        <span>Input (arguments of f, as Python literals)</span>
        <input aria-label="Try input" value={input} spellCheck={false} onChange={(e) => edit({ input: e.target.value })} />
      </label>
      <div className="row">
        <button type="button" className="primary" disabled={!ready || asking} onClick={() => void ask()}>
          {asking ? 'Asking…' : 'Ask the model'}
        </button>
        <label className="inline">
          <input type="checkbox" checked={follow} onChange={(e) => edit({ follow: e.target.checked })} /> ask again after every step
        </label>
      </div>
      <div className="result" aria-live="polite" data-testid="try-result">
        {result &&
          (result.ok ? (
            <div className={result.correct ? 'verdict ok' : 'verdict rejected'}>
              <strong data-testid="try-verdict">{result.correct ? 'Right' : 'Wrong'}</strong>
              <span className="ms">model at step {result.step}</span>
              <pre>
                model's answer: <span data-testid="try-answer">{result.answer || '(empty)'}</span>
                {'\n'}probability: <span data-testid="try-probability">{formatProbability(result.probability)}</span>
                {'\n'}
                {type === 'deduction' ? `f(${input}) == ${result.output}` : `an input that works: ${result.expected} (f gives ${result.output})`}
              </pre>
            </div>
          ) : (
            <p role="alert" className="error">
              {result.error}
            </p>
          ))}
      </div>
    </section>
  );
}

function formatProbability(p: number): string {
  if (p >= 0.01) return `${(p * 100).toFixed(1)}%`;
  return p.toExponential(2);
}
