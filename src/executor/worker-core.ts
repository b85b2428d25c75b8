/**
 * The body of a Python worker, shared by the browser's module worker and Node's worker thread.
 * It loads Pyodide, hides JavaScript from Python, installs the harness, then runs batches of
 * requests synchronously, posting each verdict as soon as it is known (so that a worker the
 * pool must kill mid-batch has already handed over everything it finished).
 */
import type { PyodideAPI } from 'pyodide';
import { CONTROL_INTERRUPTED, CONTROL_RUNNING, type FromWorker, type ToWorker } from './protocol';
import type { ExecRequest, LoadProgress, Verdict } from './types';

export interface WorkerHost {
  post(message: FromWorker): void;
  onMessage(handler: (message: ToWorker) => void): void;
  /** Loads Pyodide with JS globals hidden; reports download progress on the way. */
  loadPyodide(onProgress: (progress: LoadProgress) => void): Promise<PyodideAPI>;
  harnessSource: string;
}

type CheckJson = ((text: string) => string) & { destroy?: () => void };

export function startPythonWorker(host: WorkerHost): void {
  let check: CheckJson | undefined;
  let heapBytes: () => number = () => 0;
  let control: Int32Array | undefined;
  let interrupt: Int32Array | undefined;
  let seq = 0;
  /** Set when Pyodide suffered a fatal error: this runtime cannot run anything more. */
  let fatal = '';

  function runOne(request: ExecRequest): Verdict {
    // A stale interrupt aimed at the previous request lands here at most once: run it again.
    for (let attempt = 0; ; attempt++) {
      seq += 1;
      Atomics.store(control!, CONTROL_RUNNING, seq);
      Atomics.store(interrupt!, 0, 0);
      const started = performance.now();
      let parsed: Omit<Verdict, 'ms'>;
      try {
        parsed = JSON.parse(check!(JSON.stringify(request)));
      } catch (error) {
        const message = String((error as Error)?.message ?? error);
        if ((error as { pyodide_fatal_error?: boolean })?.pyodide_fatal_error || /fatal error/i.test(message)) {
          // Deep recursion in C code (repr or == of a deeply nested list) overflows the
          // engine's stack and kills Pyodide: the program's failure, and this worker's end.
          fatal = message.split('\n')[0]!;
          parsed = { ok: false, reason: 'runtime-error', detail: 'the program exhausted the stack (deep recursion in C code)' };
        } else if (message.includes('KeyboardInterrupt')) {
          // A KeyboardInterrupt that escaped the harness between two of its own statements.
          parsed = { ok: false, reason: 'timeout', detail: 'interrupted at the time limit' };
        } else {
          parsed = { ok: false, reason: 'crash', detail: message.slice(-300) };
        }
      }
      const ms = performance.now() - started;
      if (parsed.reason === 'timeout') {
        const interrupted = Atomics.load(control!, CONTROL_INTERRUPTED);
        if (interrupted !== seq) {
          if (interrupted === seq - 1 && attempt === 0) continue;
          // Nobody interrupted it: the program raised KeyboardInterrupt itself.
          parsed = { ok: false, reason: 'runtime-error', detail: 'KeyboardInterrupt' };
        }
      }
      return { ...parsed, ms };
    }
  }

  host.onMessage(async (message) => {
    if (message.type === 'init') {
      try {
        const started = performance.now();
        const pyodide = await host.loadPyodide((progress) => host.post({ type: 'progress', progress }));
        // Asked before the sandbox goes in; pyodide.version is the distribution's, not Python's.
        const pythonVersion = String(pyodide.runPython(`import sys\n'.'.join(map(str, sys.version_info[:3]))`));
        host.post({
          type: 'progress',
          progress: { stage: 'sandbox', fraction: 0.95, message: 'Installing the sandbox' },
        });
        // Python must not reach JavaScript: the js and pyodide_js modules go away for good.
        pyodide.unregisterJsModule('js');
        pyodide.unregisterJsModule('pyodide_js');
        interrupt = new Int32Array(message.interrupt);
        control = new Int32Array(message.control);
        pyodide.setInterruptBuffer(interrupt);
        const namespace = pyodide.globals.get('dict')();
        pyodide.runPython(host.harnessSource, { globals: namespace, filename: 'harness.py' });
        pyodide.runPython(
          `import sys
for name in ('js', 'pyodide_js'):
    sys.modules.pop(name, None)
configure(${JSON.stringify(
            JSON.stringify({
              output_chars: message.limits.outputChars,
              recursion: message.limits.recursion,
            }),
          )})
install_sandbox()`,
          { globals: namespace },
        );
        check = namespace.get('check_json') as CheckJson;
        const module = (pyodide as unknown as { _module: { HEAPU8: Uint8Array } })._module;
        heapBytes = () => module.HEAPU8.byteLength;
        host.post({
          type: 'ready',
          loadMs: performance.now() - started,
          pythonVersion,
          pyodideVersion: pyodide.version,
        });
      } catch (error) {
        host.post({ type: 'fatal', message: `Python failed to start: ${String(error)}` });
      }
      return;
    }
    if (message.type === 'run') {
      if (!check) {
        host.post({ type: 'fatal', message: 'run before the worker was ready' });
        return;
      }
      for (let index = 0; index < message.requests.length; index++) {
        const verdict = runOne(message.requests[index]!);
        host.post({ type: 'result', batch: message.batch, index, verdict, heapBytes: fatal ? 0 : heapBytes() });
        if (fatal) {
          host.post({ type: 'fatal', message: `Pyodide stopped: ${fatal}` });
          return; // the pool replaces this worker and runs the rest of the batch elsewhere
        }
      }
      host.post({ type: 'done', batch: message.batch });
    }
  });
}
