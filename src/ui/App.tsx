/**
 * The page: the loop and the controls on top, then tabs for watching (charts and the task feed),
 * the buffers, "Try it", the settings, the saved runs and a Python sandbox. It only renders what
 * the trainer worker reports and sends it commands.
 */
import { useEffect, type KeyboardEvent } from 'react';
import { OfflineBadge } from '../offline/OfflineBadge';
import { BufferExplorer } from './BufferExplorer';
import { ChartGrid } from './charts/ChartGrid';
import { Controls } from './Controls';
import { ExecutorPlayground } from './ExecutorPlayground';
import { LoadingPanel } from './LoadingPanel';
import { LoopDiagram } from './LoopDiagram';
import { boot, controls, useRun } from './run-store';
import { RunsPanel } from './RunsPanel';
import { SettingsPanel } from './SettingsPanel';
import { TaskFeed } from './TaskFeed';
import { TryIt } from './TryIt';
import { useTryIt, type Tab } from './try-it-store';

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
  const setTab = useTryIt((s) => s.setTab);
  return (
    <>
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
  switch (tab) {
    case 'watch':
      return (
        <div className="watch">
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

/** Arrow keys, Home and End move between tabs, as screen-reader users expect of a tab list. */
function onTabKey(event: KeyboardEvent) {
  const moves: Record<string, (i: number) => number> = {
    ArrowRight: (i) => (i + 1) % TABS.length,
    ArrowLeft: (i) => (i - 1 + TABS.length) % TABS.length,
    Home: () => 0,
    End: () => TABS.length - 1,
  };
  const move = moves[event.key];
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
            Absolute Zero self-play in a browser tab. A small transformer starts from random weights, invents Python tasks, tries to solve them, and
            learns from a Python executor that checks both. No human data, nothing leaves your machine.
          </p>
        </div>
        <OfflineBadge />
      </header>
      <LoopDiagram />
      <Controls />
      <Notices />
      <LoadingPanel />
      <nav className="tabs" role="tablist" aria-label="Views" onKeyDown={onTabKey}>
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
      </nav>
      <div id="tab-panel" role="tabpanel" aria-labelledby={`tab-${tab}`}>
        <TabPanel tab={tab} />
      </div>
    </main>
  );
}
