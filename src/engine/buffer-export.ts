/**
 * Buffers as JSONL in the CRUXEval/AZR triplet format ({id, code, input, output}, one task per
 * line), so self-generated tasks can seed a run elsewhere or go through `tabula verify`.
 */
import type { InductionTask, Triplet } from './buffers';
import type { TaskType } from './rewards';

export const jsonl = (items: readonly unknown[]): string => items.map((item) => JSON.stringify(item)).join('\n') + (items.length ? '\n' : '');

/** Induction tasks carry their first pair as input/output too, so CRUXEval tools read the file. */
export function inductionLine(task: InductionTask): Record<string, unknown> {
  return {
    id: task.id,
    code: task.code,
    input: task.inputs[0],
    output: task.outputs[0],
    inputs: task.inputs,
    outputs: task.outputs,
    message: task.message,
    step: task.step,
  };
}

/** All three buffers in one file; each line says which buffer it came from. */
export function buffersJsonl(buffers: { deduction: readonly Triplet[]; abduction: readonly Triplet[]; induction: readonly InductionTask[] }): string {
  const lines: Record<string, unknown>[] = [];
  for (const type of ['deduction', 'abduction'] as const satisfies readonly TaskType[]) {
    for (const t of buffers[type]) lines.push({ id: t.id, code: t.code, input: t.input, output: t.output, step: t.step, task_type: type });
  }
  for (const t of buffers.induction) lines.push({ ...inductionLine(t), task_type: 'induction' });
  return jsonl(lines);
}
