/**
 * Makes tfjs's multi-threaded WASM build work when bundled. tfjs starts each pthread worker from
 * the text of its own factory function (`wasmFactoryThreadedSimd.toString()`). Once minified,
 * that function refers to a renamed variable of the scope around it, which the worker does not
 * have: every pthread worker dies with "e is not defined" and the backend never starts. This
 * plugin hands tfjs the factory's original, self-contained source text instead, read from the
 * package at build time.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

const FACTORY = fileURLToPath(new URL('../../node_modules/@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js', import.meta.url));
const TARGET = /@tensorflow\/tfjs-backend-wasm\/dist\/backend_wasm\.js$/;
const CALL = 'wasmFactoryThreadedSimd.toString()';

/** The factory's source as an expression: the package's `(() => { ... })()` that returns it. */
export function threadedFactorySource(source: string): string {
  const start = source.indexOf('(() => {');
  const end = source.lastIndexOf('})();', source.indexOf('if (typeof exports'));
  if (start < 0 || end < start) throw new Error("tfjs-threads-plugin: the threaded factory's layout changed; update the plugin");
  return source.slice(start, end + '})()'.length);
}

export function tfjsThreads(): Plugin {
  return {
    name: 'tabula-tfjs-threads',
    transform(code, id) {
      if (!TARGET.test(id.split('?')[0]!.replace(/\\/g, '/'))) return null;
      if (!code.includes(CALL)) this.error(`tfjs-threads-plugin: ${CALL} not found in ${id}; update the plugin`);
      return { code: code.replace(CALL, JSON.stringify(threadedFactorySource(readFileSync(FACTORY, 'utf8')))), map: null };
    },
  };
}
