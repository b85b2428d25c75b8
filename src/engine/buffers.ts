/**
 * The three task buffers. Deduction and abduction hold triplets (p, i, o); induction holds a
 * program with its input/output pairs and the proposer's message. Items are kept in the order
 * they were added, so the newest are at the end. Each holds at most BUFFER_CAPACITY items and
 * drops its oldest beyond that, so that memory, saved runs and the per-step scans of a buffer
 * stop growing in a run of hours (a buffer gains a few dozen tasks a step).
 */
import { type Rng, randomInt } from '../shared/rng';
import { OutputCaps, outputClass } from './heldout';

export interface Triplet {
  id: string;
  code: string;
  input: string;
  output: string;
  /** Step at which it was proposed (0: seeding). */
  step: number;
  /** Program level it was written at (absent: before the curriculum existed). */
  level?: number;
}

export interface InductionTask {
  id: string;
  code: string;
  inputs: string[];
  outputs: string[];
  message: string;
  step: number;
  level?: number;
}

const isStr = (x: unknown): x is string => typeof x === 'string';
const isLevel = (x: unknown): boolean => x === undefined || (Number.isInteger(x) && (x as number) >= 1 && (x as number) <= 4);

/** Whether a value read from a saved run has a triplet's fields (checked before it is used). */
export const isTriplet = (t: Record<string, unknown>): boolean =>
  isStr(t.id) && isStr(t.code) && isStr(t.input) && isStr(t.output) && Number.isInteger(t.step) && isLevel(t.level);

/** Whether a value read from a saved run has an induction task's fields. */
export const isInductionTask = (t: Record<string, unknown>): boolean =>
  isStr(t.id) &&
  isStr(t.code) &&
  Number.isInteger(t.step) &&
  isStr(t.message) &&
  isLevel(t.level) &&
  Array.isArray(t.inputs) &&
  Array.isArray(t.outputs) &&
  t.inputs.length === t.outputs.length &&
  t.inputs.every(isStr) &&
  t.outputs.every(isStr);

/** Tasks kept per buffer; the oldest go first. */
export const BUFFER_CAPACITY = 4096;

export class TaskBuffer<T> {
  readonly items: T[];

  constructor(
    items: readonly T[] = [],
    readonly capacity = BUFFER_CAPACITY,
  ) {
    this.items = items.slice(-capacity);
  }

  get size(): number {
    return this.items.length;
  }

  /** Adds an item; returns the oldest one when that made room for it. */
  add(item: T): T | undefined {
    this.items.push(item);
    return this.items.length > this.capacity ? this.items.shift() : undefined;
  }

  /**
   * A solver batch: the newest `fresh` items first (this step's valid proposals, newest first),
   * then uniform draws from the whole buffer, with replacement, until `count`.
   */
  solverBatch(count: number, fresh: number, rng: Rng): T[] {
    if (this.items.length === 0) return [];
    const batch: T[] = [];
    for (let i = this.items.length - 1; i >= Math.max(0, this.items.length - fresh) && batch.length < count; i--) batch.push(this.items[i]!);
    while (batch.length < count) batch.push(this.items[randomInt(rng, this.items.length)]!);
    return batch;
  }

  /**
   * A solver batch balanced by answer: the newest `fresh` items first, then draws that pick an
   * output class (int, str, bool, list, ...) uniformly among those present and an item uniformly
   * within it, turning down an item whose output value (`==`-equal values counted together)
   * already fills a quarter of the batch. So no constant answer pays for more than a quarter.
   */
  balancedBatch(count: number, fresh: number, rng: Rng, outputOf: (item: T) => string): T[] {
    if (this.items.length === 0) return [];
    const batch: T[] = [];
    const caps = new OutputCaps(Math.max(1, Math.floor(count / 4)));
    const take = (item: T) => {
      batch.push(item);
      caps.take(outputOf(item));
    };
    for (let i = this.items.length - 1; i >= Math.max(0, this.items.length - fresh) && batch.length < count; i--) take(this.items[i]!);
    const classes = new Map<string, T[]>();
    for (const item of this.items) {
      const key = outputClass(outputOf(item));
      const members = classes.get(key);
      if (members) members.push(item);
      else classes.set(key, [item]);
    }
    const groups = [...classes.values()];
    while (batch.length < count) {
      let pick: T | undefined;
      for (let tries = 0; tries < 8; tries++) {
        const group = groups[randomInt(rng, groups.length)]!;
        pick = group[randomInt(rng, group.length)]!;
        if (!caps.refusal(outputOf(pick))) break;
      }
      take(pick!);
    }
    return batch;
  }

  /** Up to `count` distinct items, drawn uniformly (proposer references). */
  uniformDistinct(count: number, rng: Rng): T[] {
    const picks = new Set<number>();
    const want = Math.min(count, this.items.length);
    while (picks.size < want) picks.add(randomInt(rng, this.items.length));
    return [...picks].map((i) => this.items[i]!);
  }

  /** One item drawn uniformly, or undefined when empty. */
  uniform(rng: Rng): T | undefined {
    return this.items.length ? this.items[randomInt(rng, this.items.length)] : undefined;
  }
}

/** The seed of every run: the identity function on a string. */
export const IDENTITY_SEED: Triplet = { id: 'seed_identity', code: 'def f(a):\n    return a', input: "'hello'", output: "'hello'", step: 0 };
