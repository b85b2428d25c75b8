import { useState } from 'react';
import { EXAMPLES } from './examples';
import { useExecutor } from './executor-store';
import { useRun } from './run-store';

const REASON_TEXT: Record<string, string> = {
  ok: 'Valid task',
  syntax: 'Syntax error',
  'no-function': 'No function f',
  'forbidden-import': 'Forbidden import',
  'forbidden-name': 'Forbidden name',
  'non-literal-input': 'Input is not a literal',
  'runtime-error': 'Runtime error',
  timeout: 'Timeout',
  nondeterministic: 'Nondeterministic',
  'non-literal-output': 'Output is not a literal',
  'output-too-large': 'Output too large',
  crash: 'Executor crash',
};

export function ExecutorPlayground() {
  const { running, verdict, error, check } = useExecutor();
  const ready = useRun((s) => s.pythonVersion !== '');
  const [code, setCode] = useState(EXAMPLES[0]!.code);
  const [input, setInput] = useState(EXAMPLES[0]!.input);

  return (
    <section className="panel" aria-labelledby="playground-title">
      <h2 id="playground-title">Python sandbox</h2>
      <p className="hint">
        Every task the model proposes goes through this check: it must parse, stay inside the sandbox, finish within the time limit, give the same result twice,
        and return a plain literal.
      </p>
      {/* biome-ignore lint/a11y/useSemanticElements: buttons that fill the editor, not a form's fields */}
      <div className="examples" role="group" aria-label="Examples">
        {EXAMPLES.map((example) => (
          <button
            key={example.name}
            type="button"
            className="chip"
            onClick={() => {
              setCode(example.code);
              setInput(example.input);
            }}
          >
            {example.name}
          </button>
        ))}
      </div>
      <label className="field">
        <span>Program (defines f)</span>
        <textarea aria-label="Program" value={code} spellCheck={false} rows={7} onChange={(e) => setCode(e.target.value)} />
      </label>
      <label className="field">
        <span>Input (arguments of f, as Python literals)</span>
        <input aria-label="Input" value={input} spellCheck={false} onChange={(e) => setInput(e.target.value)} />
      </label>
      <button type="button" className="primary" disabled={!ready || running} onClick={() => void check(code, input)}>
        {running ? 'Running…' : 'Run'}
      </button>
      <div className="result" data-testid="verdict" aria-live="polite">
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        {verdict && (
          <div className={verdict.ok ? 'verdict ok' : 'verdict rejected'}>
            <strong data-testid="verdict-reason" data-reason={verdict.reason}>
              {REASON_TEXT[verdict.reason] ?? verdict.reason}
            </strong>
            <span className="ms">{verdict.ms.toFixed(1)} ms</span>
            {verdict.ok ? (
              <pre data-testid="verdict-output">
                f({input}) == {verdict.outputs?.[0]}
              </pre>
            ) : (
              <pre>{verdict.detail}</pre>
            )}
          </div>
        )}
      </div>
    </section>
  );
}
