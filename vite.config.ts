import { createReadStream, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { tfjsThreads } from './src/build/tfjs-threads-plugin.ts';
import { precache } from './src/offline/precache-plugin.ts';

/** Cross-origin isolation, so that SharedArrayBuffer (Pyodide's interrupt buffer) exists. */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * Runtime files served from their npm packages under a local path (never from a CDN), in dev
 * by middleware and in the build as emitted assets: Pyodide's runtime and tfjs's wasm kernels.
 */
const LOCAL_ASSETS: Record<string, { dir: string; files: Record<string, string> }> = {
  pyodide: {
    dir: fileURLToPath(new URL('./node_modules/pyodide/', import.meta.url)),
    files: {
      'pyodide.asm.mjs': 'text/javascript',
      'pyodide.asm.wasm': 'application/wasm',
      'python_stdlib.zip': 'application/zip',
      'pyodide-lock.json': 'application/json',
    },
  },
  'tfjs-wasm': {
    dir: fileURLToPath(new URL('./node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url)),
    files: {
      'tfjs-backend-wasm.wasm': 'application/wasm',
      'tfjs-backend-wasm-simd.wasm': 'application/wasm',
      'tfjs-backend-wasm-threaded-simd.wasm': 'application/wasm',
    },
  },
};

function localAssets(): Plugin {
  return {
    name: 'tabula-local-assets',
    configureServer(server) {
      for (const [prefix, { dir, files }] of Object.entries(LOCAL_ASSETS)) {
        server.middlewares.use(`/${prefix}/`, (req, res, next) => {
          const name = (req.url ?? '').split('?')[0]!.replace(/^\//, '');
          const type = files[name];
          if (!type) return next();
          res.setHeader('Content-Type', type);
          for (const [key, value] of Object.entries(ISOLATION_HEADERS)) res.setHeader(key, value);
          createReadStream(dir + name).pipe(res);
        });
      }
    },
    generateBundle() {
      for (const [prefix, { dir, files }] of Object.entries(LOCAL_ASSETS)) {
        for (const name of Object.keys(files)) {
          this.emitFile({ type: 'asset', fileName: `${prefix}/${name}`, source: readFileSync(dir + name) });
        }
      }
    },
  };
}

const port = Number(process.env.PORT ?? 4173);

export default defineConfig({
  // precache: emits /sw.js (vite build only), which serves the whole build offline after a first visit.
  plugins: [react(), localAssets(), tfjsThreads(), precache({ headers: ISOLATION_HEADERS })],
  optimizeDeps: { exclude: ['pyodide'] },
  // tfjs lives in the model worker's bundle: the threads fix must apply there.
  worker: { format: 'es', plugins: () => [tfjsThreads()] },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
    rollupOptions: { input: { main: 'index.html', bench: 'bench.html' } },
  },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS, port, strictPort: true, host: '127.0.0.1' },
});
