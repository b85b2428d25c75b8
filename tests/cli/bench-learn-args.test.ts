import { describe, expect, it } from 'vitest';
import { benchLearnCommand } from '../../src/cli/bench-learn';

describe('tabula bench learn arguments', () => {
  it('refuses a bad --jobs, --variants, --seeds, --end-evals or --one before doing any work', async () => {
    await expect(benchLearnCommand(['--jobs', '0'])).rejects.toThrow(/--jobs/);
    await expect(benchLearnCommand(['--jobs', 'two'])).rejects.toThrow(/--jobs/);
    await expect(benchLearnCommand(['--variants', '5'])).rejects.toThrow(/"5" is not a variant number/);
    await expect(benchLearnCommand(['--seeds', '1,x'])).rejects.toThrow(/"x" is not a seed/);
    await expect(benchLearnCommand(['--one', '1'])).rejects.toThrow(/--one: expected seed:variant/);
    await expect(benchLearnCommand(['--one', '1:9'])).rejects.toThrow(/--one: expected seed:variant/);
    await expect(benchLearnCommand(['--end-evals', '11'])).rejects.toThrow(/--end-evals/);
    await expect(benchLearnCommand(['--set', 'replayUpdates=99'])).rejects.toThrow(/replayUpdates: expected a whole number from 0 to 64/);
  });
});
