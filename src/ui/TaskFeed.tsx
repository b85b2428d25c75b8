/** The latest proposals, newest first: the program, its input and output, the verdict, the solver's attempts and the rewards. */
import { memo } from 'react';
import type { FeedItem } from '../engine/feed';
import { Code, CodeText } from './Code';
import { useClassMode } from './class-mode';
import { useRun } from './run-store';

const OUTCOME_MARK = { correct: '✓', wrong: '✗', malformed: '∅' } as const;

export const TYPE_HINT: Record<string, string> = {
  deduction: 'given f and an input, predict the output',
  abduction: 'given f and an output, find an input',
  induction: 'given input/output pairs, write f',
};

function Verdict({ verdict }: { verdict: string }) {
  return <span className={verdict === 'ok' ? 'badge ok' : 'badge bad'}>{verdict === 'ok' ? 'valid' : `rejected: ${verdict}`}</span>;
}

/** `plain` (class mode): no ids, rewards or learnability, only what happened. */
const FeedCard = memo(function FeedCard({ item, plain }: { item: FeedItem; plain: boolean }) {
  const right = item.attempts.filter((a) => a.outcome === 'correct').length;
  return (
    <li className="feed-item" data-testid="feed-item" data-verdict={item.verdict}>
      <div className="feed-head">
        <span className={`badge type-${item.type}`} title={TYPE_HINT[item.type]}>
          {item.type}
        </span>
        <Verdict verdict={item.verdict} />
        <span className="muted">step {item.step}</span>
        {!plain && item.taskId && <span className="muted mono">{item.taskId}</span>}
        {!plain && (
          <span className="reward" title="the proposer's reward">
            proposer reward {item.proposerReward.toFixed(2)}
          </span>
        )}
      </div>
      {/* The feed column is narrow: long generated lines wrap (between tokens) instead of scrolling out of sight. */}
      <Code code={item.program || '(nothing written)'} wrap />
      <div className="io">
        {item.inputs.map((input, i) => (
          <div key={i} className="mono">
            <CodeText text={`f(${input})`} />
            {item.outputs[i] !== undefined ? (
              <>
                {' == '}
                <strong>
                  <CodeText text={item.outputs[i]!} />
                </strong>
              </>
            ) : null}
          </div>
        ))}
        {item.message ? <div className="message">message: “{item.message}”</div> : null}
      </div>
      {item.attempts.length > 0 && (
        <div className="attempts">
          <span className="muted">
            {plain ? `the model's answers, ${right} of ${item.attempts.length} right` : `solver ${right}/${item.attempts.length} right`}
            {!plain && item.learnability !== null ? ` · learnability ${item.learnability.toFixed(2)}` : ''}:
          </span>
          {item.attempts.map((a, i) => (
            <span key={i} className={`attempt ${a.outcome}`} title={`${a.outcome}: ${a.answer}`}>
              {OUTCOME_MARK[a.outcome]} <span className="mono">{a.answer.length > 40 ? `${a.answer.slice(0, 40)}…` : a.answer || '(empty)'}</span>
            </span>
          ))}
        </div>
      )}
    </li>
  );
});

export function TaskFeed() {
  const feed = useRun((s) => s.feed);
  // Kept in the store, not the component, so it survives switching tabs.
  const validOnly = useRun((s) => s.feedValidOnly);
  const shown = validOnly ? feed.filter((f) => f.verdict === 'ok') : feed;
  const plain = useClassMode((s) => s.on);
  return (
    <section className="panel feed" aria-labelledby="feed-title">
      <div className="panel-head">
        <h2 id="feed-title">Task feed</h2>
        <label className="inline">
          <input type="checkbox" checked={validOnly} onChange={(e) => useRun.setState({ feedValidOnly: e.target.checked })} /> valid only
        </label>
      </div>
      <p className="hint">
        {plain
          ? 'Every puzzle the model made in the latest steps, whether Python accepted it, and the model’s own answers to it.'
          : "Every proposal of the latest steps. Valid tasks enter a buffer; the solver's attempts measure how learnable they are."}
      </p>
      {shown.length === 0 ? (
        <p className="empty">Proposals appear here after the first step.</p>
      ) : (
        <ol className="feed-list" aria-label="Recent tasks">
          {shown.map((item) => (
            <FeedCard key={item.key} item={item} plain={plain} />
          ))}
        </ol>
      )}
    </section>
  );
}
