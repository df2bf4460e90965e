"""Python peer for the CPU-bound threads bench (standard library only).

    python3 threads.py N ROUNDS  -> {"speedup": ..., "one_s": ..., "two_s": ...}

The same loop as bench/targets.ts `spin`: N iterations of
x = (x * 31 + i) % 1000003, on 1 thread, then N/2 on each of 2 threads
(threading, so the GIL applies). speed-up = time(1 thread) / time(2 threads),
each the median of ROUNDS.
"""
import json
import statistics
import sys
import threading
import time


def spin(n, out, slot, gate):
    gate.wait()
    x = 0
    for i in range(n):
        x = (x * 31 + i) % 1000003
    out[slot] = x


def timed(parts, n):
    out = [0] * parts
    gate = threading.Event()
    ts = [threading.Thread(target=spin, args=(n // parts, out, i, gate)) for i in range(parts)]
    for t in ts:
        t.start()
    t0 = time.perf_counter()
    gate.set()
    for t in ts:
        t.join()
    return time.perf_counter() - t0


if __name__ == "__main__":
    n, rounds = int(sys.argv[1]), int(sys.argv[2])
    one = statistics.median(timed(1, n) for _ in range(rounds))
    two = statistics.median(timed(2, n) for _ in range(rounds))
    print(json.dumps({"speedup": one / two, "one_s": one, "two_s": two}))
