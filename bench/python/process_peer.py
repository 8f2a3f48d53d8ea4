"""Python joblib (loky) peer of io.joblib4j.bench.process.ProcessScenarios, on the same machine.

Run:  /usr/bin/python3 bench/python/process_peer.py
Prints: cold first result on a fresh pool of 2, warm tiny-task throughput with auto batching, a 200 MB array
shared by 20 tasks (time beyond the tasks' own work, added peak PSS of parent and workers), and the documents'
memmap example on loky, threads and sequentially.
"""
import os
import sys
import threading
import time

import numpy as np
from joblib import Parallel, delayed
import joblib.externals.loky.reusable_executor as reusable


def identity(x):
    return x


def square(x):
    return x * x


def pss(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def pool_pids():
    ex = reusable._executor
    procs = getattr(ex, "_processes", None) or {}
    return [os.getpid()] + list(procs.keys())


class PeakSampler:
    def __init__(self):
        self.peak = sum(pss(p) for p in pool_pids())
        self.stop = False
        self.t = threading.Thread(target=self.loop, daemon=True)
        self.t.start()

    def loop(self):
        while not self.stop:
            self.peak = max(self.peak, sum(pss(p) for p in pool_pids()))
            time.sleep(0.005)

    def close(self):
        self.stop = True
        self.t.join()
        self.peak = max(self.peak, sum(pss(p) for p in pool_pids()))
        return self.peak


def cold_first_result():
    if reusable._executor is not None:
        reusable._executor.shutdown(wait=True)
        reusable._executor = None
    start = time.perf_counter()
    Parallel(n_jobs=2)(delayed(square)(i) for i in range(2))
    return time.perf_counter() - start


def small_call_ms():
    rounds = []
    for r in range(6):
        start = time.perf_counter()
        for _ in range(100):
            Parallel(n_jobs=2)(delayed(square)(i) for i in range(4))
        if r > 0:
            rounds.append((time.perf_counter() - start) * 1000 / 100)
    return sorted(rounds)[len(rounds) // 2]


def tiny_throughput(n=200_000):
    Parallel(n_jobs=2)(delayed(identity)(i) for i in range(n // 4))
    best = 0
    for _ in range(3):
        start = time.perf_counter()
        out = Parallel(n_jobs=2)(delayed(identity)(i) for i in range(n))
        assert len(out) == n
        best = max(best, n / (time.perf_counter() - start))
    return best


def slice_sum(data, task, tasks):
    chunk = len(data) // tasks
    return float(data[task * chunk:(task + 1) * chunk].sum())


def shared_array(n=25_000_000, tasks=20):
    data = np.ones(n)
    small = np.ones(1_000_000)
    for _ in range(2):
        Parallel(n_jobs=2)(delayed(slice_sum)(small, t, tasks) for t in range(tasks))
    start = time.perf_counter()
    for t in range(tasks):
        slice_sum(data, t, tasks)
    work = (time.perf_counter() - start) / 2
    before = sum(pss(p) for p in pool_pids())
    sampler = PeakSampler()
    start = time.perf_counter()
    out = Parallel(n_jobs=2)(delayed(slice_sum)(data, t, tasks) for t in range(tasks))
    elapsed = time.perf_counter() - start
    peak = sampler.close()
    assert sum(out) == (n // tasks) * tasks
    return elapsed, elapsed - work, peak - before


def window_mean(data, start, size):
    time.sleep(0.01)
    return float(data[start:start + size].mean())


def memmap_example(**kw):
    data = np.random.default_rng(0).random(10_000_000)
    window, step = 500_000, 100_000
    starts = list(range(0, len(data) - window + 1, step))
    with Parallel(**kw) as p:
        elapsed = None
        for _ in range(2):
            start = time.perf_counter()
            means = p(delayed(window_mean)(data, s, window) for s in starts)
            elapsed = time.perf_counter() - start
            assert len(means) == len(starts)
    return elapsed


def main():
    print(f"python joblib {__import__('joblib').__version__}, numpy {np.__version__}, {os.cpu_count()} CPUs")
    print(f"cold pool of 2, first result (loky):          {cold_first_result():.3f} s")
    print(f"small call (4 tasks) on a warm pool (loky):   {small_call_ms():.2f} ms/call")
    print(f"warm tiny tasks, auto batching (loky):        {tiny_throughput():.0f} tasks/s")
    elapsed, overhead, added = shared_array()
    print(f"200 MB array x 20 tasks (loky, memmapped):    time {elapsed:.3f} s, overhead {overhead:.3f} s, "
          f"added peak PSS {added / 1e6:.1f} MB ({100 * added / 200e6:.0f}% of the array)")
    loky = memmap_example(n_jobs=2)
    threads = memmap_example(n_jobs=2, prefer="threads")
    seq = memmap_example(n_jobs=1)
    print(f"memmap example: loky {loky:.3f} s, threads {threads:.3f} s, sequential {seq:.3f} s, "
          f"loky/threads {loky / threads:.2f}")


if __name__ == "__main__":
    sys.exit(main())
