"""Python peer for the queue and pipe benches (standard library only).

    python3 mp_queue.py KIND N ROUNDS  -> {"msgs_per_s": ...}

KIND: 'queue-int' / 'queue-dict' (multiprocessing.Queue, a child puts N
items, the parent gets them), 'pipe-int' (multiprocessing.Pipe, a child sends
N ints, the parent receives). Timed in the parent from the moment the child is
told to go (start-up excluded) to the last item received; median of ROUNDS
after a warm-up round.
"""
import json
import multiprocessing as mp
import statistics
import sys
import time


def producer(q, go, n, kind):
    go.wait()
    if kind == 'queue-int':
        for i in range(n):
            q.put(i)
    else:
        for i in range(n):
            q.put({'id': i, 'name': 'item', 'tags': ['a', 'b']})


def sender(conn, go, n):
    go.wait()
    for i in range(n):
        conn.send(i)
    conn.close()


def one_round(kind, n):
    go = mp.Event()
    if kind.startswith('queue'):
        q = mp.Queue()
        p = mp.Process(target=producer, args=(q, go, n, kind))
        p.start()
        time.sleep(0.05)
        t = time.perf_counter()
        go.set()
        for _ in range(n):
            q.get()
    else:
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


if __name__ == "__main__":
    kind, n, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    one_round(kind, n // 10)
    print(json.dumps({"msgs_per_s": statistics.median(one_round(kind, n) for _ in range(rounds))}))
