"""npz codec benchmark: anomed-lua against numpy on the same arrays, in the same run.
Arrays: 140000 x 50 float64 standard normal, and the same shape of small int64 (0..9).
Prints throughput ratios (ours / numpy's; > 1 is faster) and compressed sizes; wall clock,
best of REPS runs. Engines: zlib6 (numpy's bytes), zlib6x2 (zlib on two threads),
libdeflate6 (the default), stored (level 0).
Usage: /usr/bin/python3 bench/npz_bench.py build/anomed-lua [REPS]"""
import io
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def best_of(reps, fn):
    best = float("inf")
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def numpy_times(name, a, reps):
    holder = {}
    def encode():
        buf = io.BytesIO()
        np.savez_compressed(buf, **{name: a})
        holder["bytes"] = buf.getvalue()
    def decode():
        with np.load(io.BytesIO(holder["bytes"])) as z:
            z[name]
    enc = best_of(reps, encode)
    return enc, best_of(reps, decode), len(holder["bytes"])


def main():
    lua, reps = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3
    rng = np.random.default_rng(0)
    arrays = {"normal_f8": rng.standard_normal((140000, 50)),
              "small_i8": rng.integers(0, 10, (140000, 50))}
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "src.npz")
        np.savez(src, **arrays)
        out = subprocess.run([lua, os.path.join(HERE, "npz_bench.lua"), src, str(reps)],
                             check=True, capture_output=True, text=True).stdout
    ours = {}
    for line in out.split("\n"):
        if line:
            name, engine, op, secs, size = line.split()
            ours[name, engine, op] = (float(secs), int(size))
    print("%-10s %-12s %10s %10s %12s %12s" % ("array", "engine", "encode x", "decode x", "size", "size/numpy"))
    for name, a in arrays.items():
        enc, dec, size = numpy_times(name, a, reps)
        mb = a.nbytes / 1e6
        print("%-10s %-12s %10s %10s %12d %12s   (%.0f MB/s encode, %.0f MB/s decode)"
              % (name, "numpy", "1.00", "1.00", size, "1.000", mb / enc, mb / dec))
        for engine in ("zlib6", "zlib6x2", "libdeflate6", "stored"):
            e, osize = ours[name, engine, "encode"]
            d, _ = ours[name, engine, "decode"]
            print("%-10s %-12s %10.2f %10.2f %12d %12.3f   (%.0f MB/s encode, %.0f MB/s decode)"
                  % (name, engine, enc / e, dec / d, osize, osize / size, mb / e, mb / d))


if __name__ == "__main__":
    main()
