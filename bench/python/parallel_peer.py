"""Python joblib on the Parallel scenarios of joblib4j's bench harness.

Run: /usr/bin/python3 bench/python/parallel_peer.py [tiny|sleep|cpu ...]
Each result is one line of tab-separated key=value fields: scenario=tiny<TAB>variant=loky<TAB>n=...<TAB>seconds=...
"""
import math
import sys
import time

from joblib import Parallel, delayed


def emit(**kw):
    print("\t".join(f"{k}={v}" for k, v in kw.items()), flush=True)


def sleep_one(i):
    time.sleep(1)
    return i


def busy(ms):
    # Pure-Python busy loop of about `ms` milliseconds (calibrated below).
    x = 0.0
    for i in range(int(ms * BUSY_PER_MS)):
        x += math.sqrt(i)
    return x


BUSY_PER_MS = 1


def calibrate():
    global BUSY_PER_MS
    n = 200_000
    t = time.perf_counter()
    x = 0.0
    for i in range(n):
        x += math.sqrt(i)
    BUSY_PER_MS = n / ((time.perf_counter() - t) * 1000)


def tiny(sizes):
    for n in sizes:
        for backend in ("loky", "threading"):
            if backend == "threading" and n > 100_000:
                continue
            if backend == "loky" and n > 1_000_000:
                continue
            Parallel(n_jobs=2, backend=backend)(delayed(math.sqrt)(i) for i in range(1000))  # warm
            best = float("inf")
            for _ in range(3 if n <= 100_000 else 1):
                t = time.perf_counter()
                Parallel(n_jobs=2, backend=backend)(delayed(math.sqrt)(i) for i in range(n))
                best = min(best, time.perf_counter() - t)
            emit(scenario="tiny", variant=backend, n=n, seconds=best)


def sleeps():
    for call in ("first", "second"):
        t = time.perf_counter()
        Parallel(n_jobs=8)(delayed(sleep_one)(i) for i in range(10))
        emit(scenario="sleep", variant="loky " + call, n=10, seconds=time.perf_counter() - t)


def cpu():
    calibrate()
    for ms in (1, 10):
        n = 2000 // ms
        t = time.perf_counter()
        [busy(ms) for _ in range(n)]
        seq = time.perf_counter() - t
        Parallel(n_jobs=2)(delayed(busy)(ms) for _ in range(4))
        t = time.perf_counter()
        Parallel(n_jobs=2)(delayed(busy)(ms) for _ in range(n))
        par = time.perf_counter() - t
        emit(scenario="cpu", variant="loky", n=n, ms=ms, seconds=par, sequential=seq)


if __name__ == "__main__":
    which = sys.argv[1:] or ["sleep", "tiny", "cpu"]
    if "sleep" in which:
        sleeps()
    if "tiny" in which:
        tiny([10_000, 100_000, 1_000_000])
    if "cpu" in which:
        cpu()
