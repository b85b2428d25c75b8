import { describe, expect, it } from 'vitest';
import type { FeedItem } from '../../src/engine/feed';
import { stepExample } from '../../src/ui/step-example';

const item = (over: Partial<FeedItem>): FeedItem => ({
  step: 3,
  type: 'deduction',
  taskId: 'd',
  program: 'def f(x):\n    return x + 3',
  inputs: ['4'],
  outputs: ['7'],
  verdict: 'ok',
  attempts: [{ answer: '7', outcome: 'correct' }],
  learnability: 0,
  proposerReward: 0,
  ...over,
});

describe('an example from this step', () => {
  it('picks the shortest valid task the model tried in the newest step, deduction first', () => {
    const feed = [
      item({ step: 2, program: 'def f(x):\n    return x' }),
      item({ program: 'def f(x):\n    return x + 3 + 4 + 5', outputs: ['16'] }),
      item({ program: 'def f(x):\n    return -x', outputs: ['-4'], attempts: [{ answer: '4', outcome: 'wrong' }] }),
      item({ verdict: 'constant', program: 'def f(x):\n    return 1' }),
      item({ type: 'abduction', program: 'def f(a):\n    return a' }),
    ];
    expect(stepExample(feed)).toEqual({
      step: 3,
      type: 'deduction',
      program: 'def f(x):\n    return -x',
      question: 'What does f(4) return?',
      pythonAnswer: '-4',
      modelAnswer: '4',
      right: false,
    });
  });

  it('asks abduction for an input and induction for a function', () => {
    expect(stepExample([item({ type: 'abduction', outputs: ['7'], attempts: [{ answer: '4', outcome: 'correct' }] })])).toMatchObject({
      question: 'Which input makes f return 7?',
      pythonAnswer: '4',
      right: true,
    });
    const induction = stepExample([
      item({ type: 'induction', inputs: ['1', '2'], outputs: ['4', '5'], attempts: [{ answer: 'def f(x):\n    return 3', outcome: 'wrong' }] }),
    ]);
    expect(induction).toMatchObject({ question: 'Which function gives f(1) == 4, f(2) == 5?', pythonAnswer: 'def f(x):\n    return x + 3', right: false });
  });

  it('has no example before a step with a task the model tried', () => {
    expect(stepExample([])).toBeNull();
    expect(stepExample([item({ attempts: [] }), item({ verdict: 'timeout', outputs: [] })])).toBeNull();
  });
});
