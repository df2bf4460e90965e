"""Python peer for the thread start bench (standard library only).

    python3 thread_start.py COUNT ROUNDS  -> {"start_join_ns": ..., "hundred_ns": ...}

start_join_ns: threading.Thread(target=noop) start()+join(), back to back,
COUNT times after a warm-up; the median.
hundred_ns: 100 threads started one after another, then all joined; the
median of ROUNDS rounds (after one warm-up round).
"""
import json
import statistics
import sys
import threading
import time


def noop():
    pass


def start_join():
    t = time.perf_counter_ns()
    th = threading.Thread(target=noop)
    th.start()
    th.join()
    return time.perf_counter_ns() - t


def hundred():
    t = time.perf_counter_ns()
    ths = [threading.Thread(target=noop) for _ in range(100)]
    for th in ths:
        th.start()
    for th in ths:
        th.join()
    return time.perf_counter_ns() - t


if __name__ == "__main__":
    count, rounds = int(sys.argv[1]), int(sys.argv[2])
    for _ in range(20):
        start_join()
    one = statistics.median(start_join() for _ in range(count))
    hundred()
    many = statistics.median(hundred() for _ in range(rounds))
    print(json.dumps({"start_join_ns": one, "hundred_ns": many}))
