/**
 * Every setting of a run, checked as it is typed, with a one-line hint each. Applying starts a
 * new run and puts the settings in the URL, so the link reproduces the experiment.
 */
import { useEffect, useMemo, useState } from 'react';
import { checkSettings, defaultConfig, type EngineConfig, FIELDS, type SettingProblem, sameConfig } from '../engine/config';
import { runWorker } from './run-client';
import { controls, useRun } from './run-store';

type Field = keyof EngineConfig;

const MAIN: { field: Field; label: string }[] = [
  { field: 'preset', label: 'Model preset' },
  { field: 'seed', label: 'Seed' },
  { field: 'batchSize', label: 'Batch size' },
  { field: 'references', label: 'K (references)' },
  { field: 'inductionInputs', label: 'N (induction inputs)' },
  { field: 'learnabilitySamples', label: 'n (learnability attempts)' },
  { field: 'learningRate', label: 'Learning rate' },
  { field: 'temperature', label: 'Temperature' },
  { field: 'deduction', label: 'Deduction' },
  { field: 'abduction', label: 'Abduction' },
  { field: 'induction', label: 'Induction' },
  { field: 'trainProposer', label: 'Train the proposer' },
  { field: 'constrained', label: 'Constrained decoding' },
  { field: 'timeoutMs', label: 'Time limit (ms)' },
];
const ADVANCED = (Object.keys(FIELDS) as Field[]).filter((f) => !MAIN.some((m) => m.field === f));

type Draft = Record<Field, string>;
const draftOf = (config: EngineConfig): Draft => Object.fromEntries(Object.entries(config).map(([k, v]) => [k, String(v)])) as Draft;

/** A setting's name on this panel: its label, or the key itself for the advanced ones. */
const labelOf = (field: string): string => MAIN.find((m) => m.field === field)?.label ?? field;

function configOf(draft: Draft): { config: EngineConfig | null; problems: SettingProblem[] } {
  const settings = (Object.keys(draft) as Field[]).filter((f) => f !== 'preset').map((f) => `${f}=${draft[f]}`);
  return checkSettings(defaultConfig(draft.preset as EngineConfig['preset']), settings);
}

function Input({
  field,
  label,
  draft,
  invalid,
  onChange,
}: {
  field: Field;
  label: string;
  draft: Draft;
  invalid: boolean;
  onChange: (field: Field, value: string) => void;
}) {
  const spec = FIELDS[field];
  const id = `setting-${field}`;
  const hint = `${spec.doc}${spec.min !== undefined ? ` (${spec.min} to ${spec.max})` : ''}`;
  return (
    <div className="setting">
      <label htmlFor={id}>{label}</label>
      {spec.kind === 'bool' ? (
        <input
          id={id}
          type="checkbox"
          checked={draft[field] === 'true'}
          onChange={(e) => onChange(field, String(e.target.checked))}
          aria-describedby={`${id}-hint`}
        />
      ) : spec.kind === 'preset' ? (
        <select id={id} value={draft[field]} onChange={(e) => onChange(field, e.target.value)} aria-describedby={`${id}-hint`}>
          <option value="tiny">tiny</option>
          <option value="small">small</option>
          <option value="base">base</option>
        </select>
      ) : (
        <input
          id={id}
          inputMode="decimal"
          value={draft[field]}
          aria-invalid={invalid || undefined}
          onChange={(e) => onChange(field, e.target.value)}
          aria-describedby={`${id}-hint`}
        />
      )}
      <small id={`${id}-hint`}>{hint}</small>
    </div>
  );
}

export function SettingsPanel() {
  const current = useRun((s) => s.meta?.config ?? null);
  const busy = useRun((s) => s.status === 'loading' || s.status === 'failed');
  const [draft, setDraft] = useState<Draft | null>(null);
  useEffect(() => {
    if (current) setDraft(draftOf(current));
  }, [current]);
  const checked = useMemo(() => (draft ? configOf(draft) : null), [draft]);
  if (!draft || !checked)
    return (
      <section className="panel">
        <p className="empty">Settings appear once the run has loaded.</p>
      </section>
    );

  const onChange = (field: Field, value: string) =>
    setDraft(field === 'preset' ? draftOf({ ...defaultConfig(value as EngineConfig['preset']), seed: Number(draft.seed) || 1 }) : { ...draft, [field]: value });
  const changed = checked.config !== null && current !== null && !sameConfig(checked.config, current);
  const bad = new Set(checked.problems.map((p) => p.field));

  return (
    <section className="panel" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <p className="hint">
        Applying starts a new run with fresh weights (this one stays under Runs). The settings go into the page's address, so a link reproduces the experiment.
      </p>
      <div className="settings-grid">
        {MAIN.map(({ field, label }) => (
          <Input key={field} field={field} label={label} draft={draft} invalid={bad.has(field)} onChange={onChange} />
        ))}
      </div>
      <details>
        <summary>Advanced settings</summary>
        <div className="settings-grid">
          {ADVANCED.map((field) => (
            <Input key={field} field={field} label={field} draft={draft} invalid={bad.has(field)} onChange={onChange} />
          ))}
        </div>
      </details>
      {checked.problems.length > 0 && (
        <ul role="alert" className="error" data-testid="settings-error">
          {checked.problems.map((p) => (
            <li key={p.field}>
              {labelOf(p.field)}: {p.message}
            </li>
          ))}
        </ul>
      )}
      <div className="row">
        <button type="button" className="primary" disabled={!changed || busy} onClick={() => void controls.reset(checked.config!)}>
          Apply and start a new run
        </button>
        <button type="button" disabled={!current} onClick={() => current && setDraft(draftOf(current))}>
          Undo changes
        </button>
        <button type="button" onClick={() => void navigator.clipboard?.writeText(location.href)}>
          Copy link to this experiment
        </button>
      </div>
      <p className="hint backend-again">
        The compute backend was chosen by timing each one on this browser; later visits reuse that choice after checking it against the CPU.{' '}
        <button
          type="button"
          className="link"
          onClick={() =>
            void controls
              .pause()
              .then(() => runWorker().forgetBackend())
              .then(() => location.reload())
          }
        >
          Measure backends again
        </button>{' '}
        (reloads the page; the run is saved).
      </p>
    </section>
  );
}
