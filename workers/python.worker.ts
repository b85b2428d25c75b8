/// <reference lib="webworker" />
/** Browser entry of the Python worker (a module Web Worker). */
import { loadPyodide } from 'pyodide';
import { fetchWithProgress } from '../src/executor/fetch-progress';
import harnessSource from '../src/executor/harness.py?raw';
import type { ToWorker } from '../src/executor/protocol';
import { PYTHON_ENV } from '../src/executor/python-env';
import { startPythonWorker } from '../src/executor/worker-core';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const indexURL = new URL(`${import.meta.env.BASE_URL}pyodide/`, scope.location.origin).href;

startPythonWorker({
  post: (message) => scope.postMessage(message),
  onMessage: (handler) => scope.addEventListener('message', (event: MessageEvent<ToWorker>) => handler(event.data)),
  harnessSource,
  loadPyodide: async (onProgress) => {
    // Download the two large files ourselves to report progress; loadPyodide then finds the
    // runtime in the HTTP cache and takes the standard library from memory.
    const files = [`${indexURL}pyodide.asm.wasm`, `${indexURL}python_stdlib.zip`];
    const [, stdlib] = await fetchWithProgress(files, (fraction) =>
      onProgress({ stage: 'download', fraction: fraction * 0.8, message: 'Downloading the Python runtime' }),
    );
    onProgress({ stage: 'start', fraction: 0.85, message: 'Starting Python' });
    const stdLibURL = URL.createObjectURL(new Blob([stdlib!]));
    try {
      return await loadPyodide({ indexURL, stdLibURL, jsglobals: {}, env: PYTHON_ENV, stdout: () => {}, stderr: () => {} });
    } finally {
      URL.revokeObjectURL(stdLibURL);
    }
  },
});
