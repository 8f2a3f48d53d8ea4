"""Python joblib peer of io.joblib4j.bench.persist.PersistScenario.

Usage: /usr/bin/python3 bench/python/persist_peer.py DATA.npy WORKDIR REPS
Loads the exact array the Java side generated, then times joblib.dump/load (uncompressed, mmap_mode='r',
zlib level 3, lz4 when the lz4 module is installed) and joblib.hash of the first 8 MB. Prints one line per
measurement: name<TAB>seconds (best of REPS)<TAB>bytes on disk.
"""
import os
import sys
import time

import joblib
import numpy as np


def best(fn, reps):
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main():
    data_path, work, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
    a = np.load(data_path)
    out = []
    f = os.path.join(work, "peer.pkl")

    def dump(compress):
        if os.path.exists(f):
            os.remove(f)
        joblib.dump(a, f, compress=compress)

    out.append(("dump none", best(lambda: dump(0), reps)))
    size = os.path.getsize(f)
    out.append(("load none", best(lambda: joblib.load(f), reps)))
    out.append(("load mmap r", best(lambda: joblib.load(f, mmap_mode="r"), reps)))
    results = [(n, t, size) for n, t in out]
    codecs = [("zlib3", ("zlib", 3))]
    try:
        import lz4  # noqa: F401
        codecs.append(("lz4", ("lz4", 3)))
    except ImportError:
        pass
    for name, compress in codecs:
        t = best(lambda: dump(compress), max(1, reps // 2))
        results.append(("dump " + name, t, os.path.getsize(f)))
        results.append(("load " + name, best(lambda: joblib.load(f), max(1, reps // 2)), os.path.getsize(f)))
    small = np.ascontiguousarray(a.ravel()[: (8 << 20) // a.itemsize])
    results.append(("hash 8MB", best(lambda: joblib.hash(small), reps * 3), small.nbytes))
    os.remove(f)
    for name, t, size in results:
        print("%s\t%.6f\t%d" % (name, t, size))


if __name__ == "__main__":
    main()
