/**
 * The self-play engine in Node: a model service (on the fastest backend that passes its
 * self-test), a Python executor pool, and the engine over them, fresh or resumed from a run.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type EngineConfig, optimizerOptions } from '../engine/config';
import type { EvalTask } from '../engine/evaluate';
import { HELDOUT_PATH, type HeldoutTask, readHeldout } from '../engine/heldout';
import { type EngineState, SelfPlay } from '../engine/self-play';
import { createNodeExecutor, defaultWorkerCount } from '../executor/node-executor';
import type { ExecutorPool } from '../executor/pool';
import { type BackendName, NODE_BACKENDS } from '../model/backend';
import { nodeWasmPaths } from '../model/backend-node';
import { type ModelInfo, type ModelInit, ModelService } from '../model-service/model-service';
import { spawnNodeModelHelper } from '../model-service/node-model-helper';

export interface Session {
  model: ModelService;
  executor: ExecutorPool;
  engine: SelfPlay;
  info: ModelInfo;
  close(): void;
}

/** The held-out set shipped in the repository. */
export function shippedHeldout(): HeldoutTask[] {
  const path = fileURLToPath(new URL(`../../${HELDOUT_PATH}`, import.meta.url));
  return readHeldout(readFileSync(path, 'utf8'));
}

export async function openSession(options: {
  config: EngineConfig;
  resume?: { state: EngineState; checkpoint: Uint8Array };
  backends?: BackendName[];
  workers?: number;
  shape?: ModelInit['shape'];
  /** The tasks kept out of training and evaluated on (default: the shipped held-out set). */
  heldout?: readonly EvalTask[];
}): Promise<Session> {
  const { config } = options;
  const model = new ModelService();
  let executor: ExecutorPool | null = null;
  try {
    let info = await model.init({
      preset: config.preset,
      seed: config.seed,
      wasmPaths: nodeWasmPaths(),
      candidates: options.backends ?? NODE_BACKENDS,
      optimizer: optimizerOptions(config),
      threads: config.threads,
      spawnHelper: spawnNodeModelHelper,
      shape: options.shape,
    });
    if (options.resume) info = { ...(await model.load(options.resume.checkpoint)), backend: info.backend };
    executor = await createNodeExecutor({ workers: options.workers ?? defaultWorkerCount(), limits: { timeoutMs: config.timeoutMs } });
    const engine = new SelfPlay(model, executor, config, options.heldout ?? shippedHeldout(), options.resume?.state);
    const pool = executor;
    return {
      model,
      executor: pool,
      engine,
      info,
      close() {
        pool.close();
        model.dispose();
      },
    };
  } catch (error) {
    executor?.close();
    model.dispose();
    throw error;
  }
}
