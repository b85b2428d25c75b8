"""Native CPython baselines for `tabula bench executor`, running the very same harness.

  single: one process checks every task in turn (the ceiling).
  pool:   a process pool with one task per program (chunksize 1), the way the Absolute Zero
          reference runs its executor.
Reads CRUXEval JSONL on stdin, prints one JSON object: {"mode", "programs", "seconds", "ok"}.
"""
import json
import multiprocessing
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'executor'))
import harness  # noqa: E402


def request_of(line):
    item = json.loads(line)
    return json.dumps({'kind': 'verify', 'code': item['code'], 'input': item['input'], 'output': item['output']})


def check(text):
    return json.loads(harness.check_json(text))['ok']


def main():
    mode = sys.argv[1]
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else os.cpu_count()
    requests = [request_of(line) for line in sys.stdin if line.strip()]
    if mode == 'single':
        harness.install_sandbox()
        start = time.perf_counter()
        results = [check(r) for r in requests]
    else:
        with multiprocessing.Pool(workers, initializer=harness.install_sandbox) as pool:
            pool.map(check, requests[:workers * 4], chunksize=1)  # warm the workers
            start = time.perf_counter()
            results = list(pool.imap(check, requests, chunksize=1))
    seconds = time.perf_counter() - start
    print(json.dumps({'mode': mode, 'programs': len(requests), 'seconds': seconds, 'ok': sum(results)}))


if __name__ == '__main__':
    main()
