import { describe, expect, it } from 'vitest';
import { readValue, reprCloseness, valueCloseness } from '../../src/engine/closeness';

describe('closeness of a wrong answer, by repr', () => {
  it('measures closeness as 1 - edit distance over the longer repr', () => {
    expect(reprCloseness("'abc'", "'abd'")).toBeCloseTo(0.8);
    expect(reprCloseness('12', '13')).toBeCloseTo(0.5);
    expect(reprCloseness('[1, 2]', '[1, 2]')).toBe(1);
    expect(reprCloseness('7', "'xyz'")).toBe(0);
    // a dropped character and an insertion each cost one edit
    expect(reprCloseness("'vrw'", "'vdrw'")).toBeCloseTo(1 - 1 / 6);
    expect(reprCloseness('', '')).toBe(1);
    expect(reprCloseness('', '42')).toBe(0);
  });
});

describe('closeness of a wrong answer, by value', () => {
  it("reads the subset's reprs: ints, bools as ints, strings with escapes, lists and tuples", () => {
    expect(readValue('-12')).toEqual({ kind: 'int', value: -12 });
    expect(readValue('True')).toEqual({ kind: 'int', value: 1 });
    expect(readValue("'a\\'b\\n\\x41'")).toEqual({ kind: 'str', value: "a'b\nA" });
    expect(readValue('"it\'s"')).toEqual({ kind: 'str', value: "it's" });
    expect(readValue("[1, ['x'], (2,)]")).toEqual({
      kind: 'list',
      items: [
        { kind: 'int', value: 1 },
        { kind: 'list', items: [{ kind: 'str', value: 'x' }] },
        { kind: 'tuple', items: [{ kind: 'int', value: 2 }] },
      ],
    });
    expect(readValue('()')).toEqual({ kind: 'tuple', items: [] });
  });

  it('refuses what is not one value of the subset', () => {
    for (const bad of ['1.5', 'None', "{'a': 1}", '[1, 2', "'open", '1 2', '']) expect(readValue(bad)).toBeNull();
  });

  it('measures numbers by their distance, not by their digits', () => {
    expect(valueCloseness('12', '13')).toBeCloseTo(0.5);
    expect(valueCloseness('8', '2')).toBeCloseTo(1 / 7);
    // by repr these two share no character; by value they are neighbours
    expect(reprCloseness('9', '10')).toBe(0);
    expect(valueCloseness('9', '10')).toBeCloseTo(0.5);
    expect(valueCloseness('False', '1')).toBeCloseTo(0.5);
  });

  it('measures strings by their characters, without the quotes every string shares', () => {
    expect(valueCloseness("'xyz'", "'abc'")).toBe(0);
    expect(reprCloseness("'xyz'", "'abc'")).toBeCloseTo(0.4);
    expect(valueCloseness("'vrw'", "'vdrw'")).toBeCloseTo(0.75);
    expect(valueCloseness("''", "'ab'")).toBe(0);
  });

  it('measures lists and tuples item by item over the longer, and different types as 0', () => {
    expect(valueCloseness('[1, 5]', '[1, 2, 3]')).toBeCloseTo((1 + 0.25) / 3);
    expect(valueCloseness('[]', '[]')).toBe(1);
    expect(valueCloseness('(1, 2)', '[1, 2]')).toBe(0);
    expect(valueCloseness("'7'", '7')).toBe(0);
  });

  it('falls back to the reprs for a value it cannot read', () => {
    expect(valueCloseness('None', 'Nine')).toBeCloseTo(reprCloseness('None', 'Nine'));
  });
});
