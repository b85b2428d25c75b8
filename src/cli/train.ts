/**
 * `tabula train`: headless self-play. Writes a checkpoint, metrics.jsonl and the three buffers
 * to --out; Ctrl-C finishes the current step, saves and exits; --resume continues a run.
 * stdout gets one line per step with only the seed-determined figures, so two runs with the
 * same seed can be compared with diff; timings go to metrics.jsonl and stderr.
 */

import { COLLAPSE_WINDOW, detectCollapse } from '../engine/collapse';
import { applySettings, ConfigError, defaultConfig, type EngineConfig } from '../engine/config';
import { formatStep, type StepMetrics } from '../engine/metrics';
import { isPresetName } from '../model/config';
import { intOption, numberOption, parseArgs, UsageError } from './args';
import { openSession, type Session } from './engine-session';
import { isRunDir, loadRun, saveRun } from './run-dir';

const SAVE_EVERY = 10;

/** Pulls every `--set key=value` out of argv (the one repeatable option). */
export function takeSettings(argv: string[]): { rest: string[]; settings: string[] } {
  const rest: string[] = [];
  const settings: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--set') {
      const value = argv[++i];
      if (value === undefined) throw new UsageError('--set needs key=value');
      settings.push(value);
    } else if (arg.startsWith('--set=')) {
      settings.push(arg.slice('--set='.length));
    } else {
      rest.push(arg);
    }
  }
  return { rest, settings };
}

export async function trainCommand(argv: string[]): Promise<number> {
  const { rest, settings } = takeSettings(argv);
  const args = parseArgs(rest, { values: ['preset', 'minutes', 'steps', 'seed', 'out', 'resume', 'workers'], flags: [] });
  if (args.positionals.length) throw new UsageError(`train takes no positional arguments (got ${args.positionals[0]})`);
  const minutes = numberOption(args, 'minutes', null, 0.01, 100_000);
  const steps = args.options.has('steps') ? intOption(args, 'steps', 0, 0, 10_000_000) : null;
  if (minutes === null && steps === null) throw new UsageError('train needs --minutes M or --steps S');
  const resumeDir = args.options.get('resume') as string | undefined;
  const out = (args.options.get('out') as string | undefined) ?? resumeDir;
  if (!out) throw new UsageError('train needs --out DIR (or --resume DIR)');
  if (!resumeDir && isRunDir(out)) throw new UsageError(`${out} already holds a run: continue it with --resume ${out}, or choose another --out`);

  if (resumeDir && (args.options.has('preset') || args.options.has('seed') || settings.length)) {
    throw new UsageError('a resumed run keeps its settings: drop --preset, --seed and --set');
  }
  let config: EngineConfig;
  const resume = resumeDir ? await loadRun(resumeDir) : undefined;
  if (resume) {
    config = resume.state.config;
  } else {
    const preset = (args.options.get('preset') as string | undefined) ?? 'tiny';
    if (!isPresetName(preset)) throw new UsageError(`--preset must be tiny, small or base (got ${preset})`);
    const seed = intOption(args, 'seed', 1, 0, 2 ** 31 - 1);
    try {
      config = applySettings({ ...defaultConfig(preset), seed }, settings);
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(`--set ${error.message}`);
      throw error;
    }
  }
  const workers = args.options.has('workers') ? intOption(args, 'workers', 2, 1, 64) : undefined;

  const session = await openSession({ config, resume: resume && { state: resume.state, checkpoint: resume.checkpoint }, workers });
  const metricsLines = resume?.metricsLines ?? [];
  let stopping = false;
  const onSigint = () => {
    if (stopping) {
      process.stderr.write('\ntrain: second Ctrl-C, exiting without saving this step (the last save is intact)\n');
      process.exit(130);
    }
    stopping = true;
    process.stderr.write('\ntrain: Ctrl-C, saving after this step (Ctrl-C again to quit at once)\n');
  };
  process.on('SIGINT', onSigint);
  try {
    const { engine, info } = session;
    process.stderr.write(
      `train: ${config.preset} model, ${info.parameters.toLocaleString('en-US')} parameters, ${session.model.threads()} model thread${session.model.threads() === 1 ? '' : 's'}, backend ${info.backend.backend} (${info.backend.reason})\n` +
        `train: ${resume ? `resuming ${out} at step ${engine.step}` : `new run in ${out}, seed ${config.seed}`}\n`,
    );
    if (!engine.seeded) {
      const report = await engine.seed((sizes, target) => process.stderr.write(`seeding: buffers ${JSON.stringify(sizes)} of ${target}\n`));
      process.stdout.write(`seeded: ${report.valid} valid of ${report.proposals} proposals in ${report.rounds} rounds\n`);
    }
    const started = performance.now();
    const deadline = minutes === null ? Infinity : started + minutes * 60_000;
    let sinceSave = 0;
    const recent: StepMetrics[] = [];
    let warned = '';
    while (!stopping && (steps === null || engine.step < steps) && performance.now() < deadline) {
      const metrics = await engine.runStep();
      metricsLines.push(JSON.stringify(metrics));
      process.stdout.write(`${formatStep(metrics)}\n`);
      const t = metrics.timing;
      process.stderr.write(
        `  ${(t.stepMs / 1000).toFixed(1)} s/step, ${Math.round(t.sampleTokensPerSec)} sampled tok/s, ${t.programsPerSec.toFixed(1)} programs/s\n`,
      );
      // On stderr, once when it appears or its signs change, and once when it clears: stdout stays the seeded log.
      recent.push(metrics);
      if (recent.length > COLLAPSE_WINDOW) recent.shift();
      const collapse = detectCollapse(recent, engine.config.collapseEntropy);
      const signs = collapse?.signs.join(',') ?? '';
      if (signs !== warned) process.stderr.write(collapse ? `warning: ${collapse.sentence} ${collapse.tryThis}\n` : 'the signs of collapse are gone\n');
      warned = signs;
      if (++sinceSave >= SAVE_EVERY) {
        await save(session, out, metricsLines);
        sinceSave = 0;
      }
    }
    await save(session, out, metricsLines);
    process.stdout.write(`saved ${out} at step ${engine.step}${stopping ? ' (interrupted)' : ''}\n`);
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
    session.close();
  }
}

async function save(session: Session, dir: string, metricsLines: string[]): Promise<void> {
  const state = session.engine.state();
  await saveRun(dir, state, await session.model.save({ engineStep: state.step }), metricsLines);
}
