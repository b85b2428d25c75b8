/**
 * `tabula bench soak [--minutes M] [--page] [--json]`: trains for M minutes with default settings
 * and samples, once a minute between steps, the tfjs tensor count and bytes, the JS heap, (in
 * Node) the process's resident memory and the helper thread's heap, the model threads'
 * WebAssembly memory, the largest Python worker's memory, the seconds per step, the token positions
 * a step processed and the milliseconds per 1000 of them, and a speed probe's times (the same
 * work every minute, src/engine/speed-probe.ts); then judges them flat or not
 * (src/bench/soak.ts) and exits 1, saying what grew, when they are not. In Node by default; with
 * --page, in the built page in Chromium (the trainer worker reports its own figures).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { judgeSoak, meanOrNull, type ProbeTimes, type SoakSample, soakTable } from '../bench/soak';
import { defaultConfig } from '../engine/config';
import { emptyPhases, type PhaseTimes, stepTokens } from '../engine/metrics';
import type { SpeedProbe } from '../engine/speed-probe';
import type { TrainerHealth } from '../run/run-controller';
import { numberOption, parseArgs } from './args';
import { recordStepTimes, withBuiltApp } from './bench-browser';
import { openSession } from './engine-session';

const MINUTE_MS = 60_000;
const note = (text: string) => process.stderr.write(`bench soak: ${text}\n`);

/** A full garbage collection on demand, so the heap figure is what is live, not what awaits collection. */
function fullCollection(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const probeTimes = ({ gradientMs, sampleMs, executorMs }: SpeedProbe): ProbeTimes => ({ gradientMs, sampleMs, executorMs });

async function soakInNode(minutes: number): Promise<SoakSample[]> {
  const collect = fullCollection();
  const session = await openSession({ config: { ...defaultConfig('tiny'), seed: 1 } });
  try {
    await session.engine.seed();
    const samples: SoakSample[] = [];
    const start = performance.now();
    let stepSeconds: number[] = [];
    let tokens = 0;
    let phaseMs = emptyPhases();
    let steps = 0;
    while (performance.now() - start < minutes * MINUTE_MS) {
      const metrics = await session.engine.runStep();
      steps += 1;
      stepSeconds.push(metrics.timing.stepMs / 1000);
      tokens += stepTokens(metrics.timing);
      for (const [phase, ms] of Object.entries(metrics.timing.phases)) phaseMs[phase as keyof PhaseTimes] += ms;
      const minute = Math.floor((performance.now() - start) / MINUTE_MS);
      if (minute > (samples.at(-1)?.minute ?? 0)) {
        collect();
        const { tensors, bytes, wasmBytes } = session.model.memory();
        const helper = await session.model.helperMemory();
        const probe = await session.engine.speedProbe();
        samples.push({
          minute,
          steps,
          secondsPerStep: meanOrNull(stepSeconds),
          tokensPerStep: tokens / stepSeconds.length,
          msPerThousandTokens: (stepSeconds.reduce((a, b) => a + b, 0) * 1e6) / tokens,
          tensors,
          tensorBytes: bytes,
          heapBytes: process.memoryUsage().heapUsed,
          residentBytes: process.memoryUsage().rss,
          mainWasmBytes: wasmBytes,
          helperWasmBytes: helper?.wasmBytes ?? null,
          helperHeapBytes: helper?.heapBytes ?? null,
          pythonHeapBytes: session.executor.largestHeapBytes(),
          workerReplacements: session.executor.stats.replacements,
          probe: probeTimes(probe),
        });
        // Where resident memory outside the table could be: this thread's ArrayBuffers and other external memory;
        // where a step's time goes, per phase, and the curriculum level (a step's work grows with it).
        const { external, arrayBuffers } = process.memoryUsage();
        const perStep = Object.entries(phaseMs).map(([phase, ms]) => `${phase} ${(ms / 1000 / stepSeconds.length).toFixed(1)}`);
        note(
          `minute ${minute}: ${steps} steps, ${tensors} tensors, level ${metrics.curriculum?.level ?? '-'}; main thread external ${(external / 1e6).toFixed(1)} MB (ArrayBuffers ${(arrayBuffers / 1e6).toFixed(1)} MB); s/step by phase: ${perStep.join(', ')}`,
        );
        stepSeconds = [];
        tokens = 0;
        phaseMs = emptyPhases();
      }
    }
    return samples;
  } finally {
    session.close();
  }
}

async function soakInPage(minutes: number): Promise<SoakSample[]> {
  return withBuiltApp(
    async (browser, origin) => {
      const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
      await recordStepTimes(page);
      await page.goto(`${origin}/?preset=tiny&seed=1`);
      await page.waitForFunction(() => !(document.querySelector('.controls .primary') as HTMLButtonElement | null)?.disabled, undefined, { timeout: 300_000 });
      await page.getByRole('button', { name: 'Start', exact: true }).click();
      note('training in the page');
      const samples: SoakSample[] = [];
      const start = Date.now();
      let seen = 0;
      let workBefore = { steps: 0, tokens: 0, ms: 0 };
      for (let minute = 1; minute <= minutes; minute++) {
        await page.waitForTimeout(Math.max(0, start + minute * MINUTE_MS - Date.now()));
        const figures = await page.evaluate(async () => {
          const w = window as unknown as { stepTimes: number[]; __tabulaTest: { health(): Promise<TrainerHealth>; speedProbe(): Promise<SpeedProbe> } };
          const measure = (performance as unknown as { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> }).measureUserAgentSpecificMemory;
          const memory = measure ? await measure.call(performance) : null;
          const health = await w.__tabulaTest.health();
          return { health, heapBytes: memory?.bytes ?? null, stepTimes: w.stepTimes.slice(), probe: await w.__tabulaTest.speedProbe() };
        });
        if (figures.heapBytes === null)
          throw new Error('this Chromium has no performance.measureUserAgentSpecificMemory (it needs a cross-origin isolated page)');
        const times = figures.stepTimes.slice(Math.max(0, seen - 1));
        const gaps = times.slice(1).map((t, i) => (t - times[i]!) / 1000);
        seen = figures.stepTimes.length;
        const { tensors, tensorBytes, pythonHeapBytes, workerReplacements, step, mainWasmBytes, helperWasmBytes, work } = figures.health;
        // the engine's own step times and positions, as in Node (the gaps above also hold the page's own work)
        const tokens = work.tokens - workBefore.tokens;
        const workSteps = work.steps - workBefore.steps;
        const workMs = work.ms - workBefore.ms;
        workBefore = work;
        samples.push({
          minute,
          steps: step,
          secondsPerStep: meanOrNull(gaps),
          tokensPerStep: workSteps > 0 ? tokens / workSteps : null,
          msPerThousandTokens: tokens > 0 ? (workMs * 1000) / tokens : null,
          tensors,
          tensorBytes,
          heapBytes: figures.heapBytes,
          residentBytes: null,
          mainWasmBytes,
          helperWasmBytes,
          helperHeapBytes: null,
          pythonHeapBytes,
          workerReplacements,
          probe: probeTimes(figures.probe),
        });
        note(`minute ${minute}: ${step} steps, ${tensors} tensors`);
      }
      return samples;
    },
    { rebuild: true, timeoutMs: (minutes + 15) * MINUTE_MS },
  );
}

export async function benchSoakCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['minutes'], flags: ['page', 'json'] });
  const minutes = Math.round(numberOption(args, 'minutes', 60, 1, 24 * 60)!);
  const where = args.options.has('page') ? 'page' : 'node';
  note(`${minutes} minutes in ${where === 'page' ? 'the page (Chromium)' : 'Node'}, tiny preset, default settings`);
  const samples = where === 'page' ? await soakInPage(minutes) : await soakInNode(minutes);
  const verdict = judgeSoak(samples);
  if (args.options.has('json')) process.stdout.write(`${JSON.stringify({ where, minutes, samples, verdict })}\n`);
  else {
    process.stdout.write(`Soak in ${where === 'page' ? 'the page' : 'Node'}, ${minutes} minutes, tiny preset, default settings:\n${soakTable(samples)}\n`);
    process.stdout.write(
      verdict.flat
        ? `flat: memory and step time steady after minute ${verdict.baselineMinute}\n`
        : `NOT FLAT:\n${verdict.problems.map((p) => `  ${p}`).join('\n')}\n`,
    );
  }
  return verdict.flat ? 0 : 1;
}
