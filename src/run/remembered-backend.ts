/**
 * Measuring every backend can take most of a minute on a software GPU, so the winner is
 * remembered per browser; a later visit only re-checks it against the CPU, and measures them all
 * again if it fails.
 */
import type { BackendChoice, BackendName } from '../model/backend';

interface SettingsStore {
  readSetting<T>(key: string): Promise<T | null>;
  writeSetting(key: string, value: unknown): Promise<void>;
}

export interface RememberedBackend {
  name: BackendName;
  reason: string;
  at: number;
  /** the browser it was measured in; another browser measures again */
  userAgent: string;
}

const KEY = 'backend';
const userAgent = (): string => (typeof navigator === 'undefined' ? 'node' : navigator.userAgent);

export async function rememberedBackend(store: SettingsStore): Promise<RememberedBackend | null> {
  const saved = await store.readSetting<RememberedBackend>(KEY).catch(() => null);
  return saved && saved.userAgent === userAgent() ? saved : null;
}

/** The reason to show for the backend in use; remembers a new measurement, forgets a failed one. */
export async function explainBackend(store: SettingsStore, choice: BackendChoice, remembered: RememberedBackend | null): Promise<string> {
  if (remembered && choice.backend === remembered.name) {
    const day = new Date(remembered.at).toISOString().slice(0, 10);
    return `${remembered.reason} (Measured on ${day}; it passed its check against the CPU again now. Settings → "Measure backends again" re-runs the comparison.)`;
  }
  const next: RememberedBackend | null = remembered ? null : { name: choice.backend, reason: choice.reason, at: Date.now(), userAgent: userAgent() };
  await store.writeSetting(KEY, next).catch(() => {});
  return choice.reason;
}

const MEASURE_ALL = 'measure-all-backends';

/** Forgets the winner and asks the next visit to time every backend, the slow ones included. */
export async function forgetBackend(store: SettingsStore): Promise<void> {
  await store.writeSetting(KEY, null);
  await store.writeSetting(MEASURE_ALL, true);
}

/** Whether "Measure backends again" asked this visit to time every backend; the request is used up. */
export async function takeMeasureAll(store: SettingsStore): Promise<boolean> {
  const asked = (await store.readSetting<boolean>(MEASURE_ALL).catch(() => null)) === true;
  if (asked) await store.writeSetting(MEASURE_ALL, null).catch(() => {});
  return asked;
}
