/** The user writes a task, the model answers it: greedy, with the answer's probability, while training goes on. */
import { type ReactNode, useEffect, useId } from 'react';
import type { TryResult } from '../run/try-it';
import { Code } from './Code';
import { useRun } from './run-store';
import { tryLabels } from './try-it-labels';
import { type TryType, useTryIt } from './try-it-store';

const TYPES: { id: TryType; label: string }[] = [
  { id: 'deduction', label: 'Deduction: predict the output of f(input)' },
  { id: 'abduction', label: "Abduction: find an input that gives f's output" },
  { id: 'induction', label: 'Induction: write f from example pairs and a message' },
];

/** A part of the answer, named by its visible label. */
function Labelled({ label, children }: { label: string; children: ReactNode }) {
  const id = useId();
  return (
    // biome-ignore lint/a11y/useSemanticElements: a fieldset is for form controls; this groups a label with text
    <div role="group" aria-labelledby={id} className="try-part">
      <p id={id} className="try-label">
        {label}
      </p>
      {children}
    </div>
  );
}

function Answer({ type, result }: { type: TryType; result: Extract<TryResult, { ok: true }> }) {
  const [first] = result.pairs;
  const labels = tryLabels(type);
  return (
    <div className={result.correct ? 'verdict ok' : 'verdict rejected'}>
      <strong data-testid="try-verdict">{result.correct ? 'Right' : 'Wrong'}</strong>
      <span className="ms">model at step {result.step}</span>
      <p className="try-line">
        probability of this answer:{' '}
        <span data-testid="try-probability" className="mono">
          {formatProbability(result.probability)}
        </span>
      </p>
      <Labelled label={labels.answer}>
        {type === 'induction' ? (
          <>
            <p className="try-line">
              The model saw {result.shown} of {result.pairs.length} pairs and wrote:
            </p>
            <div data-testid="try-answer">
              <Code code={result.answer || '(nothing)'} wrap />
            </div>
          </>
        ) : (
          <pre data-testid="try-answer">{result.answer || '(empty)'}</pre>
        )}
      </Labelled>
      <Labelled label={labels.correct}>
        {type === 'induction' ? (
          <pre>
            {result.pairs
              .slice(result.shown)
              .map(([i, o]) => `f(${i}) == ${o}`)
              .join(', ')}
          </pre>
        ) : (
          <pre>{`f(${first![0]}) == ${first![1]}`}</pre>
        )}
        {type === 'abduction' && <p className="try-line">Any input for which f gives {first![1]} is right.</p>}
      </Labelled>
    </div>
  );
}

export function TryIt() {
  const { type, code, inputs, message, result, resultType, asking, follow, edit, ask } = useTryIt();
  const step = useRun((s) => s.step);
  const ready = useRun((s) => s.meta !== null && s.pythonVersion !== '');
  const labels = tryLabels(type);
  const id = useId();

  // biome-ignore lint/correctness/useExhaustiveDependencies: `step` is the trigger: following the run asks again after every step
  useEffect(() => {
    if (follow && ready) void useTryIt.getState().ask();
  }, [step, follow, ready]);

  return (
    <section className="panel" aria-labelledby="try-title">
      <h2 id="try-title">Try it</h2>
      <p className="hint">
        Write a task and see what the model answers now. The answer is its most likely one (greedy); the probability is how likely it was to write exactly that
        at temperature 1. Training goes on meanwhile.
      </p>
      <label className="field">
        <span id={`${id}-type`}>Task type</span>
        <select aria-labelledby={`${id}-type`} value={type} onChange={(e) => edit({ type: e.target.value as TryType })}>
          {TYPES.map((t) => (
            <option key={t.id} value={t.id}>
              {t.label}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span id={`${id}-program`}>{labels.program}</span>
        <textarea aria-labelledby={`${id}-program`} value={code} spellCheck={false} rows={5} onChange={(e) => edit({ code: e.target.value })} />
      </label>
      {type === 'induction' ? (
        <>
          <label className="field">
            <span id={`${id}-inputs`}>{labels.input}</span>
            <textarea aria-labelledby={`${id}-inputs`} value={inputs} spellCheck={false} rows={4} onChange={(e) => edit({ inputs: e.target.value })} />
          </label>
          <label className="field">
            <span id={`${id}-message`}>{labels.message}</span>
            <input aria-labelledby={`${id}-message`} value={message} spellCheck={false} onChange={(e) => edit({ message: e.target.value })} />
          </label>
        </>
      ) : (
        <label className="field">
          <span id={`${id}-input`}>{labels.input}</span>
          <input aria-labelledby={`${id}-input`} value={inputs.split('\n')[0] ?? ''} spellCheck={false} onChange={(e) => edit({ inputs: e.target.value })} />
        </label>
      )}
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
            <Answer type={resultType} result={result} />
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
