/**
 * "An example from this step" for class mode: the shortest valid task of the newest step that
 * the model tried, put as a question, with Python's answer and the model's, right or wrong.
 */
import type { FeedItem } from '../engine/feed';

export interface StepExample {
  step: number;
  type: FeedItem['type'];
  program: string;
  /** the question, in plain words */
  question: string;
  /** what Python's run of the program says the answer is */
  pythonAnswer: string;
  modelAnswer: string;
  right: boolean;
}

/** Deduction reads most easily to a class, then abduction, then induction. */
const ORDER: FeedItem['type'][] = ['deduction', 'abduction', 'induction'];

export function stepExample(feed: readonly FeedItem[]): StepExample | null {
  const newest = Math.max(...feed.map((f) => f.step));
  const tried = feed.filter((f) => f.step === newest && f.verdict === 'ok' && f.attempts.length > 0 && f.outputs.length > 0);
  if (!tried.length) return null;
  const size = (f: FeedItem) => f.program.length + f.inputs.join('').length;
  const item = [...tried].sort((a, b) => ORDER.indexOf(a.type) - ORDER.indexOf(b.type) || size(a) - size(b))[0]!;
  const attempt = item.attempts[0]!;
  const base = { step: item.step, type: item.type, program: item.program, modelAnswer: attempt.answer, right: attempt.outcome === 'correct' };
  if (item.type === 'deduction') return { ...base, question: `What does f(${item.inputs[0]}) return?`, pythonAnswer: item.outputs[0]! };
  if (item.type === 'abduction') return { ...base, question: `Which input makes f return ${item.outputs[0]}?`, pythonAnswer: item.inputs[0]! };
  const pairs = item.inputs.map((input, i) => `f(${input}) == ${item.outputs[i]}`).join(', ');
  return { ...base, question: `Which function gives ${pairs}?`, pythonAnswer: item.program };
}
