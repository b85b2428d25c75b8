/**
 * The page's main thread only renders and sends commands: the JavaScript it can load (the entry
 * script of index.html and every chunk reachable from it by import) holds no tfjs and no Pyodide.
 * The lint rules (biome.jsonc) forbid the direct imports; this catches one that sneaks in through
 * another module. Reads the build under test (E2E_DIST, default dist/).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';

const DIST = process.env.E2E_DIST ?? 'dist';
const ASSETS = join(DIST, 'assets');
/** Strings only tfjs (core and its wasm backend) and Pyodide's loader contain. */
const MARKERS = { tfjs: 'CHECK_COMPUTATION_FOR_ERRORS', 'tfjs wasm backend': 'WASM_HAS_MULTITHREAD_SUPPORT', Pyodide: 'loadPyodide' };

function mainThreadChunks(): Map<string, string> {
  const entry = readFileSync(join(DIST, 'index.html'), 'utf8').match(/<script type="module"[^>]*src="\/assets\/([^"]+\.js)"/)?.[1];
  if (!entry) throw new Error(`no module script in ${DIST}/index.html`);
  const chunks = new Map<string, string>();
  const visit = (name: string) => {
    if (chunks.has(name)) return;
    const text = readFileSync(join(ASSETS, name), 'utf8');
    chunks.set(name, text);
    // Static and dynamic imports alike: both run on this thread (workers are started by URL, not imported).
    for (const [, next] of text.matchAll(/(?:from|import)\s*\(?\s*["']\.\/([\w.-]+\.js)["']/g)) visit(next!);
  };
  visit(entry);
  return chunks;
}

test('the main thread loads no tfjs and no Pyodide', () => {
  const chunks = mainThreadChunks();
  const bytes = [...chunks.values()].reduce((sum, text) => sum + Buffer.byteLength(text), 0);
  console.log(`main-thread JavaScript: ${(bytes / 1000).toFixed(0)} KB in ${chunks.size} files (${[...chunks.keys()].join(', ')})`);
  for (const [name, text] of chunks) {
    for (const [what, marker] of Object.entries(MARKERS)) expect(text.includes(marker), `${name} holds ${what}`).toBe(false);
  }
  // The markers are real: the workers' bundles do hold them.
  const workers = readdirSync(ASSETS).filter((name) => /\.worker-.*\.js$/.test(name));
  const all = workers.map((name) => readFileSync(join(ASSETS, name), 'utf8')).join('\n');
  for (const marker of Object.values(MARKERS)) expect(all).toContain(marker);
  expect(bytes).toBeLessThan(600_000);
});
