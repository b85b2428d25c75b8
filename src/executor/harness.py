"""Tabula Zero executor harness: checks one request at a time and answers with a verdict.

Runs unchanged in Pyodide (browser worker, Node worker thread) and in native CPython (the
benchmark's baseline), so it uses the standard library only and never touches `js`.

Sandbox layers, outermost first (SPEC §4):
  1. static checks on the AST: import allow-list, forbidden builtins, no `_`-prefixed or frame
     attributes, no stores into imported modules;
  2. a fresh globals dict per program with restricted builtins, a guarded `__import__` that
     hands out per-program copies of allow-listed modules minus their escape hatches;
  3. an audit hook that refuses every audited event while program code runs;
  4. caps on recursion, output size and literal size.
The host adds the time limit (interrupt, then terminate) and hides JS from Python.
"""

import ast
import builtins
import gc
import json
import math
import sys
import time
import types
import warnings

ALLOWED_MODULES = frozenset({
    'math', 'cmath', 'string', 'collections', 'collections.abc', 'itertools', 'functools',
    'operator', 're', 'heapq', 'bisect', 'copy', 'statistics', 'fractions', 'decimal',
    'textwrap', 'unicodedata', 'numbers',
})
# Importing these makes a result depend on the clock or on chance: say so instead of "forbidden".
NONDETERMINISTIC_MODULES = frozenset({'random', 'time', 'datetime', 'uuid', 'secrets'})
# Module attributes that turn a string into attribute access or code, hence an escape hatch.
HIDDEN_MODULE_ATTRS = {
    'operator': {'attrgetter', 'methodcaller'},
    'string': {'Formatter'},
}
FORBIDDEN_BUILTINS = frozenset({
    'open', 'exec', 'eval', 'compile', 'input', 'exit', 'quit', 'globals', 'locals', 'vars',
    'breakpoint', 'help', 'getattr', 'setattr', 'delattr', 'memoryview', 'copyright',
    'credits', 'license', 'aiter', 'anext',
})
NONDETERMINISTIC_BUILTINS = frozenset({'id'})
FRAME_ATTR_PREFIXES = ('_', 'gi_', 'cr_', 'ag_', 'f_', 'tb_', 'co_')

PROGRAM_MODULE = '__tz_program__'
LIMITS = {
    'output_chars': 10_000,   # repr of an output or of an input literal
    'literal_nodes': 10_000,  # containers and items inside one literal
    'recursion': 400,
    'code_chars': 20_000,
}


class Rejected(Exception):
    """A verdict reached inside the harness; carries the reason code."""

    def __init__(self, reason, detail='', outputs=None, passed=None):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.outputs = outputs
        self.passed = passed


class SandboxViolation(Exception):
    pass


# ---------------------------------------------------------------- static checks

def _bound_names(tree):
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split('.')[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names


def _check_import(name, level):
    if level:
        raise Rejected('forbidden-import', 'relative import')
    root = name.split('.')[0]
    if root in NONDETERMINISTIC_MODULES:
        raise Rejected('nondeterministic', f'imports {root}: results would differ between runs')
    if name not in ALLOWED_MODULES:
        raise Rejected('forbidden-import', f'import of {name} is not allowed')


def _is_dunder(ident):
    return len(ident) > 4 and ident.startswith('__') and ident.endswith('__')


def static_check(tree):
    bound = None
    module_names = set()
    for node in ast.walk(tree):
        kind = type(node)
        if kind is ast.Name:
            ident = node.id
            if _is_dunder(ident):
                raise Rejected('forbidden-name', f'name {ident}')
            if ident in FORBIDDEN_BUILTINS or ident in NONDETERMINISTIC_BUILTINS:
                if bound is None:
                    bound = _bound_names(tree)
                if ident not in bound:
                    if ident in NONDETERMINISTIC_BUILTINS:
                        raise Rejected('nondeterministic', f'{ident}() depends on memory addresses')
                    raise Rejected('forbidden-name', f'builtin {ident} is not allowed')
        elif kind is ast.Attribute:
            if node.attr.startswith(FRAME_ATTR_PREFIXES):
                raise Rejected('forbidden-name', f'attribute .{node.attr}')
        elif kind is ast.Import:
            for alias in node.names:
                _check_import(alias.name, 0)
                module_names.add((alias.asname or alias.name).split('.')[0])
        elif kind is ast.ImportFrom:
            _check_import(node.module or '', node.level)
            for alias in node.names:
                if alias.name.startswith('_'):
                    raise Rejected('forbidden-name', f'import of {alias.name}')
        elif kind is ast.Global or kind is ast.Nonlocal:
            for ident in node.names:
                if _is_dunder(ident):
                    raise Rejected('forbidden-name', f'name {ident}')
    # After the walk, once every imported name is known (a store can come before its import
    # in walk order): no attribute store into a module.
    if module_names:
        for node in ast.walk(tree):
            if type(node) is ast.Attribute and not isinstance(node.ctx, ast.Load):
                base = node.value
                while isinstance(base, ast.Attribute):
                    base = base.value
                if isinstance(base, ast.Name) and base.id in module_names:
                    raise Rejected('forbidden-name', f'assignment into module {base.id}')


# ---------------------------------------------------------------- runtime sandbox

_state = {'in_program': False, 'violation': None, 'exec_pass': False}


def _module_copy(name):
    """A fresh module object per import, so a program cannot change what the next one sees."""
    real = sys.modules[name]  # every allowed module was imported by install_sandbox
    copy = types.ModuleType(name)
    hidden = HIDDEN_MODULE_ATTRS.get(name, ())
    for key, value in vars(real).items():
        if key.startswith('_') or key in hidden or isinstance(value, types.ModuleType):
            continue
        setattr(copy, key, value)
    return copy


def _guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
    try:
        _check_import(name, level)
    except Rejected as error:
        _state['violation'] = error
        raise ImportError(error.detail) from None
    top = name.split('.')[0]
    module = _module_copy(top)
    # `import collections.abc` binds `collections` and needs `.abc` on it.
    parts = name.split('.')
    parent = module
    for depth in range(1, len(parts)):
        child = _module_copy('.'.join(parts[:depth + 1]))
        setattr(parent, parts[depth], child)
        parent = child
    return parent if fromlist else module


def _refuse(name):
    def refused(*args, **kwargs):
        _state['violation'] = Rejected('forbidden-name', f'builtin {name} is not allowed')
        raise SandboxViolation(f'{name} is not allowed')
    return refused


def _nondeterministic_id(obj):
    _state['violation'] = Rejected('nondeterministic', 'id() depends on memory addresses')
    raise SandboxViolation('id() is not allowed')


def _quiet_print(*args, **kwargs):
    return None


def _make_safe_builtins():
    safe = {}
    for key, value in vars(builtins).items():
        if key in FORBIDDEN_BUILTINS:
            safe[key] = _refuse(key)
        elif key.startswith('_') and key not in ('__build_class__', '__name__'):
            continue
        else:
            safe[key] = value
    safe['__import__'] = _guarded_import
    safe['id'] = _nondeterministic_id
    safe['print'] = _quiet_print
    return safe


SAFE_BUILTINS = _make_safe_builtins()

def _audit(event, args):
    if not _state['in_program']:
        return
    if event == 'exec' and _state['exec_pass']:
        _state['exec_pass'] = False  # the harness's own exec of the program body
        return
    if event == 'object.__setattr__':
        target = args[0]
        if isinstance(target, type) and getattr(target, '__module__', None) == PROGRAM_MODULE:
            return
    elif event == 'import' and args[0] in ALLOWED_MODULES:
        return
    _state['violation'] = Rejected('forbidden-name', f'sandbox refused {event}')
    raise SandboxViolation(event)


def install_sandbox():
    """Once per process: caps and the audit hook (which cannot be removed afterwards)."""
    sys.setrecursionlimit(LIMITS['recursion'] + 50)
    if hasattr(sys, 'set_int_max_str_digits'):  # Python 3.11+; older ones have no such limit
        sys.set_int_max_str_digits(4300)
    warnings.simplefilter('ignore')  # compile warnings about a program are not worth printing
    for name in ALLOWED_MODULES:
        __import__(name)  # import now, so that no import runs while a program does
    _import_all_encodings()
    sys.addaudithook(_audit)
    # Move everything loaded so far out of the collector's sight: programs then pay for
    # their own garbage only (steadier and ~15% faster in Pyodide).
    gc.collect()
    gc.freeze()


def _import_all_encodings():
    """str.encode imports its codec on first use, which the audit hook would refuse (it reads
    a file): load them all up front. Some (CJK) need C modules a build may lack; skip those."""
    import encodings
    import pkgutil
    for info in pkgutil.iter_modules(encodings.__path__):
        try:
            __import__('encodings.' + info.name)
        except Exception:
            pass


# ---------------------------------------------------------------- literals

_LITERAL_ATOMS = (int, float, str, bytes, bool, type(None))
_LITERAL_CONTAINERS = (list, tuple, dict, set)


def _check_literal_value(value):
    """Plain literal types only (exact types), no cycles, within the size caps."""
    budget = LIMITS['literal_nodes']
    chars = LIMITS['output_chars']
    stack = [(value, ())]
    while stack:
        item, path = stack.pop()
        kind = type(item)
        budget -= 1
        if budget < 0:
            raise Rejected('output-too-large', 'too many items')
        if kind in _LITERAL_ATOMS:
            if kind is str or kind is bytes:
                chars -= len(item)
                if chars < 0:
                    raise Rejected('output-too-large', f'more than {LIMITS["output_chars"]} characters')
            elif kind is float and not math.isfinite(item):
                raise Rejected('non-literal-output', f'{item!r} has no literal form')
            continue
        if kind not in _LITERAL_CONTAINERS:
            raise Rejected('non-literal-output', f'value of type {kind.__name__}')
        if id(item) in path:
            raise Rejected('non-literal-output', 'a container that contains itself')
        inner = path + (id(item),)
        if len(inner) > 100:
            raise Rejected('output-too-large', 'nested more than 100 deep')
        if len(item) > budget:
            raise Rejected('output-too-large', 'too many items')
        if kind is dict:
            for key, val in item.items():
                stack.append((key, inner))
                stack.append((val, inner))
        else:
            for element in item:
                stack.append((element, inner))


def literal_repr(value):
    """repr of a plain literal value. The exact-type walk is what makes the repr read back to
    an equal value (no NaN or inf, no cycles, no subclass with its own repr or __eq__)."""
    _check_literal_value(value)
    try:
        text = repr(value)
    except ValueError as error:  # an int past the digit limit
        raise Rejected('output-too-large', str(error)) from None
    if len(text) > LIMITS['output_chars']:
        raise Rejected('output-too-large', f'more than {LIMITS["output_chars"]} characters')
    return text


def read_literal(text, reason):
    """A literal from model or user text: parsed, never evaluated."""
    if not isinstance(text, str) or len(text) > LIMITS['output_chars']:
        raise Rejected(reason, 'missing or too long')
    try:
        return ast.literal_eval(text.strip())
    except Exception as error:
        raise Rejected(reason, f'not a literal: {type(error).__name__}') from None


def read_arguments(text, allow_expressions=False):
    """Argument text as in CRUXEval (`'abc', [1, 2]`): literals, or with allow_expressions
    (CRUXEval files only) a sandboxed expression, returned as code to evaluate per run."""
    if not isinstance(text, str) or len(text) > LIMITS['output_chars']:
        raise Rejected('non-literal-input', 'missing or too long')
    try:
        tree = ast.parse(f'f({text}\n)', mode='eval')
    except SyntaxError:
        raise Rejected('non-literal-input', 'arguments do not parse') from None
    call = tree.body
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name) or call.func.id != 'f':
        raise Rejected('non-literal-input', 'not an argument list')
    try:
        args = tuple(ast.literal_eval(node) for node in call.args)
        kwargs = {kw.arg: ast.literal_eval(kw.value) for kw in call.keywords if kw.arg}
        if len(kwargs) == len(call.keywords):
            return ArgumentsOf(args, kwargs, None, text)
    except Exception:
        pass
    if not allow_expressions:
        raise Rejected('non-literal-input', 'an argument is not a literal')
    static_check(tree)
    return ArgumentsOf(None, None, compile(tree, '<input>', 'eval'), text)


def _copy_literal(value):
    """A deep copy of a literal value, much cheaper than parsing its text again."""
    kind = type(value)
    if kind in _LITERAL_ATOMS:
        return value
    if kind is list:
        return [_copy_literal(item) for item in value]
    if kind is tuple:
        return tuple([_copy_literal(item) for item in value])
    if kind is dict:
        return {key: _copy_literal(item) for key, item in value.items()}
    if kind is set:
        return set(value)  # its elements are hashable, hence immutable literals
    return value


class ArgumentsOf:
    __slots__ = ('args', 'kwargs', 'code', 'text')

    def __init__(self, args, kwargs, code, text):
        self.args, self.kwargs, self.code, self.text = args, kwargs, code, text

    def fresh(self):
        """Arguments for the second run, untouched by the first (f may mutate them)."""
        if self.code is not None:
            return self  # an expression builds new objects each time it is evaluated
        return ArgumentsOf(_copy_literal(self.args), _copy_literal(self.kwargs), None, self.text)


# ---------------------------------------------------------------- running programs

class Program:
    __slots__ = ('function', 'namespace')

    def __init__(self, function, namespace):
        self.function, self.namespace = function, namespace


def _suspicious_names(code_object):
    """True if any code object names something the static check must look at closely. Names
    a program binds itself live in co_varnames/co_cellvars; everything it reads from globals,
    builtins or attributes is in co_names, so a clean co_names spares the AST walk."""
    stack = [code_object]
    while stack:
        current = stack.pop()
        for name in current.co_names:
            if name in _WATCHED_NAMES or name.startswith(FRAME_ATTR_PREFIXES):
                return True
        for const in current.co_consts:
            if type(const) is types.CodeType:
                stack.append(const)
    return False


_WATCHED_NAMES = FORBIDDEN_BUILTINS | NONDETERMINISTIC_BUILTINS


def load_program(code):
    if not isinstance(code, str) or len(code) > LIMITS['code_chars']:
        raise Rejected('syntax', 'missing or too long')
    try:
        compiled = compile(code, '<program>', 'exec', dont_inherit=True)
    except (SyntaxError, ValueError) as error:
        raise Rejected('syntax', f'line {getattr(error, "lineno", "?")}: {getattr(error, "msg", error)}') from None
    if 'import' in code or _suspicious_names(compiled):
        static_check(ast.parse(code))
    namespace = {'__builtins__': dict(SAFE_BUILTINS), '__name__': PROGRAM_MODULE}
    _exec_in_program(compiled, namespace)
    function = namespace.get('f')
    if not callable(function):
        raise Rejected('no-function', 'the program does not define f')
    return Program(function, namespace)


def _exec_in_program(code, namespace, run=exec):
    _state['exec_pass'] = True
    try:
        return _run_sandboxed(run, code, namespace)
    finally:
        _state['exec_pass'] = False


def _call(program, arguments):
    if arguments.code is not None:
        return _exec_in_program(arguments.code, program.namespace, eval)
    return _run_sandboxed(program.function, *arguments.args, **arguments.kwargs)


def _run_sandboxed(function, *args, **kwargs):
    _state['violation'] = None
    _state['in_program'] = True
    try:
        return function(*args, **kwargs)
    except KeyboardInterrupt:
        raise
    except BaseException as error:
        _state['in_program'] = False
        if _state['violation'] is not None:
            raise _state['violation'] from None
        if isinstance(error, RecursionError):
            raise Rejected('runtime-error', 'RecursionError: too deep') from None
        raise Rejected('runtime-error', f'{type(error).__name__}: {_short(error)}') from None
    finally:
        _state['in_program'] = False
        violation = _state['violation']
        _state['violation'] = None
    # A violation the program caught and ignored still rejects it.
    if violation is not None:
        raise violation


def _short(error):
    try:
        text = str(error)
    except BaseException:
        text = ''
    return text[:200]


def run_program(program, arg_text, allow_expressions=False):
    """Runs f twice on fresh copies of the arguments: the determinism check."""
    arguments = read_arguments(arg_text, allow_expressions)
    spare = arguments.fresh()  # copied before the first run can mutate them
    first = _call(program, arguments)
    first_repr = literal_repr(first)
    second = _call(program, spare)
    try:
        same = type(second) is type(first) and repr(second) == first_repr
    except BaseException:
        same = False
    if not same:
        raise Rejected('nondeterministic', 'two runs gave different results')
    return first, first_repr


def matches(result, result_repr, expected_text, reason):
    """Python == between a result and an expected literal; equal text needs no parse."""
    if isinstance(expected_text, str) and expected_text.strip() == result_repr:
        return True
    return _equal(result, read_literal(expected_text, reason))


# ---------------------------------------------------------------- requests

def _validate(request):
    program = load_program(request.get('code'))
    inputs = request.get('inputs')
    if not isinstance(inputs, list) or not inputs:
        raise Rejected('non-literal-input', 'no inputs given')
    outputs = []
    for text in inputs:
        outputs.append(run_program(program, text)[1])
    return {'outputs': outputs}


def _verify(request):
    """CRUXEval style: validate the program on its input, then compare with the expected output."""
    program = load_program(request.get('code'))
    result, result_repr = run_program(program, request.get('input'), allow_expressions=True)
    if not matches(result, result_repr, request.get('output'), 'non-literal-output'):
        raise Rejected('mismatch', f'got {result_repr[:200]}')
    return {'outputs': [result_repr]}


def _deduction(request):
    answer = read_literal(request.get('answer'), 'non-literal-output')
    expected = read_literal(request.get('output'), 'non-literal-output')
    if not _equal(answer, expected):
        raise Rejected('mismatch', 'the answer differs from the output')
    return {}


def _abduction(request):
    program = load_program(request.get('code'))
    read_literal(request.get('output'), 'non-literal-output')
    result, result_repr = run_program(program, request.get('answer'))
    if not matches(result, result_repr, request.get('output'), 'non-literal-output'):
        # The output it does give: the engine relabels a wrong abduction answer with it (hindsight).
        raise Rejected('mismatch', f'f(answer) gives {result_repr[:200]}', outputs=[result_repr])
    return {'outputs': [result_repr]}


def _induction(request):
    program = load_program(request.get('code'))
    pairs = request.get('pairs')
    if not isinstance(pairs, list) or not pairs:
        raise Rejected('non-literal-input', 'no pairs given')
    # everyPair (partial credit): a wrong or raising pair does not stop the rest, and the verdict
    # counts the pairs reproduced; its reason and detail stay the first failure's.
    every = request.get('everyPair') is True
    outputs = []
    first = None
    passed = 0
    for index, pair in enumerate(pairs):
        if not isinstance(pair, list) or len(pair) != 2:
            raise Rejected('non-literal-input', f'pair {index} is not [input, output]')
        try:
            result, result_repr = run_program(program, pair[0])
            outputs.append(result_repr)
            if not matches(result, result_repr, pair[1], 'non-literal-output'):
                raise Rejected('mismatch', f'pair {index}: got {result_repr[:200]}')
            passed += 1
        except Rejected as failure:
            if not every or failure.reason not in ('mismatch', 'runtime-error'):
                raise
            first = first or failure
    if first is not None:
        raise Rejected(first.reason, first.detail, passed=passed)
    return {'outputs': outputs, 'passed': passed} if every else {'outputs': outputs}


def _equal(a, b):
    try:
        return bool(a == b)
    except BaseException:
        return False


HANDLERS = {
    'validate': _validate,
    'verify': _verify,
    'deduction': _deduction,
    'abduction': _abduction,
    'induction': _induction,
}


def check(request):
    """One request (a dict) to one verdict (a dict). KeyboardInterrupt means the host's time limit."""
    handler = HANDLERS.get(request.get('kind')) if isinstance(request, dict) else None
    if handler is None:
        return {'ok': False, 'reason': 'malformed', 'detail': 'unknown request kind'}
    try:
        extra = handler(request)
    except Rejected as rejected:
        verdict = {'ok': False, 'reason': rejected.reason, 'detail': rejected.detail}
        if rejected.outputs is not None:
            verdict['outputs'] = rejected.outputs
        if rejected.passed is not None:
            verdict['passed'] = rejected.passed
        return verdict
    except KeyboardInterrupt:
        return {'ok': False, 'reason': 'timeout', 'detail': 'interrupted at the time limit'}
    except MemoryError:
        return {'ok': False, 'reason': 'runtime-error', 'detail': 'MemoryError'}
    except RecursionError:
        return {'ok': False, 'reason': 'runtime-error', 'detail': 'RecursionError: too deep'}
    verdict = {'ok': True, 'reason': 'ok', 'detail': ''}
    verdict.update(extra)
    return verdict


def check_json(text):
    """The entry point the hosts call: JSON in, JSON out (cheap to pass across the FFI)."""
    try:
        request = json.loads(text)
    except ValueError:
        return json.dumps({'ok': False, 'reason': 'malformed', 'detail': 'request is not JSON'})
    return json.dumps(check(request))


def configure(limits_json):
    LIMITS.update(json.loads(limits_json))
    sys.setrecursionlimit(LIMITS['recursion'] + 50)
