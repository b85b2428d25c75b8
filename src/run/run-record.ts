/**
 * A saved run as the page keeps it: what it is (meta), where the engine stood (state), every
 * step's figures (metrics), the last step's proposals (feed) and the model checkpoint.
 */
import { isInductionTask, isTriplet } from '../engine/buffers';
import { ConfigError, type EngineConfig, upgradeConfig, validateConfig } from '../engine/config';
import type { FeedItem } from '../engine/feed';
import type { StepMetrics } from '../engine/metrics';
import type { EngineState } from '../engine/self-play';
import { isPresetName } from '../model/config';

export interface RunMeta {
  id: string;
  name: string;
  /** ms since the epoch */
  created: number;
  updated: number;
  step: number;
  config: EngineConfig;
  /** about how many bytes the last save takes (runs saved before this was kept have none) */
  bytes?: number;
}

export interface RunRecord {
  meta: RunMeta;
  state: EngineState;
  metrics: StepMetrics[];
  feed: FeedItem[];
  checkpoint: Uint8Array;
}

export class RunRecordError extends Error {}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Checks everything but the checkpoint bytes; throws a RunRecordError saying what is wrong. */
export function checkRunParts(parts: { meta: unknown; state: unknown; metrics: unknown; feed: unknown }): Omit<RunRecord, 'checkpoint'> {
  const { meta, state, metrics, feed } = parts;
  if (!isObject(meta) || typeof meta.id !== 'string' || !meta.id || typeof meta.name !== 'string') throw new RunRecordError('the run has no id or name');
  if (!Number.isFinite(meta.created) || !Number.isFinite(meta.updated) || !Number.isInteger(meta.step))
    throw new RunRecordError('the run has no valid dates or step');
  try {
    // Runs saved before a setting existed get it filled in (the engine state holds the same config).
    const saved = meta.config as EngineConfig | undefined;
    if (isObject(saved) && isPresetName(saved.preset)) {
      meta.config = upgradeConfig(saved);
      if (isObject(state)) state.config = meta.config;
    }
    validateConfig(meta.config as EngineConfig);
  } catch (error) {
    if (error instanceof ConfigError) throw new RunRecordError(`the run's settings are invalid: ${error.message}`);
    throw error;
  }
  if (!isObject(state) || state.version !== 1 || state.step !== meta.step || !isObject(state.buffers)) {
    throw new RunRecordError('the engine state is missing, of another version, or disagrees with the run');
  }
  for (const [type, isTask] of [
    ['deduction', isTriplet],
    ['abduction', isTriplet],
    ['induction', isInductionTask],
  ] as const) {
    const items = (state.buffers as Record<string, unknown>)[type];
    if (!Array.isArray(items) || !items.every((t) => isObject(t) && isTask(t))) throw new RunRecordError(`the ${type} buffer is damaged`);
  }
  if (
    !Array.isArray(metrics) ||
    !metrics.every((m, i) => isObject(m) && Number.isInteger(m.step) && (i === 0 || (m.step as number) > (metrics[i - 1] as { step: number }).step))
  ) {
    throw new RunRecordError('the metrics are damaged (each step needs a step number, in order)');
  }
  if (!Array.isArray(feed)) throw new RunRecordError('the task feed is damaged');
  return { meta: meta as unknown as RunMeta, state: state as unknown as EngineState, metrics: metrics as StepMetrics[], feed: feed as FeedItem[] };
}
