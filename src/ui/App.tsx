/**
 * The page: the loop and the controls on top, then tabs for watching (charts and the task feed),
 * the buffers, "Try it", the settings, the saved runs and a Python sandbox. It only renders what
 * the trainer worker reports and sends it commands.
 */
import { type KeyboardEvent, useEffect } from 'react';
import { OfflineBadge } from '../offline/OfflineBadge';
import { BufferExplorer } from './BufferExplorer';
import { Controls } from './Controls';
import { ChartGrid } from './charts/ChartGrid';
import { useClassMode } from './class-mode';
import { ExecutorPlayground } from './ExecutorPlayground';
import { LoadingPanel } from './LoadingPanel';
import { LoopDiagram } from './LoopDiagram';
import { RunsPanel } from './RunsPanel';
import { boot, controls, useRun } from './run-store';
import { SettingsPanel } from './SettingsPanel';
import { StepExample } from './StepExample';
import { TaskFeed } from './TaskFeed';
import { TryIt } from './TryIt';
import { type Tab, useTryIt } from './try-it-store';

const TABS: { id: Tab; label: string }[] = [
  { id: 'watch', label: 'Watch' },
  { id: 'buffers', label: 'Buffers' },
  { id: 'try', label: 'Try it' },
  { id: 'settings', label: 'Settings' },
  { id: 'runs', label: 'Runs' },
  { id: 'python', label: 'Python sandbox' },
];

function Notices() {
  const notice = useRun((s) => s.notice);
  const readOnly = useRun((s) => s.readOnly);
  const error = useRun((s) => s.error);
  const offer = useRun((s) => s.errorOffer);
  const failed = useRun((s) => s.status === 'failed');
  const linkError = useRun((s) => s.linkError);
  const collapse = useRun((s) => s.collapse);
  const classMode = useClassMode((s) => s.on);
  const setTab = useTryIt((s) => s.setTab);
  return (
    <>
      {linkError && (
        <p className="notice error" role="alert" data-testid="link-error">
          {linkError} No run was started with them, and the address is left as typed so that you can correct it.{' '}
          <button type="button" className="link" onClick={() => setTab('settings')}>
            Open Settings
          </button>{' '}
          <button type="button" className="link" onClick={controls.dismissLinkError}>
            Dismiss
          </button>
        </p>
      )}
      {notice && (
        <p className="notice" role="status">
          {notice}{' '}
          {readOnly && (
            <>
              <button type="button" className="link" onClick={() => void controls.copyRun()}>
                Train a copy here
              </button>{' '}
              <button type="button" className="link" onClick={() => void controls.reset()}>
                Start a new run
              </button>
            </>
          )}
        </p>
      )}
      {collapse && (
        <p className="notice warn" role="status" data-testid="collapse-warning">
          <strong>Collapse.</strong> {classMode ? collapse.plain : `${collapse.sentence} ${collapse.tryThis}`}
        </p>
      )}
      {error && !failed && (
        <p className="notice error" role="alert">
          {error}{' '}
          {offer === 'runs' && (
            <button type="button" className="link" onClick={() => setTab('runs')}>
              Open Runs
            </button>
          )}{' '}
          <button type="button" className="link" onClick={controls.clearError}>
            Dismiss
          </button>
        </p>
      )}
    </>
  );
}

function TabPanel({ tab }: { tab: Tab }) {
  const classMode = useClassMode((s) => s.on);
  switch (tab) {
    case 'watch':
      return (
        <div className="watch">
          {classMode && <StepExample />}
          <ChartGrid />
          <TaskFeed />
        </div>
      );
    case 'buffers':
      return <BufferExplorer />;
    case 'try':
      return <TryIt />;
    case 'settings':
      return <SettingsPanel />;
    case 'runs':
      return <RunsPanel />;
    case 'python':
      return <ExecutorPlayground />;
  }
}

function ClassModeToggle() {
  const on = useClassMode((s) => s.on);
  const toggle = useClassMode((s) => s.toggle);
  return (
    <button
      type="button"
      className="class-toggle"
      aria-pressed={on}
      onClick={toggle}
      title="Plain language for a class: one simple line per stage, an example from each step, fewer charts"
    >
      Class mode
    </button>
  );
}

/** Arrow keys, Home and End move between tabs, as screen-reader users expect of a tab list. */
function onTabKey(event: KeyboardEvent) {
  const moves = new Map<string, (i: number) => number>([
    ['ArrowRight', (i) => (i + 1) % TABS.length],
    ['ArrowLeft', (i) => (i - 1 + TABS.length) % TABS.length],
    ['Home', () => 0],
    ['End', () => TABS.length - 1],
  ]);
  const move = moves.get(event.key);
  if (!move) return;
  event.preventDefault();
  const next = TABS[move(TABS.findIndex((t) => t.id === useTryIt.getState().tab))]!;
  useTryIt.getState().setTab(next.id);
  document.getElementById(`tab-${next.id}`)?.focus();
}

export function App() {
  const tab = useTryIt((s) => s.tab);
  const setTab = useTryIt((s) => s.setTab);
  useEffect(boot, []);

  return (
    <main>
      <header className="top">
        <div>
          <h1>Tabula Zero</h1>
          <p className="tagline">
            Absolute Zero self-play in a browser tab. A small transformer starts from random weights, invents Python tasks, tries to solve them, and learns from
            a Python executor that checks both. No human data, nothing leaves your machine.
          </p>
        </div>
        <div className="top-actions">
          <ClassModeToggle />
          <OfflineBadge />
        </div>
      </header>
      <LoopDiagram />
      <Controls />
      <Notices />
      <LoadingPanel />
      <div className="tabs" role="tablist" aria-label="Views" onKeyDown={onTabKey}>
        {TABS.map((t) => (
          <button
            key={t.id}
            id={`tab-${t.id}`}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            aria-controls="tab-panel"
            tabIndex={tab === t.id ? 0 : -1}
            className={tab === t.id ? 'tab active' : 'tab'}
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div id="tab-panel" role="tabpanel" aria-labelledby={`tab-${tab}`}>
        <TabPanel tab={tab} />
      </div>
    </main>
  );
}
