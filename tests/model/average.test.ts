/**
 * The weights' moving average the optimiser keeps for evaluation (averageDecay): its decay
 * schedule, its update, and its place in checkpoints.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint, restoreCheckpoint, snapshotCheckpoint } from '../../src/model/checkpoint';
import { averageDecayAt, createOptimizer, disposeOptimizer, type Optimizer } from '../../src/model/optimizer';
import { type TrainBatch, trainStep } from '../../src/model/train';
import { createModel, disposeModel, type Model } from '../../src/model/transformer';
import { microConfig, tokens, useBackend } from './helpers';

const TOKENIZER = 'tz-tok-1';
const OPTIONS = { clipEpsilon: 0.2, entropyCoef: 0 };

function batch(seed: number): TrainBatch {
  const seqs = [tokens(10, 20, seed), tokens(7, 20, seed + 1)];
  return { tokens: seqs, promptLengths: [4, 3], advantages: [1, -1], oldLogProbs: seqs.map((s, i) => new Array(s.length - [4, 3][i]!).fill(-3)) };
}

const values = (model: Model): Map<string, Float32Array> => new Map([...model.params].map(([name, v]) => [name, v.dataSync().slice() as Float32Array]));

let made: { model: Model; optimizer: Optimizer }[] = [];
function make(averageDecay: number, model = createModel(microConfig()), averageRamp?: number): { model: Model; optimizer: Optimizer } {
  const pair = { model, optimizer: createOptimizer(model, { learningRate: 1e-2, averageDecay, ...(averageRamp ? { averageRamp } : {}) }) };
  made.push(pair);
  return pair;
}

/** The average after an update is `d` x the average before it plus (1 - d) x the new weights. */
function expectAverageMoved(before: Map<string, Float32Array>, { model, optimizer }: { model: Model; optimizer: Optimizer }, d: number): void {
  const after = values(optimizer.average!);
  for (const [name, weights] of values(model)) {
    const expected = before.get(name)!.map((x, i) => d * x + (1 - d) * weights[i]!);
    const got = after.get(name)!;
    for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(expected[i]!, 6);
  }
}

beforeAll(() => useBackend('cpu'));
afterEach(() => {
  for (const { model, optimizer } of made) {
    disposeOptimizer(optimizer);
    disposeModel(model);
  }
  made = [];
});

describe("the weights' moving average", () => {
  it('follows the weights early on, then decays at the rate asked for', () => {
    expect(averageDecayAt(0.99, 1)).toBeCloseTo(2 / 11);
    expect(averageDecayAt(0.99, 90)).toBeCloseTo(91 / 100);
    expect(averageDecayAt(0.99, 5000)).toBe(0.99);
    expect(averageDecayAt(0.5, 1)).toBeCloseTo(2 / 11);
    expect(averageDecayAt(0.5, 20)).toBe(0.5);
  });

  it('rises to its decay along the ramp asked for, and a ramp of 1 or less is refused', async () => {
    // ramp 3 weighs update s of t about s / t: the average keeps far more of the older weights.
    expect(averageDecayAt(0.999, 1, 3)).toBeCloseTo(2 / 4);
    expect(averageDecayAt(0.999, 97, 3)).toBeCloseTo(98 / 100);
    expect(averageDecayAt(0.99, 297, 3)).toBe(0.99);
    expect(averageDecayAt(0.999, 97, 3)).toBeGreaterThan(averageDecayAt(0.999, 97));
    const ramped = make(0.999, createModel(microConfig()), 3);
    const before = values(ramped.optimizer.average!);
    await trainStep(ramped.model, ramped.optimizer, batch(1), OPTIONS);
    expectAverageMoved(before, ramped, 0.5);
    expect(() => createOptimizer(ramped.model, { averageDecay: 0.9, averageRamp: 1 })).toThrow(/averageRamp is out of range/);
  });

  it('is kept only when asked for, and a decay of 1 or more is refused', () => {
    expect(make(0).optimizer.average).toBeNull();
    const { model, optimizer } = make(0.9);
    expect(optimizer.average).not.toBeNull();
    for (const [name, v] of values(optimizer.average!)) expect(v).toEqual(model.params.get(name)!.dataSync());
    expect(() => createOptimizer(model, { averageDecay: 1 })).toThrow(/averageDecay is out of range/);
  });

  it('moves toward the weights by 1 - decay after every update, and training never reads it', async () => {
    const { model, optimizer } = make(0.9);
    const plain = make(0, createModel(microConfig()));
    for (let step = 1; step <= 3; step++) {
      const before = values(optimizer.average!);
      const a = await trainStep(model, optimizer, batch(step), OPTIONS);
      const b = await trainStep(plain.model, plain.optimizer, batch(step), OPTIONS);
      expect(a).toEqual(b);
      expectAverageMoved(before, { model, optimizer }, averageDecayAt(0.9, step));
    }
    // After three updates the average is neither the live weights nor the initial ones.
    const live = values(model).get('wte')!;
    expect(values(optimizer.average!).get('wte')!).not.toEqual(live);
  });

  it('is saved in the checkpoint and restored bit-exactly; a checkpoint without one starts it at the weights', async () => {
    const { model, optimizer } = make(0.9);
    for (let step = 1; step <= 2; step++) await trainStep(model, optimizer, batch(step), OPTIONS);
    const saved = await snapshotCheckpoint(model, optimizer, { tokenizerVersion: TOKENIZER, step: 2 });
    const decoded = decodeCheckpoint(encodeCheckpoint(saved), { tokenizerVersion: TOKENIZER });
    expect(decoded.optimizer!.options.averageDecay).toBe(0.9);
    const restored = restoreCheckpoint(decoded);
    made.push({ model: restored.model, optimizer: restored.optimizer! });
    for (const [name, v] of values(optimizer.average!)) expect(values(restored.optimizer!.average!).get(name)).toEqual(v);

    const without = make(0);
    const plainSaved = await snapshotCheckpoint(without.model, without.optimizer, { tokenizerVersion: TOKENIZER, step: 0 });
    const plainDecoded = decodeCheckpoint(encodeCheckpoint(plainSaved), { tokenizerVersion: TOKENIZER });
    expect(plainDecoded.optimizer!.average).toBeNull();
    // Asked for an average, a state saved without one starts it at the saved weights.
    const started = restoreCheckpoint({
      ...plainDecoded,
      optimizer: { ...plainDecoded.optimizer!, options: { ...plainDecoded.optimizer!.options, averageDecay: 0.9 } },
    });
    made.push({ model: started.model, optimizer: started.optimizer! });
    for (const [name, v] of values(started.optimizer!.average!)) expect(v).toEqual(plainDecoded.params.get(name));
  });
});
