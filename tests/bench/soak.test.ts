import { describe, expect, it } from 'vitest';
import { judgeSoak, soakTable, type SoakSample } from '../../src/bench/soak';

const minute = (m: number, over: Partial<SoakSample> = {}): SoakSample => ({
  minute: m, steps: m * 8, secondsPerStep: 7.5, tensors: 46, tensorBytes: 6.1e6, heapBytes: 100e6, pythonHeapBytes: 31.5e6, workerReplacements: 0, ...over,
});

describe('soak verdict', () => {
  it('is flat when everything stays within bounds of minute 5', () => {
    const samples = [minute(1, { heapBytes: 60e6 }), ...[5, 6, 7, 8].map((m) => minute(m, { heapBytes: 100e6 + m * 1e6, secondsPerStep: 8 }))];
    expect(judgeSoak(samples)).toEqual({ flat: true, problems: [], baselineMinute: 5 });
  });

  it('names each thing that grew, and when', () => {
    const samples = [minute(5), minute(6, { tensors: 47 }), minute(7, { heapBytes: 111e6, pythonHeapBytes: 40e6, secondsPerStep: 12 })];
    const verdict = judgeSoak(samples);
    expect(verdict.flat).toBe(false);
    expect(verdict.problems).toEqual([
      'minute 6: 47 tensors, 46 at minute 5',
      'minute 7: JS heap 111.0 MB, over 110% of 100.0 MB at minute 5',
      'minute 7: Python worker memory 40.0 MB, over 110% of 31.5 MB at minute 5',
      'steps slowed: 9.75 s/step over the last 2 minutes, over 125% of 7.50 at minute 5',
    ]);
  });

  it('will not call a soak too short to judge flat', () => {
    expect(judgeSoak([minute(1), minute(2), minute(5)])).toMatchObject({ flat: false, baselineMinute: null });
  });

  it('prints one table row a minute', () => {
    const table = soakTable([minute(5), minute(6, { secondsPerStep: null })]).split('\n');
    expect(table).toHaveLength(4);
    expect(table[2]).toBe('| 5 | 40 | 7.50 | 46 | 6.1 | 100.0 | 31.5 | 0 |');
    expect(table[3]).toBe('| 6 | 48 | – | 46 | 6.1 | 100.0 | 31.5 | 0 |');
  });
});
