"""Python joblib's Memory in the scenarios of io.joblib4j.bench.memory.MemoryScenario (same machine, same sizes).

Run with the interpreter that has joblib and numpy:  /usr/bin/python3 bench/python/memory_peer.py [DIR]
(./joblib4j bench memory runs it beside the Java scenarios). Each result is one line of tab-separated fields,
scenario=NAME<TAB>ms=MEDIAN, the median of several repetitions after warm-up.
"""
import os
import shutil
import statistics
import sys
import tempfile
import time

import numpy as np
from joblib import Memory


def total(a):
    return float(a.sum())


def big_array(seed):
    return np.arange(10_000_000, dtype=np.float64) + seed


def tiny(x):
    return x + 1


def timed(warmup, reps, fn):
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out) * 1e3


def main():
    base = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="joblib-memory-bench")
    location = os.path.join(base, "python")
    try:
        memory = Memory(location, verbose=0)
        mmap_memory = Memory(location, verbose=0, mmap_mode="r")

        arg = np.arange(1_000_000, dtype=np.float64) * 0.5
        c_total = memory.cache(total)
        c_total(arg)
        hit8 = timed(20, 50, lambda: c_total(arg))

        # miss + store, minus the plain call; each stored entry is removed right after (outside the timing)
        c_big = memory.cache(big_array)
        t_plain, t_miss = [], []
        for rep in range(9):
            t0 = time.perf_counter()
            big_array(2 * rep + 1)
            a = time.perf_counter() - t0
            t0 = time.perf_counter()
            c_big(2 * rep + 1)
            b = time.perf_counter() - t0
            c_big.clear(warn=False)
            if rep >= 2:
                t_plain.append(a)
                t_miss.append(b)
        uncached = statistics.median(t_plain) * 1e3
        miss = statistics.median(t_miss) * 1e3

        c_big(-1)
        hit_heap = timed(3, 9, lambda: c_big(-1))
        m_big = mmap_memory.cache(big_array)
        m_big(-1)
        hit_mmap = timed(20, 50, lambda: m_big(-1))

        c_tiny = memory.cache(tiny)
        c_tiny(1)
        hit_tiny = timed(3000, 3000, lambda: c_tiny(1))

        for name, ms in [("hit8", hit8), ("store80", miss - uncached), ("call80", uncached),
                         ("load80", hit_heap), ("mmap80", hit_mmap), ("tiny", hit_tiny)]:
            print("scenario=%s\tms=%.4f" % (name, ms), flush=True)
    finally:
        shutil.rmtree(location, ignore_errors=True)


if __name__ == "__main__":
    main()
