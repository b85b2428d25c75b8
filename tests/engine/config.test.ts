import { describe, expect, it } from 'vitest';
import {
  applySettings,
  ConfigError,
  checkSettings,
  defaultConfig,
  hindsightTaskCount,
  longestSequences,
  optimizerOptions,
  upgradeConfig,
  validateConfig,
} from '../../src/engine/config';
import { PRESETS } from '../../src/model/config';

describe('the engine config', () => {
  it('has valid defaults for every preset that fit its context', () => {
    for (const preset of ['tiny', 'small', 'base'] as const) {
      const config = defaultConfig(preset);
      expect(() => validateConfig(config)).not.toThrow();
      for (const length of Object.values(longestSequences(config))) expect(length).toBeLessThanOrEqual(PRESETS[preset].contextLength);
    }
  });

  it('applies key=value settings with their types', () => {
    const config = applySettings(defaultConfig('tiny'), ['batchSize=4', 'trainProposer=false', 'learningRate=0.002']);
    expect(config.batchSize).toBe(4);
    expect(config.trainProposer).toBe(false);
    expect(config.learningRate).toBe(0.002);
  });

  it('names the field of a bad value', () => {
    expect(() => applySettings(defaultConfig('tiny'), ['batchSize=0'])).toThrow(/^batchSize: expected a whole number from 1 to 256/);
    expect(() => applySettings(defaultConfig('tiny'), ['learnabilitySamples=1'])).toThrow(/learnabilitySamples/);
    expect(() => applySettings(defaultConfig('tiny'), ['constrained=yes'])).toThrow(/constrained: expected true or false/);
    expect(() => applySettings(defaultConfig('tiny'), ['temperature=abc'])).toThrow(/temperature/);
    expect(() => applySettings(defaultConfig('tiny'), ['colour=blue'])).toThrow(/colour: not a setting/);
    expect(() => applySettings(defaultConfig('tiny'), ['batchSize'])).toThrow(ConfigError);
  });

  it('names every bad setting at once, quoting the text given, not the parsed value', () => {
    const { config, problems } = checkSettings(defaultConfig('tiny'), ['batchSize=abc', 'colour=red', 'temperature=', 'seed=3', 'hindsight=yes']);
    expect(config).toBeNull();
    expect(problems).toEqual([
      { field: 'colour', message: expect.stringMatching(/^not a setting/) },
      { field: 'hindsight', message: 'expected true or false (got "yes")' },
      { field: 'batchSize', message: 'expected a whole number from 1 to 256 (got "abc")' },
      { field: 'temperature', message: 'expected a number from 0.05 to 4 (got "")' },
    ]);
    expect(() => applySettings(defaultConfig('tiny'), ['batchSize=abc', 'temperature=9'])).toThrow(
      'batchSize: expected a whole number from 1 to 256 (got "abc"); temperature: expected a number from 0.05 to 4 (got "9")',
    );
    expect(checkSettings(defaultConfig('tiny'), ['seed=3'])).toEqual({ config: { ...defaultConfig('tiny'), seed: 3 }, problems: [] });
  });

  it('refuses settings that cannot run: no task type, or answers longer than the context', () => {
    expect(() => applySettings(defaultConfig('tiny'), ['deduction=false', 'abduction=false', 'induction=false'])).toThrow(/at least one task type/);
    expect(() => applySettings(defaultConfig('tiny'), ['deduction=false', 'abduction=false'])).toThrow(/^induction:/);
    expect(() => applySettings(defaultConfig('tiny'), ['programTokens=400'])).toThrow(/context of 256/);
  });

  it('brings a preset’s defaults with preset=, keeping explicit settings', () => {
    const config = applySettings(defaultConfig('tiny'), ['batchSize=3', 'preset=small']);
    expect(config.preset).toBe('small');
    expect(config.programTokens).toBe(defaultConfig('small').programTokens);
    expect(config.batchSize).toBe(3);
  });

  it('gives deduction its own count of buffered hindsight tasks, the other types hindsightTasks each', () => {
    const config = applySettings(defaultConfig('tiny'), ['hindsightTasks=5', 'hindsightDeductionTasks=40']);
    expect([hindsightTaskCount(config, 'deduction'), hindsightTaskCount(config, 'abduction'), hindsightTaskCount(config, 'induction')]).toEqual([40, 5, 5]);
    for (const preset of ['tiny', 'small', 'base'] as const) expect(defaultConfig(preset).hindsightDeductionTasks).toBe(defaultConfig(preset).hindsightTasks);
  });

  it('completes a config saved before newer settings so that the run keeps training as it did', () => {
    const saved = { ...defaultConfig('tiny') } as Partial<ReturnType<typeof defaultConfig>> & { preset: 'tiny' };
    delete saved.averageDecay;
    delete saved.replayUpdates;
    delete saved.replayDeductionWeight;
    delete saved.replayLevel;
    delete saved.replayReferences;
    saved.references = 3;
    delete saved.examTasks;
    delete saved.drawSignatures;
    delete saved.structuredArguments;
    delete saved.hindsightDeductionTasks;
    saved.hindsightTasks = 7;
    const upgraded = upgradeConfig(saved);
    // its deduction took as many buffered hindsight tasks as the other types
    expect(upgraded.hindsightDeductionTasks).toBe(7);
    expect(hindsightTaskCount(upgraded, 'deduction')).toBe(7);
    expect(upgradeConfig({ ...saved, hindsightDeductionTasks: 2 }).hindsightDeductionTasks).toBe(2);
    // nor did its proposer have its parameter types drawn for it
    expect(upgraded.drawSignatures).toBe(false);
    // nor were its engine's argument lists drawn from the held-out walk
    expect(upgraded.structuredArguments).toBe(0);
    expect(defaultConfig('tiny').structuredArguments).toBe(0.5);
    expect(defaultConfig('tiny').drawSignatures).toBe(true);
    // the curriculum of a run saved before exams rises on the solver's own tasks, as it did
    expect(upgraded.examTasks).toBe(0);
    expect(defaultConfig('tiny').examTasks).toBe(32);
    expect(upgraded.averageDecay).toBe(0);
    expect(upgraded.replayUpdates).toBe(0);
    expect(upgraded.replayDeductionWeight).toBe(1);
    // nor did its replay write programs above the curriculum's level
    expect(upgraded.replayLevel).toBe(0);
    expect(defaultConfig('tiny').replayLevel).toBe(2);
    // and its replay prompts showed the run's own references
    expect(upgraded.replayReferences).toBe(3);
    expect(upgradeConfig({ ...saved, replayReferences: 1 }).replayReferences).toBe(1);
    expect(defaultConfig('tiny').replayReferences).toBe(defaultConfig('tiny').references);
    expect(upgraded.learningRate).toBe(defaultConfig('tiny').learningRate);
    expect(defaultConfig('tiny').averageDecay).toBe(0.99);
    expect(optimizerOptions(applySettings(defaultConfig('tiny'), ['averageDecay=0.5', 'learningRate=0.002']))).toEqual({
      learningRate: 0.002,
      averageDecay: 0.5,
      averageRamp: 10,
    });
    expect(optimizerOptions(applySettings(defaultConfig('tiny'), ['averageRamp=3'])).averageRamp).toBe(3);
    expect(() => applySettings(defaultConfig('tiny'), ['averageRamp=1'])).toThrow(/averageRamp/);
    expect(() => applySettings(defaultConfig('tiny'), ['averageDecay=1'])).toThrow(/averageDecay/);
  });

  it('reads a run saved when structuredArguments was a switch as the share it meant', () => {
    const saved = { ...defaultConfig('tiny') } as Record<string, unknown>;
    for (const [was, share] of [
      [true, 1],
      [false, 0],
    ] as const) {
      const upgraded = upgradeConfig({ ...saved, structuredArguments: was } as unknown as Parameters<typeof upgradeConfig>[0]);
      expect(upgraded.structuredArguments).toBe(share);
      expect(() => validateConfig(upgraded)).not.toThrow();
    }
    expect(applySettings(defaultConfig('tiny'), ['structuredArguments=0.5']).structuredArguments).toBe(0.5);
    expect(() => applySettings(defaultConfig('tiny'), ['structuredArguments=2'])).toThrow(/structuredArguments/);
  });
});
