/**
 * An experiment, not a test: how fast can the tiny model learn level-1 deduction from executor
 * answers alone, with no sampling cost? Programs are uniform walks of the level-1 grammar (what a
 * random-weight proposer writes), inputs are uniform walks of their signature, outputs come from
 * Pyodide; constant programs are dropped. Each step trains `rows` hindsight rows; every minute the
 * model answers the first 64 held-out level-1 deduction tasks greedily. This bounds what hindsight
 * can give self-play in the same minutes.
 *
 *   npx tsx scripts/supervised-ceiling.ts minutes=3 lr=1e-3 rows=64 micro=16 inputs=4 level=1 [pool=N]
 *     [threads=1|2] [layers=N dmodel=N heads=N mlp=N (other sizes than tiny's)] [balance=N]
 *     [previous=0|1 (embed each position's previous token, config.previousToken)]
 *
 * The model's answers come from the weights' moving average (averageDecay, default 0.99; ema=0
 * for none); the live weights' accuracy is printed beside it.
 *
 * balance=N: each output value at most N times in a step's rows (and an output class at most the
 * held-out share), as self-play's replay does with replayBalance (OutputCaps, heldout.ts).
 *
 * Held-out programs of every level, up to renaming (renamingKey), are never trained on, as in
 * self-play; exclude=0 trains on them too (how this script ran before 2026-12-06).
 *
 * walk=structured: programs and arguments are walks weighted by structuredWeights (the walk that
 * writes the held-out set) instead of uniform ones. At the end the model also answers the
 * hand-written one-line programs (data/simple-programs.jsonl), a set no walk wrote.
 */
import { readFileSync } from 'node:fs';
import { openSession, shippedHeldout } from '../src/cli/engine-session';
import { applySettings, defaultConfig } from '../src/engine/config';
import { evaluate } from '../src/engine/evaluate';
import { trivialFloors } from '../src/engine/floors';
import { CLASS_SHARE, heldoutMatcher, OutputCaps, readHeldout } from '../src/engine/heldout';
import { Prompts, type SolveTask } from '../src/engine/prompts';
import type { ProgramLevel } from '../src/lang/levels';
import { argumentsConstraint } from '../src/lang/literal-grammar';
import { programConstraint } from '../src/lang/program-grammar';
import { structuredWeights, uniformWalk, weightedWalk } from '../src/lang/sampling';
import { parseSignature } from '../src/lang/types';
import type { TrainBatch } from '../src/model/train';
import { createRng } from '../src/shared/rng';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=') as [string, string]));
const minutes = Number(args.minutes ?? 3);
const rows = Number(args.rows ?? 64);
const inputsPerProgram = Number(args.inputs ?? 4);
const level = Number(args.level ?? 1) as ProgramLevel;
const config = applySettings(defaultConfig('tiny'), [
  `learningRate=${args.lr ?? '1e-3'}`,
  `seed=${args.seed ?? 1}`,
  `threads=${args.threads ?? 2}`,
  `averageDecay=${args.ema ?? 0.99}`,
]);
// Only the sizes given: an undefined field would replace the preset's value.
const sizes = { nLayers: 'layers', dModel: 'dmodel', nHeads: 'heads', dMlp: 'mlp' } as const;
const shape = {
  ...Object.fromEntries(Object.entries(sizes).flatMap(([field, arg]) => (args[arg] === undefined ? [] : [[field, Number(args[arg])]]))),
  ...(args.previous === undefined ? {} : { previousToken: args.previous === '1' }),
};
const session = await openSession({ config, shape });
console.log(`model: ${JSON.stringify(session.info.config)}, ${session.info.parameters} parameters, ${session.info.backend.backend}`);
const tokenizer = session.model.tokenizer;
const prompts = new Prompts(tokenizer, config, session.info.config.contextLength);
const rng = createRng(Number(args.seed ?? 1) + 1000);
const shipped = shippedHeldout();
const heldout = shipped.filter((t) => (t.level ?? 4) === level).slice(0, 64);
const floor = await trivialFloors(session.executor, heldout, 'deduction');
console.log(`level ${level}: ${heldout.length} held-out deduction tasks, best trivial floor ${(floor.best.accuracy * 100).toFixed(1)}%`);

if (!['uniform', 'structured', undefined].includes(args.walk)) throw new Error(`walk must be uniform or structured, not ${args.walk}`);
const weights = args.walk === 'structured' ? structuredWeights(tokenizer) : null;
const walk = (constraint: Parameters<typeof uniformWalk>[0], limit: number) =>
  tokenizer.decode(weights ? weightedWalk(constraint, rng, tokenizer.eos, limit, weights) : uniformWalk(constraint, rng, tokenizer.eos, limit));
const isHeldout = heldoutMatcher(args.exclude === '0' ? [] : shipped);
let excluded = 0;

// pool=N: draw programs from a fixed set of N (how much does program diversity matter?)
const poolSize = Number(args.pool ?? 0);
function randomProgram(): string {
  for (;;) {
    const code = walk(programConstraint(tokenizer, { maxTokens: config.programTokens, level }), config.programTokens);
    if (!isHeldout(code)) return code;
    excluded++;
  }
}
const pool = Array.from({ length: poolSize }, randomProgram);
const program = () => (poolSize ? pool[Math.floor(rng() * poolSize)]! : randomProgram());

/** `rows` checked triplets of non-constant random programs. */
async function triplets(): Promise<SolveTask[]> {
  const out: SolveTask[] = [];
  const balance = args.balance ? new OutputCaps(Number(args.balance), Math.ceil(rows * CLASS_SHARE)) : null;
  while (out.length < rows) {
    const requests = Array.from({ length: 32 }, () => {
      const code = program();
      const signature = parseSignature(code);
      const inputs = Array.from({ length: inputsPerProgram }, () =>
        walk(argumentsConstraint(tokenizer, signature, { maxTokens: config.inputTokens }), config.inputTokens),
      );
      return { kind: 'validate' as const, code, inputs };
    });
    const verdicts = await session.executor.run(requests);
    verdicts.forEach((verdict, i) => {
      const outputs = verdict.ok ? (verdict.outputs ?? []) : [];
      if (new Set(outputs).size < 2) return;
      outputs.forEach((output, j) => {
        if (tokenizer.encode(output).length >= config.outputTokens || (balance && !balance.admit(output))) return;
        out.push({ code: requests[i]!.code, input: requests[i]!.inputs[j]!, output });
      });
    });
  }
  return out.slice(0, rows);
}

async function accuracy(averaged: boolean, tasks = heldout): Promise<number> {
  const { accuracy } = await evaluate(session.model, session.executor, prompts, tasks, 'deduction', {
    constrained: true,
    outputTokens: config.outputTokens,
    averaged,
  });
  if (accuracy === null) throw new Error('no held-out task fits the model: no accuracy to report');
  return accuracy;
}

const started = performance.now();
let steps = 0;
let trainMs = 0;
let nextEval = 0;
for (;;) {
  const elapsed = (performance.now() - started) / 60000;
  if (elapsed >= nextEval) {
    console.log(
      `minute ${elapsed.toFixed(1)}  steps ${steps}  examples ${steps * rows}  accuracy ${((await accuracy(true)) * 100).toFixed(1)}%${session.info.averaged ? ` (live weights ${((await accuracy(false)) * 100).toFixed(1)}%)` : ''}  training ${(trainMs / 1000).toFixed(0)} s`,
    );
    nextEval += 1;
  }
  if (elapsed >= minutes) break;
  const batch: TrainBatch = { tokens: [], promptLengths: [], advantages: [], oldLogProbs: [], masks: [], hindsight: [] };
  for (const task of await triplets()) {
    const job = prompts.solve('deduction', task);
    const forced = session.model.forcedAnswer(job, task.output, { constrained: true });
    if (!forced) continue;
    batch.tokens.push([...job.prompt, ...forced.tokens]);
    batch.promptLengths.push(job.prompt.length);
    batch.advantages.push(0);
    batch.oldLogProbs.push([]);
    batch.masks!.push(forced.masks);
    batch.hindsight!.push(true);
  }
  const t0 = performance.now();
  await session.model.train(batch, { clipEpsilon: 0.2, entropyCoef: 0, temperature: 1, microBatchRows: Number(args.micro ?? rows), hindsightWeight: 1 });
  trainMs += performance.now() - t0;
  steps++;
}
const simple = readHeldout(readFileSync(new URL('../data/simple-programs.jsonl', import.meta.url), 'utf8'));
console.log(
  `one-line programs: ${((await accuracy(true, simple)) * 100).toFixed(1)}% of ${simple.length}; held-out programs drawn and not trained on: ${excluded}`,
);
session.close();
process.exit(0);
