/**
 * A check, not a test: does the helper thread (threads=2) sample as the main thread does at
 * temperature 1? The unit tests compare its half of an update and its greedy samples; this loads a
 * trained run with one thread and with two, answers the held-out level 1-2 tasks of each type
 * `repeats` times at temperature 1 in batches of 64, and grades each answer on the side that
 * `helperShare` sends its job to (with one thread both sides run here). The helper's side should
 * score, and have a mean log-probability per sampled token, as with one thread
 * (docs/learning-journal.md, run 55).
 *
 *   npx tsx scripts/helper-samples.ts RUN_DIR [repeats=4]
 */
import { openSession } from '../src/cli/engine-session';
import { loadRun } from '../src/cli/run-dir';
import { gradingRequest, outcomeOf, runSome, solveTaskFor } from '../src/engine/evaluate';
import { TASK_TYPES } from '../src/engine/rewards';
import { helperShare } from '../src/model-service/model-service';

const [dir, repeatsText = '4'] = process.argv.slice(2);
if (!dir) throw new Error('usage: npx tsx scripts/helper-samples.ts RUN_DIR [repeats]');
const repeats = Number(repeatsText);
const run = await loadRun(dir);

type Tally = { right: number; answers: number; logProb: number; tokens: number };
const tally = (): Tally => ({ right: 0, answers: 0, logProb: 0, tokens: 0 });
const line = (t: Tally) =>
  `${((100 * t.right) / Math.max(1, t.answers)).toFixed(1)}% of ${t.answers} (mean token log-prob ${(t.logProb / Math.max(1, t.tokens)).toFixed(3)})`;

for (const threads of [1, 2]) {
  const session = await openSession({ config: { ...run.state.config, threads }, resume: { state: run.state, checkpoint: run.checkpoint } });
  try {
    const { engine, model, executor } = session;
    const tasks = engine.heldoutTasks().filter((task) => (task.level ?? 4) <= 2);
    for (const mode of TASK_TYPES) {
      const jobs = tasks.flatMap((task) => {
        const solveTask = solveTaskFor(mode, task);
        if (typeof solveTask === 'string') return [];
        const job = engine.prompts.solve(mode, solveTask);
        return engine.prompts.fits(job) ? [{ solveTask, job }] : [];
      });
      const sides = { main: tally(), helper: tally() };
      for (let r = 0; r < repeats; r++) {
        for (let start = 0; start < jobs.length; start += 64) {
          const chunk = jobs.slice(start, start + 64);
          const answers = await model.sample(
            chunk.map((j) => j.job),
            { temperature: 1, constrained: true },
          );
          const verdicts = await runSome(
            executor,
            chunk.map((j, i) => gradingRequest(mode, j.solveTask, answers[i]!)),
          );
          const toHelper = helperShare(chunk.map((j) => j.job));
          chunk.forEach((_, i) => {
            const side = toHelper[i] ? sides.helper : sides.main;
            side.right += outcomeOf(verdicts[i]!) === 'correct' ? 1 : 0;
            side.answers += 1;
            side.logProb += answers[i]!.logProbs.reduce((a, b) => a + b, 0);
            side.tokens += answers[i]!.logProbs.length;
          });
        }
      }
      console.log(`threads=${threads} ${mode}: this thread's side ${line(sides.main)}; the helper's side ${line(sides.helper)}`);
    }
  } finally {
    session.close();
  }
}
