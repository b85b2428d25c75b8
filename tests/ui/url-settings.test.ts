import { describe, expect, it } from 'vitest';
import { applySettings, defaultConfig } from '../../src/engine/config';
import { readUrlState, writeUrlState } from '../../src/ui/url-settings';

describe('settings in the URL', () => {
  it('round-trips a config through the query string, writing only what differs from the preset', () => {
    const config = applySettings(defaultConfig('tiny'), ['seed=7', 'batchSize=4', 'induction=false', 'learningRate=0.002', 'temperature=0.7']);
    const search = writeUrlState(config, 'run-abc');
    expect(search).toBe('?preset=tiny&seed=7&induction=false&batchSize=4&temperature=0.7&learningRate=0.002&run=run-abc');
    expect(readUrlState(search)).toEqual({ config, runId: 'run-abc', error: '', badFields: [] });
  });

  it('takes a preset with its own defaults', () => {
    const state = readUrlState('?preset=small&seed=2');
    expect(state.config).toEqual({ ...defaultConfig('small'), seed: 2 });
  });

  it('has no config when the URL has no settings', () => {
    expect(readUrlState('')).toEqual({ config: null, runId: null, error: '', badFields: [] });
    expect(readUrlState('?run=x')).toEqual({ config: null, runId: 'x', error: '', badFields: [] });
  });

  it('refuses bad settings with a sentence naming the field', () => {
    const state = readUrlState('?batchSize=0');
    expect(state.config).toBeNull();
    expect(state.error).toMatch(/batchSize/);
    expect(readUrlState('?colour=red').error).toMatch(/colour: not a setting/);
  });

  it('names every bad field with the text typed, not the first one or a parsed null', () => {
    const state = readUrlState('?batchSize=abc&temperature=9&seed=2&hindsight=maybe');
    expect(state.config).toBeNull();
    expect(state.badFields).toEqual(['hindsight', 'batchSize', 'temperature']);
    expect(state.error).toContain('3 are wrong');
    expect(state.error).toContain('batchSize: expected a whole number from 1 to 256 (got "abc")');
    expect(state.error).toContain('temperature: expected a number from');
    expect(state.error).toContain('(got "9")');
    expect(state.error).toContain('hindsight: expected true or false (got "maybe")');
    expect(state.error).not.toContain('null');
  });
});
