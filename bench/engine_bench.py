"""Engine throughput: requests per second for GET /, a static array route and a POST
utility route, measured with wrk (Debian package wrk) against the real anomed-lua.
Usage: /usr/bin/python3 bench/engine_bench.py build/anomed-lua [SECONDS] [WORKERS]"""
import io
import os
import re
import shutil
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


def wrk(url, seconds, script=None, env=None):
    command = ["wrk", "-t2", "-c64", "-d%ds" % seconds, "--latency", url]
    if script:
        command[1:1] = ["-s", script]
    out = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+(\S+)", out).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p99, int(errors.group(1)) if errors else 0


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
        print("anomed-lua, %d workers, wrk -t2 -c64 -d%ds, on this machine (%d cores)" % (workers, seconds, os.cpu_count()))
        print("%-22s %12s %10s %10s %8s" % ("route", "bytes", "req/s", "p99", "non-2xx"))
        for route, script in (("/", None), ("/data/training", None), ("/utility", os.path.join(HERE, "post.lua"))):
            env = dict(os.environ, BENCH_BODY=body.name)
            rps, p99, errors = wrk(url + route, seconds, script, env)
            label = ("POST " if script else "GET ") + route
            print("%-22s %12d %10.0f %10s %8d" % (label, sizes[route], rps, p99, errors))
        os.unlink(body.name)
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
