"""Python peers for the lock benches (standard library only).

    python3 lock.py uncontended N ROUNDS   -> {"ns_per_op": ...}
    python3 lock.py contended N ROUNDS     -> {"ns_per_op": ..., "count_ok": true}

uncontended: one process, N x (acquire; release) on a multiprocessing.Lock,
bound methods held in locals; median of ROUNDS after a warm-up.
contended: 2 processes (default start method), each waits on a start Event,
then does N x (acquire; counter.value += 1; release) on one Lock and a
RawValue('i'); time = max(child end) - start, on the shared monotonic clock,
excluding process start-up; per op = time / (2 N). The count is checked.
"""
import json
import multiprocessing as mp
import statistics
import sys
import time


def uncontended(n, rounds):
    lock = mp.Lock()
    acq, rel = lock.acquire, lock.release

    def once():
        t = time.perf_counter_ns()
        for _ in range(n):
            acq()
            rel()
        return (time.perf_counter_ns() - t) / n

    once()
    return {"ns_per_op": statistics.median(once() for _ in range(rounds))}


def worker(lock, counter, ready, start, ends, slot, n):
    with ready.get_lock():
        ready.value += 1
    start.wait()
    acq, rel = lock.acquire, lock.release
    for _ in range(n):
        acq()
        counter.value += 1
        rel()
    ends[slot] = time.monotonic_ns()


def contended(n, rounds):
    results = []
    ok = True
    for _ in range(rounds + 1):
        lock = mp.Lock()
        counter = mp.RawValue("i", 0)
        ready = mp.Value("i", 0)
        start = mp.Event()
        ends = mp.RawArray("d", 2)
        ps = [mp.Process(target=worker, args=(lock, counter, ready, start, ends, i, n)) for i in range(2)]
        for p in ps:
            p.start()
        while ready.value < 2:
            time.sleep(0.001)
        time.sleep(0.01)
        t0 = time.monotonic_ns()
        start.set()
        for p in ps:
            p.join()
        ok = ok and counter.value == 2 * n
        results.append((max(ends) - t0) / (2 * n))
    return {"ns_per_op": statistics.median(results[1:]), "count_ok": ok}


if __name__ == "__main__":
    mode, n, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    print(json.dumps(uncontended(n, rounds) if mode == "uncontended" else contended(n, rounds)))
