/**
 * `tabula bench learn --minutes M`: does self-play make a random model better? From one seed,
 * full AZR and two ablations (train solver only; deduction only) each train for M/3 minutes,
 * one after another on this machine, and are evaluated greedily on the whole held-out set
 * before (step 0: the same random model for all three) and after.
 */
import { applySettings, defaultConfig, type EngineConfig } from '../engine/config';
import { emptyPhases, type PerType, type PhaseTimes } from '../engine/metrics';
import { constantGuessFloor } from '../engine/evaluate';
import { TASK_TYPES } from '../engine/rewards';
import { isPresetName } from '../model/config';
import { intOption, numberOption, parseArgs, UsageError } from './args';
import { openSession } from './engine-session';
import { takeSettings } from './train';

const VARIANTS: { name: string; settings: string[] }[] = [
  { name: 'full AZR', settings: [] },
  { name: 'train solver only', settings: ['trainProposer=false'] },
  { name: 'deduction only', settings: ['abduction=false', 'induction=false'] },
];

interface VariantResult {
  name: string;
  steps: number;
  seconds: number;
  before: PerType<number | null>;
  after: PerType<number | null>;
  validity: number | null;
  learnability: number | null;
  phases: PhaseTimes;
}

export async function benchLearnCommand(argv: string[]): Promise<number> {
  const { rest, settings } = takeSettings(argv);
  const args = parseArgs(rest, { values: ['minutes', 'preset', 'seed', 'eval-tasks'], flags: ['json'] });
  const minutes = numberOption(args, 'minutes', 30, 0.01, 10_000);
  const preset = (args.options.get('preset') as string | undefined) ?? 'tiny';
  if (!isPresetName(preset)) throw new UsageError(`--preset must be tiny, small or base (got ${preset})`);
  const seed = intOption(args, 'seed', 1, 0, 2 ** 31 - 1);
  const evalTasks = intOption(args, 'eval-tasks', 192, 1, 100_000);
  const base: EngineConfig = applySettings({ ...defaultConfig(preset), seed, evalEvery: 0 }, settings);
  const perVariantMs = (minutes * 60_000) / VARIANTS.length;
  const log = (line: string) => process.stderr.write(line + '\n');

  const results: VariantResult[] = [];
  let before: PerType<number | null> | null = null;
  let floor: { answer: string; accuracy: number } | null = null;
  for (const variant of VARIANTS) {
    const config = applySettings(base, variant.settings);
    const session = await openSession({ config });
    try {
      const { engine } = session;
      if (!before) {
        log(`bench learn: evaluating the random model on ${evalTasks} held-out tasks per type`);
        before = await engine.evalHeldout(evalTasks, TASK_TYPES);
        floor = await constantGuessFloor(session.executor, engine.heldoutTasks().slice(0, evalTasks));
      }
      log(`bench learn: ${variant.name}, ${(perVariantMs / 60_000).toFixed(1)} min on ${session.info.backend.backend}`);
      await engine.seed();
      const phases = emptyPhases();
      const validity: number[] = [];
      const learn: number[] = [];
      const started = performance.now();
      while (performance.now() - started < perVariantMs) {
        const m = await engine.runStep();
        for (const key of Object.keys(phases) as (keyof PhaseTimes)[]) phases[key] += m.timing.phases[key];
        for (const t of TASK_TYPES) if (m.validity[t] !== null) validity.push(m.validity[t]!);
        if (m.learnability.mean !== null) learn.push(m.learnability.mean);
        if (m.step % 10 === 0) log(`  step ${m.step}: ${((performance.now() - started) / 1000).toFixed(0)} s, ${(m.timing.stepMs / 1000).toFixed(1)} s/step`);
      }
      const seconds = (performance.now() - started) / 1000;
      log(`bench learn: ${variant.name}: ${engine.step} steps; evaluating`);
      const after = await engine.evalHeldout(evalTasks, TASK_TYPES);
      const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
      results.push({ name: variant.name, steps: engine.step, seconds, before, after, validity: mean(validity), learnability: mean(learn), phases });
    } finally {
      session.close();
    }
  }
  if (args.options.has('json')) process.stdout.write(JSON.stringify({ minutes, preset, seed, evalTasks, deductionGuessFloor: floor, results }) + '\n');
  else process.stdout.write(formatTable(results, minutes, evalTasks, floor!));
  return 0;
}

const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);

function formatTable(results: VariantResult[], minutes: number, evalTasks: number, floor: { answer: string; accuracy: number }): string {
  const lines = [
    `Held-out accuracy (greedy, ${evalTasks} tasks per type), step 0 -> end; each variant trained ${(minutes / results.length).toFixed(1)} min.`,
    `Deduction guessing floor: answering ${floor.answer} to every task scores ${pct(floor.accuracy)}.`,
    '',
    '| variant | steps | deduction | abduction | induction | proposal validity | mean learnability |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const cell = (t: (typeof TASK_TYPES)[number]) => `${pct(r.before[t])} -> ${pct(r.after[t])}`;
    lines.push(`| ${r.name} | ${r.steps} | ${cell('deduction')} | ${cell('abduction')} | ${cell('induction')} | ${pct(r.validity)} | ${r.learnability === null ? '-' : r.learnability.toFixed(3)} |`);
  }
  lines.push('', 'Time per phase (share of training time):', '', '| variant | propose | validate | learnability | solve | update | s/step |', '|---|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    const total = Object.values(r.phases).reduce((a, b) => a + b, 0) || 1;
    const share = (k: keyof PhaseTimes) => `${((r.phases[k] / total) * 100).toFixed(0)}%`;
    lines.push(`| ${r.name} | ${share('propose')} | ${share('validate')} | ${share('learnability')} | ${share('solve')} | ${share('update')} | ${(r.seconds / Math.max(1, r.steps)).toFixed(1)} |`);
  }
  return lines.join('\n') + '\n';
}
