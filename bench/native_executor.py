"""Native CPython baselines for `tabula bench executor`.

  reference: the Absolute Zero reference's pattern, written here from its description: the
             parent screens imports with an AST walk and submits one pool task per program; the
             worker execs the program plus a determinism check (f run twice) and evals the
             repr, each under a SIGALRM time limit, then checks str() and pickle; the parent
             compares eval(expected) == eval(result). No sandbox.
  pool:      a process pool with one task per program running our own harness (sandbox on).
  single:    one process running our harness over every task (the ceiling).
Reads CRUXEval JSONL on stdin. One warm-up round, then ROUNDS timed rounds over all tasks.
Prints one JSON object: {"mode", "workers", "programs", "seconds": [per round], "ok"}.
"""
import json
import ast
import multiprocessing
import os
import pickle
import re
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'executor'))
import harness  # noqa: E402


def request_of(line):
    item = json.loads(line)
    return json.dumps({'kind': 'verify', 'code': item['code'], 'input': item['input'], 'output': item['output']})


def check(text):
    return json.loads(harness.check_json(text))['ok']


BANNED = ('os', 'sys', 'subprocess', 'random', 'time', 'datetime', 'threading', 'multiprocessing')


def _alarm(signum, frame):
    raise TimeoutError('time limit')


def _limited(seconds, function, *args):
    """A per-call time limit by SIGALRM, as the reference wraps each exec and eval."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return function(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def reference_task(source):
    lines = source.split('\n')
    try:
        if re.search(r'(\s|^)?input\(', source):
            raise RuntimeError('input')
        namespace = {}
        _limited(1.0, exec, '\n'.join(lines[:-1]), namespace)
        result = _limited(1.0, eval, lines[-1], namespace)
        str(result)
        pickle.dumps(result)
        return result, 'Done'
    except BaseException as error:
        return '', type(error).__name__


def banned_import(code):
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import) and any(a.name.split('.')[0] in BANNED for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or '').split('.')[0] in BANNED:
            return True
    return False


def reference_round(pool, items):
    pending = []
    for item in items:
        if banned_import(item['code']):
            pending.append(None)
            continue
        source = f"{item['code']}\n_r = f({item['input']})\nif _r != f({item['input']}):\n    raise Exception('nondeterministic')\nrepr(_r)"
        pending.append(pool.apply_async(reference_task, (source,)))
    results = []
    for item, future in zip(items, pending):
        if future is None:
            results.append(False)
            continue
        try:
            value, status = future.get(timeout=1.0)
            results.append(status == 'Done' and eval(item['output']) == eval(value))
        except Exception:
            results.append(False)
    return results


def timed_rounds(run_all, requests, rounds):
    run_all(requests)  # warm-up
    seconds, ok = [], 0
    for _ in range(rounds):
        start = time.perf_counter()
        ok = sum(run_all(requests))
        seconds.append(time.perf_counter() - start)
    return seconds, ok


def main():
    mode = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else os.cpu_count()
    lines = [line for line in sys.stdin if line.strip()]
    requests = [request_of(line) for line in lines]
    if mode == 'reference':
        items = [json.loads(line) for line in lines]
        with multiprocessing.Pool(workers) as pool:
            seconds, ok = timed_rounds(lambda _: reference_round(pool, items), requests, rounds)
    elif mode == 'single':
        workers = 1
        harness.install_sandbox()
        seconds, ok = timed_rounds(lambda rs: [check(r) for r in rs], requests, rounds)
    else:
        with multiprocessing.Pool(workers, initializer=harness.install_sandbox) as pool:
            seconds, ok = timed_rounds(lambda rs: list(pool.imap(check, rs, chunksize=1)), requests, rounds)
    print(json.dumps({'mode': mode, 'workers': workers, 'programs': len(requests), 'seconds': seconds, 'ok': ok}))


if __name__ == '__main__':
    main()
