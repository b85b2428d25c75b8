/**
 * `tabula bench executor --json` runs all four executors and reports figures that hang
 * together. It checks what the bench prints, not how fast anything is (speed goals are read
 * off the bench itself, never asserted in tests).
 */
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const BIN = new URL('../../bin/tabula.mjs', import.meta.url).pathname;

describe('tabula bench executor', () => {
  it('prints one JSON object with every executor and the ratios', async () => {
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile('node', [BIN, 'bench', 'executor', '--rounds', '1', '--json'], { maxBuffer: 1 << 20 }, (error, out) => (error ? reject(error) : resolve(out))),
    );
    const report = JSON.parse(stdout);
    expect(report.programs).toBe(800);
    for (const key of ['node', 'browser', 'pool', 'harnessPool', 'single']) {
      expect(report[key].ok, key).toBe(800);
      expect(report[key].programsPerSec, key).toBeGreaterThan(0);
    }
    expect(report.nodeVsPool).toBeCloseTo(report.node.programsPerSec / report.pool.programsPerSec, 1);
    expect(report.browserVsPool).toBeCloseTo(report.browser.programsPerSec / report.pool.programsPerSec, 1);
    expect(report.nodeVsHarnessPool).toBeCloseTo(report.node.programsPerSec / report.harnessPool.programsPerSec, 1);
  }, 180_000);
});
