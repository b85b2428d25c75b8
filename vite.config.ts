import { createReadStream, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/** Cross-origin isolation, so that SharedArrayBuffer (Pyodide's interrupt buffer) exists. */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** Pyodide's runtime files, served from the npm package under /pyodide/: never from a CDN. */
const PYODIDE_FILES: Record<string, string> = {
  'pyodide.asm.mjs': 'text/javascript',
  'pyodide.asm.wasm': 'application/wasm',
  'python_stdlib.zip': 'application/zip',
  'pyodide-lock.json': 'application/json',
};
const pyodideDir = fileURLToPath(new URL('./node_modules/pyodide/', import.meta.url));

function pyodideAssets(): Plugin {
  return {
    name: 'tabula-pyodide-assets',
    configureServer(server) {
      server.middlewares.use('/pyodide/', (req, res, next) => {
        const name = (req.url ?? '').split('?')[0]!.replace(/^\//, '');
        const type = PYODIDE_FILES[name];
        if (!type) return next();
        res.setHeader('Content-Type', type);
        for (const [key, value] of Object.entries(ISOLATION_HEADERS)) res.setHeader(key, value);
        createReadStream(pyodideDir + name).pipe(res);
      });
    },
    generateBundle() {
      for (const name of Object.keys(PYODIDE_FILES)) {
        this.emitFile({ type: 'asset', fileName: `pyodide/${name}`, source: readFileSync(pyodideDir + name) });
      }
    },
  };
}

const port = Number(process.env.PORT ?? 4173);

export default defineConfig({
  plugins: [react(), pyodideAssets()],
  optimizeDeps: { exclude: ['pyodide'] },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
    rollupOptions: { input: { main: 'index.html', bench: 'bench.html' } },
  },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS, port, strictPort: true, host: '127.0.0.1' },
});
