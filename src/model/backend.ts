// Choosing the tfjs backend: try each one, check that it computes what the CPU backend computes,
// time a representative training step, and keep the fastest that passed.
//
// Works in Node (wasm, cpu) and in a browser worker (webgpu, webgl, wasm, cpu). The caller tells
// where the WASM binaries are served (a URL prefix in the browser, a directory path ending in '/'
// in Node: see backend-node.ts).

import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { configFor, type ModelConfig } from './config';
import { disposeKvCache } from './kv-cache';
import { createModel, decodeStep, disposeModel, forward, forwardHidden, outputLogits, prefill, trainableVariables } from './transformer';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
/** The backends a browser tries, in order. WebGPU late: initialising it first broke the wasm backend's results in Chromium here. */
export const BROWSER_BACKENDS: readonly BackendName[] = ['wasm', 'webgl', 'webgpu', 'cpu'];
/** Node has no WebGL or WebGPU. */
export const NODE_BACKENDS: readonly BackendName[] = ['wasm', 'cpu'];

/** Where the tfjs-backend-wasm binaries are: a prefix ending in '/', or one URL per file name. */
export type WasmPaths = string | Record<string, string>;

/**
 * The WebAssembly backend's linear memory on this thread, in bytes (null on other backends). It
 * only ever grows, so a soak watches it for fragmentation that tfjs's tensor count cannot show.
 */
export function wasmMemoryBytes(): number | null {
  if (tf.getBackend() !== 'wasm') return null;
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return backend.wasm?.HEAPU8?.buffer.byteLength ?? null;
}

export interface BackendResult {
  name: BackendName;
  /** registered here and initialised by setBackend */
  available: boolean;
  selfTest: 'pass' | 'fail' | 'skipped';
  /** largest difference from the CPU backend, relative to the largest CPU value */
  maxError: number | null;
  /** median milliseconds of one forward + backward pass of the benchmark model */
  stepMs: number | null;
  /** WebGPU: the adapter; WebGL: the renderer; and whether it is a software fallback (e.g. SwiftShader) */
  adapter?: string;
  fallbackAdapter?: boolean;
  /**
   * true when it was left untimed as known to be much slower here: a software renderer, or the
   * CPU backend once WebAssembly has passed (see SelectBackendOptions.timeAll)
   */
  notTimed?: boolean;
  /** why it is unavailable or failed */
  error?: string;
}

export interface BackendChoice {
  backend: BackendName;
  /** one sentence for the user: what was chosen and why */
  reason: string;
  results: BackendResult[];
}

export interface SelectBackendOptions {
  /** backends to try, in order; default webgpu, webgl, wasm, cpu */
  candidates?: readonly BackendName[];
  /** where the WASM binaries are; without it, wasm is skipped */
  wasmPaths?: WasmPaths;
  /** model to time (default: the tiny preset with a 256-token vocabulary) */
  benchConfig?: ModelConfig;
  /** batch x length of the timed step (default 4 x 32) */
  benchBatch?: number;
  benchLength?: number;
  /** allowed relative disagreement with the CPU backend (default 1e-3) */
  tolerance?: number;
  /**
   * Time every candidate. Off by default: GPU backends on a software renderer (a WebGPU fallback
   * adapter, a WebGL renderer such as SwiftShader or llvmpipe) take most of a minute to measure
   * and are several times slower than WebAssembly, and the CPU backend is ~20x slower than a
   * working WebAssembly; they are skipped and named in the reason. "Measure backends again"
   * turns it on.
   */
  timeAll?: boolean;
  /**
   * Once this many ms have gone by and some backend has passed, the remaining candidates are not
   * started (default 15 s): a first visit should not wait on the last, slowest candidate.
   */
  budgetMs?: number;
  /** progress messages */
  log?: (message: string) => void;
}

let wasmConfigured = false;
let wasmThreadCount = 1;

/**
 * Points tfjs at the WASM binaries and chooses its build: with `threads` > 1, the multi-threaded
 * build with that many XNNPACK threads where the environment allows it (a cross-origin-isolated
 * page; tfjs never threads in Node), else the single-threaded SIMD build. Must run before the
 * wasm backend is first initialised (once per worker); later calls are ignored.
 */
export function configureWasm(paths: WasmPaths, threads = 1): void {
  if (wasmConfigured) return;
  wasmThreadCount = threads;
  if (threads > 1) setThreadsCount(threads);
  else tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setWasmPaths(paths);
  wasmConfigured = true;
}

/**
 * tfjs's threaded build caps its thread pool at half of navigator.hardwareConcurrency (it assumes
 * two hyper-threads a core), so on a 2-core machine it never runs more than one thread. While the
 * wasm backend starts, the worker's navigator reports enough cores for the requested count; the
 * returned function puts the real figure back.
 */
function reportCoresForThreads(): () => void {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (wasmThreadCount <= 1 || !nav || Object.hasOwn(nav, 'hardwareConcurrency')) return () => {};
  Object.defineProperty(nav, 'hardwareConcurrency', { value: 2 * wasmThreadCount, configurable: true });
  return () => void Reflect.deleteProperty(nav, 'hardwareConcurrency');
}

/** Threads the initialised wasm backend computes with (1 for the single-threaded build). */
export function wasmThreads(): number {
  try {
    return getThreadsCount();
  } catch {
    return 1;
  }
}

/**
 * Switches to `name` and checks it took: tf.setBackend resolves false (or throws) on failure
 * without changing anything, so the active backend is verified.
 */
export async function activateBackend(name: BackendName, wasmPaths?: WasmPaths, threads = 1): Promise<void> {
  if (name === 'wasm') {
    if (!wasmPaths && !wasmConfigured) throw new Error('the wasm backend needs the location of its .wasm files (wasmPaths)');
    if (wasmPaths) configureWasm(wasmPaths, threads);
  }
  if (!tf.findBackendFactory(name)) throw new Error(`backend ${name} is not available in this environment`);
  let ok = false;
  const restore = name === 'wasm' ? reportCoresForThreads() : () => {};
  try {
    ok = await tf.setBackend(name);
  } catch (error) {
    throw new Error(`backend ${name} failed to start: ${(error as Error).message}`);
  } finally {
    restore();
  }
  if (!ok || tf.getBackend() !== name) throw new Error(`backend ${name} failed to start`);
  await tf.ready();
}

const SELF_TEST_CONFIG: ModelConfig = {
  vocabSize: 24,
  contextLength: 16,
  dModel: 16,
  nLayers: 2,
  nHeads: 2,
  dMlp: 32,
  tiedEmbeddings: true,
  previousToken: true,
  activation: 'gelu',
  normEps: 1e-5,
  initStd: 0.2,
  seed: 7,
};

/**
 * Everything the model relies on, on the active backend: the logits of a forward pass, the
 * gradient of a fixed function of them, and the logits of a KV-cached decode step. Returned as one
 * flat array to compare across backends.
 */
async function selfTestValues(): Promise<Float32Array> {
  const model = createModel(SELF_TEST_CONFIG);
  try {
    const B = 2;
    const T = 8;
    const V = SELF_TEST_CONFIG.vocabSize;
    const ids = Array.from({ length: B * T }, (_, i) => (i * 7 + 3) % V);
    const weights = Array.from({ length: B * T * V }, (_, i) => Math.sin(i));
    const parts = tf.tidy(() => {
      const tokens = tf.tensor2d(ids, [B, T], 'int32');
      const w = tf.tensor2d(weights, [B * T, V]);
      const logits = forward(model, tokens);
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(outputLogits(model, forwardHidden(model, tokens)), w)) as tf.Scalar, trainableVariables(model));
      // KV-cached decoding: rows with 2 and 4 prompt tokens, then 10 steps (across a chunk merge).
      const steps: tf.Tensor[] = [];
      const pre = prefill(model, tf.tensor2d([0, 0, ids[0]!, ids[1]!, ids[2]!, ids[3]!, ids[4]!, ids[5]!], [B, 4], 'int32'), [2, 0], true);
      steps.push(pre.logits);
      for (let t = 0; t < 10; t++) {
        const slot = 4 + t;
        const previous = t === 0 ? [ids[1]!, ids[5]!] : [ids[t + 5]!, ids[t + 2]!];
        steps.push(
          decodeStep(
            model,
            pre.cache!,
            tf.tensor1d([ids[t + 6]!, ids[t + 3]!], 'int32'),
            tf.tensor1d([slot - 2, slot], 'int32'),
            slot,
            tf.tensor1d(previous, 'int32'),
          ),
        );
      }
      disposeKvCache(pre.cache!);
      return [tf.reshape(logits, [-1]), ...Object.values(grads).map((g) => tf.reshape(g, [-1])), ...steps.map((x) => tf.reshape(x, [-1]))];
    });
    const flat = tf.concat(parts);
    tf.dispose(parts);
    const data = (await flat.data()) as Float32Array;
    flat.dispose();
    return data;
  } finally {
    disposeModel(model);
  }
}

/**
 * Median ms of a forward + backward pass (a training step minus the optimiser) of `config`. When
 * the warm-up alone exceeds `giveUpMs` the backend is clearly not the fastest: its warm-up time
 * is returned instead of spending seconds more on it.
 */
async function timeStep(config: ModelConfig, batch: number, length: number, giveUpMs: number): Promise<number> {
  const model = createModel(config);
  try {
    const ids = Array.from({ length: batch * length }, (_, i) => (i * 31 + 5) % config.vocabSize);
    const run = async (): Promise<number> => {
      const start = performance.now();
      const result = tf.tidy(() => {
        const tokens = tf.tensor2d(ids, [batch, length], 'int32');
        const { value, grads } = tf.variableGrads(
          () => tf.mean(tf.logSoftmax(outputLogits(model, forwardHidden(model, tokens)))) as tf.Scalar,
          trainableVariables(model),
        );
        return tf.addN([value, ...Object.values(grads).map((g) => tf.sum(g))]);
      });
      await result.data();
      result.dispose();
      return performance.now() - start;
    };
    const warmUp = await run(); // kernel compilation, buffer allocation
    if (warmUp > giveUpMs) return warmUp;
    const times: number[] = [];
    for (let i = 0; i < 3; i++) times.push(await run());
    times.sort((a, b) => a - b);
    return times[1]!;
  } finally {
    disposeModel(model);
  }
}

interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
}

async function describeWebGpuAdapter(): Promise<{ adapter: string; fallback: boolean } | null> {
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(o?: object): Promise<GpuAdapterLike | null> } } }).navigator?.gpu;
  if (!gpu) return null;
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return null;
  const info = adapter.info ?? {};
  const name = [info.vendor, info.architecture, info.description].filter((s) => s).join(' ') || 'unknown adapter';
  const fallback = Boolean(adapter.isFallbackAdapter ?? info.isFallbackAdapter) || /swiftshader/i.test(name);
  return { adapter: name, fallback };
}

/** Renderer names of GPU emulations that run on the CPU. */
const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|basic render driver/i;

/** The WebGL renderer's name (unmasked when the browser allows), or null without WebGL. */
function describeWebGlRenderer(): string | null {
  const Canvas = (globalThis as { OffscreenCanvas?: new (w: number, h: number) => { getContext(kind: string): unknown } }).OffscreenCanvas;
  if (!Canvas) return null;
  try {
    const canvas = new Canvas(1, 1);
    const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null;
    if (!gl) return null;
    const debug = gl.getExtension('WEBGL_debug_renderer_info');
    const name = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return name;
  } catch {
    return null; // a context that cannot be made: the backend's own start-up says why
  }
}

/** Largest absolute difference relative to the largest reference value; NaN counts as infinite. */
export function maxRelativeError(reference: Float32Array, values: Float32Array): number {
  if (reference.length !== values.length) return Number.POSITIVE_INFINITY;
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < reference.length; i++) {
    scale = Math.max(scale, Math.abs(reference[i]!));
    const diff = Math.abs(reference[i]! - values[i]!);
    if (!(diff <= worst)) worst = Number.isNaN(diff) ? Number.POSITIVE_INFINITY : diff;
  }
  return worst / Math.max(scale, 1e-12);
}

/**
 * Tries each candidate backend, self-tests it against the CPU backend, times a step, and leaves
 * the fastest passing backend active. The CPU backend is the reference and is always kept as the
 * last resort.
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendChoice> {
  const log = options.log ?? (() => {});
  const candidates = options.candidates ?? BROWSER_BACKENDS;
  const tolerance = options.tolerance ?? 1e-3;
  const benchConfig = options.benchConfig ?? configFor('tiny', 256);
  const benchBatch = options.benchBatch ?? 4;
  const benchLength = Math.min(options.benchLength ?? 32, benchConfig.contextLength);

  const budgetMs = options.budgetMs ?? 15_000;
  const started = performance.now();

  await activateBackend('cpu');
  const reference = await selfTestValues();
  const results: BackendResult[] = [];

  for (const name of candidates) {
    const result: BackendResult = { name, available: false, selfTest: 'skipped', maxError: null, stepMs: null };
    results.push(result);
    try {
      if (name === 'wasm' && !options.wasmPaths && !wasmConfigured) throw new Error('no wasmPaths given');
      if (name === 'webgpu') {
        const adapter = await describeWebGpuAdapter().catch(() => null);
        if (!adapter) throw new Error('no WebGPU adapter');
        result.adapter = adapter.adapter;
        result.fallbackAdapter = adapter.fallback;
      }
      if (name === 'webgl') {
        const renderer = describeWebGlRenderer();
        if (renderer) {
          result.adapter = renderer;
          result.fallbackAdapter = SOFTWARE_RENDERER.test(renderer);
        }
      }
      const spent = performance.now() - started;
      if (spent > budgetMs && results.some((r) => r.selfTest === 'pass')) {
        throw new Error(`not started: measuring had taken ${(spent / 1000).toFixed(0)} s, over its ${(budgetMs / 1000).toFixed(0)} s budget`);
      }
      // The CPU backend runs the same model in plain JavaScript kernels, ~20x slower than
      // WebAssembly (bench model): once WebAssembly has passed, timing it only delays the start.
      if (name === 'cpu' && !options.timeAll && results.some((r) => r.name === 'wasm' && r.selfTest === 'pass')) {
        result.notTimed = true;
        throw new Error('plain JavaScript kernels, about 20x slower than WebAssembly: not timed');
      }
      if (result.fallbackAdapter && !options.timeAll) {
        result.notTimed = true;
        throw new Error(`it renders in software on ${result.adapter}, several times slower than WebAssembly here: not timed`);
      }
      log(`backend ${name}: starting`);
      await activateBackend(name, options.wasmPaths);
      result.available = true;
      if (name !== 'cpu') {
        const values = await selfTestValues();
        result.maxError = maxRelativeError(reference, values);
        if (!(result.maxError <= tolerance)) {
          result.selfTest = 'fail';
          result.error = `disagrees with the CPU backend by ${result.maxError.toExponential(1)} (tolerance ${tolerance})`;
          log(`backend ${name}: self-test failed, ${result.error}`);
          continue;
        }
      } else {
        result.maxError = 0;
      }
      result.selfTest = 'pass';
      const fastest = Math.min(...results.map((r) => r.stepMs ?? Number.POSITIVE_INFINITY));
      result.stepMs = await timeStep(benchConfig, benchBatch, benchLength, 10 * fastest);
      log(`backend ${name}: self-test passed, ${result.stepMs.toFixed(1)} ms per step`);
    } catch (error) {
      result.error = (error as Error).message;
      log(`backend ${name}: unavailable, ${result.error}`);
    }
  }

  const passing = results.filter((r) => r.selfTest === 'pass' && r.stepMs !== null);
  passing.sort((a, b) => a.stepMs! - b.stepMs!);
  const best = passing[0];
  if (!best) {
    await activateBackend('cpu');
    return { backend: 'cpu', reason: 'No backend passed its self-test; using the CPU backend.', results };
  }
  await activateBackend(best.name, options.wasmPaths);
  return { backend: best.name, reason: explain(best, results), results };
}

const LABEL: Record<BackendName, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WebAssembly', cpu: 'CPU' };

function explain(best: BackendResult, results: BackendResult[]): string {
  const timed = results
    .filter((r) => r.stepMs !== null)
    .map((r) => `${LABEL[r.name]} ${r.stepMs!.toFixed(0)} ms`)
    .join(', ');
  const others = results
    .filter((r) => r.selfTest !== 'pass')
    .map(
      (r) =>
        `${LABEL[r.name]} ${r.selfTest === 'fail' ? 'failed its self-test' : r.notTimed ? 'was skipped' : 'is unavailable'}${r.error ? ` (${r.error})` : ''}`,
    );
  const adapter = best.adapter ? ` on ${best.adapter}${best.fallbackAdapter ? ', a software fallback adapter that still measured fastest' : ''}` : '';
  let sentence = `Using ${LABEL[best.name]}${adapter}: it matched the CPU reference and was the fastest per training step (${timed}).`;
  if (others.length > 0) sentence += ` ${others.join('; ')}.`;
  if (results.some((r) => r.notTimed)) sentence += ' Settings → "Measure backends again" times every backend.';
  return sentence;
}
