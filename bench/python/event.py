"""Python peer for the Event ping-pong bench (standard library only).

    python3 event.py N ROUNDS  -> {"ns_per_op": ...}   (ns per round trip)

A child process (default start method) loops N times: ping.wait(),
ping.clear(), pong.set(). The parent loops N times: ping.set(), pong.wait(),
pong.clear(). Timed in the parent after a ready handshake; median of ROUNDS
(each round a new child) after a warm-up round.
"""
import json
import multiprocessing as mp
import statistics
import sys
import time


def ponger(ping, pong, ready, n):
    ready.set()
    for _ in range(n):
        ping.wait()
        ping.clear()
        pong.set()


def round_trip(n):
    ping, pong, ready = mp.Event(), mp.Event(), mp.Event()
    p = mp.Process(target=ponger, args=(ping, pong, ready, n))
    p.start()
    ready.wait()
    time.sleep(0.01)
    t = time.perf_counter_ns()
    for _ in range(n):
        ping.set()
        pong.wait()
        pong.clear()
    ns = (time.perf_counter_ns() - t) / n
    p.join()
    return ns


if __name__ == "__main__":
    n, rounds = int(sys.argv[1]), int(sys.argv[2])
    round_trip(n // 10)
    print(json.dumps({"ns_per_op": statistics.median(round_trip(n) for _ in range(rounds))}))
