/// <reference lib="webworker" />
/**
 * Browser entry of the trainer worker: the model, the Python executor (its workers nested in
 * this one) and the self-play loop, behind comlink. The page only renders what it reports.
 */
import * as Comlink from 'comlink';
import heldoutText from '../data/heldout.jsonl?raw';
import { readHeldout } from '../src/engine/heldout';
import { createBrowserExecutor } from '../src/executor/browser-executor';
import { BrowserModelService } from '../src/model-service/browser-model-service';
import { RunController } from '../src/run/run-controller';
import { processLocks, webLocks } from '../src/run/run-locks';
import * as storage from '../src/run/run-store';

const wasmPaths = new URL(`${import.meta.env.BASE_URL}tfjs-wasm/`, self.location.origin).href;

/** Web Locks keep one writer per run across tabs; without them (an old browser) only within this tab. */
function locks() {
  if (navigator.locks) return webLocks(navigator.locks);
  console.warn('This browser has no Web Locks: two tabs of one run could both save it.');
  return processLocks();
}

Comlink.expose(
  new RunController({
    model: new BrowserModelService(wasmPaths),
    startExecutor: (options) => createBrowserExecutor(options),
    heldout: readHeldout(heldoutText),
    storage,
    locks: locks(),
    modelInit: { wasmPaths },
  }),
);
