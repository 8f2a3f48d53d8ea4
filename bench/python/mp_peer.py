"""Python multiprocessing peer of io.joblib4j.bench.multiprocessing.MultiprocessingScenarios, on the same machine.

Run:  python3 bench/python/mp_peer.py [start] [queue] [pipe] [counter] [pool]   (no argument: all of them)
Prints one line per scenario (scenario=NAME<TAB>value=...<TAB>unit=...): Process start-to-join with a trivial target
(spawn and fork), Queue throughput between two processes (small ints, 1 MB bytes), Pipe round trip, a shared counter
incremented from 2 processes (Value with its lock), Pool.map over 10^4 tiny tasks.
"""
import multiprocessing as mp
import sys
import time


def nothing():
    pass


def produce_ints(q, n):
    for i in range(n):
        q.put(i)
    q.put(-1)


def produce_bytes(q, n, size):
    b = b"x" * size
    for _ in range(n):
        q.put(b)
    q.put(None)


def echo(conn):
    while True:
        m = conn.recv()
        if m is None:
            break
        conn.send(m)


def count(v, n):
    for _ in range(n):
        with v.get_lock():
            v.value += 1


def tiny(x):
    return x + 1


def emit(name, value, unit):
    print(f"scenario={name}\tvalue={value:.6g}\tunit={unit}", flush=True)


def start_join(ctx, reps=5):
    best = []
    for _ in range(reps):
        t0 = time.perf_counter()
        p = ctx.Process(target=nothing)
        p.start()
        p.join()
        best.append(time.perf_counter() - t0)
    return sorted(best)[len(best) // 2]


def main(parts):
    spawn = mp.get_context("spawn")
    fork = mp.get_context("fork")
    if "start" in parts:
        emit("process_start_join_spawn", start_join(spawn) * 1000, "ms")
        emit("process_start_join_fork", start_join(fork) * 1000, "ms")
    if "queue" in parts:
        queue(fork)
    if "pipe" in parts:
        pipe(fork)
    if "counter" in parts:
        counter(fork)
    if "pool" in parts:
        pool(fork)


def queue_ints(fork, n):
    q = fork.Queue()
    p = fork.Process(target=produce_ints, args=(q, n))
    p.start()
    q.get()  # the first item: the child is up (as the Java side times it)
    t0 = time.perf_counter()
    got = 0
    while q.get() != -1:
        got += 1
    dt = time.perf_counter() - t0
    p.join()
    return got / dt


def queue(fork):
    emit("queue_small_ints", queue_ints(fork, 100_000), "items/s")
    emit("queue_small_ints_1m", queue_ints(fork, 1_000_000), "items/s")

    m, size = 200, 1 << 20
    q = fork.Queue()
    p = fork.Process(target=produce_bytes, args=(q, m, size))
    p.start()
    q.get()  # the first item: the child is up
    t0 = time.perf_counter()
    got = 0
    while q.get() is not None:
        got += 1
    dt = time.perf_counter() - t0
    p.join()
    emit("queue_1mb_bytes", got * size / dt / 1e6, "MB/s")


def pipe(fork):
    a, b = fork.Pipe()
    p = fork.Process(target=echo, args=(b,))
    p.start()
    for i in range(200):
        a.send(i)
        a.recv()
    rounds = 5000
    t0 = time.perf_counter()
    for i in range(rounds):
        a.send(i)
        a.recv()
    dt = time.perf_counter() - t0
    a.send(None)
    p.join()
    emit("pipe_round_trip", dt / rounds * 1e6, "us")


def counter(fork):
    v = fork.Value("q", 0)
    k = 200_000
    ps = [fork.Process(target=count, args=(v, k)) for _ in range(2)]
    t0 = time.perf_counter()
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    dt = time.perf_counter() - t0
    assert v.value == 2 * k
    emit("shared_counter_2_processes", 2 * k / dt, "increments/s")


def pool(fork):
    with fork.Pool(2) as pool:
        pool.map(tiny, range(100))
        t0 = time.perf_counter()
        r = pool.map(tiny, range(10_000))
        dt = time.perf_counter() - t0
        assert r[-1] == 10_000
        # the median of 100 calls after 300, as the Java side measures its warm row
        for _ in range(300):
            pool.map(tiny, range(10_000))
        warm = []
        for _ in range(100):
            t0 = time.perf_counter()
            pool.map(tiny, range(10_000))
            warm.append(time.perf_counter() - t0)
        warm.sort()
    emit("pool_map_10k_tiny", dt * 1000, "ms")
    emit("pool_map_10k_tiny_warm", warm[len(warm) // 2] * 1000, "ms")


if __name__ == "__main__":
    main(sys.argv[1:] or ["start", "queue", "pipe", "counter", "pool"])
