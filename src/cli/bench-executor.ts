/**
 * `tabula bench executor`: validates all CRUXEval tasks (two runs each plus the literal
 * comparison) and prints programs per second for
 *   (a)  our executor in Node worker threads,
 *   (b)  our executor in Chromium module workers (the built page, through Playwright),
 *   (c)  native CPython, a process pool with one task per program, the way the Absolute Zero
 *        reference runs its executor (its pattern, no sandbox),
 *   (c2) native CPython, the same pool running our own harness (stricter: same sandboxed work),
 *   (d)  native CPython in one process running our harness, the ceiling.
 * All run one after another in this one command; (a) and (b) have the time limit armed.
 * Each: one warm-up round, then the median of N timed rounds.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type TimedRounds, timedRounds } from '../bench/timed-rounds';
import { createNodeExecutor, defaultWorkerCount } from '../executor/node-executor';
import type { ExecRequest } from '../executor/types';
import { intOption, parseArgs } from './args';
import { withBenchPage } from './bench-browser';
import { parseTaskLines } from './tasks-file';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CRUXEVAL = `${ROOT}data/cruxeval.jsonl`;

export interface Measurement {
  label: string;
  workers: number;
  /** Median programs per second over the timed rounds; null when it could not run. */
  programsPerSec: number | null;
  ok: number;
  note?: string;
}

export async function benchExecutorCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['rounds', 'workers'], flags: ['json'] });
  const rounds = intOption(args, 'rounds', 3, 1, 50);
  const workers = intOption(args, 'workers', defaultWorkerCount(), 1, 64);
  const json = args.options.has('json');
  const text = readFileSync(CRUXEVAL, 'utf8');
  const requests = parseTaskLines(text).map((task) => task.request!);
  const log = (line: string) => process.stderr.write(`${line}\n`);

  log(`bench executor: ${requests.length} CRUXEval tasks, ${rounds} timed rounds each after a warm-up`);
  log('(a) Node worker threads…');
  const node = await measureNode(requests, rounds, workers);
  log('(b) Chromium module workers…');
  const browser = await measureBrowser(requests, rounds);
  log('(c) native CPython process pool, reference-style…');
  const pool = await measureNative('reference', text, rounds, workers);
  log('(c2) native CPython process pool, our harness…');
  const harnessPool = await measureNative('pool', text, rounds, workers);
  log('(d) native CPython, one process…');
  const single = await measureNative('single', text, rounds, 1);

  const ratio = (a: Measurement, b: Measurement) => (a.programsPerSec && b.programsPerSec ? round(a.programsPerSec / b.programsPerSec, 2) : null);
  const report = {
    programs: requests.length,
    rounds,
    node,
    browser,
    pool,
    harnessPool,
    single,
    nodeVsPool: ratio(node, pool),
    browserVsPool: ratio(browser, pool),
    nodeVsHarnessPool: ratio(node, harnessPool),
    browserVsHarnessPool: ratio(browser, harnessPool),
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return 0;
  }
  const rows = [node, browser, pool, harnessPool, single];
  process.stdout.write(`\nExecutor throughput on ${requests.length} CRUXEval tasks (validate: two runs + literal compare)\n\n`);
  process.stdout.write('| executor | workers | programs/s | valid |\n|---|---:|---:|---:|\n');
  for (const row of rows) {
    const rate = row.programsPerSec === null ? `n/a (${row.note})` : Math.round(row.programsPerSec).toLocaleString('en-US');
    process.stdout.write(`| ${row.label} | ${row.workers} | ${rate} | ${row.ok}/${requests.length} |\n`);
  }
  process.stdout.write(
    `\nnodeVsPool (a/c): ${report.nodeVsPool ?? 'n/a'}   browserVsPool (b/c): ${report.browserVsPool ?? 'n/a'}` +
      `\nagainst our harness in the pool: a/c2 ${report.nodeVsHarnessPool ?? 'n/a'}   b/c2 ${report.browserVsHarnessPool ?? 'n/a'}\n`,
  );
  return 0;
}

async function measureNode(requests: ExecRequest[], rounds: number, workers: number): Promise<Measurement> {
  const pool = await createNodeExecutor({ workers });
  try {
    const result = await timedRounds(pool, requests, rounds);
    return { label: '(a) Tabula, Node worker threads', workers, programsPerSec: requests.length / median(result.seconds), ok: result.ok };
  } finally {
    pool.close();
  }
}

async function measureBrowser(requests: ExecRequest[], rounds: number): Promise<Measurement> {
  const label = '(b) Tabula, Chromium module workers';
  try {
    const result = await withBenchPage((page) =>
      page.evaluate(
        ([tasks, n]) => (window as unknown as { tabulaBench: { executor(r: ExecRequest[], n: number): Promise<TimedRounds> } }).tabulaBench.executor(tasks, n),
        [requests, rounds] as const,
      ),
    );
    return { label, workers: result.workers, programsPerSec: requests.length / median(result.seconds), ok: result.ok };
  } catch (error) {
    return { label, workers: 0, programsPerSec: null, ok: 0, note: firstLine(error) };
  }
}

const NATIVE_LABELS = {
  reference: '(c) native CPython, process pool, one task per program, reference-style (no sandbox)',
  pool: '(c2) native CPython, process pool, one task per program, our harness',
  single: '(d) native CPython, one process, our harness',
};

function measureNative(mode: keyof typeof NATIVE_LABELS, text: string, rounds: number, workers: number): Promise<Measurement> {
  const label = NATIVE_LABELS[mode];
  return new Promise((resolve) => {
    const child = execFile('python3', [`${ROOT}bench/native_executor.py`, mode, String(rounds), String(workers)], { maxBuffer: 1 << 20 }, (error, stdout) => {
      if (error) {
        resolve({ label, workers, programsPerSec: null, ok: 0, note: firstLine(error) });
        return;
      }
      const result = JSON.parse(stdout) as { workers: number; programs: number; seconds: number[]; ok: number };
      resolve({ label, workers: result.workers, programsPerSec: result.programs / median(result.seconds), ok: result.ok });
    });
    child.stdin!.end(text);
  });
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function round(value: number, digits: number): number {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 120);
}
