import { describe, expect, it } from 'vitest';
import { emptyPhases, type StepMetrics } from '../../src/engine/metrics';
import {
  alignSteps,
  buildChartData,
  CHARTS,
  type ChartSpec,
  chartTable,
  downsample,
  formatValue,
  learnabilityShares,
  reasonColor,
  seriesSignature,
  TYPE_COLORS,
} from '../../src/ui/charts/chart-specs';

function chart(id: string): ChartSpec {
  const spec = CHARTS.find((c) => c.id === id);
  if (!spec) throw new Error(`no chart ${id}`);
  return spec;
}

/** A plausible step; `over` replaces whole fields. */
function step(n: number, over: Partial<StepMetrics> = {}): StepMetrics {
  return {
    step: n,
    rewards: {
      deduction: { propose: 0.1 * n, solve: 0.5 },
      abduction: { propose: 0.2, solve: -0.5 },
      induction: { propose: null, solve: null },
    },
    solveRate: { deduction: 0.25, abduction: 0.5, induction: null },
    validity: { deduction: 0.75, abduction: 1, induction: null },
    counts: { proposed: 8, valid: 6, solverTasks: 8, solved: 3 },
    rejections: {},
    learnability: { mean: 0.4, histogram: [2, 1, 1, 0, 4] },
    buffers: { deduction: 10 + n, abduction: 5, induction: 0 },
    train: { loss: 0.01, entropy: 3.2, gradNorm: 0.8, clipFraction: 0, approxKl: 0, rows: 8, tokens: 100, skipped: false },
    timing: {
      stepMs: 2500,
      phases: emptyPhases(),
      sampledTokens: 1000,
      sampleTokensPerSec: 400,
      promptTokens: 3000,
      trainedTokens: 5000,
      programs: 20,
      programsPerSec: 8,
    },
    ...over,
  };
}

describe('chart definitions', () => {
  it('has every chart the spec asks for, each with a title, a hint and unique series keys', () => {
    expect(CHARTS.map((c) => c.id)).toEqual([
      'eval-levels',
      'curriculum',
      'exam',
      'rewards',
      'solve-rate',
      'validity',
      'rejections',
      'learnability',
      'buffers',
      'training',
      'throughput',
      'eval',
    ]);
    for (const spec of CHARTS) {
      expect(spec.title.length).toBeGreaterThan(3);
      expect(spec.hint.length).toBeGreaterThan(20);
      const keys = spec.series([[step(1, { rejections: { syntax: 1 } })]]).map((s) => s.key);
      expect(new Set(keys).size).toBe(keys.length);
    }
    expect(
      chart('rewards')
        .series([[]])
        .map((s) => s.key),
    ).toEqual(['deduction/propose', 'deduction/solve', 'abduction/propose', 'abduction/solve', 'induction/propose', 'induction/solve']);
  });

  it('colours a task type the same in every chart', () => {
    for (const id of ['solve-rate', 'validity', 'buffers', 'eval']) {
      const colors = Object.fromEntries(
        chart(id)
          .series([[]])
          .filter((s) => !s.key.endsWith('/floor'))
          .map((s) => [s.key, s.color]),
      );
      expect(colors).toEqual({ deduction: TYPE_COLORS.deduction.solve, abduction: TYPE_COLORS.abduction.solve, induction: TYPE_COLORS.induction.solve });
    }
    const rewards = chart('rewards').series([[]]);
    expect(rewards.find((s) => s.key === 'abduction/propose')!.color).toBe(TYPE_COLORS.abduction.propose);
  });

  it('gives a rejection reason a colour that does not depend on which other reasons were seen', () => {
    expect(reasonColor('syntax')).not.toBe(reasonColor('truncated'));
    expect(reasonColor('some-new-reason')).toBe(reasonColor('some-new-reason'));
    const a = chart('rejections').series([[step(1, { rejections: { timeout: 1 } })]]);
    const b = chart('rejections').series([[step(1, { rejections: { timeout: 1, crash: 2, abc: 1 } })]]);
    expect(b.find((s) => s.key === 'timeout')!.color).toBe(a[0]!.color);
  });
});

describe('buildChartData', () => {
  it('puts steps on x and leaves a gap where a value is null', () => {
    const steps = [step(1), step(2, { train: null }), step(3)];
    const { data, series } = buildChartData(chart('training'), steps, null);
    expect(data[0]).toEqual([1, 2, 3]);
    expect(series.map((s) => s.key)).toEqual(['loss', 'entropy', 'gradNorm']);
    expect(data[1]).toEqual([0.01, null, 0.01]);
    const withHindsight = buildChartData(chart('training'), [step(1, { train: { ...step(1).train!, hindsightLoss: 2.5, hindsightRows: 30 } })], null);
    expect(withHindsight.series.map((s) => s.key)).toEqual(['loss', 'hindsight', 'entropy', 'gradNorm']);
    expect(withHindsight.data[2]).toEqual([2.5]);
    const withReplay = buildChartData(
      chart('training'),
      [step(1, { train: { ...step(1).train!, hindsightLoss: 2.5, replayLoss: 1.5, replayUpdates: 8, replayRows: 480 } })],
      null,
    );
    expect(withReplay.series.map((s) => s.key)).toEqual(['loss', 'hindsight', 'replay', 'entropy', 'gradNorm']);
    expect(withReplay.data[3]).toEqual([1.5]);
    expect(data[3]).toEqual([0.8, null, 0.8]);
  });

  it('stores rates as percentages and leaves out a task type that is switched off', () => {
    const { data, series } = buildChartData(chart('solve-rate'), [step(1)], null);
    expect(series.map((s) => s.key)).toEqual(['deduction', 'abduction']);
    expect(data.slice(1)).toEqual([[25], [50]]);
    const rewards = buildChartData(chart('rewards'), [step(1)], null);
    expect(rewards.series.map((s) => s.key)).toEqual(['deduction/propose', 'deduction/solve', 'abduction/propose', 'abduction/solve']);
    expect(rewards.data[2]).toEqual([0.5]);
    // a type switched on later gets its line, with gaps before
    const later = buildChartData(chart('solve-rate'), [step(1), step(2, { solveRate: { deduction: 1, abduction: 1, induction: 0.5 } })], null);
    expect(later.data[3]).toEqual([null, 50]);
  });

  it('treats NaN and Infinity as gaps', () => {
    const bad = step(1, { train: { ...step(1).train!, loss: Number.NaN, gradNorm: Number.POSITIVE_INFINITY } });
    const { data, series } = buildChartData(chart('training'), [bad], null);
    expect(series.map((s) => s.key)).toEqual(['entropy']);
    expect(data[1]).toEqual([3.2]);
  });

  it('plots held-out accuracy only on the steps that measured it', () => {
    const steps = [
      step(1),
      step(2, { eval: { deduction: 0.5, abduction: 0.25, induction: null } }),
      step(3),
      step(4, { eval: { deduction: 0.75, abduction: 0, induction: null } }),
    ];
    const { data, series } = buildChartData(chart('eval'), steps, null);
    expect(series.map((s) => s.key)).toEqual(['deduction', 'abduction']);
    expect(data[1]).toEqual([null, 50, null, 75]);
    expect(data[2]).toEqual([null, 25, null, 0]);
    expect(buildChartData(chart('eval'), [step(1), step(2)], null).series).toEqual([]);
  });

  it('has one rejection series per reason seen in any step of either run, 0 where absent', () => {
    const steps = [step(1, { rejections: { syntax: 3 } }), step(2, { rejections: { truncated: 2, syntax: 1 } })];
    const overlay = { name: 'old', steps: [step(1, { rejections: { timeout: 4 } })] };
    const { data, series } = buildChartData(chart('rejections'), steps, overlay);
    const current = series.filter((s) => !s.overlay);
    expect(current.map((s) => s.key)).toEqual(['syntax', 'timeout', 'truncated']);
    const col = (key: string) => data[1 + series.findIndex((s) => s.key === key)];
    expect(col('syntax')).toEqual([3, 1]);
    expect(col('truncated')).toEqual([0, 2]);
    expect(col('timeout')).toEqual([0, 0]);
    expect(col('overlay:timeout')).toEqual([4, null]);
  });

  it('aligns an overlay run on the union of both runs’ steps, null where a run has no step', () => {
    const steps = [step(2), step(3)];
    const overlay = { name: 'run B', steps: [step(1), step(2), step(5)] };
    const { data, series } = buildChartData(chart('buffers'), steps, overlay);
    expect(data[0]).toEqual([1, 2, 3, 5]);
    expect(series).toHaveLength(6);
    // overlay lines first, so they are drawn behind the current run
    expect(series.slice(0, 3).every((s) => s.overlay && s.key.startsWith('overlay:') && s.label.endsWith(' (run B)'))).toBe(true);
    expect(series.slice(3).map((s) => s.label)).toEqual(['Deduction', 'Abduction', 'Induction']);
    expect(data[1]).toEqual([11, 12, null, 15]); // overlay deduction buffer
    expect(data[4]).toEqual([null, 12, 13, null]); // current deduction buffer
    for (const col of data) expect(col).toHaveLength(4);
  });

  it('sorts steps that arrive out of order and keeps one value per step', () => {
    expect(
      alignSteps([
        [step(3), step(1)],
        [step(2), step(3)],
      ]),
    ).toEqual([1, 2, 3]);
    const { data } = buildChartData(chart('buffers'), [step(3), step(1)], null);
    expect(data[0]).toEqual([1, 3]);
    expect(data[1]).toEqual([11, 13]);
  });

  it('changes its series signature only when the lines change', () => {
    const sig = (steps: StepMetrics[], overlay: { name: string; steps: StepMetrics[] } | null) =>
      seriesSignature(buildChartData(chart('rejections'), steps, overlay).series);
    const base = sig([step(1, { rejections: { syntax: 1 } })], null);
    expect(sig([step(1, { rejections: { syntax: 1 } }), step(2, { rejections: { syntax: 5 } })], null)).toBe(base);
    expect(sig([step(1, { rejections: { syntax: 1, timeout: 1 } })], null)).not.toBe(base);
    expect(sig([step(1, { rejections: { syntax: 1 } })], { name: 'b', steps: [step(1, { rejections: { syntax: 2 } })] })).not.toBe(base);
  });
});

describe('downsample', () => {
  it('leaves a short run alone', () => {
    const short = buildChartData(chart('buffers'), [step(1), step(2)], null);
    expect(downsample(short, 10)).toBe(short);
  });

  it('averages buckets of consecutive steps, skipping gaps, each at its last step', () => {
    const steps = Array.from({ length: 10 }, (_, i) => step(i + 1, { train: i === 4 || i === 5 ? null : step(1).train }));
    const full = buildChartData(chart('buffers'), steps, null);
    const down = downsample(full, 4); // 10 steps, at most 4 points: buckets of 3
    expect(down.data[0]).toEqual([3, 6, 9, 10]);
    expect(down.from).toEqual([1, 4, 7, 10]);
    expect(down.data[1]).toEqual([12, 15, 18, 20]); // deduction buffer 10 + step, averaged
    const train = downsample(buildChartData(chart('training'), steps, null), 4);
    expect(train.data[1]).toEqual([0.01, 0.01, 0.01, 0.01]); // step 4 alone stands for bucket 4-6
    const allGap = Array.from({ length: 6 }, (_, i) => step(i + 1, { train: i < 3 ? null : step(1).train }));
    expect(downsample(buildChartData(chart('training'), allGap, null), 2).data[1]).toEqual([null, 0.01]);
  });
});

describe('learnability shares', () => {
  it('splits valid proposals into too hard, learnable and too easy, summing to 100%', () => {
    const shares = learnabilityShares([2, 1, 1, 0, 4]);
    expect(shares).toEqual({ hard: 25, learnable: 25, easy: 50 });
    const odd = learnabilityShares([1, 5, 0, 1]);
    expect(odd.hard! + odd.learnable! + odd.easy!).toBeCloseTo(100);
    expect(odd.learnable).toBeCloseTo(500 / 7);
  });

  it('is null without valid proposals', () => {
    expect(learnabilityShares([0, 0, 0])).toEqual({ hard: null, learnable: null, easy: null });
    expect(learnabilityShares([])).toEqual({ hard: null, learnable: null, easy: null });
  });

  it('plots the shares in % and the mean on its own axis', () => {
    const { data, series } = buildChartData(chart('learnability'), [step(1), step(2, { learnability: { mean: null, histogram: [0, 0, 0, 0, 0] } })], null);
    expect(series.map((s) => s.key)).toEqual(['hard', 'learnable', 'easy', 'mean']);
    expect(series[3]!.scale).toBe('y2');
    expect(data.slice(1)).toEqual([
      [25, null],
      [25, null],
      [50, null],
      [0.4, null],
    ]);
  });
});

describe('chart table', () => {
  it('formats rates as %, whole numbers as they are, others to 3 significant digits, null as a dash', () => {
    expect(formatValue(37.5, 'percent')).toBe('37.5%');
    expect(formatValue(100, 'percent')).toBe('100%');
    expect(formatValue(33.333333, 'percent')).toBe('33.3%');
    expect(formatValue(1234, 'number')).toBe('1234');
    expect(formatValue(0.0123456, 'number')).toBe('0.0123');
    expect(formatValue(-0.56789, 'number')).toBe('-0.568');
    expect(formatValue(null, 'number')).toBe('–');
    expect(formatValue(Number.NaN, 'percent')).toBe('–');
  });

  it('lists the current run newest first, at most 50 rows', () => {
    const steps = Array.from({ length: 70 }, (_, i) => step(i + 1));
    const table = chartTable(chart('solve-rate'), steps);
    expect(table.columns).toEqual(['Deduction', 'Abduction', 'Induction']);
    expect(table.rows).toHaveLength(50);
    expect(table.rows[0]).toEqual({ step: 70, cells: ['25%', '50%', '–'] });
    expect(table.rows[49]!.step).toBe(21);
  });

  it('lists only the measured steps of a sparse chart', () => {
    const steps = [step(1), step(2, { eval: { deduction: 0.5, abduction: null, induction: null } }), step(3)];
    const table = chartTable(chart('eval'), steps);
    expect(table.rows).toEqual([{ step: 2, cells: ['50%', '–', '–', '–', '–', '–'] }]);
    // a dense chart keeps its empty rows: "no update this step" is information
    expect(chartTable(chart('training'), [step(1, { train: null })]).rows).toEqual([{ step: 1, cells: ['–', '–', '–', '–', '–'] }]);
  });
});

describe('held-out accuracy against its floor, and the curriculum', () => {
  const byLevel = (level: number, dedAcc: number, dedFloor: number, abdAcc: number | null = null) => ({
    level,
    n: { deduction: 64, abduction: abdAcc === null ? 0 : 32, induction: 0 },
    accuracy: { deduction: dedAcc, abduction: abdAcc, induction: null },
    floor: { deduction: dedFloor, abduction: abdAcc === null ? null : 0.5, induction: null },
  });

  it("draws each level's accuracy beside its floor, pooled over task types by tasks attempted", () => {
    const measured = step(3, { evalByLevel: [byLevel(1, 0.5, 0.25, 0.8), byLevel(2, 0.1, 0.05)] });
    const { data, series } = buildChartData(chart('eval-levels'), [step(1), step(2), measured], null);
    expect(series.map((s) => s.key)).toEqual(['L1', 'L1/floor', 'L2', 'L2/floor']);
    // level 1: (64 * 0.5 + 32 * 0.8) / 96 = 0.6; its floor (64 * 0.25 + 32 * 0.5) / 96 = 1/3
    expect(data[1]).toEqual([null, null, expect.closeTo(60, 6)]);
    expect(data[2]![2]).toBeCloseTo(100 / 3, 6);
    expect(data[3]![2]).toBeCloseTo(10, 6);
    expect(series.find((s) => s.key === 'L1/floor')!.dash).toBeDefined();
    expect(series.find((s) => s.key === 'L1')!.dash).toBeUndefined();
  });

  it('gives each task type its floor in the pooled held-out chart', () => {
    const measured = step(2, { eval: { deduction: 0.3, abduction: null, induction: null }, evalByLevel: [byLevel(1, 0.5, 0.25), byLevel(2, 0.1, 0.05)] });
    const { data, series } = buildChartData(chart('eval'), [measured], null);
    expect(series.map((s) => s.key)).toEqual(['deduction', 'deduction/floor']);
    expect(data[2]![0]).toBeCloseTo(15, 6);
  });

  it('states the sample behind the last held-out figures, and what one task is worth', () => {
    const steps = [step(1), step(3, { evalByLevel: [byLevel(1, 0.5, 0.25, 0.8), byLevel(2, 0.1, 0.05)] }), step(4)];
    // level 1: 64 + 32 tasks; level 2: 64
    expect(chart('eval-levels').note!(steps)).toBe('Step 3: 64 to 96 tasks a level (2 task types), so one task is 1.6 points.');
    // deduction 128 over both levels, abduction 32
    expect(chart('eval').note!(steps)).toBe('Step 3: 32 tasks a type over all levels, so one task is 3.1 points.');
    expect(chart('eval-levels').note!([step(1)])).toBeNull();
  });

  it('leads with the held-out chart, and says why every chart is empty before it has data', () => {
    expect(CHARTS[0]!.id).toBe('eval-levels');
    expect(CHARTS.filter((c) => c.lead).map((c) => c.id)).toEqual(['eval-levels']);
    for (const spec of CHARTS) expect(spec.empty).toMatch(/\w.*\./);
  });

  it('plots the curriculum level and the highest level reached', () => {
    const steps = [step(1, { curriculum: { level: 1, reached: 1, auto: true } }), step(2, { curriculum: { level: 2, reached: 2, auto: true } })];
    const { data, series } = buildChartData(chart('curriculum'), steps, null);
    expect(series.map((s) => s.key)).toEqual(['level', 'reached']);
    expect(data[1]).toEqual([1, 2]);
    expect(buildChartData(chart('curriculum'), [step(1)], null).series).toEqual([]);
  });

  it("plots the curriculum's exam scores against the share it rises at, on the steps an exam was sat", () => {
    const at = (n: number, exam: number | null) => step(n, { curriculum: { level: 1, reached: 1, auto: true, exam } });
    const { data, series } = buildChartData(chart('exam'), [at(4, null), at(5, 0.25), at(6, null), at(10, 0.5)], null);
    expect(series.map((s) => s.key)).toEqual(['exam', 'pass']);
    expect(data[0]).toEqual([4, 5, 6, 10]);
    expect(data[1]).toEqual([null, 25, null, 50]);
    expect(data[2]).toEqual([null, 50, null, 50]);
    expect(chart('exam').sparse).toBe(true);
  });
});
