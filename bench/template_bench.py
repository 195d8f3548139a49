"""The supervised MIA template under load: requests per second (wrk) for the training
route, the attack-set route and a validation evaluation, on iris and on a generated
200000 x 50 challenge; and the memory of the whole server (master + workers, PSS, which
splits shared pages) with 1 and with 4 workers, to show that workers share the data.
Usage: /usr/bin/python3 bench/template_bench.py build/anomed-lua [SECONDS]"""
import io
import os
import sys
import tempfile
import time

import numpy as np
import requests

from engine_bench import HERE, start, wrk

ROOT = os.path.join(HERE, "..")


def pss_kib(pid):
    total = 0
    for p in [pid] + children(pid):
        with open("/proc/%d/smaps_rollup" % p) as f:
            total += next(int(l.split()[1]) for l in f if l.startswith("Pss:"))
    return total


def children(pid):
    with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
        return [int(p) for p in f.read().split()]


def route_rates(binary, script, seconds, label):
    proc, url = start(binary, script, os.cpu_count())
    try:
        truth_len = len(np.load(io.BytesIO(requests.get(url + "/data/anonymizer/validation").content))["X"])
        body = tempfile.NamedTemporaryFile(suffix=".npz", delete=False)
        np.savez_compressed(body, prediction=np.zeros(truth_len, dtype=np.int64))
        body.close()
        attack = "/data/attack-success-evaluation?anonymizer=a&deanonymizer=d&data_split=validation"
        rows = [("GET /data/anonymizer/training", url + "/data/anonymizer/training", None),
                ("GET attack set", url + attack, None),
                ("POST validation (%d rows)" % truth_len, url + "/utility/anonymizer?anonymizer=a&data_split=validation",
                 os.path.join(HERE, "post.lua"))]
        for name, target, script_file in rows:
            size = len(requests.get(target).content) if script_file is None else os.path.getsize(body.name)
            rps, p99, errors = wrk(target, seconds, script_file, dict(os.environ, BENCH_BODY=body.name))
            print("%-10s %-34s %12d %10.1f %10s %8d" % (label, name, size, rps, p99, errors))
        os.unlink(body.name)
    finally:
        proc.terminate()
        proc.wait()


def memory(binary, script, workers):
    import subprocess
    import re
    log = tempfile.TemporaryFile("w+")
    proc = subprocess.Popen([binary, "--port", "0", "--workers", str(workers), script], stderr=log)
    try:
        deadline = time.time() + 120
        while time.time() < deadline and len(children(proc.pid)) < workers:
            time.sleep(0.1)
        log.seek(0)
        port = re.search(r":(\d+) with", log.read()).group(1)
        requests.get("http://127.0.0.1:%s/data/anonymizer/training" % port)
        time.sleep(0.5)
        return pss_kib(proc.pid)
    finally:
        proc.terminate()
        proc.wait()


def main():
    binary = sys.argv[1]
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    iris = os.path.join(ROOT, "challenges", "iris.lua")
    large = os.path.join(HERE, "large_challenge.lua")
    print("wrk -t2 -c64 -d%ds, %d workers" % (seconds, os.cpu_count()))
    print("%-10s %-34s %12s %10s %10s %8s" % ("challenge", "route", "bytes", "req/s", "p99", "non-2xx"))
    route_rates(binary, iris, seconds, "iris")
    route_rates(binary, large, seconds, "200000x50")
    for workers in (1, 4):
        print("200000x50 with %d worker%s: %.0f MiB (PSS of master + workers)"
              % (workers, "" if workers == 1 else "s", memory(binary, large, workers) / 1024))


if __name__ == "__main__":
    main()
