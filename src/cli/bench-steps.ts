/**
 * `tabula bench steps --against REV [--minutes M] [--rounds R] [--set k=v ...]`: self-play steps
 * per minute of this tree and of an older commit, side by side on this machine. The older commit
 * is checked out into a temporary folder (sharing this tree's node_modules); the two then take
 * turns, R rounds of `tabula train --minutes M --seed 1` each, so that the machine's load hits
 * both alike. Steps per minute: steps / their summed step time (seeding and start-up excluded).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { intOption, numberOption, parseArgs, UsageError } from './args';
import { takeSettings } from './train';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Figures {
  steps: number;
  stepMs: number;
}

/** Runs `tabula train` in `tree` and reads the steps and their times back from the run's metrics. */
function trainIn(tree: string, minutes: number, settings: string[], label: string): Promise<Figures> {
  const out = mkdtempSync(join(tmpdir(), 'tabula-steps-run-'));
  const args = ['bin/tabula.mjs', 'train', '--minutes', String(minutes), '--seed', '1', '--out', out, ...settings.flatMap((s) => ['--set', s])];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: tree, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      try {
        if (code !== 0) throw new Error(`${label}: train exited with code ${code}:\n${stderr}`);
        const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
          .split('\n')
          .filter((l) => l.trim());
        const stepMs = lines.reduce((sum, line) => sum + (JSON.parse(line) as { timing: { stepMs: number } }).timing.stepMs, 0);
        resolve({ steps: lines.length, stepMs });
      } catch (error) {
        reject(error);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    });
  });
}

export async function benchStepsCommand(argv: string[]): Promise<number> {
  const { rest, settings } = takeSettings(argv);
  const args = parseArgs(rest, { values: ['against', 'minutes', 'rounds'], flags: ['json'] });
  const against = args.options.get('against');
  if (typeof against !== 'string') throw new UsageError('bench steps needs --against REV (a commit to compare with)');
  const minutes = numberOption(args, 'minutes', 5, 0.1, 600)!;
  const rounds = intOption(args, 'rounds', 1, 1, 20);
  let commit: string;
  try {
    commit = execFileSync('git', ['rev-parse', '--verify', `${against}^{commit}`], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    throw new UsageError(`--against ${against}: not a commit of this repository`);
  }
  const old = mkdtempSync(join(tmpdir(), 'tabula-steps-old-'));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  try {
    execFileSync('git', ['worktree', 'add', '--detach', old, commit], { cwd: ROOT, stdio: 'ignore' });
    if (!existsSync(join(old, 'node_modules'))) symlinkSync(join(ROOT, 'node_modules'), join(old, 'node_modules'));
    const totals = { old: { steps: 0, stepMs: 0 }, new: { steps: 0, stepMs: 0 } };
    for (let round = 1; round <= rounds; round++) {
      for (const [side, tree] of [
        ['old', old],
        ['new', ROOT],
      ] as const) {
        log(`bench steps: round ${round}/${rounds}, ${side === 'old' ? commit.slice(0, 9) : 'this tree'}, ${minutes} min…`);
        const figures = await trainIn(tree, minutes, settings, side);
        totals[side].steps += figures.steps;
        totals[side].stepMs += figures.stepMs;
      }
    }
    const perMinute = (f: Figures) => (f.steps * 60_000) / Math.max(1, f.stepMs);
    const result = {
      against: commit,
      minutes,
      rounds,
      settings,
      old: { ...totals.old, stepsPerMinute: perMinute(totals.old) },
      new: { ...totals.new, stepsPerMinute: perMinute(totals.new) },
      ratio: perMinute(totals.new) / perMinute(totals.old),
    };
    if (args.options.has('json')) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return 0;
    }
    const row = (name: string, f: Figures) => `| ${name} | ${f.steps} | ${(f.stepMs / 1000 / f.steps).toFixed(1)} | ${perMinute(f).toFixed(2)} |`;
    process.stdout.write(
      `${[
        `Self-play steps per minute, default settings${settings.length ? ` with ${settings.join(' ')}` : ''}, ${rounds} x ${minutes} min each, taking turns:`,
        '| tree | steps | s/step | steps/min |',
        '|---|---:|---:|---:|',
        row(`${commit.slice(0, 9)} (--against ${against})`, totals.old),
        row('this tree', totals.new),
        `ratio (this tree / ${commit.slice(0, 9)}): ${result.ratio.toFixed(2)}x`,
      ].join('\n')}\n`,
    );
    return 0;
  } finally {
    try {
      execFileSync('git', ['worktree', 'remove', '--force', old], { cwd: ROOT, stdio: 'ignore' });
    } catch {
      rmSync(old, { recursive: true, force: true });
    }
  }
}
