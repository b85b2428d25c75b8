/**
 * Hostile programs against the real executor (Pyodide in worker threads). Each must get the
 * right verdict within twice the time limit plus 3 s (a request whose worker had to be killed is
 * tried once more on a fresh one), and the executor must answer afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeExecutor } from '../../src/executor/node-executor';
import type { ExecutorPool } from '../../src/executor/pool';
import type { ExecRequest, RejectReason, Verdict } from '../../src/executor/types';

const TIMEOUT_MS = 1000;
let pool: ExecutorPool;

beforeAll(async () => {
  pool = await createNodeExecutor({ workers: 2, limits: { timeoutMs: TIMEOUT_MS } });
});
afterAll(() => pool?.close());

function program(body: string, input = '1'): ExecRequest {
  return { kind: 'validate', code: body, inputs: [input] };
}

/** Checks one request, asserts its reason and the time bound, then that the executor still answers. */
async function expectVerdict(request: ExecRequest, reason: RejectReason | 'ok', on = pool, timeoutMs = TIMEOUT_MS): Promise<Verdict> {
  const started = performance.now();
  const verdict = await on.check(request);
  const elapsed = performance.now() - started;
  expect(verdict.reason, verdict.detail).toBe(reason);
  expect(verdict.ok).toBe(reason === 'ok');
  expect(elapsed).toBeLessThan(2 * timeoutMs + 3000);
  const after = await on.check(program('def f(x):\n    return x + 1', '41'));
  expect(after.outputs).toEqual(['42']);
  return verdict;
}

it("reports the interpreter's version (sys.version_info), not Pyodide's", () => {
  expect(pool.stats.pythonVersion).toMatch(/^3\.\d+\.\d+$/);
  expect(pool.stats.pyodideVersion).toMatch(/^\d+\.\d+\.\d+/);
  expect(pool.stats.pyodideVersion).not.toBe(pool.stats.pythonVersion);
});

describe('infinite loops', () => {
  it('a plain bytecode loop is interrupted', async () => {
    const verdict = await expectVerdict(program('def f(x):\n    while True:\n        x += 1'), 'timeout');
    expect(verdict.detail).toContain('interrupted');
  });
  it('a loop that swallows BaseException is terminated', async () => {
    const code = 'def f(x):\n    while True:\n        try:\n            while True:\n                x += 1\n        except BaseException:\n            pass';
    const verdict = await expectVerdict(program(code), 'timeout');
    expect(verdict.detail).toContain('replaced');
  });
  it('a single long C call is terminated', async () => {
    await expectVerdict(program('def f(x):\n    return 10 ** (10 ** 8)'), 'timeout');
  });
  it('the rest of a batch still gets its verdicts, in order', async () => {
    const swallow = 'def f(x):\n    while True:\n        try:\n            while True: pass\n        except BaseException:\n            pass';
    const verdicts = await pool.run([
      program('def f(x):\n    return x * 2', '3'),
      program(swallow),
      program('def f(x):\n    return [x]', "'a'"),
      program('def f(x):\n    return x - 1', '0'),
    ]);
    expect(verdicts.map((v) => v.reason)).toEqual(['ok', 'timeout', 'ok', 'ok']);
    expect(verdicts[2]!.outputs).toEqual(["['a']"]);
    expect(verdicts[3]!.outputs).toEqual(['-1']);
  });
});

describe('memory and output', () => {
  it('a huge allocation is a runtime error', async () => {
    const verdict = await expectVerdict(program('def f(x):\n    return len([0] * (10 ** 10))'), 'runtime-error');
    expect(verdict.detail).toMatch(/MemoryError|OverflowError/);
  });
  it('a growing memory bomb is stopped', async () => {
    const code = "def f(x):\n    blocks = []\n    while True:\n        blocks.append('x' * (10 ** 7))";
    const verdict = await pool.check(program(code));
    expect(['runtime-error', 'timeout']).toContain(verdict.reason);
    expect((await pool.check(program('def f(x):\n    return x', '5'))).outputs).toEqual(['5']);
  });
  it('a huge string output is too large', async () => {
    await expectVerdict(program("def f(x):\n    return 'a' * 1000000"), 'output-too-large');
  });
  it('a huge list output is too large', async () => {
    await expectVerdict(program('def f(x):\n    return list(range(1000000))'), 'output-too-large');
  });
  it('an int too long to print is too large', async () => {
    await expectVerdict(program('def f(x):\n    return 7 ** 20000'), 'output-too-large');
  });
});

describe('recursion', () => {
  it('unbounded recursion is a runtime error', async () => {
    const verdict = await expectVerdict(program('def f(x):\n    return f(x + 1)'), 'runtime-error');
    expect(verdict.detail).toContain('RecursionError');
  });
  it('mutual recursion through a lambda is a runtime error', async () => {
    await expectVerdict(program('g = lambda n: f(n)\ndef f(x):\n    return g(x + 1)'), 'runtime-error');
  });
});

describe('deep nesting that recurses in C', () => {
  // repr checks each level against every level above it, so reaching the end of the stack
  // takes about a second here; on a loaded machine a 1 s clock would win and the verdict
  // would be a timeout (also safe, but not the stack overflow these two tests are about).
  const STACK_TIMEOUT_MS = 10_000;
  let roomyPool: ExecutorPool;
  beforeAll(async () => {
    roomyPool = await createNodeExecutor({ workers: 1, limits: { timeoutMs: STACK_TIMEOUT_MS } });
  });
  afterAll(() => roomyPool?.close());

  it('printing a deeply nested list is a runtime error, not a dead executor', async () => {
    const code = 'def f(x):\n    a = []\n    for i in range(200000):\n        a = [a]\n    return len(repr(a))';
    const verdict = await expectVerdict(program(code), 'runtime-error', roomyPool, STACK_TIMEOUT_MS);
    expect(verdict.detail).toContain('exhausted the stack');
  });
  it('comparing two deeply nested lists is a runtime error', async () => {
    const code = 'def f(x):\n    a, b = [], []\n    for i in range(200000):\n        a, b = [a], [b]\n    return a == b';
    const verdict = await expectVerdict(program(code), 'runtime-error', roomyPool, STACK_TIMEOUT_MS);
    expect(verdict.detail).toContain('exhausted the stack');
  });
  it('returning a deeply nested list is too large', async () => {
    const code = 'def f(x):\n    a = []\n    for i in range(50000):\n        a = [a]\n    return a';
    await expectVerdict(program(code), 'output-too-large');
  });
  it('a deeply nested input is not a literal', async () => {
    await expectVerdict(program('def f(x):\n    return 1', '['.repeat(5000) + ']'.repeat(5000)), 'non-literal-input');
  });
});

describe('imports', () => {
  for (const module of ['os', 'sys', 'js', 'pyodide', 'importlib', 'pyodide_js', 'subprocess', 'ctypes']) {
    it(`import ${module} is refused`, async () => {
      await expectVerdict(program(`import ${module}\ndef f(x):\n    return 1`), 'forbidden-import');
    });
  }
  it('from-imports and relative imports are refused', async () => {
    await expectVerdict(program('from os import path\ndef f(x):\n    return 1'), 'forbidden-import');
    await expectVerdict(program('from . import x\ndef f(x):\n    return 1'), 'forbidden-import');
  });
  it('an import hidden inside f is refused', async () => {
    await expectVerdict(program('def f(x):\n    import os\n    return os.getcwd()'), 'forbidden-import');
  });
});

describe('escape hatches', () => {
  const cases: [string, string][] = [
    ['__import__', "def f(x):\n    return __import__('os').getcwd()"],
    ['getattr to a dunder', "def f(x):\n    return getattr(f, '__globals__')"],
    ['a __subclasses__ walk', 'def f(x):\n    return len(().__class__.__base__.__subclasses__())'],
    ['globals()', 'def f(x):\n    return len(globals())'],
    ['__builtins__', "def f(x):\n    return __builtins__['open']"],
    ['a generator frame walk', 'def f(x):\n    g = (i for i in [1])\n    return g.gi_frame.f_back'],
    ['a traceback frame', 'def f(x):\n    try:\n        1 / 0\n    except Exception as e:\n        return e.__traceback__.tb_frame'],
    ['storing into a module', 'import math\ndef f(x):\n    math.pi = 3\n    return x'],
    ['exec', "def f(x):\n    exec('y = 1')\n    return x"],
    ['eval', "def f(x):\n    return eval('1 + 1')"],
    ['compile', "def f(x):\n    return compile('1', 'a', 'eval')"],
    ['open', "def f(x):\n    return open('/etc/passwd').read()"],
    ['input', 'def f(x):\n    return input()'],
    ['exit', 'def f(x):\n    exit(0)'],
    ['quit', 'def f(x):\n    quit()'],
    ['breakpoint', 'def f(x):\n    breakpoint()'],
    ['vars', 'def f(x):\n    return vars()'],
  ];
  for (const [name, code] of cases) {
    it(`${name} is refused`, async () => {
      await expectVerdict(program(code), 'forbidden-name');
    });
  }
  it('an attribute getter built from strings is not available', async () => {
    const code = "from operator import attrgetter\ndef f(x):\n    return attrgetter('_' * 2 + 'class' + '_' * 2)(x)";
    await expectVerdict(program(code), 'runtime-error');
  });
  it('string.Formatter, which reads attributes by name, is not available', async () => {
    await expectVerdict(program('import string\ndef f(x):\n    return str(string.Formatter)'), 'runtime-error');
  });
  it('a program cannot change a module for the next program', async () => {
    const tamper = 'import collections\ndef f(x):\n    c = collections\n    c.Counter = None\n    return x';
    await pool.check(program(tamper));
    const counter = await pool.check(program("from collections import Counter\ndef f(x):\n    return Counter(x)['a']", "'aab'"));
    expect(counter.outputs).toEqual(['2']);
  });
  it('Python cannot reach JavaScript through the pyodide package internals', async () => {
    await expectVerdict(program('import _pyodide\ndef f(x):\n    return 1'), 'forbidden-import');
    await expectVerdict(program("def f(x):\n    return __import__('js')"), 'forbidden-name');
  });
});

describe("a program's own fatal exceptions are its failure, not the worker's", () => {
  for (const error of ['SystemExit', 'KeyboardInterrupt', 'MemoryError', 'GeneratorExit']) {
    it(`raise ${error}`, async () => {
      const verdict = await expectVerdict(program(`def f(x):\n    raise ${error}`), 'runtime-error');
      expect(verdict.detail).toContain(error);
    });
  }
});

describe('nondeterminism', () => {
  it('random is nondeterministic', async () => {
    await expectVerdict(program('import random\ndef f(x):\n    return random.random()'), 'nondeterministic');
  });
  it('time is nondeterministic', async () => {
    await expectVerdict(program('import time\ndef f(x):\n    return time.time()'), 'nondeterministic');
  });
  it('id() is nondeterministic', async () => {
    await expectVerdict(program('def f(x):\n    return id(x) % 7'), 'nondeterministic');
  });
  it('state kept between calls is nondeterministic', async () => {
    await expectVerdict(program('seen = []\ndef f(x):\n    seen.append(x)\n    return len(seen)'), 'nondeterministic');
  });
});

describe('outputs that are not literals', () => {
  const cases: [string, string][] = [
    ['object()', 'def f(x):\n    return object()'],
    ['a self-containing list', 'def f(x):\n    a = [1]\n    a.append(a)\n    return a'],
    ['NaN', "def f(x):\n    return float('nan')"],
    ['infinity', "def f(x):\n    return float('inf')"],
    ['an always-equal object', 'class Eq:\n    def __eq__(self, other):\n        return True\ndef f(x):\n    return Eq()'],
    ['a function', 'def f(x):\n    return f'],
    ['a frozenset', 'def f(x):\n    return frozenset([1])'],
    ['a subclass of int', 'class I(int):\n    pass\ndef f(x):\n    return I(3)'],
  ];
  for (const [name, code] of cases) {
    it(`${name} is refused`, async () => {
      await expectVerdict(program(code), 'non-literal-output');
    });
  }
});

describe('inputs and expected outputs that are code', () => {
  it('an input that calls code is refused', async () => {
    await expectVerdict(program('def f(x):\n    return x', "__import__('os').getcwd()"), 'non-literal-input');
    await expectVerdict(program('def f(x):\n    return x', "'a' + 'b'"), 'non-literal-input');
    await expectVerdict(program('def f(x):\n    return x', '1), print(2'), 'non-literal-input');
  });
  it('an abduction answer that is code is refused', async () => {
    const verdict = await pool.check({ kind: 'abduction', code: 'def f(x):\n    return x', answer: "exec('1')", output: '1' });
    expect(verdict.reason).toBe('non-literal-input');
  });
  it('a deduction answer that is code is refused', async () => {
    const verdict = await pool.check({ kind: 'deduction', answer: "__import__('os')", output: '1' });
    expect(verdict.reason).toBe('non-literal-output');
  });
  it('an expected output that is code is refused', async () => {
    const verdict = await pool.check({ kind: 'verify', code: 'def f(x):\n    return x', input: '1', output: "__import__('os')" });
    expect(verdict.reason).toBe('non-literal-output');
  });
  it('a CRUXEval input expression still goes through the sandbox', async () => {
    const safe = await pool.check({ kind: 'verify', code: 'def f(x):\n    return x', input: "''.join(['a'] * 3)", output: "'aaa'" });
    expect(safe.reason).toBe('ok');
    const hostile = await pool.check({ kind: 'verify', code: 'def f(x):\n    return x', input: "__import__('os').getcwd()", output: "'/'" });
    expect(hostile.reason).toBe('forbidden-name');
    const opened = await pool.check({ kind: 'verify', code: 'def f(x):\n    return x', input: "open('/etc/passwd').read()", output: "''" });
    expect(opened.reason).toBe('forbidden-name');
  });
});

describe('programs that are merely unusual stay valid', () => {
  const cases: [string, string, string, string][] = [
    ['a parameter named time', 'def f(time):\n    return time * 2', '21', '42'],
    ['a parameter named input', 'def f(input):\n    return input.upper()', "'abc'", "'ABC'"],
    ['import math', 'import math\ndef f(x):\n    return math.gcd(x, 12)', '18', '6'],
    ['from collections import Counter', 'from collections import Counter\ndef f(s):\n    return Counter(s).most_common(1)', "'hello'", "[('l', 2)]"],
    ['bounded recursion', 'def f(n):\n    return n if n < 2 else f(n - 1) + f(n - 2)', '15', '610'],
    ['unicode', "def f(s):\n    return s[::-1] + 'é'", "'日本'", "'本日é'"],
    ['sets', 'def f(xs):\n    return set(xs) - {2}', '[1, 2, 3, 3]', '{1, 3}'],
    ['an empty set', 'def f(xs):\n    return set(xs)', '[]', 'set()'],
    ['floats', 'def f(x):\n    return x / 4', '3', '0.75'],
    ['a class of its own', 'class Box:\n    def __init__(self, v):\n        self.v = v\ndef f(x):\n    return Box(x).v', '7', '7'],
    ['a local named like a builtin', 'def f(x):\n    eval = x + 1\n    return eval', '1', '2'],
    ['a name of two underscores', 'def f(xs):\n    return [__ * 2 for __ in xs]', '[1, 2]', '[2, 4]'],
    ['keyword arguments', 'def f(a, b=0):\n    return a - b', '5, b=2', '3'],
    ['bytes and None', "def f(x):\n    return (b'ab', None, True)", '0', "(b'ab', None, True)"],
    ['str.encode with a codec', "def f(s):\n    return s.encode('shift_jis')", "'abc'", "b'abc'"],
  ];
  for (const [name, code, input, output] of cases) {
    it(name, async () => {
      const verdict = await expectVerdict(program(code, input), 'ok');
      expect(verdict.outputs).toEqual([output]);
    });
  }
});

describe('hash randomisation is fixed', () => {
  it('a set of strings has the same order in a freshly started executor', async () => {
    const request = program("def f(x):\n    return list({'apple', 'kiwi', 'fig', 'plum', 'pear'})");
    const here = await pool.check(request);
    const other = await createNodeExecutor({ workers: 1, spare: false });
    try {
      expect((await other.check(request)).outputs).toEqual(here.outputs);
    } finally {
      other.close();
    }
  });
});
