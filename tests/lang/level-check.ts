/**
 * Text-level checks of programs written at a level, independent of the grammar's own state: the
 * shape (lines, block depth, compound statements), whether the final return reads a value that
 * depends on a parameter, and whether every written value is read afterwards.
 */
import { TYPED_NAMES } from '../../src/lang/types';

const NAMES = new Set(TYPED_NAMES.map((name) => name.text));

/** The typed names an expression reads (string literals removed, attributes skipped). */
export function namesRead(expression: string): string[] {
  const code = expression.replace(/'[^']*'/g, "''");
  return [...code.matchAll(/(?<![.\w])([A-Za-z_]\w*)\b/g)].map((m) => m[1]!).filter((name) => NAMES.has(name));
}

export interface Shape {
  params: string[];
  /** Body lines before the final return. */
  statements: number;
  /** Deepest indent of a line (the body is 1). */
  depth: number;
  compound: boolean;
  /** The final return reads a name whose value may depend on a parameter. */
  returnReadsParam: boolean;
  /** Written values (targets of assignments, augments and list methods) never read afterwards. */
  deadWrites: string[];
  /** Deepest nesting of brackets in a line (string literals removed; `range(len(` is two). */
  brackets: number;
}

interface Line {
  depth: number;
  text: string;
}

export function analyse(code: string): Shape {
  const [header, ...rest] = code.split('\n');
  const params = /^def f\(([^)]*)\):$/.exec(header!)![1]!.split(', ');
  const lines: Line[] = rest.map((line) => {
    const indent = /^ */.exec(line)![0].length;
    return { depth: indent / 4, text: line.slice(indent) };
  });
  const tainted = new Set(params);
  // Block controls by depth: whether the block's running depends on a parameter; and the
  // if-chain taint at each depth. Loop variables by depth (unbound when the loop ends).
  const control: boolean[] = [false, false];
  const chain: boolean[] = [];
  const loopVars: string[][] = [];
  let compound = false;
  let depth = 1;
  let brackets = 0;
  const writes: { name: string; line: number }[] = [];
  const reads: { name: string; line: number }[] = [];
  let returnReadsParam = false;
  lines.forEach((line, index) => {
    depth = Math.max(depth, line.depth);
    const code = line.text.replace(/'[^']*'/g, "''");
    let open = 0;
    // `[::-1]`, `[]` and `()` are single tokens that open nothing.
    for (const char of code.replace(/\[::-1\]|\[\]|\(\)/g, '')) {
      if ('([{'.includes(char)) brackets = Math.max(brackets, ++open);
      if (')]}'.includes(char)) open--;
    }
    for (let d = line.depth + 1; d < loopVars.length; d++) for (const name of loopVars[d] ?? []) tainted.delete(name);
    loopVars.length = Math.min(loopVars.length, line.depth + 1);
    const outer = control[line.depth] ?? false;
    const read = (expression: string) => {
      const names = namesRead(expression);
      for (const name of names) reads.push({ name, line: index });
      return names.some((name) => tainted.has(name));
    };
    let m: RegExpExecArray | null;
    if ((m = /^for (\w+)(?:, (\w+))? in (.*):$/.exec(line.text))) {
      compound = true;
      const t = read(m[3]!);
      const vars = [m[1]!, ...(m[2] ? [m[2]] : [])];
      loopVars[line.depth + 1] = vars;
      for (const name of vars) if (t || outer) tainted.add(name);
      control[line.depth + 1] = outer || t;
    } else if ((m = /^(if|elif) (.*):$/.exec(line.text))) {
      compound = true;
      const t = read(m[2]!) || (m[1] === 'elif' && chain[line.depth + 1] === true);
      chain[line.depth + 1] = t;
      control[line.depth + 1] = outer || t;
    } else if (line.text === 'else:') {
      control[line.depth + 1] = outer || chain[line.depth + 1] === true;
    } else if ((m = /^return (.*)$/.exec(line.text))) {
      const t = read(m[1]!);
      if (index === lines.length - 1) returnReadsParam = t;
    } else if ((m = /^(\w+)( = | \+= | -= | \*= )(.*)$/.exec(line.text))) {
      const [, name, op, value] = m as unknown as [string, string, string, string];
      if (op !== ' = ') reads.push({ name, line: index });
      if (read(value) || outer) tainted.add(name);
      writes.push({ name, line: index });
    } else if ((m = /^(\w+)(\.\w+\()(.*)\)$/.exec(line.text)) || (m = /^(\w+)(\.sort\(\)|\.reverse\(\))()$/.exec(line.text))) {
      const name = m[1]!;
      reads.push({ name, line: index });
      if (read(m[3]!) || outer) tainted.add(name);
      writes.push({ name, line: index });
    } else throw new Error(`unexpected line: ${line.text}`);
  });
  const deadWrites = writes.filter((w) => !reads.some((r) => r.name === w.name && r.line > w.line)).map((w) => w.name);
  return { params, statements: lines.length - 1, depth, compound, returnReadsParam, deadWrites, brackets };
}
