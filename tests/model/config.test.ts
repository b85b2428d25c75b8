import { describe, expect, it } from 'vitest';
import { batchBucket, lengthBucket, shapeGrain } from '../../src/model/buckets';
import { configFor, parameterCount, validateConfig } from '../../src/model/config';
import { createRng, hashString, randomInt, randomNormal } from '../../src/shared/rng';

describe('config', () => {
  it('presets have the promised sizes', () => {
    const tiny = parameterCount(configFor('tiny', 400));
    const small = parameterCount(configFor('small', 400));
    const base = parameterCount(configFor('base', 400));
    expect(tiny).toBeLessThan(700_000);
    expect(small).toBeGreaterThan(2_000_000);
    expect(small).toBeLessThan(10_000_000);
    expect(base).toBeGreaterThan(10_000_000);
    expect(base).toBeLessThan(100_000_000);
    // Untying the head adds exactly the head.
    expect(parameterCount(configFor('tiny', 400, { tiedEmbeddings: false })) - tiny).toBe(400 * 128);
    // The previous token's embedding is one more [V, d] table; a config saved before it has none.
    const withPrevious = configFor('tiny', 400, { previousToken: true });
    const withoutPrevious = configFor('tiny', 400, { previousToken: false });
    expect(parameterCount(withPrevious) - parameterCount(withoutPrevious)).toBe(400 * 128);
    const { previousToken: _, ...saved } = withPrevious;
    expect(parameterCount(saved)).toBe(parameterCount(withoutPrevious));
  });

  it('names the offending field', () => {
    expect(() => configFor('tiny', 1)).toThrow(/vocabSize must be an integer >= 2, got 1/);
    expect(() => configFor('tiny', 300, { nHeads: 3 })).toThrow(/dModel \(128\) must be a multiple of nHeads \(3\)/);
    expect(() => configFor('tiny', 300, { dMlp: 0 })).toThrow(/dMlp/);
    expect(() => configFor('tiny', 300, { contextLength: 2.5 })).toThrow(/contextLength/);
    expect(() => configFor('tiny', 300, { activation: 'tanh' as 'gelu' })).toThrow(/activation/);
    expect(() => configFor('huge' as 'tiny', 300)).toThrow(/unknown model preset "huge"/);
    expect(() => validateConfig({ ...configFor('tiny', 300), initStd: -1 })).toThrow(/initStd/);
    expect(() => configFor('tiny', 300, { previousToken: 'yes' as unknown as boolean })).toThrow(/previousToken must be true or false/);
  });
});

describe('buckets', () => {
  it('rounds batch sizes up to powers of two and lengths to 2^k or 1.5 x 2^k, capped', () => {
    expect([1, 2, 3, 5, 8, 9, 33].map((n) => batchBucket(n))).toEqual([1, 2, 4, 8, 8, 16, 64]);
    expect([1, 16, 17, 24, 25, 33, 49, 65, 100, 200, 300].map((n) => lengthBucket(n, 1024))).toEqual([16, 16, 24, 24, 32, 48, 64, 96, 128, 256, 384]);
    expect(lengthBucket(250, 256)).toBe(256);
    expect(lengthBucket(200, 200)).toBe(200);
    expect(() => lengthBucket(257, 256)).toThrow(/exceeds/);
  });

  it('on CPU-side backends rounds lengths to a multiple of 8 and keeps row counts exact', () => {
    expect(['wasm', 'cpu', 'webgl', 'webgpu'].map((b) => shapeGrain(b))).toEqual(['fine', 'fine', 'coarse', 'coarse']);
    expect([1, 3, 9, 33].map((n) => batchBucket(n, 'fine'))).toEqual([1, 3, 9, 33]);
    expect([1, 8, 9, 65, 100].map((n) => lengthBucket(n, 1024, 'fine'))).toEqual([8, 8, 16, 72, 104]);
    expect(lengthBucket(125, 126, 'fine')).toBe(126);
    expect(() => lengthBucket(127, 126, 'fine')).toThrow(/exceeds/);
  });
});

describe('rng', () => {
  it('is deterministic per seed, uniform on [0, 1), and resumable from its state', () => {
    const a = createRng(123);
    const b = createRng(123);
    const c = createRng(124);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(c()).not.toBe(xs[0]);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.03);
    const saved = a.state();
    const next = [a(), a(), a()];
    const resumed = createRng(0, saved);
    expect([resumed(), resumed(), resumed()]).toEqual(next);
    expect(createRng('run-a')()).toBe(createRng(hashString('run-a'))());
    const normals = Array.from({ length: 4000 }, () => randomNormal(a));
    const m = normals.reduce((s, x) => s + x, 0) / normals.length;
    const v = normals.reduce((s, x) => s + (x - m) ** 2, 0) / normals.length;
    expect(Math.abs(m)).toBeLessThan(0.06);
    expect(Math.abs(v - 1)).toBeLessThan(0.08);
    for (let i = 0; i < 100; i++) expect(randomInt(a, 3)).toBeLessThan(3);
  });
});
