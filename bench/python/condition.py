"""Python peer for the Condition hand-off bench (standard library only).

    python3 condition.py N ROUNDS  -> {"ns_per_op": ...}   (ns per round trip)

A child process (default start method) loops N times: with cond: wait while
turn != 1; turn = 0; notify(). The parent loops N times: with cond: turn = 1;
notify(); wait while turn != 0. Timed in the parent after a ready handshake;
median of ROUNDS (each round a new child) after a warm-up round.
"""
import json
import multiprocessing as mp
import statistics
import sys
import time


def child(cond, turn, ready, n):
    ready.set()
    for _ in range(n):
        with cond:
            while turn.value != 1:
                cond.wait()
            turn.value = 0
            cond.notify()


def round_trip(n):
    cond, ready = mp.Condition(), mp.Event()
    turn = mp.Value("i", 0, lock=False)
    p = mp.Process(target=child, args=(cond, turn, ready, n))
    p.start()
    ready.wait()
    time.sleep(0.01)
    t = time.perf_counter_ns()
    for _ in range(n):
        with cond:
            turn.value = 1
            cond.notify()
            while turn.value != 0:
                cond.wait()
    ns = (time.perf_counter_ns() - t) / n
    p.join()
    return ns


if __name__ == "__main__":
    n, rounds = int(sys.argv[1]), int(sys.argv[2])
    round_trip(n // 10)
    print(json.dumps({"ns_per_op": statistics.median(round_trip(n) for _ in range(rounds))}))
