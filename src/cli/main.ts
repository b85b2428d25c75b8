/** `tabula <command>`: the command line (Node). */
import { quietTfjs } from '../model/backend-node';
import { UsageError } from './args';
import { benchCommand } from './bench';
import { evalCommand } from './eval';
import { heldoutCommand } from './heldout';
import { trainCommand } from './train';
import { verifyCommand } from './verify';

const USAGE = `Usage: tabula <command> [options]

Commands:
  verify FILE.jsonl [--timeout-ms N] [--workers N]
      Validate CRUXEval-format tasks ({"id","code","input","output"} per line) in the sandbox.
  bench executor [--rounds N] [--workers N] [--json]
      Executor throughput: Node and browser workers beside native CPython.
  bench model [--presets tiny,small] [--backends wasm,cpu] [--browser-backends wasm,webgl] [--proposals N] [--json]
      Model speed per preset and backend, and the valid-proposal rate of a random model.
  train (--steps S | --minutes M) --out DIR [--preset tiny|small|base] [--seed N] [--set key=value ...] [--workers N]
  train --resume DIR (--steps S | --minutes M)
      Self-play from random weights; writes checkpoint, metrics.jsonl and the three buffers to DIR.
      --steps is the step to reach in total; Ctrl-C saves after the current step.
  eval --checkpoint DIR --mode deduction|abduction|induction [--tasks FILE.jsonl] [--live] [--json]
      Greedy accuracy of a trained run on the held-out set, or on a CRUXEval-format file.
  bench learn [--minutes M] [--seeds 1,2,3] [--variants 1,2,3,4] [--jobs N] [--preset P] [--eval-per-level N] [--end-evals N] [--json] [--set key=value ...]
      Full AZR with executor hindsight, the paper's pure AZR, train solver only and deduction only,
      M minutes each per seed; held-out accuracy per program level against its trivial floor.
  bench page [--steps N] [--json]
      The page in Chromium: load times (first and return visit), s/step beside Node, main-thread long tasks.
  bench steps --against REV [--minutes M] [--rounds R] [--json] [--set key=value ...]
      Self-play steps per minute of this tree beside an older commit (checked out to a temporary
      folder), taking turns R times, M minutes each; prints both and their ratio.
  bench soak [--minutes M] [--page] [--json]
      Trains M minutes (default 60) in Node, or in the page with --page, sampling tensors, JS heap,
      resident memory (Node), Python worker memory and s/step each minute; exits 1 when memory or
      step time grows.
  heldout [--seed N] [--per-level N] [--levels 1,2,3,4] [--pairs N] [--out FILE] [--floors]
      Generate the held-out evaluation set (default data/heldout.jsonl: 64 tasks per program level,
      4 levels, 6 pairs each); --floors prints the trivial floors per level and type.
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  quietTfjs();
  try {
    switch (command) {
      case 'verify':
        return await verifyCommand(rest);
      case 'bench':
        return await benchCommand(rest);
      case 'train':
        return await trainCommand(rest);
      case 'eval':
        return await evalCommand(rest);
      case 'heldout':
        return await heldoutCommand(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`tabula: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    process.stderr.write(`tabula: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
