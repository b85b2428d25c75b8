import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { activateBackend, selectBackend } from '../../src/model/backend';
import { nodeWasmPaths } from '../../src/model/backend-node';
import { microConfig } from './helpers';

describe('backend selection', () => {
  it('in Node: self-tests wasm and cpu against the CPU reference and picks the fastest', async () => {
    const choice = await selectBackend({ wasmPaths: nodeWasmPaths(), benchConfig: microConfig(), benchBatch: 2, benchLength: 16 });
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

  it('refuses an unknown or unstartable backend with a clear error', async () => {
    await expect(activateBackend('webgl')).rejects.toThrow(/webgl is not available/);
    await activateBackend('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });
});
