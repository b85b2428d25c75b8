/**
 * The import-boundary check (biome.jsonc, run by `npm run lint`) must fail on a back-edge. Each
 * case writes a few files into a scratch tree under the project's real configuration and asks
 * Biome what it finds there, so the rules are tested without touching src/.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const BIOME = join(ROOT, 'node_modules/.bin/biome');
const scratch = mkdtempSync(join(tmpdir(), 'tabula-boundaries-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let cases = 0;

interface Finding {
  path: string;
  rule: string;
}

/** Lints `files` (path -> source) laid out under a fresh copy of the project's configuration. */
function lint(files: Record<string, string>): Finding[] {
  const dir = join(scratch, String(cases++));
  mkdirSync(dir);
  copyFileSync(join(ROOT, 'biome.jsonc'), join(dir, 'biome.jsonc'));
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), source);
  }
  let out: string;
  try {
    out = execFileSync(BIOME, ['lint', '--reporter=json', '.'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (error) {
    out = (error as { stdout: string }).stdout; // exit 1: it found errors
  }
  const report = JSON.parse(out) as { diagnostics: { category: string; location: { path: string } }[] };
  return report.diagnostics.map((d) => ({ path: d.location.path, rule: d.category.replace('lint/', '') }));
}

const importing = (specifier: string) => `import * as m from '${specifier}';\nexport const used = m;\n`;
const restricted = (path: string): Finding => ({ path, rule: 'style/noRestrictedImports' });

describe('import boundaries', () => {
  it('flags a layer importing one above it', () => {
    expect(
      lint({
        'src/engine/a.ts': importing('../ui/App'),
        'src/engine/b.ts': importing('../run/run-file'),
        'src/model-service/c.ts': importing('../executor/pool'),
        'src/lang/d.ts': importing('../model/config'),
        'src/executor/e.ts': importing('../lang/tokenizer'),
        'src/model/f.ts': importing('../engine/config'),
        'src/cli/g.ts': importing('../ui/App'),
      }),
    ).toEqual(
      expect.arrayContaining(
        ['src/engine/a.ts', 'src/engine/b.ts', 'src/model-service/c.ts', 'src/lang/d.ts', 'src/executor/e.ts', 'src/model/f.ts', 'src/cli/g.ts'].map(
          restricted,
        ),
      ),
    );
  });

  it('keeps tfjs, Pyodide, the model and storage off the page, however deep the file', () => {
    const findings = lint({
      'src/ui/charts/a.tsx': importing('@tensorflow/tfjs'),
      'src/ui/b.tsx': importing('pyodide'),
      'src/ui/charts/c.ts': importing('../../model/train'),
      'src/ui/d.ts': importing('../model-service/model-service'),
      'src/ui/e.ts': importing('../storage/indexed-db'),
    });
    expect(findings).toHaveLength(5);
    expect(findings.every((f) => f.rule === 'style/noRestrictedImports')).toBe(true);
  });

  it('lets the engine reach the model only through the model service (and read the presets)', () => {
    expect(lint({ 'src/engine/a.ts': importing('../model/train') })).toEqual([restricted('src/engine/a.ts')]);
    expect(lint({ 'src/engine/a.ts': importing('../model/config'), 'src/engine/b.ts': importing('../model-service/model-service') })).toEqual([]);
  });

  it('allows the edges that point down', () => {
    expect(
      lint({
        'src/ui/a.ts': importing('../run/run-file-name'),
        'src/run/b.ts': importing('../engine/self-play'),
        'src/model/c.ts': importing('../lang/tokenizer'),
        'src/model/d.ts': importing('../shared/rng'),
        'src/cli/e.ts': importing('../model/train'),
      }),
    ).toEqual([]);
  });

  it('flags an import cycle', () => {
    const findings = lint({ 'src/lang/a.ts': importing('./b'), 'src/lang/b.ts': importing('./a') });
    expect(findings).toEqual([
      { path: 'src/lang/a.ts', rule: 'suspicious/noImportCycles' },
      { path: 'src/lang/b.ts', rule: 'suspicious/noImportCycles' },
    ]);
  });
});
