import { describe, expect, it } from 'vitest';
import { intOption, parseArgs, UsageError } from '../../src/cli/args';

const known = { values: ['workers', 'timeout-ms'], flags: ['json'] };

describe('parseArgs', () => {
  it('reads values, inline values, flags and positionals', () => {
    const args = parseArgs(['file.jsonl', '--workers', '3', '--timeout-ms=250', '--json'], known);
    expect(args.positionals).toEqual(['file.jsonl']);
    expect(intOption(args, 'workers', 1, 1, 8)).toBe(3);
    expect(intOption(args, 'timeout-ms', 1000, 10, 10_000)).toBe(250);
    expect(args.options.get('json')).toBe(true);
  });
  it('refuses unknown options, missing values and out-of-range numbers with the option named', () => {
    expect(() => parseArgs(['--nope'], known)).toThrow(/unknown option --nope/);
    expect(() => parseArgs(['--workers'], known)).toThrow(/--workers needs a value/);
    const args = parseArgs(['--workers', 'many'], known);
    expect(() => intOption(args, 'workers', 1, 1, 8)).toThrow(UsageError);
    expect(() => intOption(parseArgs(['--workers', '0'], known), 'workers', 1, 1, 8)).toThrow(/from 1 to 8/);
  });
});
