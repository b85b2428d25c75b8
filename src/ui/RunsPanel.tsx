/** Saved runs: open, export, import, overlay one on the charts, delete; and the buffers as JSONL. */
import { useEffect, useRef, useState } from 'react';
import { importErrorText, RUN_FILE_EXTENSION } from '../run/run-file-name';
import { download, fileNameOf } from './download';
import { refreshRuns, runActions, useRun } from './run-store';

/** 5.9 MB, 812 kB: storage sizes as people read them. */
export const bytesText = (n: number) =>
  n >= 1e9 ? `${(n / 1e9).toFixed(1)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1e3))} kB`;

const when = (ms: number) => new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function RunsPanel() {
  const runs = useRun((s) => s.runs);
  const current = useRun((s) => s.meta?.id ?? null);
  const overlayId = useRun((s) => s.overlayId);
  const storage = useRun((s) => s.storage);
  const savedBytes = runs.reduce((sum, run) => sum + (run.bytes ?? 0), 0);
  const busy = useRun((s) => s.status === 'running' || s.status === 'seeding' || s.status === 'stepping' || s.status === 'pausing');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  useEffect(() => void refreshRuns(), []);

  async function importFile(file: File) {
    setMessage(null);
    const result = await runActions.importRun(new Uint8Array(await file.arrayBuffer()));
    setMessage(
      'error' in result
        ? { ok: false, text: importErrorText(file.name, result.error) }
        : { ok: true, text: `Imported "${result.meta.name}" (step ${result.meta.step}).` },
    );
    if (fileInput.current) fileInput.current.value = '';
  }

  async function exportRun(id: string) {
    const file = await runActions.exportRun(id);
    if (file) download(`${fileNameOf(file.name)}${RUN_FILE_EXTENSION}`, file.bytes, 'application/octet-stream');
  }

  async function exportBuffers() {
    const text = await runActions.exportBuffers();
    if (text !== undefined) download('tabula-zero-buffers.jsonl', text, 'application/jsonl');
  }

  return (
    <section className="panel" aria-labelledby="runs-title">
      <h2 id="runs-title">Runs</h2>
      <p className="hint">
        Runs save themselves as they train and resume after a reload. Export one to a file to keep or share it; overlay another run to compare curves.
      </p>
      <p className="hint" data-testid="storage-use">
        Saved runs take about {bytesText(savedBytes)}
        {storage && storage.quota > 0 && (
          <>
            ; this page uses {bytesText(storage.usage)} of the {bytesText(storage.quota)} the browser allows it (
            {storage.persisted
              ? 'kept: the browser will not clear it to free space'
              : 'the browser may clear it when space runs low: export runs you want to keep'}
            )
          </>
        )}
        . Each run keeps only its latest save.
      </p>
      <div className="row">
        <label className="button-like">
          Import a run…
          <input
            ref={fileInput}
            type="file"
            aria-label="Import a run file"
            accept={`${RUN_FILE_EXTENSION},application/octet-stream`}
            className="visually-hidden"
            onChange={(e) => e.target.files?.[0] && void importFile(e.target.files[0])}
          />
        </label>
        <button type="button" onClick={() => void exportBuffers()}>
          Export buffers (JSONL)
        </button>
      </div>
      {message && (
        <p role={message.ok ? 'status' : 'alert'} className={message.ok ? 'ok-text' : 'error'} data-testid="runs-message">
          {message.text}
        </p>
      )}
      <table className="runs">
        <thead>
          <tr>
            <th>Run</th>
            <th>Step</th>
            <th>Size</th>
            <th>Last saved</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.id} data-testid="run-row" data-run-id={run.id} aria-current={run.id === current ? 'true' : undefined}>
              <td>
                {run.name}
                {run.id === current && <span className="badge ok">open</span>}
              </td>
              <td>{run.step}</td>
              <td>{run.bytes === undefined ? '–' : bytesText(run.bytes)}</td>
              <td>{when(run.updated)}</td>
              <td className="actions">
                <button type="button" disabled={run.id === current || busy} onClick={() => void runActions.open(run.id)}>
                  Open
                </button>
                <button type="button" onClick={() => void exportRun(run.id)}>
                  Export
                </button>
                <button type="button" disabled={run.id === current} onClick={() => void runActions.overlay(overlayId === run.id ? null : run.id)}>
                  {overlayId === run.id ? 'Remove overlay' : 'Overlay'}
                </button>
                <button type="button" disabled={run.id === current} onClick={() => void runActions.remove(run.id)}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
