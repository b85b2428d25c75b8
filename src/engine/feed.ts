/**
 * What the page shows of each step besides the figures: every proposal with its verdict and the
 * solver's attempts (the task feed), and each buffered task's record of solver attempts (the
 * buffer explorer's history). Plain data, so it crosses comlink and is saved with a run.
 */
import type { AnswerOutcome, TaskType } from './rewards';

export interface FeedAttempt {
  answer: string;
  outcome: AnswerOutcome;
}

/** One proposal of a step, valid or not. */
export interface FeedItem {
  step: number;
  type: TaskType;
  /** the buffered task's id, when the proposal was valid */
  taskId: string | null;
  program: string;
  /** argument lists: one for deduction/abduction, N for induction */
  inputs: string[];
  /** what the executor computed for each input (valid proposals only) */
  outputs: string[];
  message?: string;
  /** 'ok' or why the proposal was rejected */
  verdict: string;
  /** the n solver attempts that measured its learnability */
  attempts: FeedAttempt[];
  learnability: number | null;
  proposerReward: number;
}

/** Solver attempts on one buffered task, newest last. */
export interface TaskRecord {
  attempts: number;
  correct: number;
  history: { step: number; outcome: AnswerOutcome; answer: string }[];
}

const HISTORY_LENGTH = 20;

/** Task records by `type:id` (the seed task sits in two buffers under one id). */
export class TaskRecords {
  readonly byKey: Map<string, TaskRecord>;

  constructor(saved: Record<string, TaskRecord> = {}) {
    this.byKey = new Map(Object.entries(saved));
  }

  get(type: TaskType, id: string): TaskRecord | undefined {
    return this.byKey.get(`${type}:${id}`);
  }

  record(type: TaskType, id: string, step: number, outcome: AnswerOutcome, answer: string): void {
    const key = `${type}:${id}`;
    const entry = this.byKey.get(key) ?? { attempts: 0, correct: 0, history: [] };
    entry.attempts += 1;
    if (outcome === 'correct') entry.correct += 1;
    entry.history.push({ step, outcome, answer });
    if (entry.history.length > HISTORY_LENGTH) entry.history.splice(0, entry.history.length - HISTORY_LENGTH);
    this.byKey.set(key, entry);
  }

  /** Drops a task's record (its task left its buffer). */
  forget(type: TaskType, id: string): void {
    this.byKey.delete(`${type}:${id}`);
  }

  toJSON(): Record<string, TaskRecord> {
    return Object.fromEntries(this.byKey);
  }
}
