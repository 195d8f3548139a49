"""Starts the real anomed-lua on a free loopback port and stops it: the integration tests'
one fixture. The binary comes from ANOMED_LUA (set by ctest)."""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

import requests

BINARY = os.environ.get("ANOMED_LUA", "anomed-lua")
HERE = os.path.dirname(os.path.abspath(__file__))


class Server:
    def __init__(self, script, *options, workers=2, env=None):
        self.log = tempfile.NamedTemporaryFile("w+", prefix="anomed-", suffix=".log", delete=False)
        self.state = None
        if "--state-dir" not in options and not os.path.exists(os.path.join(os.path.dirname(script), ".anomed-state")) \
                and os.path.dirname(os.path.abspath(script)).startswith(os.path.abspath(os.path.join(HERE, "..", ".."))):
            # a script in the source tree keeps its state in a temporary directory
            self.state = tempfile.mkdtemp(prefix="anomed-state-")
            options = ("--state-dir", self.state) + options
        self.proc = subprocess.Popen([BINARY, "--port", "0", "--workers", str(workers), *options, script],
                                     stdout=self.log, stderr=self.log, env=env)
        self.port = self._wait_for_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.wait_ready(workers)

    def _wait_for_port(self):
        deadline = time.time() + 20
        while time.time() < deadline:
            found = re.search(r"on http://[^:]+:(\d+)", self.output())
            if found:
                return int(found.group(1))
            if self.proc.poll() is not None:
                raise RuntimeError("anomed-lua exited:\n" + self.output())
            time.sleep(0.05)
        raise RuntimeError("anomed-lua did not start:\n" + self.output())

    def wait_ready(self, workers):
        deadline = time.time() + 20
        while time.time() < deadline:
            if len(self.workers()) >= workers:
                try:
                    requests.get(self.url + "/", timeout=2)
                    return
                except requests.ConnectionError:
                    pass
            time.sleep(0.05)
        raise RuntimeError("workers did not start:\n" + self.output())

    def output(self):
        with open(self.log.name) as f:
            return f.read()

    def workers(self):
        try:
            with open("/proc/%d/task/%d/children" % (self.proc.pid, self.proc.pid)) as f:
                return [int(p) for p in f.read().split()]
        except FileNotFoundError:
            return []

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self.log.closed:
            self.log.close()
            os.unlink(self.log.name)
        if self.state:
            shutil.rmtree(self.state, ignore_errors=True)
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def npz_bytes(**arrays):
    import io
    import numpy as np
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def load_npz(content):
    import io
    import numpy as np
    with np.load(io.BytesIO(content), allow_pickle=False) as z:
        return {k: z[k] for k in z.files}
