/** Class mode's "an example from this step": one task the model set itself, and how it did. */
import { useMemo } from 'react';
import { Code } from './Code';
import { useRun } from './run-store';
import { stepExample } from './step-example';

const PYTHON_SAYS = {
  deduction: 'Python ran it and got',
  abduction: 'An input Python checked',
  induction: 'The function the model wrote when it set the task',
} as const;

export function StepExample() {
  const feed = useRun((s) => s.feed);
  const example = useMemo(() => stepExample(feed), [feed]);
  return (
    <section className="panel step-example" aria-labelledby="example-title" data-testid="step-example">
      <h2 id="example-title">An example from {example ? `step ${example.step}` : 'the next step'}</h2>
      {!example ? (
        <p className="empty">After each step, one of the puzzles the model set itself appears here, with its own answer.</p>
      ) : (
        <>
          <p className="example-question">
            The model wrote this function and asked itself: <strong>{example.question}</strong>
          </p>
          <Code code={example.program} />
          <dl className="example-answers">
            <dt>{PYTHON_SAYS[example.type]}</dt>
            <dd className="mono">{example.pythonAnswer}</dd>
            <dt>The model answered</dt>
            <dd className="mono">{example.modelAnswer || '(nothing)'}</dd>
          </dl>
          <p className={example.right ? 'example-verdict right' : 'example-verdict wrong'} data-testid="example-verdict">
            {example.right ? '✓ Right' : '✗ Wrong'}
          </p>
        </>
      )}
    </section>
  );
}
