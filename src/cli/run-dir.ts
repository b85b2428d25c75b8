/**
 * A training run on disk (Node): the model checkpoint, the engine state, the three buffers as
 * JSONL in the CRUXEval/AZR triplet format, and metrics.jsonl. Every file is written to a
 * temporary name and renamed, and state.json goes last: it is the commit point, so a run killed
 * mid-save resumes from the previous save, never from a mix.
 */

import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inductionLine, jsonl } from '../engine/buffer-export';
import { type InductionTask, isInductionTask, isTriplet, type Triplet } from '../engine/buffers';
import { upgradeConfig, validateConfig } from '../engine/config';
import { jsonlLines } from '../engine/jsonl';
import type { EngineState } from '../engine/self-play';
import { writeFileAtomic } from '../model/checkpoint-file';
import { isPresetName } from '../model/config';

export const RUN_FILES = {
  checkpoint: 'checkpoint.tzc',
  state: 'state.json',
  metrics: 'metrics.jsonl',
  deduction: 'deduction.jsonl',
  abduction: 'abduction.jsonl',
  induction: 'induction.jsonl',
} as const;

export async function saveRun(dir: string, state: EngineState, checkpoint: Uint8Array, metricsLines: readonly string[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, RUN_FILES.checkpoint), checkpoint);
  await writeFileAtomic(join(dir, RUN_FILES.deduction), jsonl(state.buffers.deduction));
  await writeFileAtomic(join(dir, RUN_FILES.abduction), jsonl(state.buffers.abduction));
  await writeFileAtomic(join(dir, RUN_FILES.induction), jsonl(state.buffers.induction.map(inductionLine)));
  await writeFileAtomic(join(dir, RUN_FILES.metrics), metricsLines.map((line) => `${line}\n`).join(''));
  const { buffers: _buffers, ...rest } = state;
  await writeFileAtomic(join(dir, RUN_FILES.state), `${JSON.stringify(rest, null, 2)}\n`);
}

export interface LoadedRun {
  state: EngineState;
  checkpoint: Uint8Array;
  /** metrics lines up to the saved step */
  metricsLines: string[];
}

export class RunDirError extends Error {}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new RunDirError(`cannot read the ${what} (${path}): ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

function parseLines<T>(text: string, file: string, check: (item: Record<string, unknown>) => boolean): T[] {
  return jsonlLines(text).map((entry) => {
    if ('problem' in entry) throw new RunDirError(`${file} line ${entry.line}: ${entry.problem}`);
    if (!check(entry.record)) throw new RunDirError(`${file} line ${entry.line}: missing or wrong fields`);
    return entry.record as T;
  });
}

/** An induction line also carries its first pair as input/output (see inductionLine). */
const isInductionLine = (t: Record<string, unknown>) => isInductionTask(t) && typeof t.input === 'string' && typeof t.output === 'string';

export function isRunDir(dir: string): boolean {
  return existsSync(join(dir, RUN_FILES.state));
}

export async function loadRun(dir: string): Promise<LoadedRun> {
  if (!isRunDir(dir)) throw new RunDirError(`${dir} is not a training run (no ${RUN_FILES.state})`);
  let state: Omit<EngineState, 'buffers'>;
  try {
    state = JSON.parse(await readText(join(dir, RUN_FILES.state), 'run state'));
  } catch (error) {
    if (error instanceof RunDirError) throw error;
    throw new RunDirError(`${join(dir, RUN_FILES.state)} is not valid JSON`);
  }
  if (state.version !== 1) throw new RunDirError(`${RUN_FILES.state}: unsupported version ${JSON.stringify(state.version)} (expected 1)`);
  try {
    if (typeof state.config === 'object' && state.config !== null && isPresetName(state.config.preset)) state.config = upgradeConfig(state.config);
    validateConfig(state.config);
  } catch (error) {
    throw new RunDirError(`${RUN_FILES.state}: bad config: ${(error as Error).message}`);
  }
  const deduction = parseLines<Triplet>(await readText(join(dir, RUN_FILES.deduction), 'deduction buffer'), RUN_FILES.deduction, isTriplet);
  const abduction = parseLines<Triplet>(await readText(join(dir, RUN_FILES.abduction), 'abduction buffer'), RUN_FILES.abduction, isTriplet);
  const induction = parseLines<InductionTask & { input?: string; output?: string }>(
    await readText(join(dir, RUN_FILES.induction), 'induction buffer'),
    RUN_FILES.induction,
    isInductionLine,
  ).map(({ input: _i, output: _o, ...task }) => task);
  const checkpoint = new Uint8Array(
    await readFile(join(dir, RUN_FILES.checkpoint)).catch(() => {
      throw new RunDirError(`cannot read the checkpoint (${join(dir, RUN_FILES.checkpoint)})`);
    }),
  );
  const metricsText = existsSync(join(dir, RUN_FILES.metrics)) ? await readText(join(dir, RUN_FILES.metrics), 'metrics') : '';
  const metricsLines = metricsText.split('\n').filter((line) => {
    if (!line.trim()) return false;
    try {
      return (JSON.parse(line) as { step: number }).step <= state.step;
    } catch {
      return false;
    }
  });
  return { state: { ...state, buffers: { deduction, abduction, induction } }, checkpoint, metricsLines };
}
