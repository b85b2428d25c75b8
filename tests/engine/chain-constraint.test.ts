import { describe, expect, it } from 'vitest';
import { splitArguments } from '../../src/engine/heldout';
import { ChainConstraint, splitChain } from '../../src/lang/chain-constraint';
import { messageConstraint } from '../../src/lang/constraint';
import { argumentsConstraint } from '../../src/lang/literal-grammar';
import { programConstraint } from '../../src/lang/program-grammar';
import { seededRandom, uniformWalk } from '../../src/lang/sampling';
import { createTokenizer } from '../../src/lang/tokenizer';
import { parseSignature } from '../../src/lang/types';

const tokenizer = createTokenizer();
const input = tokenizer.markers['<input>'];
const sep = tokenizer.markers['<sep>'];
const message = tokenizer.markers['<message>'];

describe('chained grammars', () => {
  it('writes a program, its marker, then arguments typed by that program', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const chain = new ChainConstraint(tokenizer, [
        { marker: -1, make: () => programConstraint(tokenizer, { maxTokens: 72 }) },
        { marker: input, make: (previous) => argumentsConstraint(tokenizer, parseSignature(previous[0]!), { maxTokens: 20 }) },
      ]);
      const tokens = uniformWalk(chain, seededRandom(seed), tokenizer.eos, 92);
      expect(tokens.filter((t) => t === input)).toHaveLength(1);
      const [program, args] = splitChain(tokenizer, tokens, [input]);
      expect(program).toMatch(/^def f\(/);
      const signature = parseSignature(program!)!;
      // As many top-level values as parameters: the arguments grammar saw the program's signature.
      expect(splitArguments(args!)).toHaveLength(signature.length);
    }
  });

  it('offers the next marker only where the current part may end', () => {
    const chain = new ChainConstraint(tokenizer, [
      { marker: -1, make: () => argumentsConstraint(tokenizer, ['int'], { maxTokens: 6 }) },
      { marker: sep, make: () => argumentsConstraint(tokenizer, ['int'], { maxTokens: 6 }) },
      { marker: message, make: () => messageConstraint(tokenizer, { maxTokens: 4 }) },
    ]);
    expect(chain.allowed()[sep]).toBe(0);
    expect(chain.allowed()[tokenizer.eos]).toBe(0);
    chain.advance(tokenizer.encode('7')[0]!);
    expect(chain.allowed()[sep]).toBe(1);
    expect(chain.allowed()[tokenizer.eos]).toBe(0);
    expect(chain.allowed()[message]).toBe(0);
    chain.advance(sep);
    chain.advance(tokenizer.encode('3')[0]!);
    expect(chain.allowed()[message]).toBe(1);
    chain.advance(message);
    expect(chain.allowed()[tokenizer.eos]).toBe(1);
    chain.advance(tokenizer.eos);
    expect(chain.finished).toBe(true);
  });

  it('splits a chained sequence back into its parts', () => {
    const ids = [...tokenizer.encode('1'), sep, ...tokenizer.encode("'ab'"), message, ...tokenizer.encode('hi'), tokenizer.eos];
    expect(splitChain(tokenizer, ids, [sep, message])).toEqual(['1', "'ab'", 'hi']);
    expect(splitChain(tokenizer, ids.slice(0, 2), [sep, message])).toEqual(['1', '']);
  });
});
