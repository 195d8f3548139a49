"""The evaluation ledger through the real server: once-only validation under concurrency,
rejected requests keep the slot, delivery to a platform that fails at first, a SIGKILL
between evaluation and delivery, the challenge fingerprint, and --results."""
import http.server
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
import unittest
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import requests

from harness import BINARY, HERE, Server, load_npz, npz_bytes

ROOT = os.path.join(HERE, "..", "..")


class Receiver:
    """A platform stand-in on loopback that answers 503 to its first `failures` posts."""

    def __init__(self, failures=0, port=0):
        self.failures, self.accepted, self.attempts = failures, [], 0
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                receiver.attempts += 1
                ok = receiver.attempts > receiver.failures
                if ok:
                    receiver.accepted.append((self.path, body))
                self.send_response(200 if ok else 503)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def wait_for(self, count, seconds=20):
        deadline = time.time() + seconds
        while time.time() < deadline and len(self.accepted) < count:
            time.sleep(0.05)
        return self.accepted

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class LedgerTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        os.mkdir(os.path.join(self.tmp, "data"))
        shutil.copy(os.path.join(ROOT, "challenges", "data", "iris.csv"), os.path.join(self.tmp, "data"))
        self.script = os.path.join(self.tmp, "iris.lua")
        shutil.copy(os.path.join(ROOT, "challenges", "iris.lua"), self.script)
        self.db = os.path.join(self.tmp, ".anomed-state", "ledger.sqlite")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def query(self, sql):
        db = sqlite3.connect(self.db)
        try:
            return db.execute(sql).fetchall()
        finally:
            db.close()

    def truth(self, server, split):
        # the anonymizer's true labels: the test knows them from the CSV through numpy
        from test_iris_challenge import reference
        return reference()[split][1]

    def post_anonymizer(self, server, anonymizer, split, prediction):
        return requests.post(server.url + "/utility/anonymizer", params=dict(anonymizer=anonymizer, data_split=split),
                             data=npz_bytes(prediction=prediction))

    def test_validation_is_accepted_once_under_concurrency(self):
        with Server(self.script, workers=4) as server:
            body = npz_bytes(prediction=self.truth(server, "validation"))
            url = server.url + "/utility/anonymizer?anonymizer=racer&data_split=validation"
            with ThreadPoolExecutor(32) as pool:
                statuses = sorted(pool.map(lambda _: requests.post(url, data=body).status_code, range(32)))
            self.assertEqual(statuses, [201] + [409] * 31)
            conflict = requests.post(url, data=body).json()
            self.assertEqual(conflict["title"], "Already evaluated")
            self.assertIn('anonymizer "racer" was accepted at', conflict["description"])
        rows = self.query("SELECT anonymizer, data_split FROM evaluations WHERE data_split = 'validation'")
        self.assertEqual(rows, [("racer", "validation")])

    def test_rejected_requests_keep_the_slot_and_tuning_repeats(self):
        with Server(self.script, workers=2) as server:
            bad = self.post_anonymizer(server, "careful", "validation", np.zeros(3, dtype=np.int64))
            self.assertEqual(bad.status_code, 400)
            good = self.post_anonymizer(server, "careful", "validation", self.truth(server, "validation"))
            self.assertEqual(good.status_code, 201)
            for _ in range(3):
                self.assertEqual(self.post_anonymizer(server, "careful", "tuning", self.truth(server, "tuning")).status_code, 201)
            pair = dict(anonymizer="careful", deanonymizer="mia", data_split="validation")
            guess = npz_bytes(prediction=np.ones(10, dtype=bool))
            self.assertEqual(requests.post(server.url + "/utility/deanonymizer", params=pair, data=guess).status_code, 201)
            self.assertEqual(requests.post(server.url + "/utility/deanonymizer", params=pair, data=guess).status_code, 409)
            other = dict(pair, deanonymizer="mia-2")
            self.assertEqual(requests.post(server.url + "/utility/deanonymizer", params=other, data=guess).status_code, 201)
        rows = self.query("SELECT route, anonymizer, deanonymizer, data_split, metrics FROM evaluations ORDER BY id")
        self.assertEqual(len(rows), 6)
        self.assertEqual(rows[0], ("/utility/anonymizer", "careful", None, "validation", '{"accuracy": 1.0}'))
        self.assertEqual(rows[4][:4], ("/utility/deanonymizer", "careful", "mia", "validation"))

    def test_delivery_survives_a_failing_platform(self):
        receiver = Receiver(failures=3)
        try:
            env = dict(os.environ, ANOMED_SECRET="s3cret")
            with Server(self.script, "--platform", "127.0.0.1:%d" % receiver.port, workers=2, env=env) as server:
                self.post_anonymizer(server, "anon", "tuning", self.truth(server, "tuning"))
                self.post_anonymizer(server, "anon", "validation", self.truth(server, "validation"))
                requests.post(server.url + "/utility/deanonymizer", data=npz_bytes(prediction=np.ones(10, dtype=bool)),
                              params=dict(anonymizer="anon", deanonymizer="mia", data_split="tuning"))
                accepted = receiver.wait_for(3)
                time.sleep(1)  # anything sent twice would arrive now
            self.assertEqual(len(receiver.accepted), 3)
            self.assertGreater(receiver.attempts, 3)
            by_path = sorted(receiver.accepted, key=lambda a: a[1]["evaluation_id"])
            self.assertEqual([p for p, _ in by_path], ["/submissions/anonymizer-evaluation-results"] * 2
                             + ["/submissions/deanonymizer-evaluation-results"])
            self.assertEqual(by_path[0][1], {"evaluation_id": 1, "secret": "s3cret", "anonymizer": "anon",
                                             "data_split": "tuning", "accuracy": 1.0})
            self.assertEqual(by_path[2][1], {"evaluation_id": 3, "secret": "s3cret", "anonymizer": "anon",
                                             "deanonymizer": "mia", "data_split": "tuning",
                                             "acc": 0.5, "tpr": 1.0, "fpr": 1.0})
            self.assertEqual(self.query("SELECT count(*) FROM outbox WHERE delivered IS NULL"), [(0,)])
        finally:
            receiver.close()

    def test_sigkill_between_evaluation_and_delivery(self):
        receiver = Receiver()
        port = receiver.port
        receiver.close()  # the platform is down while the evaluation is recorded
        platform = "127.0.0.1:%d" % port
        server = Server(self.script, "--platform", platform, workers=2)
        self.assertEqual(self.post_anonymizer(server, "anon", "validation", self.truth(server, "validation")).status_code, 201)
        server.proc.kill()  # SIGKILL: no chance to deliver or clean up
        server.proc.wait()
        server.stop()
        self.assertEqual(self.query("SELECT count(*) FROM outbox WHERE delivered IS NULL"), [(1,)])
        receiver = Receiver(port=port)
        try:
            with Server(self.script, "--platform", platform, workers=2) as again:
                delivered = receiver.wait_for(1)
                self.assertEqual([b["anonymizer"] for _, b in delivered], ["anon"])
                r = self.post_anonymizer(again, "anon", "validation", self.truth(again, "validation"))
                self.assertEqual(r.status_code, 409)  # the once-only record survived
        finally:
            receiver.close()

    def test_changed_challenge_is_refused_after_evaluations(self):
        with Server(self.script, workers=1) as server:
            self.post_anonymizer(server, "anon", "tuning", self.truth(server, "tuning"))
        with open(self.script) as f:
            source = f.read()
        with open(self.script, "w") as f:
            f.write(source.replace("mia_evaluation_length = 5", "mia_evaluation_length = 4"))
        r = subprocess.run([BINARY, "--port", "0", self.script], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 1)
        self.assertIn("the challenge changed (its script or the data it serves) after 1 evaluations", r.stderr)
        with Server(self.script, "--accept-changes", workers=1):
            pass
        self.assertEqual(len(self.query("SELECT * FROM changes")), 1)

    def test_results_listing(self):
        with Server(self.script, workers=1) as server:
            self.post_anonymizer(server, "anon", "tuning", self.truth(server, "tuning"))
            self.post_anonymizer(server, "anon", "validation", self.truth(server, "validation"))
        table = subprocess.run([BINARY, "--results", self.script], capture_output=True, text=True)
        self.assertEqual(table.returncode, 0)
        self.assertEqual(len(table.stdout.splitlines()), 3)
        self.assertIn('{"accuracy": 1.0}', table.stdout)
        csv = subprocess.run([BINARY, "--results", "--format", "csv", self.script], capture_output=True, text=True)
        self.assertEqual(csv.stdout.splitlines()[0], "id,time,route,anonymizer,deanonymizer,data_split,metrics,delivery")
        self.assertIn(',/utility/anonymizer,anon,,validation,"{""accuracy"": 1.0}",', csv.stdout)
        listing = json.loads(subprocess.run([BINARY, "--results", "--format", "json", self.script],
                                            capture_output=True, text=True).stdout)
        self.assertEqual([(e["id"], e["data_split"], e["metrics"]) for e in listing],
                         [(1, "tuning", {"accuracy": 1.0}), (2, "validation", {"accuracy": 1.0})])


if __name__ == "__main__":
    unittest.main()
