// Node only: where npm installed the tfjs-backend-wasm binaries, for configureWasm /
// selectBackend({ wasmPaths }). Kept apart so the engine itself imports no Node modules.

import { createRequire } from 'node:module';
import { dirname } from 'node:path';

/** The directory holding tfjs-backend-wasm's .wasm files, as a path ending in '/'. */
export function nodeWasmPaths(): string {
  const require = createRequire(import.meta.url);
  // The package's main entry lives in dist/, next to the .wasm files.
  return `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`;
}
