/** Node entry of a helper model (src/model-service/node-model-helper.ts): a ModelService over comlink. */
import { getHeapStatistics } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { wasmMemoryBytes } from '../src/model/backend';
import { quietTfjs } from '../src/model/backend-node';
import { ModelService } from '../src/model-service/model-service';

if (!parentPort) throw new Error('model-helper.node.ts runs as a worker thread');
quietTfjs(); // tfjs's environment is per thread: mute its Node banner here too
// This thread's own heap (a worker thread has its own V8 isolate) and ArrayBuffers. V8 counts
// WebAssembly memory as external too: that is reported on its own (MemoryReport.wasmBytes).
const heapBytes = () => {
  const heap = getHeapStatistics();
  return heap.used_heap_size + heap.external_memory - (wasmMemoryBytes() ?? 0);
};
Comlink.expose(new ModelService({ heapBytes }), nodeEndpoint(parentPort));
