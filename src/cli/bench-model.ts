/**
 * `tabula bench model`: for each preset and backend, sampling tokens/s with the KV cache and
 * with full recomputation, training tokens/s, and the training step's GFLOP/s as a fraction of
 * the same backend's plain matMul rate. Node backends run here; browser backends run in the
 * page's model worker (a fresh one each, through Playwright). Also `validProposalRate`: the
 * share of a random-init tiny model's proposals that pass the executor's full validation.
 */

import { measureProposalValidity, type ValidityReport } from '../bench/proposal-validity';
import { createNodeExecutor } from '../executor/node-executor';
import { createTokenizer } from '../lang/tokenizer';
import { type BackendName, BROWSER_BACKENDS, NODE_BACKENDS } from '../model/backend';
import { nodeWasmPaths } from '../model/backend-node';
import { isPresetName, type PresetName } from '../model/config';
import { type ModelMeasurement, measureModel } from '../model/measure';
import { ModelService } from '../model-service/model-service';
import { intOption, parseArgs, UsageError } from './args';
import { withBenchPage } from './bench-browser';
import { progressBar } from './progress';

/** A software-rendered backend (WebGL or WebGPU without a GPU) can take many minutes: cap it. */
const BROWSER_LIMIT_MS = 180_000;
const NOT_BY_DEFAULT: Record<BackendName, string> = {
  webgpu: 'without a GPU it runs on SwiftShader, about 25 s a training step',
  webgl: 'without a GPU it is software-rendered and slow',
  wasm: '',
  cpu: 'the same plain JavaScript kernels as the Node CPU row, and slower',
};

interface Row {
  where: 'node' | 'browser';
  preset: PresetName;
  backend: BackendName;
  /** threads asked for (wasm in the browser: 1 and 2; tfjs never threads in Node) */
  threads: number;
  measurement?: ModelMeasurement;
  skipped?: string;
}

export async function benchModelCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['presets', 'backends', 'browser-backends', 'proposals'], flags: ['json'] });
  const presets = list(args.options.get('presets'), 'tiny,small').map(preset);
  const nodeBackends = list(args.options.get('backends'), 'wasm,cpu').map((b) => backend(b, NODE_BACKENDS));
  const browserBackends = list(args.options.get('browser-backends'), 'wasm,webgl').map((b) => backend(b, BROWSER_BACKENDS));
  const proposals = intOption(args, 'proposals', 200, 10, 100_000);
  const log = (line: string) => process.stderr.write(`${line}\n`);

  log(`validProposalRate: ${proposals} proposals from a random-init tiny model…`);
  const validity = await measureValidity(proposals);

  const rows: Row[] = [];
  for (const name of nodeBackends) {
    for (const p of presets) {
      if (name === 'cpu' && p !== 'tiny') {
        rows.push({ where: 'node', preset: p, backend: name, threads: 1, skipped: 'the CPU backend is too slow for it (minutes a step)' });
        continue;
      }
      log(`node ${p} on ${name}…`);
      rows.push({
        where: 'node',
        preset: p,
        backend: name,
        threads: 1,
        measurement: await measureModel(p, name, { vocab: createTokenizer().size, wasmPaths: nodeWasmPaths() }),
      });
    }
  }
  // WASM in the page: every preset, single-threaded and with tfjs's threaded build on 2 threads,
  // side by side. The GPU backends: tiny only (software-rendered here).
  for (const p of presets) {
    for (const name of browserBackends) {
      if (name !== 'wasm' && p !== 'tiny') continue;
      for (const threads of name === 'wasm' ? [1, 2] : [1]) {
        log(`browser ${p} on ${name}${threads > 1 ? `, ${threads} threads` : ''}…`);
        try {
          const measurement = await withBenchPage(
            (page) =>
              page.evaluate(
                ([pr, b, t]) =>
                  (window as unknown as { tabulaBench: { model(p: string, b: string, t: number): Promise<ModelMeasurement> } }).tabulaBench.model(pr, b, t),
                [p, name, threads] as const,
              ),
            BROWSER_LIMIT_MS,
          );
          rows.push({ where: 'browser', preset: p, backend: name, threads, measurement });
        } catch (error) {
          rows.push({ where: 'browser', preset: p, backend: name, threads, skipped: (error as Error).message.split('\n')[0]!.slice(0, 160) });
        }
      }
    }
  }
  for (const name of BROWSER_BACKENDS.filter((b) => !browserBackends.includes(b))) {
    rows.push({ where: 'browser', preset: 'tiny', backend: name, threads: 1, skipped: `not asked for (--browser-backends): ${NOT_BY_DEFAULT[name]}` });
  }

  if (args.options.has('json')) {
    process.stdout.write(`${JSON.stringify(report(rows, validity))}\n`);
    return 0;
  }
  process.stdout.write(`\nvalidProposalRate: ${pct(validity.validRate)} of ${validity.proposals} random-init tiny proposals pass full validation`);
  process.stdout.write(
    ` (parsed ${validity.parsed}/${validity.proposals}${validity.reasons.length ? `; rejected: ${validity.reasons.map(([r, n]) => `${r} ${n}`).join(', ')}` : ''})\n\n`,
  );
  process.stdout.write(
    '| where | preset | backend | threads | sample tok/s (KV) | sample tok/s (recompute) | KV speed-up | train tok/s | train GFLOP/s | matMul GFLOP/s | train / matMul |\n',
  );
  process.stdout.write('|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n');
  for (const row of rows) {
    const m = row.measurement;
    const cells = m
      ? [
          fmt(m.sampleTokensPerSec),
          `${fmt(m.recomputeTokensPerSec, 1)}${m.recomputeEstimated ? ' (est.)' : ''}`,
          `${fmt(m.kvSpeedup, 1)}x`,
          fmt(m.trainTokensPerSec),
          fmt(m.trainGflops, 2),
          fmt(m.matmulGflops, 2),
          pct(m.trainMatmulFraction),
        ]
      : [`skipped: ${row.skipped}`, '', '', '', '', '', ''];
    // The threads the backend really used (the threaded build can start with fewer than asked).
    const threads = m ? String(m.threads) : String(row.threads);
    process.stdout.write(`| ${row.where} | ${row.preset} | ${row.backend} | ${threads} | ${cells.join(' | ')} |\n`);
  }
  process.stdout.write('\nSampling: batch 8, up to 256 new tokens. Training: batch 8 x 64. Targets: KV speed-up >= 5x, train / matMul >= 40%.\n');
  process.stdout.write(
    "threads: WebAssembly threads (the page: tfjs's threaded build, 2 threads, beside the single-threaded SIMD build; tfjs never threads in Node).\n",
  );
  return 0;
}

async function measureValidity(proposals: number): Promise<ValidityReport> {
  const service = new ModelService();
  const executor = await createNodeExecutor();
  try {
    await service.init({ preset: 'tiny', seed: 1, wasmPaths: nodeWasmPaths(), candidates: ['wasm', 'cpu'] });
    const progress = progressBar('proposals', proposals);
    const result = await measureProposalValidity(service, executor, { proposals, onProgress: (done) => progress.update(done) });
    progress.finish();
    return result;
  } finally {
    executor.close();
    service.dispose();
  }
}

function report(rows: Row[], validity: ValidityReport) {
  const nested: Record<string, Record<string, Record<string, unknown>>> = { node: {}, browser: {} };
  for (const row of rows) {
    const byPreset = (nested[row.where]![row.preset] ??= {});
    byPreset[row.threads > 1 ? `${row.backend}-threads${row.threads}` : row.backend] = row.measurement ?? { skipped: row.skipped };
  }
  return { validProposalRate: validity.validRate, proposals: validity.proposals, rejections: Object.fromEntries(validity.reasons), ...nested };
}

function list(value: string | true | undefined, fallback: string): string[] {
  return (typeof value === 'string' ? value : fallback)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function preset(name: string): PresetName {
  if (!isPresetName(name)) throw new UsageError(`unknown preset "${name}" (tiny, small, base)`);
  return name;
}

function backend(name: string, allowed: readonly BackendName[]): BackendName {
  if (!allowed.includes(name as BackendName)) throw new UsageError(`unknown backend "${name}" (here: ${allowed.join(', ')})`);
  return name as BackendName;
}

function fmt(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function pct(value: number): string {
  return `${Math.round(value * 100)}%`;
}
