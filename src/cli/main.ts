/** `tabula <command>`: the command line (Node). */
import { UsageError } from './args';
import { benchCommand } from './bench';
import { verifyCommand } from './verify';

const USAGE = `Usage: tabula <command> [options]

Commands:
  verify FILE.jsonl [--timeout-ms N] [--workers N]
      Validate CRUXEval-format tasks ({"id","code","input","output"} per line) in the sandbox.
  bench executor [--rounds N] [--workers N] [--json]
      Executor throughput: Node and browser workers beside native CPython.
  bench model [--presets tiny,small] [--backends wasm,cpu] [--browser-backends wasm,webgl] [--proposals N] [--json]
      Model speed per preset and backend, and the valid-proposal rate of a random model.
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'verify':
        return await verifyCommand(rest);
      case 'bench':
        return await benchCommand(rest);
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
