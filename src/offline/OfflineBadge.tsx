import { useOfflineState } from './register-service-worker';

/**
 * Whether the page works offline: "Preparing offline use…" while the service worker stores the
 * build, "Available offline" once it has. Shows nothing where offline use does not exist (the
 * dev server, browsers without service workers). Style hook: `.offline-badge[data-status]`.
 */
export function OfflineBadge() {
  const state = useOfflineState();
  if (state.status === 'unsupported') return null;
  const text =
    state.status === 'ready'
      ? 'Available offline'
      : state.status === 'installing'
        ? `Preparing offline use…${state.fraction === null ? '' : ` ${Math.floor(state.fraction * 100)}%`}`
        : 'Offline use unavailable';
  const title =
    state.status === 'ready'
      ? `Every file of this version (${state.version}) is stored in the browser: the page loads without a network.`
      : state.status === 'failed'
        ? state.message
        : 'Storing the app in the browser so that it also loads without a network.';
  return (
    <span className="offline-badge" data-testid="offline-status" data-status={state.status} title={title}>
      {text}
    </span>
  );
}
