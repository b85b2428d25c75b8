/**
 * The self-play loop as five stages, the current one lit, each with what the last step did
 * there. Reads only summaries from the store: one render per stage change, not per token.
 */
import type { StepMetrics } from '../engine/metrics';
import { useClassMode } from './class-mode';
import { useRun } from './run-store';

type Stage = 'propose' | 'validate' | 'solve' | 'reward' | 'update';

/** `plain`: class mode's one simple line, with no optimiser or backend words. */
const STAGES: { id: Stage; title: string; what: string; plain: string }[] = [
  {
    id: 'propose',
    title: 'Propose',
    what: "The model writes a Python function and an input, at the curriculum's level.",
    plain: 'The model makes up a small puzzle: a Python function and an input.',
  },
  {
    id: 'validate',
    title: 'Validate',
    what: 'Python runs it: it must be safe, fast, deterministic.',
    plain: 'Python runs the function to check that the puzzle works.',
  },
  { id: 'solve', title: 'Solve', what: 'The model predicts outputs, inputs or programs.', plain: 'The model tries to answer its own puzzles.' },
  {
    id: 'reward',
    title: 'Reward',
    what: 'Right answers score; so do tasks neither too easy nor too hard.',
    plain: 'Right answers score points, and so do puzzles that are neither too easy nor too hard.',
  },
  {
    id: 'update',
    title: 'Update',
    what: "One policy-gradient step on both roles, plus learning the answers Python computed (hindsight), then a few more updates on the model's programs run on new inputs (replay).",
    plain: 'The model changes a little, towards what scored and towards Python’s answers.',
  },
];

/** Which stage an engine phase belongs to. */
const STAGE_OF: Record<string, Stage[]> = {
  seed: ['propose', 'validate'],
  propose: ['propose'],
  validate: ['validate'],
  learnability: ['solve'],
  solve: ['solve'],
  update: ['reward', 'update'],
  replay: ['update'],
  eval: [],
};

/** Class mode's counts: what happened, in words a class reads at a glance. */
function plainCounts(m: StepMetrics | null): Record<Stage, string> {
  if (!m) return { propose: '–', validate: '–', solve: '–', reward: '–', update: '–' };
  return {
    propose: `${m.counts.proposed} puzzles made`,
    validate: `${m.counts.valid} of them work`,
    solve: `${m.counts.solved} of ${m.counts.solverTasks} answered right`,
    reward: `${m.counts.solved} right answers`,
    update: m.train ? 'changed' : 'nothing to learn this time',
  };
}

function counts(m: StepMetrics | null): Record<Stage, string> {
  if (!m) return { propose: '–', validate: '–', solve: '–', reward: '–', update: '–' };
  const rejected = Object.entries(m.rejections).sort((a, b) => b[1] - a[1]);
  const rewards = Object.values(m.rewards)
    .flatMap((r) => [r.propose, r.solve])
    .filter((x): x is number => x !== null);
  const meanReward = rewards.length ? rewards.reduce((a, b) => a + b, 0) / rewards.length : null;
  const hindsight = m.train?.hindsightRows ? ` · ${m.train.hindsightRows} of them hindsight answers` : '';
  const replay = m.train?.replayUpdates ? ` · then ${m.train.replayUpdates} replay updates on ${m.train.replayRows} examples` : '';
  return {
    propose: `${m.counts.proposed} proposed${m.curriculum ? ` · level ${m.curriculum.level}` : ''}`,
    validate: `${m.counts.valid} valid${
      rejected.length
        ? ` · rejected: ${rejected
            .slice(0, 3)
            .map(([reason, n]) => `${n} ${reason}`)
            .join(', ')}`
        : ''
    }`,
    solve: `${m.counts.solved} of ${m.counts.solverTasks} solved`,
    reward: meanReward === null ? '–' : `mean ${meanReward.toFixed(2)}`,
    update: m.train ? `${m.train.rows} sequences${hindsight} · loss ${m.train.loss.toFixed(3)}${replay}` : 'no update',
  };
}

export function LoopDiagram() {
  const phase = useRun((s) => s.phase);
  const latest = useRun((s) => s.latest);
  const seeding = useRun((s) => s.seeding);
  const plain = useClassMode((s) => s.on);
  const lit = new Set(STAGE_OF[phase] ?? []);
  const text = plain ? plainCounts(latest) : counts(latest);

  return (
    <figure className="loop-diagram" aria-label="The self-play loop">
      <ol className="stages">
        {STAGES.map((stage) => (
          <li
            key={stage.id}
            className={lit.has(stage.id) ? 'stage active' : 'stage'}
            aria-current={lit.has(stage.id) ? 'step' : undefined}
            data-testid={`stage-${stage.id}`}
          >
            <strong>{stage.title}</strong>
            <span className="stage-what">{plain ? stage.plain : stage.what}</span>
            <span className="stage-count">{text[stage.id]}</span>
          </li>
        ))}
      </ol>
      <figcaption>
        {seeding
          ? plain
            ? 'Making the first puzzles before the model starts learning…'
            : `Seeding the buffers before the first update: deduction ${seeding.sizes.deduction}, abduction ${seeding.sizes.abduction}, induction ${seeding.sizes.induction} of ${seeding.target} tasks.`
          : plain
            ? 'One model both sets the puzzles and answers them; Python checks everything. Counts are from the last step.'
            : 'One model plays both roles; a Python executor checks every task and answer. Counts are from the last step.'}
      </figcaption>
    </figure>
  );
}
