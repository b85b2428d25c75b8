/** Browse and search the three task buffers; open a task to see every solver attempt on it. */
import { useEffect, useId, useRef, useState } from 'react';
import type { BufferPage, BufferQuery, BufferRow, BufferSort } from '../engine/buffer-query';
import { Code } from './Code';
import { runWorker } from './run-client';
import { useRun } from './run-store';
import { TYPE_HINT } from './TaskFeed';
import { useTryIt } from './try-it-store';

const PAGE = 25;
const pct = (x: number | null) => (x === null ? 'not tried yet' : `${Math.round(x * 100)}% solved`);

const rowKey = (row: BufferRow) => `${row.type}:${row.id}`;

/** The task opened under its row; it follows the row's latest data as training goes on. */
function TaskDetail({ row, id, onClose }: { row: BufferRow; id: string; onClose: () => void }) {
  const history = row.record?.history ?? [];
  // Once, when it opens: a long detail under a low row may end below the window.
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    ref.current?.scrollIntoView({ block: 'nearest' });
  }, []);
  return (
    <section className="task-detail" id={id} aria-label={`Task ${row.id}`} ref={ref}>
      <div className="panel-head">
        <h3>
          {row.type} task <span className="mono">{row.id}</span>
        </h3>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <p className="hint">
        Proposed at step {row.step} · {row.size} characters ·{' '}
        {row.record ? `${row.record.correct} of ${row.record.attempts} attempts right` : 'no attempts yet'}
      </p>
      <Code code={row.program} />
      <div className="io">
        {row.inputs.map((input, i) => (
          <div key={i} className="mono">
            f({input}) == <strong>{row.outputs[i]}</strong>
          </div>
        ))}
        {row.message ? <div className="message">message: “{row.message}”</div> : null}
      </div>
      <button type="button" onClick={() => useTryIt.getState().pick(row.type, row.program, row.inputs, row.message)}>
        Try it on the model
      </button>
      <h4>Solver attempts (latest {history.length})</h4>
      {history.length === 0 ? (
        <p className="empty">None yet.</p>
      ) : (
        <ol className="history">
          {history.map((h, i) => (
            <li key={i} className={`attempt ${h.outcome}`}>
              step {h.step}: {h.outcome} — <span className="mono">{h.answer || '(empty)'}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

export function BufferExplorer() {
  const version = useRun((s) => s.version);
  const buffers = useRun((s) => s.buffers);
  const [query, setQuery] = useState<BufferQuery>({ type: 'all', search: '', sort: 'age', descending: true, offset: 0, limit: PAGE });
  // The page remembers the query it answers, so the count never pairs new words with old results.
  const [page, setPage] = useState<(BufferPage & { query: BufferQuery }) | null>(null);
  const [openKey, setOpenKey] = useState<string | null>(null);
  const rowButtons = useRef(new Map<string, HTMLButtonElement>());
  const detailId = useId();
  const [error, setError] = useState('');

  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` changes with every step, and the buffers with it: ask again
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      runWorker()
        .queryBuffers(query)
        .then((result) => {
          if (!live) return;
          setPage({ ...result, query });
          setError('');
        })
        .catch((e: Error) => live && setError(e.message));
    }, 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [query, version]);

  const update = (change: Partial<BufferQuery>) => setQuery((q) => ({ ...q, offset: 0, ...change }));

  return (
    <section className="panel" aria-labelledby="buffers-title">
      <h2 id="buffers-title">Buffer explorer</h2>
      <p className="hint">
        Every valid task the model has invented: deduction {buffers.deduction}, abduction {buffers.abduction}, induction {buffers.induction}. Search by any word
        of the program, input or output.
      </p>
      <div className="query">
        <input
          type="search"
          aria-label="Search tasks"
          placeholder="Search, e.g. sorted or 'abc'"
          value={query.search}
          onChange={(e) => update({ search: e.target.value })}
        />
        <select aria-label="Buffer" value={query.type} onChange={(e) => update({ type: e.target.value as BufferQuery['type'] })}>
          <option value="all">All buffers</option>
          <option value="deduction">Deduction</option>
          <option value="abduction">Abduction</option>
          <option value="induction">Induction</option>
        </select>
        <select aria-label="Sort by" value={query.sort} onChange={(e) => update({ sort: e.target.value as BufferSort })}>
          <option value="age">Age</option>
          <option value="solve-rate">Solve rate</option>
          <option value="size">Size</option>
        </select>
        <button type="button" aria-label="Sort direction" onClick={() => update({ descending: !query.descending })}>
          {query.descending ? '↓ high first' : '↑ low first'}
        </button>
      </div>
      {error && <p className="error">{error}</p>}
      {page && (
        <>
          <p className="muted" data-testid="buffer-count">
            {page.matched} of {page.total} tasks{page.query.search ? ` match “${page.query.search}”` : ''}
          </p>
          <ul className="buffer-rows" aria-label="Tasks">
            {page.rows.map((row) => {
              const key = rowKey(row);
              const isOpen = key === openKey;
              const close = () => {
                setOpenKey(null);
                rowButtons.current.get(key)?.focus(); // the Close button goes away: focus returns to its row
              };
              return (
                <li key={key}>
                  <button
                    type="button"
                    className="buffer-row"
                    aria-expanded={isOpen}
                    aria-controls={isOpen ? detailId : undefined}
                    ref={(button) => {
                      if (button) rowButtons.current.set(key, button);
                      else rowButtons.current.delete(key);
                    }}
                    onClick={() => setOpenKey(isOpen ? null : key)}
                    data-testid="buffer-row"
                  >
                    <span className={`badge type-${row.type}`} title={TYPE_HINT[row.type]}>
                      {row.type}
                    </span>
                    <span className="mono code-line">{row.program.split('\n').slice(1).join(' ').trim() || row.program}</span>
                    <span className="muted">step {row.step}</span>
                    <span className="muted">{pct(row.solveRate)}</span>
                  </button>
                  {isOpen && <TaskDetail row={row} id={detailId} onClose={close} />}
                </li>
              );
            })}
          </ul>
          <div className="pager">
            <button type="button" disabled={query.offset === 0} onClick={() => setQuery((q) => ({ ...q, offset: Math.max(0, q.offset - PAGE) }))}>
              Previous
            </button>
            <span className="muted">
              {page.matched ? `${query.offset + 1}–${Math.min(page.matched, query.offset + PAGE)}` : '0'} of {page.matched}
            </span>
            <button type="button" disabled={query.offset + PAGE >= page.matched} onClick={() => setQuery((q) => ({ ...q, offset: q.offset + PAGE }))}>
              Next
            </button>
          </div>
        </>
      )}
    </section>
  );
}
