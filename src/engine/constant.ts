/**
 * Constant programs: a proposal whose output is the same for every input it runs on (`return 7`,
 * or a body whose result never reads a parameter) teaches nothing, and its deduction answer can be
 * guessed. Such proposals are rejected with the reason `constant`. With `rejectCopies`, so are
 * copy programs (every output one of its arguments), with the reason `copy`.
 */
import type { ExecRequest, ValidateRequest, Verdict } from '../executor/types';
import { type Executor, runSome } from './evaluate';
import { isCopyTask } from './heldout';

/** Random argument lists for a program, none equal to `exclude`. */
export type ProbeInputs = (code: string, exclude: string, count: number) => string[];

/** What the probes found: which requests are constant or copies, and each probe that ran (a true triplet). */
export interface ConstantReport {
  constant: boolean[];
  /**
   * Copy programs: on two or more distinct inputs, every output is, literally, one of its own
   * input's arguments (`return x`, `return (b)`; isCopyTask). Their deduction answer is the
   * trivial floor of echoing an argument.
   */
  copy: boolean[];
  /** `at`: the request's index; the executor's output for the probe's input */
  probes: { at: number; input: string; output: string }[];
}

/**
 * Which validated requests are constant programs. A request that ran on several inputs (an
 * induction proposal's N) is judged on them; one that ran on a single input is also run on
 * `probes` more from `probeInputs`, and a probe that fails (an index out of range on that input)
 * is ignored. A program is constant when at least two distinct inputs ran and all gave one output.
 * The probes that ran are returned too: each is a checked (program, input, output) triplet.
 */
export async function constantPrograms(
  executor: Executor,
  requests: readonly (ValidateRequest | null)[],
  verdicts: readonly (Verdict | null)[],
  probes: number,
  probeInputs: ProbeInputs,
): Promise<ConstantReport> {
  const ran = requests.map((request, at) => request !== null && verdicts[at]?.ok === true);
  if (probes === 0) return { constant: requests.map(() => false), copy: requests.map(() => false), probes: [] };
  const outputs = verdicts.map((v, at) => (ran[at] ? [...(v!.outputs ?? [])] : []));
  const inputs = requests.map((r, at) => (ran[at] ? new Set(r!.inputs) : new Set<string>()));
  const pairs = requests.map((r, at): [string, string][] => (ran[at] ? r!.inputs.map((input, k) => [input, outputs[at]![k] ?? '']) : []));
  const planned: { at: number; input: string; request: ExecRequest }[] = [];
  requests.forEach((request, at) => {
    if (!ran[at] || request!.inputs.length > 1) return;
    for (const input of probeInputs(request!.code, request!.inputs[0]!, probes)) {
      planned.push({ at, input, request: { kind: 'validate', code: request!.code, inputs: [input] } });
    }
  });
  const probed = await runSome(
    executor,
    planned.map((p) => p.request),
  );
  const found: ConstantReport['probes'] = [];
  planned.forEach((p, k) => {
    const verdict = probed[k];
    if (!verdict?.ok || !verdict.outputs?.length) return;
    outputs[p.at]!.push(verdict.outputs[0]!);
    inputs[p.at]!.add(p.input);
    pairs[p.at]!.push([p.input, verdict.outputs[0]!]);
    found.push({ at: p.at, input: p.input, output: verdict.outputs[0]! });
  });
  return {
    constant: requests.map((_, at) => ran[at]! && inputs[at]!.size >= 2 && outputs[at]!.every((o) => o === outputs[at]![0])),
    copy: requests.map((_, at) => ran[at]! && inputs[at]!.size >= 2 && isCopyTask(pairs[at]!)),
    probes: found,
  };
}
