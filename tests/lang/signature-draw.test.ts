/**
 * Drawn signatures: the parameter types of a grammar walk's `def` line, which self-play imposes
 * on each proposal. Every draw must be one the program grammar can then write a whole program
 * for, at every level and within the tight tiny budget, and the draws must spread over the types.
 */
import { describe, expect, it } from 'vitest';
import { PROGRAM_LEVELS } from '../../src/lang/levels';
import { programConstraint } from '../../src/lang/program-grammar';
import { seededRandom, structuredWeights, uniformWalk } from '../../src/lang/sampling';
import { drawSignature } from '../../src/lang/signature-draw';
import { createTokenizer } from '../../src/lang/tokenizer';
import { type ParamType, parseSignature } from '../../src/lang/types';

const tokenizer = createTokenizer();
const weights = structuredWeights(tokenizer);
const PARAM_TYPES: ParamType[] = ['bool', 'int', 'list[int]', 'list[str]', 'str'];

describe('drawSignature', () => {
  it('draws signatures a program of the same level and budget can take, over every parameter type', () => {
    const random = seededRandom(7);
    for (const level of PROGRAM_LEVELS) {
      const firstTypes = new Map<string, number>();
      let multi = 0;
      for (let i = 0; i < 300; i++) {
        const signature = drawSignature(tokenizer, { maxTokens: 72, level }, random, weights);
        expect(signature.length).toBeGreaterThanOrEqual(1);
        firstTypes.set(signature[0]!, (firstTypes.get(signature[0]!) ?? 0) + 1);
        if (signature.length > 1) multi += 1;
        // the proposer's grammar, told the signature, writes a whole program that takes it
        const code = tokenizer.decode(uniformWalk(programConstraint(tokenizer, { maxTokens: 72, level, signature }), random, tokenizer.eos, 72));
        expect(parseSignature(code)).toEqual(signature);
      }
      // every type leads some signatures, and no type more than half (the proposer's collapse was all one type)
      expect([...firstTypes.keys()].sort()).toEqual(PARAM_TYPES);
      expect(Math.max(...firstTypes.values())).toBeLessThan(150);
      expect(multi).toBeGreaterThan(0);
    }
  });

  it('is the same for the same random stream', () => {
    const draw = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 40 }, () => drawSignature(tokenizer, { maxTokens: 72, level: 2 }, random, weights).join(','));
    };
    expect(draw(3)).toEqual(draw(3));
    expect(draw(3)).not.toEqual(draw(4));
  });

  it('refuses a budget too small for a def line', () => {
    expect(() => drawSignature(tokenizer, { maxTokens: 3 }, seededRandom(1), weights)).toThrow();
  });
});
