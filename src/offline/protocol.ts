/**
 * What the build bakes into the service worker, and the messages between the page and it.
 * Types only at run time: the service worker (src/offline/sw.ts) is compiled on its own, so it
 * imports nothing but types from here, and the literal message names below are checked
 * against these types on both sides.
 */

/** Prefix of every Cache Storage cache the service worker owns (and may delete). */
export const CACHE_PREFIX = 'tabula-precache-';

/** Response header carrying a cached file's revision, to reuse unchanged files across versions. */
export const REVISION_HEADER = 'x-tabula-revision';

export interface PrecacheEntry {
  /** path relative to the build root (where sw.js is), e.g. `assets/main-abc123.js` */
  url: string;
  /** SHA-256 of the file, hex */
  revision: string;
  /** size in bytes */
  size: number;
}

export interface PrecacheManifest {
  /** content hash over every entry: names the cache, changes when any file changes */
  version: string;
  entries: PrecacheEntry[];
}

/** page → service worker, with a MessagePort to answer on */
export interface StatusRequest {
  type: 'tabula-sw:status';
}

/** service worker → page: whether every file of its version is in Cache Storage */
export interface StatusReply {
  type: 'tabula-sw:status';
  version: string;
  cached: number;
  total: number;
  complete: boolean;
}

/** service worker → every page in scope (controlled or not) while it installs */
export interface ProgressMessage {
  type: 'tabula-sw:progress';
  version: string;
  /** bytes stored so far / bytes in total */
  fraction: number;
}

/** service worker → every page in scope when precaching failed (the install is abandoned) */
export interface FailedMessage {
  type: 'tabula-sw:failed';
  version: string;
  message: string;
}

export type FromServiceWorker = StatusReply | ProgressMessage | FailedMessage;
