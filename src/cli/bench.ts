/** `tabula bench <what>`. */
import { UsageError } from './args';
import { benchExecutorCommand } from './bench-executor';

export async function benchCommand(argv: string[]): Promise<number> {
  const [what, ...rest] = argv;
  if (what === 'executor') return benchExecutorCommand(rest);
  throw new UsageError(`unknown benchmark "${what ?? ''}" (available: executor)`);
}
