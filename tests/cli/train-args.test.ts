import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args';
import { takeSettings, trainCommand } from '../../src/cli/train';

describe('tabula train arguments', () => {
  it('collects every --set, in both spellings', () => {
    expect(takeSettings(['--steps', '3', '--set', 'batchSize=4', '--set=seed=2', '--out', 'x'])).toEqual({
      rest: ['--steps', '3', '--out', 'x'],
      settings: ['batchSize=4', 'seed=2'],
    });
    expect(() => takeSettings(['--set'])).toThrow(UsageError);
  });

  it('refuses incomplete or contradictory commands before doing any work', async () => {
    await expect(trainCommand(['--out', '/tmp/x'])).rejects.toThrow(/--minutes M or --steps S/);
    await expect(trainCommand(['--steps', '2'])).rejects.toThrow(/--out DIR/);
    await expect(trainCommand(['--steps', '2', '--out', '/tmp/x', '--preset', 'huge'])).rejects.toThrow(/--preset must be/);
    await expect(trainCommand(['--steps', '2', '--out', '/tmp/x', '--set', 'batchSize=0'])).rejects.toThrow(/batchSize: expected a whole number/);
    await expect(trainCommand(['--steps', '-1', '--out', '/tmp/x'])).rejects.toThrow(/--steps/);
  });

  it('will not overwrite an existing run, and a resumed run keeps its settings', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tz-args-'));
    try {
      await writeFile(join(dir, 'state.json'), '{}');
      await expect(trainCommand(['--steps', '2', '--out', dir])).rejects.toThrow(/already holds a run/);
      await expect(trainCommand(['--steps', '2', '--resume', dir, '--set', 'seed=3'])).rejects.toThrow(/keeps its settings/);
      await expect(trainCommand(['--steps', '2', '--resume', dir])).rejects.toThrow(/unsupported version/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
