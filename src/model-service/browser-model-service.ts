/**
 * The model service as the browser's model worker offers it: the wasm kernels served by the
 * app, and checkpoints kept in IndexedDB. workers/model.worker.ts exposes it over comlink.
 */
import type { BackendName } from '../model/backend';
import type { PresetName } from '../model/config';
import { type ModelMeasurement, measureModel } from '../model/measure';
import { spawnBrowserModelHelper } from './browser-model-helper';
import { deleteCheckpoint, listCheckpoints, readCheckpoint, writeCheckpoint } from './checkpoint-store';
import { type ModelInfo, type ModelInit, ModelService } from './model-service';

export class BrowserModelService extends ModelService {
  constructor(private readonly wasmPaths: string) {
    super();
  }

  override init(options: ModelInit): Promise<ModelInfo> {
    return super.init({ wasmPaths: this.wasmPaths, spawnHelper: spawnBrowserModelHelper, ...options });
  }

  /** Saves the whole state under a name; returns its size in bytes. */
  async saveTo(name: string): Promise<number> {
    const bytes = await this.save();
    await writeCheckpoint(name, bytes);
    return bytes.byteLength;
  }

  async loadFrom(name: string): Promise<ModelInfo> {
    const bytes = await readCheckpoint(name);
    if (!bytes) throw new Error(`no saved checkpoint named "${name}"`);
    return this.load(bytes);
  }

  listSaved(): Promise<string[]> {
    return listCheckpoints();
  }

  deleteSaved(name: string): Promise<void> {
    return deleteCheckpoint(name);
  }

  /** `tabula bench model` in the browser: times a preset on one backend (wasm: with `threads`), in this worker. */
  measure(preset: PresetName, backend: BackendName, threads = 1): Promise<ModelMeasurement> {
    return measureModel(preset, backend, { vocab: this.tokenizer.size, wasmPaths: this.wasmPaths, threads });
  }
}
