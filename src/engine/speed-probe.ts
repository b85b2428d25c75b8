/**
 * A fixed amount of work, timed: how a long run tells the engine slowing down (a leak, a growing
 * pool, a fragmented heap) from its steps growing heavier as the curriculum climbs. The model's
 * part is ModelService.speedProbe; the executor's is the same batch of Python requests every
 * time. Nothing a run depends on changes: no weights, no generator, no buffer.
 */
import type { ExecRequest } from '../executor/types';
import type { ModelService, ModelSpeed, TrainOptions } from '../model-service/model-service';
import type { Executor } from './evaluate';

export interface SpeedProbe extends ModelSpeed {
  /** wall time of PROBE_REQUESTS through the executor pool */
  executorMs: number;
  executorRequests: number;
}

const SQUARES = 'def f(n):\n    total = 0\n    for i in range(n):\n        total += i * i\n    return total';
const WORDS = "def f(s):\n    words = s.split(' ')\n    return ' '.join(sorted(words, key=len))";
const COUNTS = 'def f(xs):\n    counts = {}\n    for x in xs:\n        counts[x] = counts.get(x, 0) + 1\n    return sorted(counts.items())';

/** A step's kinds of request, each a little real work; all pass (the probe checks, so a broken one is not timed as fast). */
const ONE_OF_EACH: ExecRequest[] = [
  { kind: 'validate', code: SQUARES, inputs: ['3000', '60000'] },
  { kind: 'validate', code: WORDS, inputs: ["'the quick brown fox jumps'", "'a bb ccc'"] },
  { kind: 'verify', code: COUNTS, input: '[3, 1, 3, 2, 1, 3]', output: '[(1, 2), (2, 1), (3, 3)]' },
  { kind: 'deduction', answer: '[(1, 2), (2, 1)]', output: '[(1, 2), (2, 1)]' },
  { kind: 'abduction', code: SQUARES, answer: '10', output: '285' },
  {
    kind: 'induction',
    code: COUNTS,
    pairs: [
      ['[1, 1]', '[(1, 2)]'],
      ['[2, 5, 2]', '[(2, 2), (5, 1)]'],
    ],
  },
];
export const PROBE_REQUESTS: readonly ExecRequest[] = Array.from({ length: 20 }, () => ONE_OF_EACH).flat();

export async function probeSpeed(model: ModelService, executor: Executor, options: TrainOptions): Promise<SpeedProbe> {
  const modelSpeed = await model.speedProbe(options);
  const started = performance.now();
  const verdicts = await executor.run([...PROBE_REQUESTS]);
  const executorMs = performance.now() - started;
  const failed = verdicts.findIndex((v) => !v.ok);
  if (failed >= 0)
    throw new Error(`speed probe: request ${failed} (${PROBE_REQUESTS[failed]!.kind}) failed: ${verdicts[failed]!.reason} ${verdicts[failed]!.detail}`);
  return { ...modelSpeed, executorMs, executorRequests: PROBE_REQUESTS.length };
}
