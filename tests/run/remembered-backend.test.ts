import { describe, expect, it } from 'vitest';
import type { BackendChoice } from '../../src/model/backend';
import { explainBackend, forgetBackend, rememberedBackend, takeMeasureAll } from '../../src/run/remembered-backend';

function memoryStore() {
  const settings = new Map<string, unknown>();
  return {
    settings,
    readSetting: async <T>(key: string) => (settings.get(key) as T | undefined) ?? null,
    writeSetting: async (key: string, value: unknown) => void settings.set(key, value),
  };
}

const choice: BackendChoice = { backend: 'wasm', reason: 'Using WebAssembly: fastest.', results: [] };

describe('the remembered backend', () => {
  it('is remembered after a measurement; "Measure backends again" forgets it and asks one visit to time every backend', async () => {
    const store = memoryStore();
    expect(await takeMeasureAll(store)).toBe(false);
    await explainBackend(store, choice, null);
    expect((await rememberedBackend(store))?.name).toBe('wasm');

    await forgetBackend(store);
    expect(await rememberedBackend(store)).toBeNull();
    expect(await takeMeasureAll(store)).toBe(true);
    // Used up by the visit that measured: the next one skips software renderers again.
    expect(await takeMeasureAll(store)).toBe(false);
  });
});
