import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { activateBackend, selectBackend } from '../../src/model/backend';
import { nodeWasmPaths } from '../../src/model/backend-node';
import { microConfig } from './helpers';

describe('backend selection', () => {
  it('in Node: self-tests wasm against the CPU reference, and leaves the CPU untimed once wasm passed', async () => {
    const choice = await selectBackend({ wasmPaths: nodeWasmPaths(), benchConfig: microConfig(), benchBatch: 2, benchLength: 16 });
    const byName = Object.fromEntries(choice.results.map((r) => [r.name, r]));
    expect(byName.wasm!.selfTest).toBe('pass');
    expect(byName.cpu!.notTimed).toBe(true);
    expect(choice.backend).toBe('wasm');
    expect(choice.reason).toMatch(/CPU was skipped \(plain JavaScript kernels/);
  });

  it('in Node, asked to time them all: self-tests wasm and cpu and picks the fastest', async () => {
    const choice = await selectBackend({ wasmPaths: nodeWasmPaths(), benchConfig: microConfig(), benchBatch: 2, benchLength: 16, timeAll: true });
    const byName = Object.fromEntries(choice.results.map((r) => [r.name, r]));
    expect(byName.webgpu!.available).toBe(false);
    expect(byName.webgl!.available).toBe(false);
    expect(byName.wasm!.selfTest).toBe('pass');
    expect(byName.wasm!.maxError).toBeLessThan(1e-4);
    expect(byName.cpu!.selfTest).toBe('pass');
    const fastest = [byName.wasm!, byName.cpu!].sort((a, b) => a.stepMs! - b.stepMs!)[0]!;
    expect(choice.backend).toBe(fastest.name);
    expect(tf.getBackend()).toBe(choice.backend);
    expect(choice.reason).toMatch(/^Using (WebAssembly|CPU)/);
    expect(choice.reason).toMatch(/WebGPU is unavailable/);
  });

  it('skips a software WebGPU adapter without timing it, unless asked to time software too', async () => {
    // A stand-in for the browser's navigator.gpu (Node has none): only the adapter's description is read.
    const requestAdapter = async () => ({ isFallbackAdapter: true, info: { vendor: 'google', description: 'SwiftShader Device' } });
    Object.defineProperty(globalThis, 'navigator', { value: { gpu: { requestAdapter } }, configurable: true });
    try {
      const choice = await selectBackend({ candidates: ['webgpu', 'cpu'], benchConfig: microConfig(), benchBatch: 2, benchLength: 16 });
      const webgpu = choice.results.find((r) => r.name === 'webgpu')!;
      expect(webgpu.notTimed).toBe(true);
      expect(webgpu.stepMs).toBeNull();
      expect(choice.backend).toBe('cpu');
      expect(choice.reason).toMatch(/WebGPU was skipped \(it renders in software on google SwiftShader Device/);
      expect(choice.reason).toMatch(/Measure backends again/);
      // Asked to time software renderers, it tries to start it (Node has no WebGPU backend to start).
      const all = await selectBackend({ candidates: ['webgpu', 'cpu'], benchConfig: microConfig(), benchBatch: 2, benchLength: 16, timeAll: true });
      expect(all.results[0]!.notTimed).toBeUndefined();
      expect(all.results[0]!.error).not.toMatch(/software/);
    } finally {
      Reflect.deleteProperty(globalThis, 'navigator');
    }
  });

  it('starts no more candidates once its time budget is spent and one has passed', async () => {
    const choice = await selectBackend({
      candidates: ['wasm', 'cpu'],
      wasmPaths: nodeWasmPaths(),
      benchConfig: microConfig(),
      benchBatch: 2,
      benchLength: 16,
      budgetMs: 0,
      timeAll: true,
    });
    expect(choice.backend).toBe('wasm');
    const cpu = choice.results.find((r) => r.name === 'cpu')!;
    expect(cpu.stepMs).toBeNull();
    expect(cpu.error).toMatch(/over its 0 s budget/);
  });

  it('refuses an unknown or unstartable backend with a clear error', async () => {
    await expect(activateBackend('webgl')).rejects.toThrow(/webgl is not available/);
    await activateBackend('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });
});
