"""The engine through a real socket, as AnoMed's Python clients talk to it: status codes,
limits, author errors, endless loops, worker death, reload, concurrency, slow clients."""
import os
import shutil
import signal
import socket
import tempfile
import threading
import time
import unittest

import numpy as np
import requests

from harness import HERE, Server, load_npz, npz_bytes

FIXTURE = os.path.join(HERE, "engine_fixture.lua")


class EngineTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server(FIXTURE, "--max-body", "1M", "--max-decompressed", "32M", "--lua-seconds", "1",
                            "--lua-memory", "64M")
        cls.url = cls.server.url

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def error(self, response, status, title=None):
        self.assertEqual(response.status_code, status, response.text)
        self.assertEqual(response.headers["Content-Type"], "application/json")
        body = response.json()
        self.assertEqual(set(body), {"title", "description"})
        if title:
            self.assertEqual(body["title"], title)
        return body

    def test_alive_and_static_arrays(self):
        self.assertEqual(requests.get(self.url + "/").json(), {"message": "Challenge server is alive!"})
        r = requests.get(self.url + "/data")
        self.assertEqual(r.headers["Content-Type"], "application/octet-stream")
        arrays = load_npz(r.content)
        self.assertEqual(list(arrays), ["X", "y"])
        np.testing.assert_array_equal(arrays["X"], np.arange(12).reshape(4, 3))
        np.testing.assert_array_equal(arrays["y"], [True, False, True, False])

    def test_unknown_path_and_wrong_method(self):
        self.error(requests.get(self.url + "/nowhere"), 404, "Not Found")
        r = requests.post(self.url + "/data", data=b"x")
        self.error(r, 405, "Method Not Allowed")
        self.assertEqual(r.headers["Allow"], "GET")
        self.assertEqual(requests.head(self.url + "/").status_code, 200)

    def test_body_over_limit_is_refused_before_it_is_read(self):
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as s:
            s.sendall(b"POST /utility?anonymizer=a&data_split=tuning HTTP/1.1\r\nHost: x\r\n"
                      b"Content-Length: 100000000\r\n\r\n")
            answer = s.recv(4096).decode()
        self.assertTrue(answer.startswith("HTTP/1.1 413"), answer)
        self.assertIn('"title": "Payload Too Large"', answer)
        # a chunked body announces no size: it is read, dropped past the limit, then refused
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as s:
            s.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
            for _ in range(3):
                s.sendall(b"80000\r\n" + b"x" * 0x80000 + b"\r\n")
            s.sendall(b"0\r\n\r\n")
            answer = s.recv(4096).decode()
        self.assertTrue(answer.startswith("HTTP/1.1 413"), answer)

    def test_utility_and_contract_errors(self):
        body = npz_bytes(prediction=np.arange(5))
        r = requests.post(self.url + "/utility?anonymizer=a&data_split=tuning", data=body)
        self.assertEqual(r.status_code, 201)
        self.assertEqual(r.json(), {"count": 5, "first": 0})
        missing = self.error(requests.post(self.url + "/utility?data_split=tuning", data=body), 400)
        self.assertEqual(missing, {"title": "Missing parameter",
                                   "description": 'The "anonymizer" parameter is required.'})
        bad_split = self.error(requests.post(self.url + "/utility?anonymizer=a&data_split=x", data=body), 400)
        self.assertEqual(bad_split["description"], 'The "data_split" parameter must be one of: tuning, validation.')
        for junk in (b"", b"not an npz", npz_bytes(other=np.arange(3))):
            r = requests.post(self.url + "/utility?anonymizer=a&data_split=tuning", data=junk)
            self.assertEqual(self.error(r, 400), {"title": "Malformed request.",
                                                  "description": "Expected a NumPy array with name 'prediction'."})
        wrong = requests.post(self.url + "/utility?anonymizer=a&data_split=tuning", data=npz_bytes(prediction=np.zeros(2)))
        self.assertEqual(self.error(wrong, 400)["description"], "expected int64")
        url = self.url + "/utility?anonymizer=a&data_split=tuning"
        small_bomb = npz_bytes(prediction=np.zeros(2_000_000, dtype=np.int64))  # 16 MB inflated
        self.assertEqual(requests.post(url, data=small_bomb).status_code, 201)
        bomb = npz_bytes(prediction=np.zeros(5_000_000, dtype=np.int64))  # 40 MB inflated, 40 KB sent
        self.assertLess(len(bomb), 100_000)
        self.error(requests.post(url, data=bomb), 400, "Malformed request.")

    def test_buffered_bodies_are_bounded(self):
        with Server(FIXTURE, "--max-body", "1M", "--max-buffered", "2M", workers=1) as server:
            holders = []
            try:
                for _ in range(3):  # three uploads of 1 MB in progress hold more than 2 MB
                    s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
                    s.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n" + b"x" * 999_999)
                    holders.append(s)
                    time.sleep(0.3)  # each upload is buffered before the next begins
                for s in holders:
                    s.sendall(b"x")
                answers = sorted(s.recv(4096).decode().split(" ")[1] for s in holders)
                self.assertEqual(answers, ["200", "200", "503"])
            finally:
                for s in holders:
                    s.close()
            self.assertEqual(requests.post(server.url + "/echo", data=b"x" * 1000).json()["bytes"], 1000)

    def test_request_fields(self):
        r = requests.post(self.url + "/echo?a=1&b=two", data=b"12345", headers={"User-Agent": "probe"})
        self.assertEqual(r.json(), {"bytes": 5, "query": {"a": "1", "b": "two"}, "agent": "probe"})

    def test_author_errors_keep_the_worker_serving(self):
        boom = self.error(requests.get(self.url + "/boom"), 500, "Internal Server Error")
        self.assertIn("kaboom", boom["description"])
        self.assertEqual(self.error(requests.get(self.url + "/teapot"), 418)["title"], "I'm a teapot")
        late = self.error(requests.get(self.url + "/late"), 500)
        self.assertIn("routes can only be declared while the challenge loads", late["description"])
        for _ in range(20):
            self.assertEqual(requests.get(self.url + "/").status_code, 200)
        self.assertIn("stack traceback", self.server.output())

    def test_endless_loops_are_stopped(self):
        for path in ("/loop", "/swallow"):
            start = time.time()
            body = self.error(requests.get(self.url + path, timeout=30), 503, "Service Unavailable")
            self.assertIn("limit of 1 s", body["description"])
            self.assertLess(time.time() - start, 5)
        self.assertEqual(requests.get(self.url + "/answer").status_code, 200)

    def test_memory_hog_is_stopped(self):
        body = self.error(requests.get(self.url + "/hog", timeout=30), 503, "Service Unavailable")
        self.assertIn("memory", body["description"])
        self.assertEqual(requests.get(self.url + "/answer").status_code, 200)

    def test_provider_cache(self):
        first = load_npz(requests.get(self.url + "/provided?seed=3").content)
        np.testing.assert_array_equal(first["X"], [3, 3, 3])
        self.error(requests.get(self.url + "/provided"), 400, "Missing parameter")
        # each worker has its own cache: ask until both have answered seed 3 twice
        calls = {int(load_npz(requests.get(self.url + "/provided?seed=3").content)["calls"]) for _ in range(20)}
        self.assertLessEqual(len(calls), 2)  # one computation per worker at most

    def test_access_log(self):
        requests.get(self.url + "/nowhere?x=1")
        time.sleep(0.2)
        self.assertRegex(self.server.output(), r"127\.0\.0\.1 GET /nowhere 404 \d+ \d+\.\d\dms")

    def test_concurrent_clients(self):
        errors, done = [], []
        deadline = time.time() + 3
        body = npz_bytes(prediction=np.arange(100))

        def client():
            with requests.Session() as s:
                n = 0
                while time.time() < deadline:
                    try:
                        ok = (s.get(self.url + "/").status_code == 200 and
                              s.get(self.url + "/data").status_code == 200 and
                              s.post(self.url + "/utility?anonymizer=a&data_split=tuning", data=body).status_code == 201)
                        if not ok:
                            errors.append("bad status")
                        n += 1
                    except requests.RequestException as e:
                        errors.append(repr(e))
                done.append(n)

        threads = [threading.Thread(target=client) for _ in range(200)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(len(done), 200)
        self.assertGreater(sum(done), 200)

    def test_slow_clients_from_one_address_do_not_starve_another(self):
        slow = []
        try:
            for _ in range(200):
                s = socket.socket()
                s.bind(("127.0.0.1", 0))
                s.connect(("127.0.0.1", self.server.port))
                s.sendall(b"GET / HTTP/1.1\r\nHost: slow\r\n")  # never finishes its headers
                slow.append(s)
            other = socket.create_connection(("127.0.0.1", self.server.port), timeout=2,
                                             source_address=("127.0.0.2", 0))
            start = time.time()
            other.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            answer = other.recv(4096).decode()
            other.close()
            self.assertTrue(answer.startswith("HTTP/1.1 200"), answer)
            self.assertLess(time.time() - start, 1)
        finally:
            for s in slow:
                s.close()
            # the server counts a closed slow connection until its event loop sees the close;
            # later tests from 127.0.0.1 start once the per-address slots are free again
            deadline = time.time() + 10
            while time.time() < deadline:
                try:
                    requests.get(self.url + "/", timeout=2)
                    break
                except requests.ConnectionError:
                    time.sleep(0.1)


class ProcessTest(unittest.TestCase):
    def test_killed_worker_is_replaced(self):
        with Server(FIXTURE) as server:
            victim = server.workers()[0]
            os.kill(victim, signal.SIGKILL)
            deadline = time.time() + 10
            while time.time() < deadline and (victim in server.workers() or len(server.workers()) != 2):
                time.sleep(0.05)
            self.assertNotIn(victim, server.workers())
            self.assertEqual(len(server.workers()), 2)
            with requests.Session() as s:
                for _ in range(100):
                    self.assertEqual(s.get(server.url + "/answer").status_code, 200)

    def test_reload_on_sighup(self):
        tmp = tempfile.mkdtemp()
        try:
            script = os.path.join(tmp, "challenge.lua")
            shutil.copy(FIXTURE, script)
            with Server(script) as server:
                self.assertEqual(requests.get(server.url + "/answer").json()["answer"], 1)
                with open(script) as f:
                    source = f.read().replace("local ANSWER = 1", "local ANSWER = 2")
                with open(script, "w") as f:
                    f.write(source)
                server.signal(signal.SIGHUP)
                errors, answers = [], set()
                deadline = time.time() + 10
                while time.time() < deadline and answers != {2}:
                    try:
                        answers = {requests.get(server.url + "/answer").json()["answer"] for _ in range(10)}
                    except requests.RequestException as e:
                        errors.append(repr(e))
                self.assertEqual(answers, {2})
                self.assertEqual(errors, [])
                with open(script, "w") as f:
                    f.write("this is not Lua")
                server.signal(signal.SIGHUP)
                time.sleep(1)
                self.assertEqual(requests.get(server.url + "/answer").json()["answer"], 2)
                self.assertIn("reload failed", server.output())
        finally:
            shutil.rmtree(tmp)

    def test_workers_exit_with_the_master(self):
        server = Server(FIXTURE)
        workers = server.workers()
        server.proc.kill()
        server.proc.wait()
        deadline = time.time() + 10
        while time.time() < deadline and any(os.path.exists("/proc/%d" % w) for w in workers):
            time.sleep(0.05)
        for w in workers:  # zombies of a dead parent are reaped by init; a live one has status
            if os.path.exists("/proc/%d/status" % w):
                with open("/proc/%d/status" % w) as f:
                    self.assertIn("zombie", f.read().lower())
        server.stop()

    def test_sigterm_stops_gracefully(self):
        server = Server(FIXTURE)
        self.assertEqual(server.stop(), 0)

    def test_check_and_plain_scripts(self):
        import subprocess
        from harness import BINARY
        r = subprocess.run([BINARY, "--check", FIXTURE], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("POST   /utility", r.stderr)
        r = subprocess.run([BINARY, "-e", "print(require('anomed.array').arange(3))"], capture_output=True, text=True)
        self.assertEqual((r.returncode, r.stdout), (0, "array([0, 1, 2])\n"))
        r = subprocess.run([BINARY, "--port", "x", FIXTURE], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)


if __name__ == "__main__":
    unittest.main()
