/** `tabula bench <what>`. */
import { UsageError } from './args';
import { benchExecutorCommand } from './bench-executor';
import { benchLearnCommand } from './bench-learn';
import { benchModelCommand } from './bench-model';
import { benchPageCommand } from './bench-page';
import { benchSoakCommand } from './bench-soak';
import { benchStepsCommand } from './bench-steps';

export async function benchCommand(argv: string[]): Promise<number> {
  const [what, ...rest] = argv;
  if (what === 'executor') return benchExecutorCommand(rest);
  if (what === 'model') return benchModelCommand(rest);
  if (what === 'learn') return benchLearnCommand(rest);
  if (what === 'page') return benchPageCommand(rest);
  if (what === 'steps') return benchStepsCommand(rest);
  if (what === 'soak') return benchSoakCommand(rest);
  throw new UsageError(`unknown benchmark "${what ?? ''}" (available: executor, model, learn, page, steps, soak)`);
}
