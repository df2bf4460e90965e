"""Python peer for bench/pool.ts (standard library only).

    python3 pool.py ROUNDTRIPS MAP_N CPU_STARTS ROUNDS DELAY_TASKS DELAY_MS
      -> {"roundtrip": ops/s, "map": ops/s, "speedup": x, "delay": ms}

roundtrip: Pool(2).apply_async(square, (i,)).get(), one after another.
map: Pool(2).map(square, range(MAP_N)) with the default chunksize.
speedup: map(primes_in, starts) on Pool(1) / Pool(2) (starts i * 20,000).
delay: DELAY_TASKS tasks of DELAY_MS ms (busy) by apply_async at once on
Pool(2); the median, over tasks, of the time from a task's end (in the
worker) to its callback (in the parent), on the machine's monotonic clock.
Each the median of ROUNDS; workers are started before the clock runs.
"""
import json
import statistics
import sys
import time
from multiprocessing import Pool


def square(x):
    return x * x


def primes_in(start):
    count = 0
    for n in range(max(2, start), start + 20000):
        d = 2
        prime = True
        while d * d <= n:
            if n % d == 0:
                prime = False
                break
            d += 1
        if prime:
            count += 1
    return count


def spin_ms(ms):
    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        pass
    return time.monotonic_ns() / 1e6


def delay(pool, tasks, ms):
    delays = []
    results = [pool.apply_async(spin_ms, (ms,), callback=lambda end: delays.append(time.monotonic_ns() / 1e6 - end)) for _ in range(tasks)]
    for r in results:
        r.get()
    return statistics.median(delays)


def main():
    roundtrips, map_n, cpu_starts, rounds, delay_tasks, delay_ms = (int(a) for a in sys.argv[1:7])
    rt, mp, cpu1, cpu2 = [], [], [], []
    with Pool(2) as pool:
        pool.map(square, range(100))
        for _ in range(rounds):
            t = time.perf_counter()
            for i in range(roundtrips):
                pool.apply_async(square, (i,)).get()
            rt.append(roundtrips / (time.perf_counter() - t))
            t = time.perf_counter()
            pool.map(square, range(map_n))
            mp.append(map_n / (time.perf_counter() - t))
        pool.apply_async(spin_ms, (1,)).get()
        late = statistics.median([delay(pool, delay_tasks, delay_ms) for _ in range(rounds)])
    starts = [i * 20000 for i in range(cpu_starts)]
    for n, out in ((1, cpu1), (2, cpu2)):
        with Pool(n) as pool:
            pool.map(square, range(10))
            for _ in range(rounds):
                t = time.perf_counter()
                pool.map(primes_in, starts)
                out.append(time.perf_counter() - t)
    print(json.dumps({"roundtrip": statistics.median(rt), "map": statistics.median(mp), "speedup": statistics.median(cpu1) / statistics.median(cpu2), "delay": late}))


if __name__ == "__main__":
    main()
