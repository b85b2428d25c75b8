/**
 * The run file the page exports and imports: a round trip keeps everything, and any damage is
 * refused with a sentence saying what is wrong.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { IDENTITY_SEED } from '../../src/engine/buffers';
import { applySettings, defaultConfig } from '../../src/engine/config';
import type { StepMetrics } from '../../src/engine/metrics';
import type { EngineState } from '../../src/engine/self-play';
import { ModelService } from '../../src/model-service/model-service';
import { decodeRunFile, encodeRunFile } from '../../src/run/run-file';
import { type RunRecord, RunRecordError } from '../../src/run/run-record';

const config = applySettings(defaultConfig('tiny'), ['seed=3', 'batchSize=2']);
let record: RunRecord;

const metricsAt = (step: number) => ({ step, rewards: {}, counts: { proposed: 2, valid: 1, solverTasks: 2, solved: 1 } }) as unknown as StepMetrics;

beforeAll(async () => {
  const model = new ModelService();
  await model.init({ preset: 'tiny', seed: 3, candidates: ['cpu'] });
  const state: EngineState = {
    version: 1,
    config,
    step: 2,
    seeded: true,
    nextId: 4,
    rng: [1, 2, 3, 4],
    sampler: [5, 6, 7, 8],
    buffers: { deduction: [IDENTITY_SEED], abduction: [IDENTITY_SEED], induction: [] },
    records: { 'deduction:seed_identity': { attempts: 1, correct: 1, history: [{ step: 1, outcome: 'correct', answer: "'hello'" }] } },
  };
  record = {
    meta: { id: 'run-x', name: 'tiny · seed 3', created: 1, updated: 2, step: 2, config },
    state,
    metrics: [metricsAt(1), metricsAt(2)],
    feed: [],
    checkpoint: await model.save(),
  };
  model.dispose();
}, 60_000);

describe('a run file', () => {
  it('round-trips the whole run', () => {
    const decoded = decodeRunFile(encodeRunFile(record));
    expect(decoded.meta).toEqual(record.meta);
    expect(decoded.state).toEqual(record.state);
    expect(decoded.metrics).toEqual(record.metrics);
    expect(Array.from(decoded.checkpoint)).toEqual(Array.from(record.checkpoint));
  });

  it('refuses a file that is not a run, a changed byte, and a cut-off file', () => {
    const bytes = encodeRunFile(record);
    expect(() => decodeRunFile(new TextEncoder().encode('{"hello": 1}'))).toThrow(
      /not a Tabula Zero run file \(it does not start with a run file's signature\)$/,
    );
    for (const at of [20, Math.floor(bytes.length / 2), bytes.length - 10]) {
      const damaged = bytes.slice();
      damaged[at]! ^= 0x01;
      expect(() => decodeRunFile(damaged)).toThrow(RunRecordError);
      expect(() => decodeRunFile(damaged)).toThrow(/damaged/);
    }
    expect(() => decodeRunFile(bytes.subarray(0, bytes.length - 100))).toThrow(/damaged/);
  });

  it('refuses a well-formed file whose contents disagree: bad settings, wrong step, another preset', () => {
    const bad = (change: Partial<RunRecord>) => () => decodeRunFile(encodeRunFile({ ...record, ...change }));
    expect(bad({ meta: { ...record.meta, config: { ...config, batchSize: 0 } } })).toThrow(/settings are invalid: batchSize/);
    expect(bad({ meta: { ...record.meta, step: 5 } })).toThrow(/disagrees with the run/);
    expect(bad({ metrics: [metricsAt(2), metricsAt(1)] })).toThrow(/metrics are damaged/);
    const small = { ...record.meta, config: { ...defaultConfig('small'), seed: 3 } };
    expect(bad({ meta: small, state: { ...record.state, config: small.config } })).toThrow(/checkpoint cannot be used/);
  });
});
