/**
 * Settings in the URL, so a link reproduces an experiment: `?preset=tiny&seed=3&batchSize=4`.
 * Only the preset, the seed and the settings that differ from the preset's defaults are written;
 * `run=` names the saved run the page shows.
 */
import { applySettings, ConfigError, defaultConfig, FIELDS, type EngineConfig } from '../engine/config';

export interface UrlState {
  /** null when the URL has no settings */
  config: EngineConfig | null;
  runId: string | null;
  /** why the URL's settings were not used */
  error: string;
}

export function readUrlState(search: string): UrlState {
  const params = new URLSearchParams(search);
  const runId = params.get('run');
  const settings = [...params].filter(([key]) => key !== 'run').map(([key, value]) => `${key}=${value}`);
  if (settings.length === 0) return { config: null, runId, error: '' };
  try {
    return { config: applySettings(defaultConfig('tiny'), settings), runId, error: '' };
  } catch (error) {
    if (error instanceof ConfigError) return { config: null, runId: null, error: `The link's settings were not used: ${error.message}` };
    throw error;
  }
}

export function writeUrlState(config: EngineConfig, runId: string | null): string {
  const defaults = defaultConfig(config.preset);
  const params = new URLSearchParams();
  params.set('preset', config.preset);
  params.set('seed', String(config.seed));
  for (const key of Object.keys(FIELDS) as (keyof EngineConfig)[]) {
    if (key === 'preset' || key === 'seed') continue;
    if (config[key] !== defaults[key]) params.set(key, String(config[key]));
  }
  if (runId) params.set('run', runId);
  return `?${params.toString()}`;
}
