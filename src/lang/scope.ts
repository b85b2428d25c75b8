/**
 * What the program grammar knows about names while a program is being written: which are bound,
 * which may not be assigned, which index is safe for which sequence, and the comprehensions open
 * around the current expression.
 */
import { isSequence, iterablesOf, TYPED_NAMES } from './types';

/**
 * Tokens promised once a comprehension's element uses its loop variable before the `for`
 * that binds it (`[x * 2` commits to ` for x in it`): ` for `, the name, ` in `, one token.
 */
export const PROMISE = 4;

export interface Comprehension {
  /** The name used in the element before its `for` (index into TYPED_NAMES), or -1. */
  pending: number;
  /** True while the element is being written; false from its ` for ` on. */
  inElement: boolean;
}

export type BlockKind = 'def' | 'if' | 'elif' | 'else' | 'for';

export interface Block {
  /** Indent level of the block's statements (the function body is 1). */
  depth: number;
  kind: BlockKind;
  statements: number;
  /** A `return` was the last statement: the block takes no more statements. */
  returned: boolean;
  /** Names first bound in this block: unbound again when it closes. */
  defined: number[];
  /** Names this block froze (loop variables, iterated sequences). */
  frozen: number[];
  /** Index facts this block added. */
  facts: number;
  /** A number no other block of the program has (the level rules tell blocks apart by it). */
  id: number;
  /** Level rules: whether running this block depends on a parameter (its condition or iterable, or an outer block's). */
  control: boolean;
  /** Level rules, `if`/`elif` blocks: whether a condition of the chain so far read a parameter. */
  chainTaint: boolean;
}

export class Scope {
  readonly count = TYPED_NAMES.length;
  readonly types = TYPED_NAMES.map((name) => name.type);
  /** How many constructs bind each name (statements, loops, comprehensions). */
  readonly bound = new Uint8Array(this.count);
  /** Names that may not be assigned or mutated: loop variables and the sequences loops walk. */
  readonly frozen = new Uint8Array(this.count);
  /** Names assigned or mutated inside the loops now open (cleared when the outermost closes). */
  readonly loopUpdated = new Uint8Array(this.count);
  loopDepth = 0;
  /** `index` is a valid index of `sequence`: `for i in range(len(s))`, `for i, c in enumerate(s)`. */
  readonly facts: { index: number; sequence: number }[] = [];
  readonly comprehensions: Comprehension[] = [];
  /**
   * Set while the right side of an assignment to a sequence inside a loop is written: it may not
   * read sequences assigned in the loop, so no value can double in size on every iteration.
   */
  restrictSequenceReads = false;
  readonly blocks: Block[] = [];
  /**
   * Level rules (levels.ts): names whose value may depend on a parameter. Cleared when a name is
   * unbound; only the level rules set it.
   */
  readonly tainted = new Uint8Array(this.count);
  private nextBlockId = 0;

  /** 0: the name cannot be read here; 1: it can; 2: it can, as a comprehension's loop variable used before its `for`. */
  readable(name: number): 0 | 1 | 2 {
    if (this.bound[name]! > 0 || this.isPending(name)) {
      if (this.restrictSequenceReads && this.loopUpdated[name] && isSequence(this.types[name]!)) return 0;
      return 1;
    }
    const innermost = this.comprehensions[this.comprehensions.length - 1];
    if (innermost?.inElement && innermost.pending < 0) {
      if (iterablesOf(this.types[name]!) !== 0) return 2;
    }
    return 0;
  }

  /** A name some open comprehension element already uses as its loop variable. */
  isPending(name: number): boolean {
    for (const comprehension of this.comprehensions) {
      if (comprehension.inElement && comprehension.pending === name) return true;
    }
    return false;
  }

  /** True if some fact makes `index` a valid index of `sequence`. */
  isIndexOf(index: number, sequence: number): boolean {
    for (const fact of this.facts) if (fact.index === index && fact.sequence === sequence) return true;
    return false;
  }

  /** True if any name is a valid index of `sequence`. */
  hasIndexFor(sequence: number): boolean {
    for (const fact of this.facts) if (fact.sequence === sequence) return true;
    return false;
  }

  get innermost(): Block {
    return this.blocks[this.blocks.length - 1]!;
  }

  openBlock(kind: BlockKind): Block {
    const block: Block = {
      depth: this.blocks.length + 1,
      kind,
      statements: 0,
      returned: false,
      defined: [],
      frozen: [],
      facts: 0,
      id: this.nextBlockId++,
      control: false,
      chainTaint: false,
    };
    this.blocks.push(block);
    if (kind === 'for') this.loopDepth++;
    return block;
  }

  closeBlock(): void {
    const block = this.blocks.pop()!;
    for (const name of block.defined) if (--this.bound[name]! === 0) this.tainted[name] = 0;
    for (const name of block.frozen) this.frozen[name]!--;
    this.facts.length -= block.facts;
    if (block.kind === 'for') {
      this.loopDepth--;
      if (this.loopDepth === 0) this.loopUpdated.fill(0);
    }
  }

  /** Binds a name in the innermost block (until that block closes). */
  define(name: number): void {
    this.bound[name]!++;
    this.innermost.defined.push(name);
  }

  freeze(name: number): void {
    this.frozen[name]!++;
    this.innermost.frozen.push(name);
  }

  addFact(index: number, sequence: number): void {
    this.facts.push({ index, sequence });
    this.innermost.facts++;
  }

  /**
   * Runs `look` on the scope as it will be once the blocks deeper than `depth` are closed (a
   * statement at that indent closes them), then puts everything back.
   */
  lookClosed<T>(depth: number, look: () => T): T {
    if (this.blocks.length <= depth) return look();
    const bound = this.bound.slice();
    const frozen = this.frozen.slice();
    const loopUpdated = this.loopUpdated.slice();
    const tainted = this.tainted.slice();
    const facts = this.facts.slice();
    const blocks = this.blocks.slice();
    const loopDepth = this.loopDepth;
    while (this.blocks.length > depth) this.closeBlock();
    try {
      return look();
    } finally {
      this.bound.set(bound);
      this.frozen.set(frozen);
      this.loopUpdated.set(loopUpdated);
      this.tainted.set(tainted);
      this.facts.length = 0;
      this.facts.push(...facts);
      this.blocks.length = 0;
      this.blocks.push(...blocks);
      this.loopDepth = loopDepth;
    }
  }

  /** Number of loops among the blocks at depth <= depth. */
  loopsAround(depth: number): number {
    let loops = 0;
    for (let k = 0; k < depth && k < this.blocks.length; k++) if (this.blocks[k]!.kind === 'for') loops++;
    return loops;
  }
}
