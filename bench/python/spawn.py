"""Python peer for the process start+join bench (standard library only).

    python3 spawn.py METHOD COUNT PAUSE_MS  -> {"ns_per_op": ...}

Starts and joins a no-op target COUNT times with get_context(METHOD)
('spawn' or 'fork'), PAUSE_MS apart, after one warm-up; the median of the
start()+join() times.
"""
import json
import multiprocessing as mp
import statistics
import sys
import time


def noop():
    pass


if __name__ == "__main__":
    method, count, pause = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]) / 1000
    ctx = mp.get_context(method)
    times = []
    for i in range(count + 1):
        t = time.perf_counter_ns()
        p = ctx.Process(target=noop)
        p.start()
        p.join()
        times.append(time.perf_counter_ns() - t)
        time.sleep(pause)
    print(json.dumps({"ns_per_op": statistics.median(times[1:])}))
