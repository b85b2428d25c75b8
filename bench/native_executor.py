"""Native CPython baselines for `tabula bench executor`, running the very same harness.

  single: one process checks every task in turn (the ceiling).
  pool:   a process pool with one task per program (chunksize 1), the way the Absolute Zero
          reference runs its executor.
Reads CRUXEval JSONL on stdin. One warm-up round, then ROUNDS timed rounds over all tasks.
Prints one JSON object: {"mode", "workers", "programs", "seconds": [per round], "ok"}.
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
    requests = [request_of(line) for line in sys.stdin if line.strip()]
    if mode == 'single':
        workers = 1
        harness.install_sandbox()
        seconds, ok = timed_rounds(lambda rs: [check(r) for r in rs], requests, rounds)
    else:
        with multiprocessing.Pool(workers, initializer=harness.install_sandbox) as pool:
            seconds, ok = timed_rounds(lambda rs: list(pool.imap(check, rs, chunksize=1)), requests, rounds)
    print(json.dumps({'mode': mode, 'workers': workers, 'programs': len(requests), 'seconds': seconds, 'ok': ok}))


if __name__ == '__main__':
    main()
