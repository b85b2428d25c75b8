/**
 * A full round through the browser's model worker, for the end-to-end test: choose a backend,
 * write programs under the grammar, train one step on them, save to IndexedDB, load back, and
 * refuse a corrupt checkpoint.
 */
import type { BackendName } from '../model/backend';
import { startModelWorker } from '../model-service/model-worker-client';

export async function modelWorkerCheck(candidates?: BackendName[]) {
  const { api, terminate } = startModelWorker();
  try {
    const info = await api.init({ preset: 'tiny', seed: 3, candidates });
    const prompt = [await api.tokenId('<program>')];
    const samples = await api.sample(
      Array.from({ length: 4 }, () => ({ kind: 'program' as const, prompt, maxTokens: 64 })),
      { temperature: 1 },
    );
    const stats = await api.train(
      {
        tokens: samples.map((s) => [...prompt, ...s.tokens]),
        promptLengths: samples.map(() => prompt.length),
        advantages: [1, -1, 0.5, -0.5],
        oldLogProbs: samples.map((s) => s.logProbs),
        masks: samples.map((s) => s.masks),
      },
      { clipEpsilon: 0.2, entropyCoef: 0 },
    );
    const memoryBefore = await api.memory();
    const savedBytes = await api.saveTo('e2e-check');
    const loaded = await api.loadFrom('e2e-check');
    const saved = await api.listSaved();
    let corruptError = '';
    try {
      await api.load(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    } catch (error) {
      corruptError = error instanceof Error ? error.message : String(error);
    }
    await api.deleteSaved('e2e-check');
    return {
      backend: info.backend.backend,
      reason: info.backend.reason,
      results: info.backend.results.map((r) => `${r.name}: ${r.selfTest} ${r.stepMs?.toFixed(0) ?? '-'} ms ${r.error ?? ''}`),
      parameters: info.parameters,
      programs: samples.map((s) => s.text),
      stats,
      memoryBefore,
      savedBytes,
      loadedStep: loaded.step,
      saved,
      corruptError,
      memoryAfter: await api.memory(),
    };
  } finally {
    terminate();
  }
}
