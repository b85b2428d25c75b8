import { describe, expect, it } from 'vitest';
import { judgeSoak, type SoakSample, soakTable } from '../../src/bench/soak';

const minute = (m: number, over: Partial<SoakSample> = {}): SoakSample => ({
  minute: m,
  steps: m * 8,
  secondsPerStep: 7.5,
  tokensPerStep: null,
  msPerThousandTokens: null,
  tensors: 46,
  tensorBytes: 6.1e6,
  heapBytes: 100e6,
  residentBytes: 900e6,
  mainWasmBytes: 400e6,
  helperWasmBytes: 300e6,
  helperHeapBytes: 30e6,
  pythonHeapBytes: 31.5e6,
  workerReplacements: 0,
  probe: null,
  ...over,
});

describe('soak verdict', () => {
  it('is flat when the averages stay within bounds of minutes 5-9, whatever a single sample does', () => {
    const samples = [
      minute(1, { heapBytes: 60e6 }),
      ...[5, 6, 7, 8, 9, 10, 11, 12, 13, 14].map((m) => minute(m, { heapBytes: (m % 2 ? 100e6 : 110e6) + m * 0.5e6, secondsPerStep: m === 7 ? 12 : 8 })),
    ];
    expect(judgeSoak(samples)).toEqual({ flat: true, problems: [], baselineMinute: 5 });
  });

  it('names each thing that grew', () => {
    const samples = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14].map((m) =>
      m < 12
        ? minute(m)
        : minute(m, {
            tensors: 47,
            heapBytes: 120e6,
            residentBytes: 1500e6,
            mainWasmBytes: 600e6,
            helperWasmBytes: 360e6,
            helperHeapBytes: 50e6,
            pythonHeapBytes: 40e6,
            secondsPerStep: 10,
          }),
    );
    const verdict = judgeSoak(samples);
    expect(verdict.flat).toBe(false);
    expect(verdict.problems).toEqual([
      'minute 12: 47 tensors, 46 at minute 5',
      'minute 13: 47 tensors, 46 at minute 5',
      'minute 14: 47 tensors, 46 at minute 5',
      'JS heap: 112.0 MB over minutes 10-14, over 110% of 100.0 MB over minutes 5-9',
      'resident memory: 1260.0 MB over minutes 10-14, over 110% of 900.0 MB over minutes 5-9',
      'WebAssembly memory (model thread): 520.0 MB over minutes 10-14, over 110% of 400.0 MB over minutes 5-9',
      'WebAssembly memory (helper thread): 336.0 MB over minutes 10-14, over 110% of 300.0 MB over minutes 5-9',
      'helper thread heap: 42.0 MB over minutes 10-14, over 110% of 30.0 MB over minutes 5-9',
      'Python worker memory: 36.6 MB over minutes 10-14, over 110% of 31.5 MB over minutes 5-9',
    ]);
    const slower = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14].map((m) => minute(m, { secondsPerStep: m < 10 ? 7.5 : 9.5 }));
    expect(judgeSoak(slower).problems).toEqual(['steps slowed: 9.50 s/step over minutes 10-14, over 125% of 7.50 s/step over minutes 5-9']);
  });

  it('judges time per token, not per step, where tokens are counted: steps that do more work are not a slowdown', () => {
    const window = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
    // twice the work a step at the same speed: flat
    const moreWork = window.map((m) => minute(m, { secondsPerStep: m < 10 ? 7.5 : 15, tokensPerStep: m < 10 ? 50_000 : 100_000, msPerThousandTokens: 150 }));
    expect(judgeSoak(moreWork)).toEqual({ flat: true, problems: [], baselineMinute: 5 });
    // the same work a step, slower per token: named
    const slower = window.map((m) => minute(m, { tokensPerStep: 50_000, msPerThousandTokens: m < 10 ? 150 : 200 }));
    expect(judgeSoak(slower).problems).toEqual([
      'work slowed: 200.0 ms per 1000 tokens over minutes 10-14, over 125% of 150.0 ms per 1000 tokens over minutes 5-9',
    ]);
  });

  it('judges the speed probe where there is one: heavier steps are not a slowdown, slower fixed work is, part by part', () => {
    const window = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
    const probe = { gradientMs: 900, sampleMs: 1200, executorMs: 60 };
    // steps twice as heavy and slower per token, the probe steady (one noisy minute): flat
    const heavier = window.map((m) =>
      minute(m, {
        secondsPerStep: m < 10 ? 7.5 : 20,
        tokensPerStep: m < 10 ? 50_000 : 100_000,
        msPerThousandTokens: m < 10 ? 150 : 200,
        probe: m === 12 ? { ...probe, sampleMs: 2400 } : probe,
      }),
    );
    expect(judgeSoak(heavier)).toEqual({ flat: true, problems: [], baselineMinute: 5 });
    const slower = window.map((m) => minute(m, { probe: m < 10 ? probe : { gradientMs: 1200, sampleMs: 1200, executorMs: 90 } }));
    expect(judgeSoak(slower).problems).toEqual([
      "the probe's training pass slowed: 1200 ms over minutes 10-14, over 125% of 900 ms over minutes 5-9",
      "the probe's Python requests slowed: 90 ms over minutes 10-14, over 125% of 60 ms over minutes 5-9",
    ]);
  });

  it('will not call a soak too short to judge flat', () => {
    expect(judgeSoak([1, 2, 5, 6, 7, 8, 9, 10, 11, 12].map((m) => minute(m)))).toMatchObject({ flat: false, baselineMinute: null });
  });

  it('prints one table row a minute', () => {
    const table = soakTable([
      minute(5),
      minute(6, {
        secondsPerStep: null,
        tokensPerStep: 51_234,
        msPerThousandTokens: 146.43,
        residentBytes: null,
        mainWasmBytes: null,
        helperWasmBytes: null,
        helperHeapBytes: null,
        probe: { gradientMs: 912.4, sampleMs: 1187.6, executorMs: 61.2 },
      }),
    ]).split('\n');
    expect(table).toHaveLength(4);
    expect(table[2]).toBe('| 5 | 40 | 7.50 | – | – | – | – | – | 46 | 6.1 | 100.0 | 900.0 | 400.0 | 300.0 | 30.0 | 31.5 | 0 |');
    expect(table[3]).toBe('| 6 | 48 | – | 51234 | 146.4 | 912 | 1188 | 61 | 46 | 6.1 | 100.0 | – | – | – | – | 31.5 | 0 |');
  });
});
