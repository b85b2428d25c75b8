/**
 * `tabula bench learn --minutes M --seeds 1,2,3`: does self-play make a random model better, and
 * by more than a trivial rule would score? Four variants (full AZR with executor hindsight, the
 * paper's pure AZR, train solver only, deduction only) each train for M minutes from every seed,
 * one run after another, or `--jobs N` runs at a time in child processes (one per core: the model
 * trains on one thread). Each seed's random model (step 0, the same for every
 * variant) and each trained one are evaluated greedily on the held-out set, per program level,
 * beside the best trivial floor of the same tasks. A trained run's score is the mean of
 * `--end-evals` evaluations over its last minutes (bench-learn-end.ts).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { applySettings, defaultConfig, type EngineConfig } from '../engine/config';
import { type EvalTask, evaluate } from '../engine/evaluate';
import { trivialFloors } from '../engine/floors';
import { readHeldout } from '../engine/heldout';
import type { LevelEval, PerType } from '../engine/metrics';
import { TASK_TYPES, type TaskType } from '../engine/rewards';
import { createNodeExecutor } from '../executor/node-executor';
import { isPresetName } from '../model/config';
import { intOption, numberOption, parseArgs, UsageError } from './args';
import { endEvalMinutes, levelOneLine, meanLevelEvals, pct } from './bench-learn-end';
import { openSession, shippedHeldout } from './engine-session';
import { takeSettings } from './train';

export const VARIANTS: { name: string; settings: string[] }[] = [
  { name: 'full AZR + hindsight', settings: [] },
  { name: 'pure AZR (paper)', settings: ['hindsight=false'] },
  { name: 'train solver only', settings: ['trainProposer=false'] },
  { name: 'deduction only', settings: ['abduction=false', 'induction=false'] },
];

/** Groups of levels reported beside each level on its own. */
const GROUPS: { name: string; levels: number[] | null }[] = [
  { name: 'levels 1-2', levels: [1, 2] },
  { name: 'all levels', levels: null },
];

interface Cell {
  floor: number;
  start: number | null;
  end: number | null;
  gainOverFloor: number | null;
  endMin: number | null;
  endMax: number | null;
}

interface SeedRun {
  seed: number;
  steps: number;
  seconds: number;
  start: LevelEval[];
  end: LevelEval[];
  level: number;
  /** the end with the live weights, when the run's evaluations answer with their moving average */
  endLive: LevelEval[] | null;
  /** deduction accuracy on the hand-written one-line programs, at step 0 and at the end */
  simpleStart: number;
  simpleEnd: number;
}

/** Hand-written one-line programs (`return x + 3`, `return s[::-1]`, ...), deduction only. */
export const SIMPLE_PROGRAMS_PATH = 'data/simple-programs.jsonl';

function simplePrograms(): EvalTask[] {
  const path = fileURLToPath(new URL(`../../${SIMPLE_PROGRAMS_PATH}`, import.meta.url));
  return readHeldout(readFileSync(path, 'utf8'));
}

export async function benchLearnCommand(argv: string[]): Promise<number> {
  const { rest, settings: asked } = takeSettings(argv);
  const args = parseArgs(rest, {
    values: ['minutes', 'preset', 'seeds', 'variants', 'eval-per-level', 'end-evals', 'jobs', 'one'],
    flags: ['json', 'with-start'],
  });
  const minutes = numberOption(args, 'minutes', 10, 0.01, 10_000);
  const preset = (args.options.get('preset') as string | undefined) ?? 'tiny';
  if (!isPresetName(preset)) throw new UsageError(`--preset must be tiny, small or base (got ${preset})`);
  const seeds = listOption(args.options.get('seeds'), '1,2,3', 'seeds').map((s) => {
    const seed = Number(s);
    if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 31 - 1) throw new UsageError(`--seeds: "${s}" is not a seed (a whole number from 0)`);
    return seed;
  });
  const variantNumbers = listOption(args.options.get('variants'), VARIANTS.map((_, i) => String(i + 1)).join(','), 'variants').map((v) => {
    if (!VARIANTS[Number(v) - 1])
      throw new UsageError(`--variants: "${v}" is not a variant number (1 to ${VARIANTS.length}: ${VARIANTS.map((x, i) => `${i + 1} ${x.name}`).join(', ')})`);
    return Number(v);
  });
  const variants = variantNumbers.map((v) => VARIANTS[v - 1]!);
  const perLevel = intOption(args, 'eval-per-level', 64, 1, 100_000);
  const endMinutes = endEvalMinutes(minutes, intOption(args, 'end-evals', 3, 1, 10));
  const jobs = intOption(args, 'jobs', 1, 1, 16);
  // Runs side by side get a core each: one model thread apiece, unless --set threads=N says otherwise.
  const settings = jobs > 1 && !asked.some((s) => s.startsWith('threads=')) ? [...asked, 'threads=1'] : asked;
  const base: EngineConfig = applySettings({ ...defaultConfig(preset), evalEvery: 0 }, settings);
  const plan: RunPlan = { base, minutes, endMinutes, perLevel, simple: simplePrograms() };
  const log = (line: string) => process.stderr.write(`${line}\n`);

  // Internal: one run in a child process of `--jobs`, its result as one JSON line.
  const one = args.options.get('one');
  if (typeof one === 'string') {
    const [seed, variant] = one.split(':').map(Number) as [number, number];
    if (!VARIANTS[variant - 1] || !Number.isInteger(seed)) throw new UsageError(`--one: expected seed:variant, got "${one}"`);
    const result = await runOne(plan, seed, VARIANTS[variant - 1]!, args.options.has('with-start'), log);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  }

  const total = variants.length * seeds.length;
  const hours = (total * minutes) / 60 / jobs;
  log(
    `bench learn: ${variants.length} variants x ${seeds.length} seeds x ${minutes} min of training, ${jobs} at a time (${base.threads} model thread${base.threads === 1 ? '' : 's'} each) = ${hours.toFixed(1)} h, plus seeding and evaluation`,
  );
  const { floors, simpleFloor } = await floorsOf(perLevel, plan.simple);

  const results: OneRun[] = [];
  if (jobs === 1) {
    let done = 0;
    for (const seed of seeds) {
      for (const variant of variants) {
        log(`bench learn: [${++done}/${total}] ${variant.name}, seed ${seed}: ${minutes} min`);
        results.push(await runOne(plan, seed, variant, !results.some((r) => r.seed === seed), log));
      }
    }
  } else {
    // The first variant of each seed also evaluates the random model (the same for every variant).
    const queue = seeds.flatMap((seed) => variantNumbers.map((v, i) => ({ seed, variant: v, withStart: i === 0 })));
    let done = 0;
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        log(`bench learn: [${++done}/${total}] ${VARIANTS[next.variant - 1]!.name}, seed ${next.seed}: ${minutes} min (in a child process)`);
        results.push(await runInChild(rest, settings, next.seed, next.variant, next.withStart, log));
      }
    };
    await Promise.all(Array.from({ length: Math.min(jobs, queue.length) }, worker));
  }

  const startBySeed = new Map(results.filter((r) => r.start).map((r) => [r.seed, r.start!]));
  const runs = (name: string): SeedRun[] =>
    results
      .filter((r) => r.variant === name)
      .sort((a, b) => a.seed - b.seed)
      .map((r) => {
        const start = startBySeed.get(r.seed)!;
        return {
          seed: r.seed,
          steps: r.steps,
          seconds: r.seconds,
          start: start.levels,
          end: r.end,
          endLive: r.endLive,
          level: r.level,
          simpleStart: start.simple,
          simpleEnd: r.simpleEnd,
        };
      });
  const report = summarise(
    variants.map((v) => ({ name: v.name, settings: v.settings, runs: runs(v.name) })),
    floors,
    simpleFloor,
  );
  if (args.options.has('json'))
    process.stdout.write(
      `${JSON.stringify({ minutes, endEvalMinutes: endMinutes, preset, seeds, jobs, threads: base.threads, evalPerLevel: perLevel, floors: floors.strategies, variants: report })}\n`,
    );
  else process.stdout.write(formatReport(report, floors, plan, seeds, jobs));
  return 0;
}

interface RunPlan {
  base: EngineConfig;
  minutes: number;
  /** the training minutes after which a run is evaluated; its score is the mean */
  endMinutes: number[];
  perLevel: number;
  /** the hand-written one-line programs, read once per process */
  simple: EvalTask[];
}

/** One variant trained from one seed; `start` (the random model's scores) only when asked for. */
interface OneRun {
  seed: number;
  variant: string;
  steps: number;
  seconds: number;
  /** the mean of the evaluations at plan.endMinutes */
  end: LevelEval[];
  /** the same with the live weights (null: the run keeps no moving average, `end` is theirs) */
  endLive: LevelEval[] | null;
  level: number;
  simpleEnd: number;
  start?: { levels: LevelEval[]; simple: number };
}

async function runOne(plan: RunPlan, seed: number, variant: (typeof VARIANTS)[number], withStart: boolean, log: (line: string) => void): Promise<OneRun> {
  const config = applySettings({ ...plan.base, seed }, variant.settings);
  const session = await openSession({ config });
  try {
    const { engine } = session;
    const simpleAccuracy = async () => {
      const { accuracy } = await evaluate(session.model, session.executor, engine.prompts, plan.simple, 'deduction', {
        constrained: config.constrained,
        outputTokens: config.outputTokens,
        averaged: true,
      });
      if (accuracy === null) throw new Error(`bench learn: none of ${SIMPLE_PROGRAMS_PATH} fits this model's context`);
      return accuracy;
    };
    let start: OneRun['start'];
    if (withStart) {
      log(`bench learn: seed ${seed}: evaluating the random model (${plan.perLevel} held-out tasks per level and type)`);
      start = { levels: await engine.evalByLevel(plan.perLevel, TASK_TYPES), simple: await simpleAccuracy() };
    }
    log(`bench learn: ${variant.name}, seed ${seed}: training ${plan.minutes} min on ${session.info.backend.backend}`);
    await engine.seed();
    // The training clock stops while the run is evaluated.
    const started = performance.now();
    let evaluatingMs = 0;
    const trainedMs = () => performance.now() - started - evaluatingMs;
    const ends: LevelEval[][] = [];
    const liveEnds: LevelEval[][] = [];
    const simpleEnds: number[] = [];
    let level = 1;
    while (ends.length < plan.endMinutes.length) {
      if (trainedMs() >= plan.endMinutes[ends.length]! * 60_000) {
        log(
          `bench learn: ${variant.name}, seed ${seed}: step ${engine.step}, ${(trainedMs() / 60_000).toFixed(1)} min; evaluating (${ends.length + 1}/${plan.endMinutes.length})`,
        );
        const t0 = performance.now();
        ends.push(await engine.evalByLevel(plan.perLevel, TASK_TYPES));
        if (session.info.averaged) liveEnds.push(await engine.evalByLevel(plan.perLevel, TASK_TYPES, false));
        simpleEnds.push(await simpleAccuracy());
        evaluatingMs += performance.now() - t0;
        continue;
      }
      const m = await engine.runStep();
      level = m.curriculum?.level ?? level;
      if (m.step % 10 === 0)
        log(
          `  ${variant.name}, seed ${seed}: step ${m.step}: ${(trainedMs() / 1000).toFixed(0)} s, ${(m.timing.stepMs / 1000).toFixed(1)} s/step, level ${level}`,
        );
    }
    const end = meanLevelEvals(ends);
    log(`bench learn: ${variant.name}, seed ${seed}: done, ${engine.step} steps; ${levelOneLine(end)}`);
    return {
      seed,
      variant: variant.name,
      steps: engine.step,
      seconds: trainedMs() / 1000,
      end,
      endLive: liveEnds.length ? meanLevelEvals(liveEnds) : null,
      level,
      simpleEnd: mean(simpleEnds)!,
      ...(start ? { start } : {}),
    };
  } finally {
    session.close();
  }
}

/** `runOne` in a child process of this command (`--one seed:variant`), its stderr passed on. */
function runInChild(rest: string[], settings: string[], seed: number, variant: number, withStart: boolean, log: (line: string) => void): Promise<OneRun> {
  const bin = fileURLToPath(new URL('../../bin/tabula.mjs', import.meta.url));
  const passed: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--jobs' || arg === '--seeds' || arg === '--variants') i++;
    else if (arg !== '--json' && !arg.startsWith('--jobs=') && !arg.startsWith('--seeds=') && !arg.startsWith('--variants=')) passed.push(arg);
  }
  const childArgs = [
    bin,
    'bench',
    'learn',
    ...passed,
    ...settings.flatMap((s) => ['--set', s]),
    '--one',
    `${seed}:${variant}`,
    ...(withStart ? ['--with-start'] : []),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, childArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    let pending = '';
    child.stderr.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop()!;
      for (const line of lines) if (line.trim() && !/TensorFlow\.js in Node|tfjs-node|^=+$/.test(line)) log(line);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line) return reject(new Error(`bench learn: the run of seed ${seed}, variant ${variant} failed (exit ${code})`));
      resolve(JSON.parse(line) as OneRun);
    });
  });
}

/** The trivial floors of the held-out subsets and of the one-line programs, with an executor of their own. */
async function floorsOf(perLevel: number, simple: EvalTask[]): Promise<{ floors: FloorTable; simpleFloor: number }> {
  const executor = await createNodeExecutor({ workers: 1 });
  try {
    return {
      floors: await floorTable(executor, shippedHeldout(), perLevel),
      simpleFloor: (await trivialFloors(executor, simple, 'deduction')).best.accuracy,
    };
  } finally {
    executor.close();
  }
}

function listOption(raw: string | true | undefined, fallback: string, name: string): string[] {
  if (raw === true) throw new UsageError(`--${name} needs a comma-separated list`);
  const items = (raw ?? fallback)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new UsageError(`--${name} needs at least one item`);
  return items;
}

// ------------------------------------------------------------------ floors

interface FloorTable {
  /** best floor per group key (`L1`, `levels 1-2`, `all levels`) and type */
  best: Map<string, number>;
  /** every strategy's accuracy, per level and type, for the printed table */
  strategies: { group: string; type: TaskType; best: string; accuracy: number; others: Record<string, number> }[];
}

type HeldoutLike = readonly { level?: number }[];
const levelOf = (task: { level?: number }) => task.level ?? 4;

function groupTasks<T extends { level?: number }>(tasks: readonly T[], levels: number[] | null, perLevel: number): T[] {
  const present = [...new Set(tasks.map(levelOf))].sort((a, b) => a - b);
  return present.filter((l) => !levels || levels.includes(l)).flatMap((l) => tasks.filter((t) => levelOf(t) === l).slice(0, perLevel));
}

async function floorTable(executor: Parameters<typeof trivialFloors>[0], tasks: Parameters<typeof trivialFloors>[1], perLevel: number): Promise<FloorTable> {
  const present = [...new Set((tasks as HeldoutLike).map(levelOf))].sort((a, b) => a - b);
  const groups = [...present.map((l) => ({ name: `L${l}`, levels: [l] })), ...GROUPS];
  const table: FloorTable = { best: new Map(), strategies: [] };
  for (const group of groups) {
    const subset = groupTasks(tasks, group.levels, perLevel);
    for (const type of TASK_TYPES) {
      const report = await trivialFloors(executor, subset, type);
      table.best.set(`${group.name}/${type}`, report.best.accuracy);
      const others: Record<string, number> = {};
      for (const s of report.strategies) others[s.name] = Math.max(others[s.name] ?? 0, s.accuracy);
      table.strategies.push({
        group: group.name,
        type,
        best: report.best.name + (report.best.answer ? ` ${report.best.answer}` : ''),
        accuracy: report.best.accuracy,
        others,
      });
    }
  }
  return table;
}

// ------------------------------------------------------------------ summary

type TypeCells = Cell & { byGroup: Record<string, Cell> };

interface VariantReport {
  name: string;
  settings: string[];
  seeds: number[];
  steps: number;
  stepsPerMinute: number;
  /** per type: the whole set; byGroup: per level (`L1` ...) and the groups */
  deduction: TypeCells;
  abduction: TypeCells;
  induction: TypeCells;
  /** the same, answered with the live weights, when the runs answered with their moving average */
  live: PerType<TypeCells> | null;
  finalLevel: number[];
  /** each seed's own end, per group of levels and type, so that a figure can be traced to its seed */
  perSeed: SeedEnd[];
  /** deduction on the hand-written one-line programs (data/simple-programs.jsonl) */
  simple: Cell;
}

interface SeedEnd {
  seed: number;
  steps: number;
  finalLevel: number;
  /** end accuracy per group (`L1`, `levels 1-2`, `all levels`) and type */
  end: Record<string, PerType<number | null>>;
}

/** The groups the per-seed table shows. */
const SEED_GROUPS: { name: string; levels: number[] | null }[] = [{ name: 'L1', levels: [1] }, ...GROUPS];

/** Accuracy of a group of levels: the levels' accuracies weighted by the tasks they attempted. */
function groupAccuracy(evals: readonly LevelEval[], levels: number[] | null, type: TaskType): number | null {
  const chosen = evals.filter((e) => !levels || levels.includes(e.level));
  const n = chosen.reduce((sum, e) => sum + e.n[type], 0);
  return n ? chosen.reduce((sum, e) => sum + (e.accuracy[type] ?? 0) * e.n[type], 0) / n : null;
}

const mean = (xs: (number | null)[]): number | null => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
};

function cell(runs: readonly SeedRun[], levels: number[] | null, type: TaskType, floor: number): Cell {
  const ends = runs.map((r) => groupAccuracy(r.end, levels, type));
  const end = mean(ends);
  const present = ends.filter((x): x is number => x !== null);
  return {
    floor,
    start: mean(runs.map((r) => groupAccuracy(r.start, levels, type))),
    end,
    gainOverFloor: end === null ? null : end - floor,
    endMin: present.length ? Math.min(...present) : null,
    endMax: present.length ? Math.max(...present) : null,
  };
}

function summarise(variants: { name: string; settings: string[]; runs: SeedRun[] }[], floors: FloorTable, simpleFloor: number): VariantReport[] {
  return variants.map(({ name, settings, runs }) => {
    const levels = [...new Set(runs.flatMap((r) => r.end.map((e) => e.level)))].sort((a, b) => a - b);
    const groups = [...levels.map((l) => ({ name: `L${l}`, levels: [l] })), ...GROUPS];
    const perType = (type: TaskType, scored = runs) => {
      const byGroup: Record<string, Cell> = {};
      for (const g of groups) byGroup[g.name] = cell(scored, g.levels, type, floors.best.get(`${g.name}/${type}`) ?? 0);
      return { ...byGroup['all levels']!, byGroup };
    };
    const steps = mean(runs.map((r) => r.steps)) ?? 0;
    const seconds = mean(runs.map((r) => r.seconds)) ?? 0;
    const types = Object.fromEntries(TASK_TYPES.map((t) => [t, perType(t)])) as PerType<TypeCells>;
    // The same runs scored with their live weights, when they answered with a moving average.
    const liveRuns = runs.every((r) => r.endLive) ? runs.map((r) => ({ ...r, end: r.endLive! })) : null;
    const live = liveRuns ? (Object.fromEntries(TASK_TYPES.map((t) => [t, perType(t, liveRuns)])) as PerType<TypeCells>) : null;
    const simpleEnds = runs.map((r) => r.simpleEnd);
    const simpleEnd = mean(simpleEnds);
    const simple: Cell = {
      floor: simpleFloor,
      start: mean(runs.map((r) => r.simpleStart)),
      end: simpleEnd,
      gainOverFloor: simpleEnd === null ? null : simpleEnd - simpleFloor,
      endMin: simpleEnds.length ? Math.min(...simpleEnds) : null,
      endMax: simpleEnds.length ? Math.max(...simpleEnds) : null,
    };
    return {
      name,
      settings,
      seeds: runs.map((r) => r.seed),
      steps,
      stepsPerMinute: seconds > 0 ? (steps * 60) / seconds : 0,
      ...types,
      finalLevel: runs.map((r) => r.level),
      perSeed: runs.map((r) => ({
        seed: r.seed,
        steps: r.steps,
        finalLevel: r.level,
        end: Object.fromEntries(
          SEED_GROUPS.map((g) => [g.name, Object.fromEntries(TASK_TYPES.map((t) => [t, groupAccuracy(r.end, g.levels, t)])) as PerType<number | null>]),
        ),
      })),
      simple,
      live,
    };
  });
}

const points = (x: number | null) => (x === null ? '-' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}`);

/** Each seed's end figures and final level, one row per variant and seed. */
function seedTable(report: VariantReport[]): string[] {
  const columns = SEED_GROUPS.flatMap((g) => TASK_TYPES.map((t) => ({ group: g.name, type: t })));
  return [
    '',
    'Each seed at the end (the mean of its end evaluations):',
    '',
    `| variant | seed | steps | final level | ${columns.map((c) => `${c.type.slice(0, 3)} ${c.group}`).join(' | ')} |`,
    `|---|---:|---:|---:|${columns.map(() => '---:').join('|')}|`,
    ...report.flatMap((v) =>
      v.perSeed.map((s) => `| ${v.name} | ${s.seed} | ${s.steps} | ${s.finalLevel} | ${columns.map((c) => pct(s.end[c.group]![c.type])).join(' | ')} |`),
    ),
  ];
}

function formatReport(report: VariantReport[], floors: FloorTable, plan: RunPlan, seeds: number[], jobs: number): string {
  const { minutes, perLevel, endMinutes } = plan;
  const ends = endMinutes.map((m) => Number(m.toFixed(2))).join(', ');
  const lines = [
    `Trivial floors on the held-out set (${perLevel} tasks per level and type): the best rule that never reads the program body.`,
    '',
    '| tasks | type | best floor | rule | other rules |',
    '|---|---|---:|---|---|',
  ];
  for (const s of floors.strategies) {
    const others = Object.entries(s.others)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([k, v]) => `${k} ${pct(v)}`)
      .join(', ');
    lines.push(`| ${s.group} | ${s.type} | ${pct(s.accuracy)} | ${s.best} | ${others} |`);
  }
  lines.push(
    '',
    `Held-out accuracy, greedy, mean over seeds ${seeds.join(', ')} (min-max of the end in brackets); each variant trained ${minutes} min per seed${jobs > 1 ? `, ${jobs} runs at a time (one per core)` : ', one run at a time'}.`,
    `Cells: step 0 -> end, then the gain over the best floor in points. End: the mean of ${endMinutes.length === 1 ? `one evaluation after minute ${ends}` : `the evaluations after minutes ${ends}`} of training.`,
  );
  const groupNames = Object.keys(report[0]?.deduction.byGroup ?? {});
  for (const type of TASK_TYPES) {
    lines.push('', `${type}:`, '', `| variant | steps | steps/min | ${groupNames.join(' | ')} |`, `|---|---:|---:|${groupNames.map(() => '---:').join('|')}|`);
    for (const v of report) {
      const cells = groupNames.map((g) => {
        const c = v[type].byGroup[g]!;
        return `${pct(c.start)} -> ${pct(c.end)} (${pct(c.endMin)}-${pct(c.endMax)}) ${points(c.gainOverFloor)}`;
      });
      lines.push(`| ${v.name} | ${v.steps.toFixed(0)} | ${v.stepsPerMinute.toFixed(1)} | ${cells.join(' | ')} |`);
    }
  }
  lines.push(
    '',
    `Hand-written one-line programs (${SIMPLE_PROGRAMS_PATH}, deduction; best trivial floor ${pct(report[0]?.simple.floor ?? null)}):`,
    '',
    '| variant | step 0 -> end (min-max) | gain over floor |',
    '|---|---:|---:|',
    ...report.map(
      (v) =>
        `| ${v.name} | ${pct(v.simple.start)} -> ${pct(v.simple.end)} (${pct(v.simple.endMin)}-${pct(v.simple.endMax)}) | ${points(v.simple.gainOverFloor)} |`,
    ),
  );
  const averaged = report.filter((v) => v.live);
  if (averaged.length) {
    lines.push(
      '',
      'The same ends answered with the live weights instead of their moving average (averageDecay), level 1 and levels 1-2, mean over seeds (min-max):',
      '',
      '| variant | weights | deduction L1 | abduction L1 | induction L1 | deduction L1-2 | abduction L1-2 | induction L1-2 |',
      '|---|---|---:|---:|---:|---:|---:|---:|',
    );
    for (const v of averaged) {
      for (const [label, cells] of [
        ['average', v],
        ['live', v.live!],
      ] as const) {
        const row = ['L1', 'levels 1-2'].flatMap((g) =>
          TASK_TYPES.map((t) => cells[t].byGroup[g]).map((c) => (c ? `${pct(c.end)} (${pct(c.endMin)}-${pct(c.endMax)})` : '-')),
        );
        lines.push(`| ${v.name} | ${label} | ${row.join(' | ')} |`);
      }
    }
  }
  lines.push('', `Final curriculum level per seed: ${report.map((v) => `${v.name} ${v.finalLevel.join('/')}`).join('; ')}`);
  lines.push(...seedTable(report));
  return `${lines.join('\n')}\n`;
}
