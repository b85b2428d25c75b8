/**
 * Uniform random walks through a constraint: the baseline a random model gives, used by the
 * tests and by scripts/measure-validity.ts.
 */
import type { TokenConstraint } from './constraint';
import type { Tokenizer } from './tokenizer';

/** A small seeded generator (mulberry32): same seed, same walk, in Node and in the browser. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Picks allowed tokens uniformly at random until eos; returns the tokens, eos excluded.
 * Throws if the constraint ever allows nothing or runs past `limit` tokens.
 */
export function uniformWalk(constraint: TokenConstraint, random: () => number, eos: number, limit: number): number[] {
  const tokens: number[] = [];
  const choices: number[] = [];
  while (!constraint.finished) {
    const mask = constraint.allowed();
    choices.length = 0;
    for (let id = 0; id < mask.length; id++) if (mask[id]) choices.push(id);
    if (choices.length === 0) throw new Error('the constraint allows no token');
    const token = choices[Math.floor(random() * choices.length)]!;
    constraint.advance(token);
    if (token !== eos) tokens.push(token);
    if (tokens.length + 1 > limit) throw new Error(`the walk ran past ${limit} tokens`);
  }
  return tokens;
}

/**
 * Like uniformWalk, but each allowed token is picked with probability proportional to
 * weights[token]: a cheap stand-in for a model with habits (short expressions, many lines).
 */
export function weightedWalk(constraint: TokenConstraint, random: () => number, eos: number, limit: number, weights: ArrayLike<number>): number[] {
  const tokens: number[] = [];
  while (!constraint.finished) {
    const token = weightedChoice(constraint.allowed(), weights, random);
    constraint.advance(token);
    if (token !== eos) tokens.push(token);
    if (tokens.length + 1 > limit) throw new Error(`the walk ran past ${limit} tokens`);
  }
  return tokens;
}

/** One token the mask allows, picked with probability proportional to weights[token]. */
export function weightedChoice(mask: Uint8Array, weights: ArrayLike<number>, random: () => number): number {
  let total = 0;
  for (let id = 0; id < mask.length; id++) if (mask[id]) total += weights[id]!;
  if (total <= 0) throw new Error('the constraint allows no token');
  let pick = random() * total;
  let token = -1;
  for (let id = 0; id < mask.length; id++) {
    if (!mask[id]) continue;
    token = id;
    pick -= weights[id]!;
    if (pick < 0) break;
  }
  return token;
}

/**
 * Weights for weightedWalk that make programs look more like code than a uniform walk does:
 * lines end and brackets close often, method chains and operators are rare, statements
 * (loops, ifs) are common. Used to exercise the statement grammar, not to model anything.
 */
export function structuredWeights(tokenizer: Tokenizer): Float64Array {
  const weights = new Float64Array(tokenizer.size).fill(1);
  const set = (texts: string[], weight: number) => {
    for (const text of texts) weights[tokenizer.id(text)] = weight;
  };
  for (let id = 0; id < tokenizer.size; id++) {
    const text = tokenizer.text(id);
    const opensCall = text.length > 2 && text.endsWith('(');
    if (text.startsWith('.') || opensCall || text === '[' || text === '(' || text === '[::-1]') weights[id] = 0.15;
  }
  set([' + ', ' - ', ' * ', ' // ', ' % ', ' and ', ' or ', ' if ', ' == ', ' < ', ' > ', ' != ', ' <= ', ' >= ', ' in ', ' not in '], 0.3);
  set([')', ']', "'", '\n', ':', '<eos>'], 10);
  set(['if ', 'else:', 'elif ', '    ', '.append(', ' += '], 5);
  set(['for ', 'range(', 'len('], 8);
  // The 90 pairs '10'..'99' together weigh as much as the 10 digits: ints of two digits are not
  // nine times as likely as ints of one.
  for (let pair = 10; pair < 100; pair++) weights[tokenizer.id(String(pair))] = 10 / 90;
  return weights;
}
