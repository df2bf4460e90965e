"""Python peer for the queue and pipe benches (standard library only).

    python3 mp_queue.py KIND N ROUNDS  -> {"msgs_per_s": ...} or {"ns": ...}

Each KIND mirrors a row of bench/queue.ts, measured the same way: the child
processes start first and wait on an Event, so start-up is excluded; the
clock runs from the moment they are told to go to the last item received;
the figure is the median of ROUNDS after a warm-up round.

- queue-int / queue-dict / queue-mib: multiprocessing.Queue, a child puts N
  ints / {'id': i, 'name': 'item'} dicts / 1 MiB bytes, the parent gets them
  one at a time (queue-mib reports MB/s in msgs_per_s).
- queue-4x4: multiprocessing.Queue(64), 4 producer and 4 consumer
  processes, N items in all; aggregate items/s.
- queue-latency: a child puts time.monotonic_ns() every 2 ms into an empty
  queue the parent waits on; the median delay to the parent's get, in ns.
- pipe-int: multiprocessing.Pipe(duplex=False), a child sends N ints.
- pipe-pingpong: multiprocessing.Pipe(), N round trips (one message each
  way), reported as round trips per second.
"""
import json
import multiprocessing as mp
import statistics
import sys
import time

MIB = 1 << 20


def producer(q, go, n, kind):
    go.wait()
    if kind == 'queue-int':
        for i in range(n):
            q.put(i)
    elif kind == 'queue-dict':
        for i in range(n):
            q.put({'id': i, 'name': 'item'})
    else:
        blob = bytes(MIB)
        for _ in range(n):
            q.put(blob)


def sender(conn, go, n):
    go.wait()
    for i in range(n):
        conn.send(i)
    conn.close()


def echo(conn, go, n):
    go.wait()
    for _ in range(n):
        conn.send(conn.recv())


def put_range(q, go, n):
    go.wait()
    for i in range(n):
        q.put(i)


def get_until_none(q, go):
    go.wait()
    while q.get() is not None:
        pass


def stamper(q, go, n):
    go.wait()
    for _ in range(n):
        time.sleep(0.002)
        q.put(time.monotonic_ns())


def one_round(kind, n):
    go = mp.Event()
    if kind.startswith('queue') and kind not in ('queue-4x4', 'queue-latency'):
        q = mp.Queue()
        p = mp.Process(target=producer, args=(q, go, n, kind))
        p.start()
        time.sleep(0.05)
        t = time.perf_counter()
        go.set()
        for _ in range(n):
            q.get()
        rate = n / (time.perf_counter() - t)
        p.join()
        return rate * MIB / 1e6 if kind == 'queue-mib' else rate
    if kind == 'queue-4x4':
        q = mp.Queue(64)
        ps = [mp.Process(target=put_range, args=(q, go, n // 4)) for _ in range(4)]
        cs = [mp.Process(target=get_until_none, args=(q, go)) for _ in range(4)]
        for x in ps + cs:
            x.start()
        time.sleep(0.05)
        t = time.perf_counter()
        go.set()
        for p in ps:
            p.join()
        for _ in cs:
            q.put(None)
        for c in cs:
            c.join()
        return n / (time.perf_counter() - t)
    if kind == 'queue-latency':
        q = mp.Queue()
        p = mp.Process(target=stamper, args=(q, go, n))
        p.start()
        time.sleep(0.05)
        go.set()
        delays = []
        for _ in range(n):
            sent = q.get()
            delays.append(time.monotonic_ns() - sent)
        p.join()
        return statistics.median(delays)
    if kind == 'pipe-int':
        rx, tx = mp.Pipe(duplex=False)
        p = mp.Process(target=sender, args=(tx, go, n))
        p.start()
        tx.close()
        time.sleep(0.05)
        t = time.perf_counter()
        go.set()
        for _ in range(n):
            rx.recv()
        rate = n / (time.perf_counter() - t)
        p.join()
        return rate
    if kind == 'pipe-pingpong':
        here, there = mp.Pipe()
        p = mp.Process(target=echo, args=(there, go, n))
        p.start()
        time.sleep(0.05)
        t = time.perf_counter()
        go.set()
        for i in range(n):
            here.send(i)
            here.recv()
        rate = n / (time.perf_counter() - t)
        p.join()
        return rate
    raise SystemExit(f'unknown kind {kind}')


if __name__ == "__main__":
    kind, n, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    one_round(kind, max(1, n // 10))
    figure = statistics.median(one_round(kind, n) for _ in range(rounds))
    print(json.dumps({"ns": figure} if kind == 'queue-latency' else {"msgs_per_s": figure}))
