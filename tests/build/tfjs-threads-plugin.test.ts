import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tfjsThreads, threadedFactorySource } from '../../src/build/tfjs-threads-plugin';

const dist = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
const read = (path: string) => readFileSync(`${dist}/${path}`, 'utf8');

describe('the tfjs threads build plugin', () => {
  it('extracts a self-contained factory: evaluated with nothing around it, it is the module factory', () => {
    const source = threadedFactorySource(read('../wasm-out/tfjs-backend-wasm-threaded-simd.js'));
    expect(source.startsWith('(() => {')).toBe(true);
    // What a pthread worker does with it: a fresh scope, no bundle around it.
    const factory = new Function(`var WasmBackendModuleThreadedSimd = ${source}; return WasmBackendModuleThreadedSimd;`)();
    expect(typeof factory).toBe('function');
    expect(String(factory)).toMatch(/^function\(WasmBackendModuleThreadedSimd\)/);
  });

  it('replaces the toString() of the bundled factory in backend_wasm.js, and only there', () => {
    const plugin = tfjsThreads();
    const transform = plugin.transform as (this: { error(m: string): never }, code: string, id: string) => { code: string } | null;
    const context = {
      error: (m: string): never => {
        throw new Error(m);
      },
    };
    const code = read('backend_wasm.js');
    const out = transform.call(context, code, `${dist}/backend_wasm.js`)!;
    expect(out.code).not.toContain('wasmFactoryThreadedSimd.toString()');
    expect(out.code).toContain('"(() => {');
    expect(transform.call(context, code, '/elsewhere/other.js')).toBeNull();
    expect(() => transform.call(context, 'nothing here', `${dist}/backend_wasm.js`)).toThrow(/update the plugin/);
  });
});
