/**
 * How often does a random model's proposal pass the executor? Samples N (program, arguments)
 * pairs uniformly at random among the tokens the grammars allow, validates them in the real
 * executor, and prints the parse rate, the valid rate and the top rejection reasons.
 *
 *   npx tsx scripts/measure-validity.ts [N] [--program-tokens 160] [--argument-tokens 48] [--seed 1] [--show 3] [--structured] [--level 1-4]
 *
 * --structured samples with structuredWeights instead (shorter expressions, more statements and
 * loops), to exercise the statement grammar the way a model with habits would. --level writes
 * programs of one curriculum level (levels.ts).
 *
 * A Node script (it starts Pyodide workers); the grammar code it measures has no Node dependency.
 */
import { createNodeExecutor } from '../src/executor/node-executor';
import type { TokenConstraint } from '../src/lang/constraint';
import { PROGRAM_LEVELS, type ProgramLevel } from '../src/lang/levels';
import { argumentsConstraint } from '../src/lang/literal-grammar';
import { programConstraint } from '../src/lang/program-grammar';
import { seededRandom, structuredWeights, uniformWalk, weightedWalk } from '../src/lang/sampling';
import { createTokenizer } from '../src/lang/tokenizer';

interface Options {
  count: number;
  programTokens: number;
  argumentTokens: number;
  seed: number;
  show: number;
  structured: boolean;
  level: ProgramLevel | null;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { count: 1000, programTokens: 160, argumentTokens: 48, seed: 1, show: 3, structured: false, level: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = Number(argv[i + 1]);
    if (arg === '--structured') {
      options.structured = true;
      continue;
    }
    if (arg === '--program-tokens') options.programTokens = value;
    else if (arg === '--argument-tokens') options.argumentTokens = value;
    else if (arg === '--seed') options.seed = value;
    else if (arg === '--show') options.show = value;
    else if (arg === '--level') {
      if (!(PROGRAM_LEVELS as readonly number[]).includes(value)) throw new Error(`--level must be one of ${PROGRAM_LEVELS.join(', ')}`);
      options.level = value as ProgramLevel;
    } else if (/^\d+$/.test(arg)) {
      options.count = Number(arg);
      continue;
    } else throw new Error(`unknown argument ${arg}`);
    if (!Number.isFinite(value)) throw new Error(`${arg} needs a number`);
    i++;
  }
  return options;
}

interface Proposal {
  code: string;
  input: string;
}

/** N uniform-random proposals: a program, then arguments typed by its signature. */
function sampleProposals(count: number, options: Omit<Options, 'count' | 'show'>): Proposal[] {
  const tokenizer = createTokenizer();
  const random = seededRandom(options.seed);
  const weights = options.structured ? structuredWeights(tokenizer) : null;
  const walk = (constraint: TokenConstraint, limit: number) =>
    weights ? weightedWalk(constraint, random, tokenizer.eos, limit, weights) : uniformWalk(constraint, random, tokenizer.eos, limit);
  const proposals: Proposal[] = [];
  for (let k = 0; k < count; k++) {
    const program = programConstraint(tokenizer, { maxTokens: options.programTokens, ...(options.level ? { level: options.level } : {}) });
    const code = tokenizer.decode(walk(program, options.programTokens));
    const args = argumentsConstraint(tokenizer, program.signature(), { maxTokens: options.argumentTokens });
    const input = tokenizer.decode(walk(args, options.argumentTokens));
    proposals.push({ code, input });
  }
  return proposals;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = performance.now();
  const proposals = sampleProposals(options.count, options);
  const sampleMs = performance.now() - started;
  const pool = await createNodeExecutor();
  try {
    const verdicts = await pool.run(proposals.map((p) => ({ kind: 'validate', code: p.code, inputs: [p.input] })));
    const reasons = new Map<string, { count: number; examples: string[] }>();
    for (let k = 0; k < verdicts.length; k++) {
      const verdict = verdicts[k]!;
      if (verdict.ok) continue;
      const key = `${verdict.reason}: ${verdict.detail.replace(/'[^']*'/g, "'…'").slice(0, 80)}`;
      const entry = reasons.get(key) ?? { count: 0, examples: [] };
      entry.count++;
      if (entry.examples.length < options.show) {
        entry.examples.push(`${proposals[k]!.code}\n>>> f(${proposals[k]!.input})`);
      }
      reasons.set(key, entry);
    }
    const total = verdicts.length;
    const parsed = verdicts.filter((v) => v.reason !== 'syntax').length;
    const valid = verdicts.filter((v) => v.ok).length;
    const percent = (n: number) => `${((100 * n) / total).toFixed(1)}%`;
    console.log(
      `${total} ${options.structured ? 'structured' : 'uniform'}-random proposals (${options.level ? `level ${options.level}, ` : ''}programs <= ${options.programTokens} tokens, arguments <= ${options.argumentTokens}, seed ${options.seed}); sampled in ${sampleMs.toFixed(0)} ms`,
    );
    console.log(`parse rate: ${percent(parsed)} (${parsed}/${total})`);
    console.log(`valid rate: ${percent(valid)} (${valid}/${total})`);
    const top = [...reasons.entries()].sort((a, b) => b[1].count - a[1].count).slice(0, 12);
    if (top.length) console.log('top rejection reasons:');
    for (const [reason, entry] of top) console.log(`  ${String(entry.count).padStart(5)}  ${reason}`);
    if (options.show > 0) {
      for (const [reason, entry] of top.slice(0, 5)) {
        console.log(`\n=== ${reason}`);
        for (const example of entry.examples) console.log(`${example}\n`);
      }
    }
  } finally {
    pool.close();
  }
}

await main();
