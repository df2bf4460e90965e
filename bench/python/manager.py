"""Python peer for the Manager dict benches (standard library only).

    python3 manager.py parent N ROUNDS  -> {"ops_per_s": ...}
    python3 manager.py child N ROUNDS   -> {"ops_per_s": ...}

parent: one multiprocessing.Manager(); the parent does N x d['k'] = i on a
manager dict (each a round trip to the manager's server process).
child: a child process (default start method) does N x (d['k'] = i;
d['k']) on a dict it was passed, timing itself; ops = 2 N.
Median of ROUNDS after a warm-up round.
"""
import json
import multiprocessing as mp
import statistics
import sys
import time


def parent_round(d, n):
    t = time.perf_counter_ns()
    for i in range(n):
        d['k'] = i
    return n / ((time.perf_counter_ns() - t) / 1e9)


def child_loop(d, n, out):
    t = time.perf_counter_ns()
    for i in range(n):
        d['k'] = i
        d['k']
    out.value = 2 * n / ((time.perf_counter_ns() - t) / 1e9)


def child_round(manager, d, n):
    out = mp.Value('d', 0.0)
    p = mp.Process(target=child_loop, args=(d, n, out))
    p.start()
    p.join()
    return out.value


if __name__ == "__main__":
    mode, n, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    with mp.Manager() as manager:
        d = manager.dict()
        once = (lambda: parent_round(d, n)) if mode == "parent" else (lambda: child_round(manager, d, n))
        once()
        print(json.dumps({"ops_per_s": statistics.median(once() for _ in range(rounds))}))
