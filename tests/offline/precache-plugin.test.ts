import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { buildServiceWorker, precacheManifest } from '../../src/offline/precache-plugin';

const files = () =>
  new Map<string, string | Uint8Array>([
    ['index.html', '<!doctype html>'],
    ['assets/main-abc.js', 'console.log(1)'],
    ['pyodide/pyodide.asm.wasm', new Uint8Array([0, 97, 115, 109])],
  ]);

describe('the precache manifest', () => {
  it('lists every file, sorted, with its SHA-256 and size', () => {
    const { entries } = precacheManifest(files());
    expect(entries.map((entry) => entry.url)).toEqual(['assets/main-abc.js', 'index.html', 'pyodide/pyodide.asm.wasm']);
    expect(entries[2]).toMatchObject({ size: 4, revision: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('changes version when any file changes, and only then', () => {
    const changed = files().set('pyodide/pyodide.asm.wasm', new Uint8Array([0, 97, 115, 110]));
    expect(precacheManifest(files()).version).toBe(precacheManifest(files()).version);
    expect(precacheManifest(changed).version).not.toBe(precacheManifest(files()).version);
  });
});

describe('the service worker script', () => {
  it('is a classic script with the list and its settings baked in', async () => {
    const manifest = precacheManifest(files());
    const script = await buildServiceWorker({ manifest, headers: { 'Cross-Origin-Embedder-Policy': 'require-corp' }, navigationFallback: 'index.html' });
    expect(() => new Script(script)).not.toThrow();
    expect(script).not.toMatch(/^\s*(import|export)\b/m);
    expect(script).toContain(manifest.version);
    expect(script).toContain('"assets/main-abc.js"');
    expect(script).toContain('"tabula-precache-"');
  });
});
