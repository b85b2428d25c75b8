/**
 * Settings in the URL, so a link reproduces an experiment: `?preset=tiny&seed=3&batchSize=4`.
 * Only the preset, the seed and the settings that differ from the preset's defaults are written;
 * `run=` names the saved run the page shows.
 */
import { checkSettings, defaultConfig, describeProblems, type EngineConfig, FIELDS } from '../engine/config';

export interface UrlState {
  /** null when the URL has no settings */
  config: EngineConfig | null;
  runId: string | null;
  /** why the URL's settings were not used, naming every bad field; '' when they were */
  error: string;
  /** the fields at fault, in the order of the error */
  badFields: string[];
}

export function readUrlState(search: string): UrlState {
  const params = new URLSearchParams(search);
  const runId = params.get('run');
  const settings = [...params].filter(([key]) => key !== 'run').map(([key, value]) => `${key}=${value}`);
  if (settings.length === 0) return { config: null, runId, error: '', badFields: [] };
  const { config, problems } = checkSettings(defaultConfig('tiny'), settings);
  if (config) return { config, runId, error: '', badFields: [] };
  const fields = problems.map((p) => p.field);
  return {
    config: null,
    runId: null,
    error: `The link's settings were not used (${problems.length === 1 ? 'one is' : `${problems.length} are`} wrong): ${describeProblems(problems)}.`,
    badFields: fields,
  };
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
