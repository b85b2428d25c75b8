import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { activateBackend } from '../../src/model/backend';
import { nodeWasmPaths } from '../../src/model/backend-node';
import type { ModelConfig } from '../../src/model/config';

export async function useBackend(name: 'cpu' | 'wasm'): Promise<void> {
  await activateBackend(name, name === 'wasm' ? nodeWasmPaths() : undefined);
  expect(tf.getBackend()).toBe(name);
}

/** A very small model: fast on the CPU backend, still every part of the architecture. */
export function microConfig(overrides: Partial<ModelConfig> = {}): ModelConfig {
  return {
    vocabSize: 20,
    contextLength: 32,
    dModel: 16,
    nLayers: 2,
    nHeads: 2,
    dMlp: 32,
    tiedEmbeddings: true,
    activation: 'gelu',
    normEps: 1e-5,
    initStd: 0.3,
    seed: 3,
    ...overrides,
  };
}

/** Fills `length` tokens deterministically from a seed. */
export function tokens(length: number, vocab: number, seed: number): number[] {
  return Array.from({ length }, (_, i) => (i * 7 + seed * 13 + ((i * i) % 5)) % vocab);
}
