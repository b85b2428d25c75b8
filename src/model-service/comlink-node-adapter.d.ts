// comlink's own Node adapter, at the .mjs path Node's ESM loads; its shipped declaration sits at
// the extensionless path, which Node cannot import.
declare module 'comlink/dist/esm/node-adapter.mjs' {
  import type { Endpoint } from 'comlink';

  /** A worker_threads Worker or MessagePort: messages arrive as their data, not as events. */
  interface NodeMessagePort {
    postMessage(message: unknown, transfer?: readonly unknown[]): void;
    on(type: 'message', listener: (data: unknown) => void): unknown;
    off(type: 'message', listener: (data: unknown) => void): unknown;
  }
  export default function nodeEndpoint(port: NodeMessagePort): Endpoint;
}
