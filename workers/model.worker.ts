/// <reference lib="webworker" />
/** Browser entry of the model worker: training, sampling and masking, off the main thread. */
import * as Comlink from 'comlink';
import { BrowserModelService } from '../src/model-service/browser-model-service';

const wasmPaths = new URL(`${import.meta.env.BASE_URL}tfjs-wasm/`, self.location.origin).href;
Comlink.expose(new BrowserModelService(wasmPaths));
