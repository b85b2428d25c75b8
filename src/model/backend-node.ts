// Node only: where npm installed the tfjs-backend-wasm binaries, for configureWasm /
// selectBackend({ wasmPaths }). Kept apart so the engine itself imports no Node modules.

import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';

/** The directory holding tfjs-backend-wasm's .wasm files, as a path ending in '/'. */
export function nodeWasmPaths(): string {
  const require = createRequire(import.meta.url);
  // The package's main entry lives in dist/, next to the .wasm files.
  return `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`;
}

/**
 * Production mode for tfjs in a Node process or thread, before its first tensor. In tfjs 4.22 the
 * PROD flag only mutes tfjs's own console output (tfjs-core log.ts), which in Node starts with the
 * CPU backend's "install our node backend" banner: advice that does not apply here, where wasm or
 * cpu is chosen on purpose and measured.
 */
export function quietTfjs(): void {
  tf.enableProdMode();
}
