import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { registerServiceWorker } from './offline/register-service-worker';
import { App } from './ui/App';
import { useRun } from './ui/run-store';
import './ui/styles.css';

// The service worker stores the whole build (about 30 MB) for offline use. On a first visit
// that competes with loading Python and the model, so it starts once both are ready (or after
// a minute, whatever happens).
const loaded = () => {
  const { load, status } = useRun.getState();
  return (load.python.done && load.model.done) || status === 'failed';
};
if (loaded()) registerServiceWorker();
else {
  const stop = useRun.subscribe(() => {
    if (!loaded()) return;
    stop();
    registerServiceWorker();
  });
  setTimeout(registerServiceWorker, 60_000);
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
