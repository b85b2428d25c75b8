/**
 * How close a wrong answer came to the right one, from 0 to 1, for `partialCredit` (rewards.ts):
 * by the text of the two reprs, or by their values. The subset's values are ints, bools, strings,
 * lists and tuples, so a small reader of their reprs is enough.
 */

/**
 * By text: 1 - the edit distance of two strings over the longer one's length (two empty strings:
 * 1); of two reprs, `'abc'` and `'abd'`: 0.8, `12` and `13`: 0.5.
 */
export function reprCloseness(got: string, want: string): number {
  const longer = Math.max(got.length, want.length);
  if (longer === 0) return 1;
  // One row of the Levenshtein table at a time.
  let row = Array.from({ length: want.length + 1 }, (_, j) => j);
  for (let i = 1; i <= got.length; i++) {
    const next = [i];
    for (let j = 1; j <= want.length; j++) {
      next.push(Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (got[i - 1] === want[j - 1] ? 0 : 1)));
    }
    row = next;
  }
  return 1 - row[want.length]! / longer;
}

type Value = { kind: 'int'; value: number } | { kind: 'str'; value: string } | { kind: 'list' | 'tuple'; items: Value[] };

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };

/** Reads one repr of the subset's values, or null for anything else (a float, a dict, None, bad text). */
export function readValue(repr: string): Value | null {
  let i = 0;
  const space = () => {
    while (repr[i] === ' ') i++;
  };
  const read = (): Value | null => {
    space();
    const ch = repr[i];
    if (ch === "'" || ch === '"') {
      let text = '';
      for (i++; i < repr.length && repr[i] !== ch; i++) {
        if (repr[i] !== '\\') text += repr[i];
        else {
          const next = repr[++i]!;
          const hex = next === 'x' ? 2 : next === 'u' ? 4 : 0;
          if (hex) {
            text += String.fromCharCode(Number.parseInt(repr.slice(i + 1, i + 1 + hex), 16));
            i += hex;
          } else text += ESCAPES[next] ?? `\\${next}`;
        }
      }
      if (repr[i] !== ch) return null;
      i++;
      return { kind: 'str', value: text };
    }
    if (ch === '[' || ch === '(') {
      const close = ch === '[' ? ']' : ')';
      const items: Value[] = [];
      i++;
      space();
      while (repr[i] !== close) {
        const item = read();
        if (!item) return null;
        items.push(item);
        space();
        if (repr[i] === ',') i++;
        else if (repr[i] !== close) return null;
        space();
      }
      i++;
      return { kind: ch === '[' ? 'list' : 'tuple', items };
    }
    const word = /^(?:True|False|-?\d+)/.exec(repr.slice(i));
    if (!word) return null;
    i += word[0].length;
    // bools are ints to Python's ==, and so here
    return { kind: 'int', value: word[0] === 'True' ? 1 : word[0] === 'False' ? 0 : Number(word[0]) };
  };
  const value = read();
  space();
  return value && i === repr.length ? value : null;
}

function closenessOf(got: Value, want: Value): number {
  if (got.kind === 'int' && want.kind === 'int') return 1 / (1 + Math.abs(got.value - want.value));
  if (got.kind === 'str' && want.kind === 'str') return reprCloseness(got.value, want.value);
  if ((got.kind === 'list' && want.kind === 'list') || (got.kind === 'tuple' && want.kind === 'tuple')) {
    const longer = Math.max(got.items.length, want.items.length);
    if (longer === 0) return 1;
    let sum = 0;
    for (let k = 0; k < Math.min(got.items.length, want.items.length); k++) sum += closenessOf(got.items[k]!, want.items[k]!);
    return sum / longer;
  }
  return 0;
}

/**
 * By value: ints (and bools) by their distance, 1 / (1 + |a - b|) (`12` and `13`: 0.5, `8` and
 * `2`: 1/7); strings by the edit distance of their characters, without the quotes that every
 * string shares; lists and tuples item by item, over the longer one's length; values of different
 * types 0. A repr it cannot read falls back to reprCloseness.
 */
export function valueCloseness(got: string, want: string): number {
  const a = readValue(got);
  const b = readValue(want);
  return a && b ? closenessOf(a, b) : reprCloseness(got, want);
}
