/**
 * The words of "Try it", per task type: what the user gives, what the model answers (deduction:
 * an output; abduction: an input; induction: a program) and what Python says is correct. Each
 * label is both the visible text and the accessible name of what it labels.
 */
import type { TryRequest } from '../run/try-it';

export interface TryLabels {
  program: string;
  /** deduction and abduction: the one input; induction: one input per line */
  input: string;
  /** induction only */
  message: string;
  answer: string;
  correct: string;
}

const PROGRAM = 'Program (defines f)';
const INPUT = 'Input: the arguments of f, as Python literals';

export function tryLabels(type: TryRequest['type']): TryLabels {
  const message = "Message to the model: a hint, like the proposer's";
  switch (type) {
    case 'deduction':
      return { program: PROGRAM, input: INPUT, message, answer: "Model's answer (the output)", correct: 'Correct output (from Python)' };
    case 'abduction':
      return {
        program: PROGRAM,
        input: `${INPUT} (the model sees only the output)`,
        message,
        answer: "Model's answer (an input)",
        correct: 'A correct input: yours, with its output from Python',
      };
    case 'induction':
      return {
        program: 'Program (defines f): the model must write one that gives the same outputs',
        input: 'Inputs, one argument list per line: the model sees the first half of the pairs',
        message,
        answer: "Model's answer (a program)",
        correct: 'Correct outputs (from Python) that its program must give',
      };
  }
}
