"""Python joblib on a dask LocalCluster (loopback), on the cluster scenarios of joblib4j's bench harness.

Run: /usr/bin/python3 bench/python/cluster_peer.py SLOTS
Workers are processes with SLOTS threads each, as joblib4j's members have SLOTS slots. Each result is one line of
tab-separated key=value fields: scenario=throughput<TAB>members=2<TAB>tasks=...<TAB>seconds=...
"""
import os
import signal
import sys
import time
import warnings

warnings.filterwarnings("ignore")

from dask.distributed import Client, LocalCluster  # noqa: E402
from joblib import Parallel, delayed  # noqa: E402

try:
    from joblib import parallel_config  # joblib >= 1.3
except ImportError:  # Debian 12's joblib 1.2
    from joblib import parallel_backend as parallel_config


def emit(**kw):
    print("\t".join(f"{k}={v}" for k, v in kw.items()), flush=True)


def identity(x):
    return x


def sleep_ms(x, ms):
    time.sleep(ms / 1000)
    return x


def worker_pid():
    return os.getpid()


def cluster(members, slots):
    lc = LocalCluster(n_workers=members, threads_per_worker=slots, processes=True, host="127.0.0.1",
                      dashboard_address=None, silence_logs=50)
    return lc, Client(lc)


def best(runs, f):
    b = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        f()
        b = min(b, time.perf_counter() - t)
    return b


def main():
    slots = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    # Dispatch overhead: tiny tasks on 2 workers (fewer tasks than joblib4j's run: dask takes ~ms per task).
    lc, client = cluster(2, slots)
    try:
        n = 2000
        with parallel_config(backend="dask"):
            Parallel(n_jobs=-1)(delayed(identity)(i) for i in range(100))
            s = best(3, lambda: Parallel(n_jobs=-1)(delayed(identity)(i) for i in range(n)))
        emit(scenario="overhead", members=2, tasks=n, seconds=f"{s:.4f}")
    finally:
        client.close()
        lc.close()
    for members in (1, 2, 4):
        lc, client = cluster(members, slots)
        try:
            n = 100 * members * slots
            with parallel_config(backend="dask"):
                Parallel(n_jobs=-1)(delayed(sleep_ms)(i, 10) for i in range(members * slots))
                s = best(3, lambda: Parallel(n_jobs=-1)(delayed(sleep_ms)(i, 10) for i in range(n)))
            emit(scenario="throughput", members=members, tasks=n, seconds=f"{s:.4f}")
        finally:
            client.close()
            lc.close()
    # Recovery: kill -9 of one worker process 0.5 s into a call of 2 s tasks.
    lc, client = cluster(2, slots)
    try:
        pids = list(client.run(worker_pid).values())
        n = 4 * slots
        t = time.perf_counter()
        import threading

        def kill():
            time.sleep(0.5)
            os.kill(pids[1], signal.SIGKILL)

        threading.Thread(target=kill, daemon=True).start()
        note = "all results"
        results = 0
        try:
            with parallel_config(backend="dask"):
                results = len(Parallel(n_jobs=-1)(delayed(sleep_ms)(i, 2000) for i in range(n)))
        except Exception as e:  # noqa: BLE001
            note = type(e).__name__
        s = time.perf_counter() - t
        emit(scenario="recovery", members=2, tasks=n, seconds=f"{s:.2f}", results=results, note=note)
    finally:
        try:
            client.close()
            lc.close()
        except Exception:  # noqa: BLE001
            pass


if __name__ == "__main__":
    main()
