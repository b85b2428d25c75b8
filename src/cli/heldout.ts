/**
 * `tabula heldout [--seed N] [--count N] [--pairs N] [--out FILE]`: generates the held-out
 * evaluation set (src/engine/heldout.ts) and writes it as JSONL, then a summary on stdout.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatHeldout, generateHeldoutReport, HELDOUT_PATH, outputClass } from '../engine/heldout';
import { createNodeExecutor } from '../executor/node-executor';
import { writeFileAtomic } from '../model/checkpoint-file';
import { intOption, parseArgs, UsageError } from './args';
import { progressBar } from './progress';

export const HELDOUT_DEFAULTS = { seed: 20261123, count: 192, pairs: 6 };

export async function heldoutCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['seed', 'count', 'pairs', 'out'], flags: [] });
  if (args.positionals.length > 0) throw new UsageError(`heldout takes no positional arguments (got ${args.positionals[0]})`);
  const seed = intOption(args, 'seed', HELDOUT_DEFAULTS.seed, 0, 2 ** 32 - 1);
  const count = intOption(args, 'count', HELDOUT_DEFAULTS.count, 1, 100_000);
  const pairs = intOption(args, 'pairs', HELDOUT_DEFAULTS.pairs, 2, 64);
  const out = args.options.get('out');
  if (out === true) throw new UsageError('--out needs a value');
  const file = out ?? HELDOUT_PATH;

  const pool = await createNodeExecutor();
  const progress = progressBar('heldout', count);
  let report;
  try {
    report = await generateHeldoutReport(pool, { seed, count, pairs, onProgress: (done) => progress.update(done) });
  } finally {
    progress.finish();
    pool.close();
  }

  mkdirSync(dirname(file), { recursive: true });
  await writeFileAtomic(file, formatHeldout(report.tasks));

  const mix = new Map<string, number>();
  for (const task of report.tasks) mix.set(outputClass(task.output), (mix.get(outputClass(task.output)) ?? 0) + 1);
  const mixText = [...mix.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  const rejectedText = Object.entries(report.rejected)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  process.stdout.write(
    `wrote ${report.tasks.length} tasks (${pairs} pairs each, seed ${seed}) to ${file}\n` +
      `output types: ${mixText}\n` +
      `draws: ${report.draws} (${(report.draws / report.tasks.length).toFixed(1)} per task)\n` +
      `turned down: ${rejectedText || 'none'}\n`,
  );
  return 0;
}
