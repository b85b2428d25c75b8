/**
 * Program levels: a curriculum over the program grammar. Level 1 writes one-line programs, level
 * 4 the whole subset. `programConstraint(tokenizer, { maxTokens, level })` applies a level's
 * limits (docs/language.md, "Levels"); without a level the grammar is the whole subset.
 */

export type ProgramLevel = 1 | 2 | 3 | 4;

export const PROGRAM_LEVELS: readonly ProgramLevel[] = [1, 2, 3, 4];

export interface LevelSpec {
  /** Cap on the program's token budget, eos included (the caller's maxTokens may be lower). */
  maxTokens: number;
  /**
   * Lines of the body before the final `return`: every statement, compound header, `else:`
   * and statement inside a block counts as one.
   */
  maxStatements: number;
  /** Whether `if` and `for` may be written. */
  compound: boolean;
  /** Deepest block: the body is 1, so 2 allows blocks inside the body but none inside those. */
  maxBlockDepth: number;
  /**
   * Most brackets (calls, list displays, parentheses, subscripts, `range(...)`) open at once in
   * an expression: `len(s)` needs 1, `len(sorted(s))` 2.
   */
  maxNesting: number;
  /**
   * The rules against degenerate programs (level-rules.ts): values start from names, the
   * final `return` starts from a parameter (or a local that depends on one), no value is written
   * and never read.
   */
  nonDegenerate: boolean;
  /** Whether a new name may start as a one-token literal, to be updated later: `x = 0`, `t = ''`, `lst = []`. */
  initializers: boolean;
  describe: string;
}

export const LEVEL_SPECS: Record<ProgramLevel, LevelSpec> = {
  1: {
    maxTokens: 13,
    maxStatements: 0,
    compound: false,
    maxBlockDepth: 1,
    maxNesting: 1,
    nonDegenerate: true,
    initializers: false,
    describe: 'one line: return an expression of the parameters',
  },
  2: {
    maxTokens: 28,
    maxStatements: 2,
    compound: false,
    maxBlockDepth: 1,
    maxNesting: 2,
    nonDegenerate: true,
    initializers: false,
    describe: 'up to 2 simple statements (assignments, updates, list calls), then return',
  },
  3: {
    maxTokens: 48,
    maxStatements: 4,
    compound: true,
    maxBlockDepth: 2,
    maxNesting: 2,
    nonDegenerate: true,
    initializers: true,
    describe: 'if and for with one level of blocks, up to 4 lines before the return',
  },
  4: {
    maxTokens: Infinity,
    maxStatements: Infinity,
    compound: true,
    maxBlockDepth: 4,
    maxNesting: Infinity,
    nonDegenerate: false,
    initializers: true,
    describe: 'the whole subset',
  },
};

/** The token budget a program of this level gets when the caller allows maxTokens. */
export function levelBudget(level: ProgramLevel, maxTokens: number): number {
  const spec = LEVEL_SPECS[level];
  if (!spec) throw new Error(`level must be one of ${PROGRAM_LEVELS.join(', ')}, not ${String(level)}`);
  return Math.min(maxTokens, spec.maxTokens);
}

/** Open frames past which an expression opens no more brackets, for a nesting limit (see ExprFrame.deep). */
export function openFrameLimit(maxNesting: number, fallback: number): number {
  // A statement's expression is frame 3 (program, statement, expression); every bracket adds 2.
  return Number.isFinite(maxNesting) ? Math.min(fallback, 2 * maxNesting + 2) : fallback;
}
