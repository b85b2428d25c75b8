#!/usr/bin/env node
// Runs every test: Vitest (Node) then Playwright (the built app in the system Chromium), and
// ends with one summary line over both, `tests: N passed, M failed`. Exits non-zero on any
// failure, or when a runner reports no tests at all.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const RESULTS = 'test-reports'; // not Playwright's outputDir, which it empties on start
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function run(command, args, env = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status ?? 1;
}

function ensureChromium() {
  if (existsSync(chromium)) return;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root && existsSync('/usr/bin/apt-get')) {
    console.log("Chromium is missing: installing Debian's chromium package");
    const env = { DEBIAN_FRONTEND: 'noninteractive' };
    if (run('apt-get', ['update', '-qq'], env) === 0 && run('apt-get', ['install', '-y', '-qq', 'chromium'], env) === 0) return;
  }
  console.error(`No Chromium at ${chromium}. Install it (Debian: apt-get install chromium) or set CHROMIUM_PATH.`);
  process.exit(1);
}

function counts(file, read) {
  try {
    return read(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return { passed: 0, failed: 0, skipped: 0, missing: true };
  }
}

ensureChromium();
rmSync(RESULTS, { recursive: true, force: true });
mkdirSync(RESULTS, { recursive: true });

const unitStatus = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile=${RESULTS}/vitest.json`]);
const buildStatus = run('npx', ['vite', 'build', '--logLevel', 'error']);
const e2eStatus = buildStatus === 0 ? run('npx', ['playwright', 'test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: `${RESULTS}/e2e.json` }) : 1;

const unit = counts(`${RESULTS}/vitest.json`, (r) => ({
  passed: r.numPassedTests,
  failed: r.numFailedTests,
  skipped: r.numPendingTests + r.numTodoTests,
}));
const e2e = counts(`${RESULTS}/e2e.json`, (r) => ({
  passed: r.stats.expected,
  failed: r.stats.unexpected + r.stats.flaky,
  skipped: r.stats.skipped,
}));
const passed = unit.passed + e2e.passed;
const failed = unit.failed + e2e.failed + (unit.missing ? 1 : 0) + (e2e.missing ? 1 : 0);
const skipped = unit.skipped + e2e.skipped;
console.log(`\nunit (Vitest): ${unit.passed} passed, ${unit.failed} failed${unit.missing ? ' (no report)' : ''}`);
console.log(`e2e (Playwright, Chromium): ${e2e.passed} passed, ${e2e.failed} failed${e2e.missing ? ' (no report)' : ''}`);
const ok = unitStatus === 0 && e2eStatus === 0 && failed === 0 && passed > 0;
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(ok ? 0 : 1);
