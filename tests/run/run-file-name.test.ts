import { describe, expect, it } from 'vitest';
import { importErrorText } from '../../src/run/run-file-name';

describe('importErrorText', () => {
  const reason = "this is not a Tabula Zero run file (it does not start with a run file's signature)";

  it('tells a file with another extension that run files end in .tzrun', () => {
    expect(importErrorText('notes.txt', reason)).toBe(
      `Could not import notes.txt: ${reason}. Exported runs are files ending in .tzrun. Your saved runs are unchanged.`,
    );
  });

  it('tells a .tzrun file only what is wrong with it', () => {
    for (const name of ['run.tzrun', 'RUN.TZRUN']) {
      const text = importErrorText(name, 'the run file is damaged (its checksum does not match): it was cut short or changed');
      expect(text).toBe(
        `Could not import ${name}: the run file is damaged (its checksum does not match): it was cut short or changed. Your saved runs are unchanged.`,
      );
      expect(importErrorText(name, reason)).not.toContain('ending in');
    }
  });
});
