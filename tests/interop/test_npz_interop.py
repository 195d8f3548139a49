"""numpy <-> anomed.npz interop: every dtype x shape x container variant that numpy writes
is read by anomed-lua and written back; numpy must read it back equal, and at zlib level 6
our bytes must equal numpy's savez_compressed. Usage: test_npz_interop.py ANOMED_LUA"""
import io
import os
import subprocess
import sys
import tempfile
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DTYPES = ["?", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8", "c8", "c16", "U5", "S5"]
SHAPES = [(), (0,), (7,), (0, 3), (2, 3, 4)]
rng = np.random.default_rng(1)


def values(dtype, shape):
    dt = np.dtype(dtype)
    n = int(np.prod(shape, dtype=np.int64))
    if dt.kind == "b":
        flat = rng.integers(0, 2, n).astype(bool)
    elif dt.kind in "iu":
        info = np.iinfo(dt)
        flat = rng.integers(info.min, info.max, n, dtype=dt, endpoint=True)
    elif dt.kind == "f":
        flat = (rng.standard_normal(n) * 1e3).astype(dt)
        flat[: min(n, 3)] = [np.nan, np.inf, -0.0][: min(n, 3)]
    elif dt.kind == "c":
        flat = (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(dt)
    elif dt.kind == "U":
        alphabet = list("abcXYZ éß漢字😀")
        flat = np.array(["".join(rng.choice(alphabet, rng.integers(0, 6))) for _ in range(n)], dtype=dt)
    else:
        flat = np.array([bytes(rng.integers(1, 256, rng.integers(0, 6)).astype(np.uint8)) for _ in range(n)], dtype=dt)
    return flat.reshape(shape)


class Unseekable(io.RawIOBase):
    """A write-only stream: zipfile then writes data descriptors (flag bit 3)."""
    def __init__(self, path):
        self.f = open(path, "wb")
    def writable(self):
        return True
    def write(self, b):
        return self.f.write(b)
    def close(self):
        self.f.close()
        super().close()


def to_py3114_layout(path):
    """Rewrites local headers as Python >= 3.11.4 does: version 45, sizes 0xFFFFFFFF."""
    data = bytearray(open(path, "rb").read())
    with zipfile.ZipFile(path) as z:
        offsets = [info.header_offset for info in z.infolist()]
    for off in offsets:
        data[off + 4] = 45
        data[off + 18: off + 26] = b"\xff" * 8
    open(path, "wb").write(bytes(data))


def write_variants(tmp, case, arrays):
    """numpy's ways of writing the same arrays; returns the file names."""
    base = os.path.join(tmp, case)
    names = []
    np.savez(base + ".stored.npz", **arrays)
    np.savez_compressed(base + ".deflated.npz", **arrays)
    names += [base + ".stored.npz", base + ".deflated.npz"]
    swapped = {k: v.astype(v.dtype.newbyteorder(">")) for k, v in arrays.items()}
    np.savez_compressed(base + ".bigendian.npz", **swapped)
    fortran = {k: v.copy(order="F") for k, v in arrays.items()}
    np.savez(base + ".fortran.npz", **fortran)
    np.savez_compressed(base + ".py3114.npz", **arrays)
    to_py3114_layout(base + ".py3114.npz")
    stream = Unseekable(base + ".descriptor.npz")
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for k, v in arrays.items():
            with z.open(k + ".npy", "w", force_zip64=True) as f:
                np.lib.format.write_array(f, v)
    stream.close()
    names += [base + s for s in (".bigendian.npz", ".fortran.npz", ".py3114.npz", ".descriptor.npz")]
    first = next(iter(arrays.values()))
    for version in [(1, 0), (2, 0), (3, 0)]:
        path = "%s.v%d.npy" % (base, version[0])
        with open(path, "wb") as f:
            np.lib.format.write_array(f, first.copy(order="F"), version=version)
        names.append(path)
    return names


def same(a, b):
    if a.dtype.newbyteorder("=") != b.dtype.newbyteorder("=") or a.shape != b.shape:
        return False
    return a.astype(a.dtype.newbyteorder("=")).tobytes() == b.astype(b.dtype.newbyteorder("=")).tobytes()


def main():
    lua = sys.argv[1]
    failures = checks = 0
    with tempfile.TemporaryDirectory() as tmp:
        cases = {}
        for dtype in DTYPES:
            for shape in SHAPES:
                case = "%s_%s" % (dtype.replace("?", "bool"), "x".join(map(str, shape)) or "scalar")
                cases[case] = {"X": values(dtype, shape), "y": values("i8", shape[:1])}
        cases["large_f8"] = {"X": rng.standard_normal((20000, 50)), "y": rng.integers(0, 3, 20000)}
        cases["many"] = {"a%d" % i: np.arange(i) for i in range(40)}
        cases["empty"] = {}
        lines, expected = [], {}
        for case, arrays in cases.items():
            for path in write_variants(tmp, case, arrays) if arrays else [os.path.join(tmp, "empty.npz")]:
                if not arrays:
                    np.savez(path)
                out = path + ".ours"
                lines.append("%s %s" % (path, out))
                is_npy = path.endswith(".npy")
                expected[out] = {"arr_0": np.load(path)} if is_npy else arrays
        # what must be refused, with its message
        refused = {}
        np.savez(os.path.join(tmp, "object.npz"), X=np.array([{"a": 1}], dtype=object))
        refused[os.path.join(tmp, "object.npz")] = "member 'X.npy': object arrays (pickled data) are refused"
        np.savez(os.path.join(tmp, "structured.npz"), X=np.zeros(2, dtype=[("a", "<i4"), ("b", "<f8")]))
        refused[os.path.join(tmp, "structured.npz")] = "member 'X.npy': structured dtypes are not supported"
        for path in refused:
            lines.append("%s %s.ours" % (path, path))
        listing = os.path.join(tmp, "list.txt")
        open(listing, "w").write("\n".join(lines) + "\n")
        run = subprocess.run([lua, os.path.join(HERE, "reencode.lua"), listing], capture_output=True, text=True)
        if run.returncode != 0:
            print(run.stdout, run.stderr)
            print("0 passed, 1 failed")
            return 1
        errors = dict(l[6:].split(": ", 1) for l in run.stdout.splitlines() if l.startswith("ERROR "))
        for path, message in refused.items():
            checks += 1
            if errors.pop(path, None) != message:
                failures += 1
                print("FAIL refusal of", path)
        for path, message in errors.items():
            failures += 1
            print("FAIL", path, message)
        for out, arrays in expected.items():
            if any(out.startswith(p) for p in errors):
                continue
            for kind in ("stored", "zlib6", "fast"):
                checks += 1
                with np.load("%s.%s.npz" % (out, kind), allow_pickle=False) as back:
                    ok = list(back.keys()) == list(arrays.keys()) and all(same(back[k], v) for k, v in arrays.items())
                if not ok:
                    failures += 1
                    print("FAIL", out, kind)
            if out.endswith(".deflated.npz.ours"):
                checks += 1
                native = {k: v.copy(order="C") for k, v in arrays.items()}
                buf = io.BytesIO()
                np.savez_compressed(buf, **native)
                if open(out + ".zlib6.npz", "rb").read() != buf.getvalue():
                    failures += 1
                    print("FAIL byte equality", out)
    print("%d passed, %d failed" % (checks - failures, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
