/**
 * JSONL text line by line: the one reader behind the held-out set, task files and run folders.
 * Blank lines are skipped; line numbers count every line of the text, blank ones too, so an
 * error points at the line an editor shows.
 */

export type JsonlLine = { line: number; record: Record<string, unknown> } | { line: number; problem: 'not valid JSON' | 'not a JSON object' };

export function jsonlLines(text: string): JsonlLine[] {
  const out: JsonlLine[] = [];
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === '') return;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      out.push({ line: index + 1, problem: 'not valid JSON' });
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) out.push({ line: index + 1, problem: 'not a JSON object' });
    else out.push({ line: index + 1, record: value as Record<string, unknown> });
  });
  return out;
}
