/** Node entry of the Python worker (worker_threads). Started through python.node.mjs. */
import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { loadPyodide } from 'pyodide';
import type { ToWorker } from '../src/executor/protocol';
import { PYTHON_ENV } from '../src/executor/python-env';
import { startPythonWorker } from '../src/executor/worker-core';

const port = parentPort!;
// Verdicts and messages carry everything worth saying; Pyodide's own reports of a program that
// killed it (a stack overflow) would only clutter the command line's stderr.
console.error = () => {};
startPythonWorker({
  post: (message) => port.postMessage(message),
  onMessage: (handler) => port.on('message', (message: ToWorker) => handler(message)),
  harnessSource: readFileSync(new URL('../src/executor/harness.py', import.meta.url), 'utf8'),
  loadPyodide: async (onProgress) => {
    onProgress({ stage: 'start', fraction: 0.1, message: 'Starting Python' });
    return loadPyodide({ jsglobals: {}, env: PYTHON_ENV, stdout: () => {}, stderr: () => {} });
  },
});
