/** Node entry of a helper model (src/model-service/node-model-helper.ts): a ModelService over comlink. */
import { parentPort } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { quietTfjs } from '../src/model/backend-node';
import { ModelService } from '../src/model-service/model-service';

if (!parentPort) throw new Error('model-helper.node.ts runs as a worker thread');
quietTfjs(); // tfjs's environment is per thread: mute its Node banner here too
Comlink.expose(new ModelService(), nodeEndpoint(parentPort));
