/**
 * Browser side of `tabula bench executor`: the page's own executor (module workers), timed on
 * the tasks the CLI hands over. Exposed on window for Playwright to call.
 */
import { createBrowserExecutor } from '../executor/browser-executor';
import type { ExecRequest } from '../executor/types';
import type { BackendName } from '../model/backend';
import type { PresetName } from '../model/config';
import type { ModelMeasurement } from '../model/measure';
import { startModelWorker } from '../model-service/model-worker-client';
import { modelWorkerCheck } from './model-check';
import { type TimedRounds, timedRounds } from './timed-rounds';

async function benchExecutor(requests: ExecRequest[], rounds: number): Promise<TimedRounds> {
  const pool = await createBrowserExecutor();
  try {
    return await timedRounds(pool, requests, rounds);
  } finally {
    pool.close();
  }
}

/** Times one preset on one backend in a fresh model worker (a backend cannot be un-initialised). */
async function benchModel(preset: PresetName, backend: BackendName, threads = 1): Promise<ModelMeasurement> {
  const { api, terminate } = startModelWorker();
  try {
    return await api.measure(preset, backend, threads);
  } finally {
    terminate();
  }
}

(window as unknown as { tabulaBench: unknown }).tabulaBench = { executor: benchExecutor, model: benchModel, modelWorkerCheck };
