"""Python peer for the process start+join bench (standard library only).

    python3 spawn.py METHOD COUNT PAUSE_MS [BURST]  -> {"ns_per_op": ...}

With get_context(METHOD) ('spawn', 'fork' or 'forkserver'): starts and joins
a no-op target COUNT times, PAUSE_MS apart (0: back to back), after one
warm-up; the median of the start()+join() times. With BURST n, each round
starts n processes at once and then joins them all: the median round time.
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
    burst = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    ctx = mp.get_context(method)
    times = []
    for i in range(count + 1):
        t = time.perf_counter_ns()
        ps = [ctx.Process(target=noop) for _ in range(burst)]
        for p in ps:
            p.start()
        for p in ps:
            p.join()
        times.append(time.perf_counter_ns() - t)
        if pause > 0:
            time.sleep(pause)
    print(json.dumps({"ns_per_op": statistics.median(times[1:])}))
