/**
 * `tabula heldout [--seed N] [--per-level N | --count N] [--levels 1,2,3,4] [--pairs N] [--out FILE] [--floors]`:
 * generates the held-out evaluation set (src/engine/heldout.ts), `--per-level` tasks at each
 * program level, and writes it as JSONL, then a summary on stdout: per level, the draws and why
 * candidates were turned down. `--count N` asks for N tasks in all, split evenly over the
 * levels. `--floors` also prints the trivial floors (src/engine/floors.ts) per level and type.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Executor } from '../engine/evaluate';
import { type FloorReport, trivialFloors } from '../engine/floors';
import { formatHeldout, generateHeldoutReport, HELDOUT_PAIRS, HELDOUT_PATH, type HeldoutReport, type HeldoutTask, outputClass } from '../engine/heldout';
import { TASK_TYPES } from '../engine/rewards';
import { createNodeExecutor } from '../executor/node-executor';
import { PROGRAM_LEVELS, type ProgramLevel } from '../lang/levels';
import { writeFileAtomic } from '../model/checkpoint-file';
import { intOption, parseArgs, UsageError } from './args';
import { progressBar } from './progress';

export const HELDOUT_DEFAULTS = { seed: 20261123, perLevel: 64, pairs: HELDOUT_PAIRS };

function levelsOption(raw: string | true | undefined): ProgramLevel[] {
  if (raw === undefined) return [...PROGRAM_LEVELS];
  if (raw === true) throw new UsageError('--levels needs a value');
  const levels = raw.split(',').map((part) => Number(part.trim()));
  const known = PROGRAM_LEVELS as readonly number[];
  if (levels.length === 0 || levels.some((level) => !known.includes(level))) {
    throw new UsageError(`--levels must be a comma-separated list of ${PROGRAM_LEVELS.join(', ')} (got ${raw})`);
  }
  if (new Set(levels).size !== levels.length) throw new UsageError(`--levels must not repeat a level (got ${raw})`);
  return levels as ProgramLevel[];
}

function countsText(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return entries.map(([name, n]) => `${name} ${n}`).join(', ') || 'none';
}

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The floors table: one row per level (and one for the whole set), one column per task type. */
export async function floorsTable(executor: Executor, tasks: readonly HeldoutTask[], levels: readonly number[]): Promise<string> {
  const groups: [string, HeldoutTask[]][] = levels.map((level) => [`L${level}`, tasks.filter((task) => task.level === level)]);
  groups.push(['all', [...tasks]]);
  const rows: string[][] = [['level', 'tasks', ...TASK_TYPES.map((type) => `${type} floor (best rule)`)]];
  for (const [name, group] of groups) {
    const cells: string[] = [name, String(group.length)];
    for (const type of TASK_TYPES) {
      const report: FloorReport = await trivialFloors(executor, group, type);
      const { best } = report;
      cells.push(`${percent(best.accuracy)} (${best.name}${best.answer !== undefined ? ` ${best.answer}` : ''})`);
    }
    rows.push(cells);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

export async function heldoutCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['seed', 'per-level', 'count', 'levels', 'pairs', 'out'], flags: ['floors'] });
  if (args.positionals.length > 0) throw new UsageError(`heldout takes no positional arguments (got ${args.positionals[0]})`);
  const seed = intOption(args, 'seed', HELDOUT_DEFAULTS.seed, 0, 2 ** 32 - 1);
  const levels = levelsOption(args.options.get('levels'));
  if (args.options.has('per-level') && args.options.has('count')) throw new UsageError('give --per-level or --count, not both');
  let perLevel = intOption(args, 'per-level', HELDOUT_DEFAULTS.perLevel, 1, 100_000);
  if (args.options.has('count')) {
    const count = intOption(args, 'count', 0, 1, 100_000);
    if (count % levels.length !== 0) {
      throw new UsageError(`--count ${count} does not split evenly over ${levels.length} levels; use --per-level`);
    }
    perLevel = count / levels.length;
  }
  const pairs = intOption(args, 'pairs', HELDOUT_DEFAULTS.pairs, 2, 64);
  const out = args.options.get('out');
  if (out === true) throw new UsageError('--out needs a value');
  const file = out ?? HELDOUT_PATH;

  const pool = await createNodeExecutor();
  const total = perLevel * levels.length;
  const progress = progressBar('heldout', total);
  let report: HeldoutReport;
  let floors: string | null = null;
  try {
    try {
      report = await generateHeldoutReport(pool, { seed, perLevel, levels, pairs, onProgress: (done) => progress.update(done) });
    } finally {
      progress.finish();
    }
    mkdirSync(dirname(file), { recursive: true });
    await writeFileAtomic(file, formatHeldout(report.tasks));
    if (args.options.has('floors')) floors = await floorsTable(pool, report.tasks, levels);
  } finally {
    pool.close();
  }

  const mix: Record<string, number> = {};
  for (const task of report.tasks) mix[outputClass(task.output)] = (mix[outputClass(task.output)] ?? 0) + 1;
  const perLevelText = report.levels
    .map((level) => {
      const kinds: Record<string, number> = {};
      for (const task of report.tasks) if (task.level === level.level) kinds[outputClass(task.output)] = (kinds[outputClass(task.output)] ?? 0) + 1;
      return (
        `level ${level.level}: ${perLevel} tasks from ${level.draws} draws (${(level.draws / perLevel).toFixed(1)} per task)\n` +
        `  output types: ${countsText(kinds)}\n` +
        `  turned down: ${countsText(level.rejected)}\n`
      );
    })
    .join('');
  process.stdout.write(
    `wrote ${report.tasks.length} tasks (${perLevel} per level at levels ${levels.join(', ')}; ${pairs} pairs each; seed ${seed}) to ${file}\n` +
      perLevelText +
      `all levels: output types: ${countsText(mix)}\n` +
      `  draws: ${report.draws} (${(report.draws / report.tasks.length).toFixed(1)} per task)\n` +
      `  turned down: ${countsText(report.rejected)}\n` +
      (floors ? `trivial floors (the best rule that does not read the program):\n${floors}\n` : ''),
  );
  return 0;
}
