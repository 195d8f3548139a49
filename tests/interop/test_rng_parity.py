"""anomed.rng against numpy's default_rng: permutations for many seeds (small, 2^64+3,
2^200+7, SHA-256 digests) and sizes (0 .. 10^5), bounded integers, doubles, and a
generator's state carried across calls. Usage: test_rng_parity.py ANOMED_LUA"""
import hashlib
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def expected(kind, seed, n):
    if kind == "bytes":
        seed = int(seed, 16)
    g = np.random.default_rng(int(seed))
    if kind in ("perm", "bytes"):
        return g.permutation(n)
    if kind == "ints":
        return g.integers(-7, n, 50)
    if kind == "big":
        return g.integers(0, (1 << 62) + n, 50)
    if kind == "random":
        return g.random(n)
    a = np.arange(n)
    g.shuffle(a)
    g.shuffle(a)
    return a


def main():
    seeds = [0, 1, 42, 2**32 - 1, 2**32, 2**64 + 3, 2**200 + 7, 12345678901234567890123]
    digests = [hashlib.sha256((a + d).encode()).hexdigest()
               for a, d in [("anon-1", "deanon-1"), ("alice", "bob"), ("", "x")]]
    lines = []
    for n in (0, 1, 2, 10, 1000, 10**5):
        lines += ["perm %d %d" % (s, n) for s in seeds]
        lines += ["bytes %s %d" % (h, n) for h in digests]
        lines += ["shuffle2 %d %d" % (s, n) for s in seeds[:3]]
    for n in (1, 2, 7, 1000, 2**31, 2**40):
        lines += ["ints %d %d" % (s, n) for s in seeds[:4]]
        lines += ["big %d %d" % (s, n) for s in seeds[:2]]
    lines += ["random %d 100" % s for s in seeds]
    with tempfile.TemporaryDirectory() as tmp:
        listing, out = os.path.join(tmp, "draws.txt"), os.path.join(tmp, "draws.npz")
        open(listing, "w").write("\n".join(lines) + "\n")
        run = subprocess.run([sys.argv[1], os.path.join(HERE, "permute.lua"), listing, out],
                             capture_output=True, text=True)
        if run.returncode != 0:
            print(run.stdout, run.stderr)
            print("0 passed, 1 failed")
            return 1
        failures = 0
        with np.load(out) as got:
            for i, line in enumerate(lines):
                kind, seed, n = line.split()
                want = expected(kind, seed, int(n))
                if not np.array_equal(got["d%d" % i], want):
                    failures += 1
                    print("FAIL", line)
    print("%d passed, %d failed" % (len(lines) - failures, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
