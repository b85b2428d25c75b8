/**
 * `tabula eval --checkpoint DIR [--tasks FILE.jsonl] --mode deduction|abduction|induction [--live] [--json]`:
 * greedy answers to each task and the accuracy. Default tasks: the shipped held-out set. Tasks
 * that do not fit the context (or a malformed line) are counted as skipped, never dropped.
 * Answers come from the weights' moving average when the run keeps one, as the run's own
 * evaluations do; `--live` answers with the weights it trains.
 */
import { readFileSync } from 'node:fs';
import { type EvalResult, type EvalTask, evaluate } from '../engine/evaluate';
import { TASK_TYPES, type TaskType } from '../engine/rewards';
import { parseArgs, UsageError } from './args';
import { openSession } from './engine-session';
import { progressBar } from './progress';
import { loadRun } from './run-dir';
import { parseTaskLines } from './tasks-file';

export async function evalCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['checkpoint', 'tasks', 'mode', 'workers'], flags: ['json', 'live'] });
  if (args.positionals.length) throw new UsageError(`eval takes no positional arguments (got ${args.positionals[0]})`);
  const dir = args.options.get('checkpoint');
  if (typeof dir !== 'string') throw new UsageError('eval needs --checkpoint DIR (a directory written by tabula train)');
  const mode = args.options.get('mode');
  if (typeof mode !== 'string' || !(TASK_TYPES as readonly string[]).includes(mode)) {
    throw new UsageError(`--mode must be deduction, abduction or induction (got ${String(mode)})`);
  }
  const json = args.options.has('json');
  const tasksFile = args.options.get('tasks') as string | undefined;

  const run = await loadRun(dir);
  const session = await openSession({ config: run.state.config, resume: { state: run.state, checkpoint: run.checkpoint } });
  try {
    const { tasks, malformed } = tasksFile ? readTasks(tasksFile) : { tasks: session.engine.heldoutTasks(), malformed: [] as EvalResult[] };
    const averaged = session.info.averaged && !args.options.has('live');
    process.stderr.write(`eval: answering with ${averaged ? "the weights' moving average (--live: the weights it trains)" : 'the weights it trains'}\n`);
    const progress = progressBar(`eval ${mode}`, tasks.length);
    const summary = await evaluate(session.model, session.executor, session.engine.prompts, tasks, mode as TaskType, {
      constrained: run.state.config.constrained,
      outputTokens: run.state.config.outputTokens,
      onProgress: (done) => progress.update(done),
      averaged,
    });
    progress.finish();
    const results = [...summary.results, ...malformed];
    const skipped = results.filter((r) => r.skipped).length;
    if (json) {
      for (const r of results)
        process.stdout.write(`${JSON.stringify({ id: r.id, answer: r.answer, correct: r.correct, ...(r.skipped ? { skipped: r.skipped } : {}) })}\n`);
      process.stdout.write(`${JSON.stringify({ accuracy: summary.accuracy, n: summary.n, skipped })}\n`);
    } else {
      const reasons = new Map<string, number>();
      for (const r of results) if (r.skipped) reasons.set(r.skipped, (reasons.get(r.skipped) ?? 0) + 1);
      const figure = summary.accuracy === null ? 'no figure (no task could be attempted)' : `${(summary.accuracy * 100).toFixed(1)}%`;
      process.stdout.write(`${mode}: accuracy ${figure} (${summary.results.filter((r) => r.correct).length} of ${summary.n})`);
      process.stdout.write(skipped ? `, ${skipped} skipped: ${[...reasons].map(([why, n]) => `${n} ${why}`).join(', ')}\n` : '\n');
    }
    return 0;
  } finally {
    session.close();
  }
}

function readTasks(file: string): { tasks: EvalTask[]; malformed: EvalResult[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const tasks: EvalTask[] = [];
  const malformed: EvalResult[] = [];
  parseTaskLines(text).forEach((line) => {
    if (!line.request) {
      malformed.push({ id: line.id, answer: null, correct: false, skipped: `malformed line: ${line.problem}` });
      return;
    }
    const pairs = pairsOf(line.record!);
    tasks.push({ id: line.id, code: line.request.code, input: line.request.input, output: line.request.output, ...(pairs ? { pairs } : {}) });
  });
  return { tasks, malformed };
}

/** Induction pairs from a line's `pairs` field or its `inputs`/`outputs` (buffer files), when present. */
function pairsOf(record: Record<string, unknown>): [string, string][] | undefined {
  if (Array.isArray(record.pairs)) return record.pairs as [string, string][];
  if (Array.isArray(record.inputs) && Array.isArray(record.outputs))
    return (record.inputs as string[]).map((input, i) => [input, (record.outputs as string[])[i]!]);
  return undefined;
}
