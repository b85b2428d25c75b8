/**
 * `tabula verify FILE.jsonl`: validates each task in the sandbox and compares f(input) with its
 * output. One JSON line per task on stdout, then `N passed, M failed`. Exit 0 when it ran to the
 * end, whatever the verdicts.
 */
import { readFileSync } from 'node:fs';
import { createNodeExecutor, defaultWorkerCount } from '../executor/node-executor';
import { DEFAULT_LIMITS, type Verdict } from '../executor/types';
import { intOption, parseArgs, UsageError } from './args';
import { progressBar } from './progress';
import { parseTaskLines } from './tasks-file';

const CHUNK = 200;

export async function verifyCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['timeout-ms', 'workers'], flags: [] });
  const [file, ...extra] = args.positionals;
  if (!file || extra.length > 0) throw new UsageError('verify takes one FILE.jsonl');
  const timeoutMs = intOption(args, 'timeout-ms', DEFAULT_LIMITS.timeoutMs, 10, 600_000);
  const workers = intOption(args, 'workers', defaultWorkerCount(), 1, 64);

  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const tasks = parseTaskLines(text);
  const pool = await createNodeExecutor({ workers, limits: { timeoutMs } });
  const progress = progressBar('verify', tasks.length);
  let passed = 0;
  try {
    for (let start = 0; start < tasks.length; start += CHUNK) {
      const chunk = tasks.slice(start, start + CHUNK);
      const runnable = chunk.filter((task) => task.request);
      const verdicts = await pool.run(runnable.map((task) => task.request!));
      const byTask = new Map(runnable.map((task, i) => [task, verdicts[i]!] as [typeof task, Verdict]));
      const lines = chunk.map((task) => {
        const verdict = byTask.get(task);
        if (verdict?.ok) passed += 1;
        const line = verdict
          ? { id: task.id, verdict: verdict.ok ? 'valid' : 'invalid', reason: verdict.reason, ms: round(verdict.ms) }
          : { id: task.id, verdict: 'invalid', reason: 'malformed', ms: 0 };
        return JSON.stringify(line);
      });
      process.stdout.write(lines.join('\n') + (lines.length ? '\n' : ''));
      progress.update(start + chunk.length);
    }
  } finally {
    progress.finish();
    pool.close();
  }
  process.stdout.write(`${passed} passed, ${tasks.length - passed} failed\n`);
  return 0;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
