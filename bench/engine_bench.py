"""Engine throughput: requests per second for GET /, a static array route and a POST
utility route, measured with wrk (Debian package wrk) against the real anomed-lua and, when
Debian's gunicorn and python3-falcon are installed, against the previous approach
(bench/reference_app.py: falcon + gunicorn, encoding per request) in the same run.
Usage: /usr/bin/python3 bench/engine_bench.py build/anomed-lua [SECONDS] [WORKERS]"""
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import numpy as np
import requests

HERE = os.path.dirname(os.path.abspath(__file__))


def start(binary, script, workers):
    log = tempfile.TemporaryFile("w+")
    proc = subprocess.Popen([binary, "--port", "0", "--workers", str(workers), script], stderr=log, stdout=log)
    for _ in range(400):
        log.seek(0)
        found = re.search(r"on http://[^:]+:(\d+)", log.read())
        if found:
            url = "http://127.0.0.1:%s" % found.group(1)
            time.sleep(0.3)
            requests.get(url + "/")
            return proc, url
        time.sleep(0.05)
    raise RuntimeError("anomed-lua did not start")


def start_reference(workers):
    """gunicorn serving reference_app on a free port, or None when it is not installed."""
    if not shutil.which("gunicorn"):
        return None, None
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(["gunicorn", "--chdir", HERE, "-w", str(workers), "-b", "127.0.0.1:%d" % port,
                             "reference_app:app"], stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    url = "http://127.0.0.1:%d" % port
    for _ in range(200):
        try:
            requests.get(url + "/")
            return proc, url
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    return None, None


def wrk(url, seconds, script=None, env=None):
    command = ["wrk", "-t2", "-c64", "-d%ds" % seconds, "--latency", url]
    if script:
        command[1:1] = ["-s", script]
    out = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+(\S+)", out).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p99, int(errors.group(1)) if errors else 0


def measure(url, seconds, body):
    rates = {}
    for route, script in (("/", None), ("/data/training", None), ("/utility", os.path.join(HERE, "post.lua"))):
        rates[route] = wrk(url + route, seconds, script, dict(os.environ, BENCH_BODY=body))
    return rates


def main():
    binary = sys.argv[1]
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else os.cpu_count()
    if not shutil.which("wrk"):
        sys.exit("engine_bench needs wrk (apt-get install wrk)")
    proc, url = start(binary, os.path.join(HERE, "engine_bench.lua"), workers)
    try:
        with np.load(io.BytesIO(requests.get(url + "/data/training").content)) as z:
            y = z["y"]
        with tempfile.NamedTemporaryFile(suffix=".npz", delete=False) as body:
            np.savez_compressed(body, prediction=y)
        sizes = {"/": len(requests.get(url + "/").content),
                 "/data/training": len(requests.get(url + "/data/training").content),
                 "/utility": os.path.getsize(body.name)}
        ours = measure(url, seconds, body.name)
    finally:
        proc.terminate()
        proc.wait()
    ref_proc, ref_url = start_reference(workers)
    theirs = {}
    if ref_proc:
        try:
            theirs = measure(ref_url, seconds, body.name)
        finally:
            ref_proc.terminate()
            ref_proc.wait()
    os.unlink(body.name)
    print("%d workers each, wrk -t2 -c64 -d%ds, on this machine (%d cores)" % (workers, seconds, os.cpu_count()))
    print("%-22s %10s %12s %10s %8s %14s %8s" % ("route", "bytes", "anomed req/s", "p99", "non-2xx",
                                                "falcon req/s", "ratio"))
    for route in ("/", "/data/training", "/utility"):
        rps, p99, errors = ours[route]
        label = ("POST " if route == "/utility" else "GET ") + route
        ref = theirs.get(route)
        print("%-22s %10d %12.0f %10s %8d %14s %8s" % (label, sizes[route], rps, p99, errors,
                                                     "%.0f" % ref[0] if ref else "-",
                                                     "%.1fx" % (rps / ref[0]) if ref and ref[0] else "-"))


if __name__ == "__main__":
    main()
