/**
 * `tabula bench page [--steps N]`: the page as a user meets it, in the system Chromium against a
 * fresh build. First visit: time until Python is ready and until the model is ready (the backends
 * measured); then N training steps (seconds per step, main-thread long tasks); then a reload
 * (the backend remembered, the run resumed). For comparison, the same N steps of the same run in
 * Node, one after the other on this machine.
 */
import type { Page } from '@playwright/test';
import { defaultConfig } from '../engine/config';
import { intOption, parseArgs } from './args';
import { recordStepTimes, withBuiltApp } from './bench-browser';
import { median } from './bench-executor';
import { openSession } from './engine-session';

interface PageFigures {
  backend: string;
  reason: string;
  firstVisit: { pythonReadyMs: number; startEnabledMs: number };
  returnVisit: { pythonReadyMs: number; startEnabledMs: number };
  /** wall-clock seconds between step counter changes on the page */
  secondsPerStep: number[];
  longTasks: { count: number; longestMs: number; windowSeconds: number };
}

/** Milliseconds from navigation until Python is ready and until Start can be pressed (the model ready too). */
async function timeLoad(page: Page, load: () => Promise<unknown>): Promise<{ pythonReadyMs: number; startEnabledMs: number }> {
  const started = Date.now();
  await load();
  await page.getByTestId('python-status').waitFor({ timeout: 300_000 });
  const pythonReadyMs = Date.now() - started;
  await page.waitForFunction(() => !(document.querySelector('.controls .primary') as HTMLButtonElement | null)?.disabled, undefined, { timeout: 300_000 });
  return { pythonReadyMs, startEnabledMs: Date.now() - started };
}

async function benchInBrowser(steps: number): Promise<PageFigures> {
  return withBuiltApp(
    async (browser, origin) => {
      const context = await browser.newContext({ viewport: { width: 1300, height: 1000 } });
      await context.addInitScript(() => {
        const w = window as unknown as { longTasks: { start: number; duration: number }[] };
        w.longTasks = [];
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) w.longTasks.push({ start: e.startTime, duration: e.duration });
        }).observe({ type: 'longtask', buffered: true });
      });
      await recordStepTimes(context);
      const page = await context.newPage();
      const firstVisit = await timeLoad(page, () => page.goto(`${origin}/?preset=tiny&seed=1`));
      const backend = (await page.getByTestId('backend').textContent()) ?? '';
      const reason = (await page.getByTestId('backend-reason').textContent())?.replace(/^ — /, '') ?? '';
      process.stderr.write(`bench page: first visit ready in ${(firstVisit.startEnabledMs / 1000).toFixed(1)} s on ${backend}; training ${steps} steps\n`);
      await page.getByRole('button', { name: 'Start' }).click();
      await page.waitForFunction(() => Number(document.querySelector('[data-testid=step]')?.textContent) >= 1, undefined, { timeout: 600_000 });
      const from = await page.evaluate(() => performance.now());
      await page.waitForFunction((n) => Number(document.querySelector('[data-testid=step]')?.textContent) >= n, steps + 1, {
        timeout: 60_000 * (steps + 2),
        polling: 500,
      });
      const { stepTimes, longTasks, to } = await page.evaluate((start) => {
        const w = window as unknown as { longTasks: { start: number; duration: number }[]; stepTimes: number[] };
        return { stepTimes: w.stepTimes.filter((t) => t >= start - 1), longTasks: w.longTasks.filter((t) => t.start >= start), to: performance.now() };
      }, from);
      await page.getByRole('button', { name: 'Pause' }).click();
      await page.waitForFunction(() => document.querySelector('[data-testid=status]')?.getAttribute('data-status') === 'idle', undefined, { timeout: 300_000 });
      const returnVisit = await timeLoad(page, () => page.reload());
      await context.close();
      return {
        backend,
        reason,
        firstVisit,
        returnVisit,
        secondsPerStep: stepTimes.slice(1).map((t, i) => (t - stepTimes[i]!) / 1000),
        longTasks: { count: longTasks.length, longestMs: Math.max(0, ...longTasks.map((t) => t.duration)), windowSeconds: (to - from) / 1000 },
      };
    },
    { rebuild: true },
  );
}

/** The same run's first steps in Node (wasm backend, Node's Python workers). */
async function benchInNode(steps: number): Promise<number[]> {
  const session = await openSession({ config: { ...defaultConfig('tiny'), seed: 1 } });
  try {
    await session.engine.seed();
    await session.engine.runStep();
    const seconds: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      await session.engine.runStep();
      seconds.push((performance.now() - t0) / 1000);
    }
    return seconds;
  } finally {
    session.close();
  }
}

export async function benchPageCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['steps'], flags: ['json'] });
  const steps = intOption(args, 'steps', 10, 1, 1000);
  const page = await benchInBrowser(steps);
  process.stderr.write(`bench page: the same ${steps} steps in Node\n`);
  const node = await benchInNode(steps);
  const browserStep = median(page.secondsPerStep);
  const nodeStep = median(node);
  const result = { ...page, node: { secondsPerStep: node }, medianSecondsPerStep: { browser: browserStep, node: nodeStep, ratio: browserStep / nodeStep } };
  if (args.options.has('json')) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  }
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  process.stdout.write(
    `${[
      `backend: ${page.backend} (${page.reason})`,
      `first visit: Python ready ${s(page.firstVisit.pythonReadyMs)}, Start enabled ${s(page.firstVisit.startEnabledMs)} (target 10 s)`,
      `return visit: Python ready ${s(page.returnVisit.pythonReadyMs)}, Start enabled ${s(page.returnVisit.startEnabledMs)} (backend remembered, run resumed; target 5 s)`,
      `training, tiny preset, default settings: ${browserStep.toFixed(2)} s/step in the page, ${nodeStep.toFixed(2)} s/step in Node (page/Node ${(browserStep / nodeStep).toFixed(2)}), median of ${steps} steps each`,
      `main thread over ${page.longTasks.windowSeconds.toFixed(0)} s of training: ${page.longTasks.count} long tasks (> 50 ms), the longest ${page.longTasks.longestMs.toFixed(0)} ms`,
    ].join('\n')}\n`,
  );
  return 0;
}
