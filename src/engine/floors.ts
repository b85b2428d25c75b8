/**
 * Trivial floors of an evaluation set: the accuracy of fixed rules that never read the program
 * body (answer a constant, echo an argument, echo the output, return a parameter). A model's
 * accuracy means something only where it beats the best of these.
 *
 * Every strategy is graded by the executor with the same requests evaluation uses, so Python's
 * `==` decides (`False == 0`, `True == 1`). A task a strategy cannot answer counts as wrong.
 */
import type { ExecRequest } from '../executor/types';
import { type ParamType, parseSignature } from '../lang/types';
import { type EvalTask, type Executor, solveTaskFor } from './evaluate';
import { splitArguments, valueKey } from './heldout';
import type { TaskType } from './rewards';

export interface FloorStrategy {
  /** e.g. `constant`, `copy-arg-0`, `copy-output`, `return-param-1` */
  name: string;
  /** The fixed answer, for strategies that give every task the same one. */
  answer?: string;
  /** Share of the given tasks it answers correctly, 0..1. */
  accuracy: number;
}

export interface FloorReport {
  best: FloorStrategy;
  strategies: FloorStrategy[];
}

/** Most common values tried as constant answers, before the fixed defaults. */
const CANDIDATES = 30;
/** Argument positions the copy strategies try. */
const COPY_POSITIONS = 3;
/** Answers every constant strategy also tries. */
const DEFAULT_OUTPUTS = ['0', '1', 'True', 'False', "''", '[]', '()'];
/**
 * Simple values per parameter type; typed-default variant v answers every parameter with the
 * v-th value of its type (cycling), so `f(n, s)` gets `0, ''`, then `1, 'a'`, ...
 */
const TYPED_DEFAULTS: Record<ParamType, string[]> = {
  int: ['0', '1', '-1', '2'],
  str: ["''", "'a'", "'ab'", "' '"],
  bool: ['False', 'True'],
  'list[int]': ['[]', '[0]', '[1]', '[1, 2]'],
  'list[str]': ['[]', "['a']", "['']", "['a', 'b']"],
};
const TYPED_VARIANTS = 4;

/** One strategy: a request per task, or null where the strategy has no answer for that task. */
interface Plan {
  name: string;
  answer?: string;
  requests: (ExecRequest | null)[];
}

/**
 * The most common of `values`, counting values that `==` makes equal as one (by `valueKey`);
 * each group is represented by its most frequent spelling. Ties break by text, so the order is
 * deterministic.
 */
export function commonValues(values: readonly string[], limit = CANDIDATES): string[] {
  const groups = new Map<string, { total: number; spellings: Map<string, number> }>();
  for (const value of values) {
    const key = valueKey(value);
    const group = groups.get(key) ?? { total: 0, spellings: new Map<string, number>() };
    group.total++;
    group.spellings.set(value, (group.spellings.get(value) ?? 0) + 1);
    groups.set(key, group);
  }
  const byCount = <T>(entries: [string, T][], count: (t: T) => number) =>
    entries.sort((a, b) => count(b[1]) - count(a[1]) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return byCount([...groups], (g) => g.total)
    .slice(0, limit)
    .map(([, group]) => byCount([...group.spellings], (n) => n)[0]![0]);
}

/** The `def f(...):` line of a program, and its parameter names; null if it has none. */
function header(code: string): { line: string; params: string[] } | null {
  const match = /^def f\(([^)]*)\):/.exec(code);
  if (!match) return null;
  const params = match[1]!
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  return { line: match[0], params };
}

function withDefaults(values: string[]): string[] {
  return [...new Set([...values, ...DEFAULT_OUTPUTS])];
}

function deductionPlans(tasks: readonly EvalTask[]): Plan[][] {
  const constants = withDefaults(commonValues(tasks.map((t) => t.output))).map(
    (answer): Plan => ({
      name: 'constant',
      answer,
      requests: tasks.map((task) => ({ kind: 'deduction', answer, output: task.output })),
    }),
  );
  const copies = Array.from(
    { length: COPY_POSITIONS },
    (_, k): Plan => ({
      name: `copy-arg-${k}`,
      requests: tasks.map((task) => {
        const arg = splitArguments(task.input)[k];
        return arg === undefined || arg === '' ? null : { kind: 'deduction', answer: arg, output: task.output };
      }),
    }),
  );
  return [constants, copies];
}

function typedDefaults(types: readonly ParamType[], variant: number): string {
  return types.map((type) => TYPED_DEFAULTS[type][variant % TYPED_DEFAULTS[type].length]!).join(', ');
}

function abductionPlans(tasks: readonly EvalTask[]): Plan[][] {
  const request = (task: EvalTask, answer: string): ExecRequest => ({ kind: 'abduction', code: task.code, answer, output: task.output });
  const constants = commonValues(tasks.map((t) => t.input)).map(
    (answer): Plan => ({ name: 'constant-input', answer, requests: tasks.map((task) => request(task, answer)) }),
  );
  const signatures = tasks.map((task) => parseSignature(task.code));
  const defaults = Array.from(
    { length: TYPED_VARIANTS },
    (_, v): Plan => ({
      name: `typed-default-${v}`,
      requests: tasks.map((task, i) => (signatures[i] ? request(task, typedDefaults(signatures[i]!, v)) : null)),
    }),
  );
  const copies: Plan[] = [{ name: 'copy-output', requests: tasks.map((task) => request(task, task.output)) }];
  // The output into argument k, simple defaults elsewhere (`f(n, s)` returning `s`: `0, <output>`).
  for (let k = 1; k < COPY_POSITIONS; k++) {
    copies.push({
      name: `copy-output-to-arg-${k}`,
      requests: tasks.map((task, i) => {
        const types = signatures[i];
        if (!types || types.length <= k) return null;
        const args = types.map((type) => TYPED_DEFAULTS[type][0]!);
        args[k] = task.output;
        return request(task, args.join(', '));
      }),
    });
  }
  return [[...constants, ...defaults], copies];
}

function inductionPlans(tasks: readonly EvalTask[]): Plan[][] {
  const views = tasks.map((task) => {
    const view = solveTaskFor('induction', task);
    const head = header(task.code);
    return typeof view === 'string' || !head ? null : { hidden: view.hidden ?? [], head };
  });
  const program = (head: { line: string }, body: string) => `${head.line}\n    return ${body}`;
  const returnsParam = Array.from(
    { length: COPY_POSITIONS },
    (_, k): Plan => ({
      name: `return-param-${k}`,
      requests: views.map((view) => {
        const param = view?.head.params[k];
        return view && param ? { kind: 'induction', code: program(view.head, param), pairs: view.hidden } : null;
      }),
    }),
  );
  const outputs = tasks.flatMap((task) => (task.pairs ?? []).map(([, output]) => output));
  const constants = withDefaults(commonValues(outputs, 10)).map(
    (answer): Plan => ({
      name: 'return-constant',
      answer,
      requests: views.map((view) => (view ? { kind: 'induction', code: program(view.head, answer), pairs: view.hidden } : null)),
    }),
  );
  return [returnsParam, constants];
}

/**
 * The trivial floors of `tasks` for one task type, and the best of them. One executor call per
 * family of strategies; ties go to the strategy listed first. Constant strategies report only
 * their best answer.
 */
export async function trivialFloors(executor: Executor, tasks: readonly EvalTask[], type: TaskType): Promise<FloorReport> {
  if (tasks.length === 0) return { best: { name: 'none', accuracy: 0 }, strategies: [] };
  const families = type === 'deduction' ? deductionPlans(tasks) : type === 'abduction' ? abductionPlans(tasks) : inductionPlans(tasks);
  const strategies: FloorStrategy[] = [];
  for (const plans of families) {
    const present = plans.flatMap((plan) => plan.requests.filter((r): r is ExecRequest => r !== null));
    const verdicts = present.length ? await executor.run(present) : [];
    let next = 0;
    const scored = plans.map((plan) => {
      let right = 0;
      for (const request of plan.requests) if (request && verdicts[next++]!.ok) right++;
      return { name: plan.name, ...(plan.answer !== undefined ? { answer: plan.answer } : {}), accuracy: right / tasks.length };
    });
    // A named strategy with several candidate answers keeps only its best one.
    const kept = new Map<string, FloorStrategy>();
    for (const strategy of scored) {
      const held = kept.get(strategy.name);
      if (!held || strategy.accuracy > held.accuracy) kept.set(strategy.name, strategy);
    }
    strategies.push(...kept.values());
  }
  const best = strategies.reduce((a, b) => (b.accuracy > a.accuracy ? b : a));
  return { best, strategies };
}
