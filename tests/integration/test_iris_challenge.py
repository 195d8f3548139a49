"""challenges/iris.lua through the real server, as AnoMed's anonymizer and deanonymizer
clients use it: every route and error of spec/supervised-mia-routes.md, and parity of every
served set with what numpy derives from the CSV by the contract's procedure."""
import hashlib
import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import unittest

import numpy as np
import requests

from harness import BINARY, HERE, Server, load_npz, npz_bytes

ROOT = os.path.join(HERE, "..", "..")
IRIS = os.path.join(ROOT, "challenges", "iris.lua")
CSV = os.path.join(ROOT, "challenges", "data", "iris.csv")
L = 5


def partition(ds, k, seed):
    X, y = ds
    if isinstance(k, float):
        k = int(np.floor(k * len(X)))
    perm = np.arange(len(X))
    np.random.default_rng(seed).shuffle(perm)
    return (X[perm[:k]], y[perm[:k]]), (X[perm[k:]], y[perm[k:]])


def reference(seed=42):
    data = np.loadtxt(CSV, delimiter=",", skiprows=1)
    iris = (data[:, :4], data[:, 4].astype(np.int64))
    training, rest = partition(iris, 0.7, 42)
    tuning, validation = partition(rest, 0.5, 42)
    members, members_rest = partition(training, 0.5, seed)
    non_members, non_members_rest = partition(validation, 0.5, seed)
    return dict(training=training, tuning=tuning, validation=validation, members=members,
                members_rest=members_rest, non_members=non_members, non_members_rest=non_members_rest)


def attack_set(ref, anonymizer, deanonymizer, split):
    h = int.from_bytes(hashlib.sha256((anonymizer + deanonymizer).encode()).digest(), "big")
    m_tune, m_val = partition(ref["members_rest"], 0.5, h)
    n_tune, n_val = partition(ref["non_members_rest"], 0.5, h)
    m, _ = partition(m_tune if split == "tuning" else m_val, L, h)
    nm, _ = partition(n_tune if split == "tuning" else n_val, L, h)
    X, y = np.concatenate([m[0], nm[0]]), np.concatenate([m[1], nm[1]])
    memberships = np.array([True] * L + [False] * L)
    perm = np.arange(2 * L)
    np.random.default_rng(h).shuffle(perm)
    return X[perm], y[perm], memberships[perm]


class IrisTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.state = tempfile.mkdtemp()
        cls.server = Server(IRIS, "--state-dir", cls.state, "--max-body", "1M")
        cls.url = cls.server.url
        cls.ref = reference()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.state)

    def get(self, path, **params):
        r = requests.get(self.url + path, params=params)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.headers["Content-Type"], "application/octet-stream")
        return load_npz(r.content)

    def post(self, path, body, **params):
        return requests.post(self.url + path, params=params, data=body)

    def assert_error(self, r, status, title=None, description=None):
        self.assertEqual(r.status_code, status, r.text)
        body = r.json()
        self.assertEqual(set(body), {"title", "description"})
        if title:
            self.assertEqual(body["title"], title)
        if description:
            self.assertEqual(body["description"], description)
        return body

    def test_alive(self):
        self.assertEqual(requests.get(self.url + "/").json(), {"message": "Challenge server is alive!"})

    def test_anonymizer_data(self):
        training = self.get("/data/anonymizer/training")
        np.testing.assert_array_equal(training["X"], self.ref["training"][0])
        np.testing.assert_array_equal(training["y"], self.ref["training"][1])
        self.assertEqual((training["X"].shape, training["y"].dtype), ((105, 4), np.int64))
        for split in ("tuning", "validation"):
            served = self.get("/data/anonymizer/" + split)
            np.testing.assert_array_equal(served["X"], self.ref[split][0])
            self.assertEqual((served["y"].shape, served["y"].dtype), ((0,), np.float64))

    def test_deanonymizer_data(self):
        for route, name in (("members", "members"), ("non-members", "non_members")):
            served = self.get("/data/deanonymizer/" + route)
            np.testing.assert_array_equal(served["X"], self.ref[name][0])
            np.testing.assert_array_equal(served["y"], self.ref[name][1])

    def test_attack_sets_match_numpy(self):
        for anonymizer, deanonymizer in (("anon", "deanon"), ("a", "b"), ("", "x"), ("Ünï", "çødé")):
            for split in ("tuning", "validation"):
                served = self.get("/data/attack-success-evaluation", anonymizer=anonymizer,
                                  deanonymizer=deanonymizer, data_split=split)
                X, y, _ = attack_set(self.ref, anonymizer, deanonymizer, split)
                self.assertEqual(list(served), ["X", "y"])
                np.testing.assert_array_equal(served["X"], X)
                np.testing.assert_array_equal(served["y"], y)

    def test_anonymizer_evaluation(self):
        truth = self.ref["tuning"][1]
        r = self.post("/utility/anonymizer", npz_bytes(prediction=truth), anonymizer="a", data_split="tuning")
        self.assertEqual((r.status_code, r.json()), (201, {"accuracy": 1.0}))
        wrong = truth.copy()
        wrong[:11] = (wrong[:11] + 1) % 3
        r = self.post("/utility/anonymizer", npz_bytes(prediction=wrong), anonymizer="a", data_split="tuning")
        self.assertAlmostEqual(r.json()["accuracy"], (len(truth) - 11) / len(truth))
        swapped = self.ref["validation"][1].astype(">i8")  # byte order alone does not matter
        r = self.post("/utility/anonymizer", npz_bytes(prediction=swapped), anonymizer="swapped", data_split="validation")
        self.assertEqual((r.status_code, r.json()), (201, {"accuracy": 1.0}))

    def test_deanonymizer_evaluation(self):
        for split in ("tuning", "validation"):
            _, _, memberships = attack_set(self.ref, "anon", "deanon", split)
            guesses = [(memberships, {"acc": 1.0, "tpr": 1.0, "fpr": 0.0}),
                       (np.ones(2 * L, dtype=bool), {"acc": 0.5, "tpr": 1.0, "fpr": 1.0}),
                       (~memberships, {"acc": 0.0, "tpr": 0.0, "fpr": 1.0})]
            for i, (guess, metrics) in enumerate(guesses):
                # the validation evaluation is accepted once per pair: a new deanonymizer each time
                deanonymizer = "deanon" if split == "tuning" or i == 0 else "deanon-%d" % i
                _, _, memberships_i = attack_set(self.ref, "anon", deanonymizer, split)
                if deanonymizer != "deanon":
                    guess = {0: memberships_i, 1: np.ones(2 * L, dtype=bool), 2: ~memberships_i}[i]
                r = self.post("/utility/deanonymizer", npz_bytes(prediction=guess), anonymizer="anon",
                              deanonymizer=deanonymizer, data_split=split)
                self.assertEqual((r.status_code, r.json()), (201, metrics))

    def test_contract_errors(self):
        body = npz_bytes(prediction=self.ref["tuning"][1])
        for path, params in (("/utility/anonymizer", dict(anonymizer="a", data_split="tuning")),
                             ("/utility/deanonymizer", dict(anonymizer="a", deanonymizer="d", data_split="tuning")),
                             ("/data/attack-success-evaluation", dict(anonymizer="a", deanonymizer="d", data_split="tuning"))):
            method = requests.get if path.startswith("/data") else requests.post
            for missing in params:
                partial = {k: v for k, v in params.items() if k != missing}
                r = method(self.url + path, params=partial, data=body)
                self.assert_error(r, 400, "Missing parameter", 'The "%s" parameter is required.' % missing)
            r = method(self.url + path, params=dict(params, data_split="testing"), data=body)
            self.assert_error(r, 400, description='The "data_split" parameter must be one of: tuning, validation.')
        malformed = dict(title="Malformed request.", description="Expected a NumPy array with name 'prediction'.")
        for junk in (b"", b"garbage", npz_bytes(predictions=self.ref["tuning"][1])):
            r = self.post("/utility/anonymizer", junk, anonymizer="a", data_split="tuning")
            self.assert_error(r, 400, **malformed)
        short = self.post("/utility/anonymizer", npz_bytes(prediction=self.ref["tuning"][1][:3]), anonymizer="a", data_split="tuning")
        self.assertIn("shape", self.assert_error(short, 400)["description"])
        floats = self.post("/utility/anonymizer", npz_bytes(prediction=self.ref["tuning"][1].astype(float)), anonymizer="a", data_split="tuning")
        self.assertIn("dtype float64, expected int64", self.assert_error(floats, 400)["description"])
        mia = dict(anonymizer="a", deanonymizer="d", data_split="tuning")
        ints = self.post("/utility/deanonymizer", npz_bytes(prediction=np.ones(2 * L, dtype=np.int64)), **mia)
        self.assertIn("boolean", self.assert_error(ints, 400)["description"])
        empty = self.post("/utility/deanonymizer", npz_bytes(prediction=np.zeros(0, dtype=bool)), **mia)
        self.assertIn("empty", self.assert_error(empty, 400)["description"])
        wrong_length = self.post("/utility/deanonymizer", npz_bytes(prediction=np.ones(3, dtype=bool)), **mia)
        self.assertIn("shape", self.assert_error(wrong_length, 400)["description"])
        self.assert_error(requests.get(self.url + "/data/nothing"), 404)
        self.assert_error(requests.post(self.url + "/data/anonymizer/training"), 405)
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as s:
            s.sendall(b"POST /utility/anonymizer?anonymizer=a&data_split=tuning HTTP/1.1\r\nHost: x\r\n"
                      b"Content-Length: %d\r\n\r\n" % (2 << 20))
            self.assertTrue(s.recv(4096).startswith(b"HTTP/1.1 413"))


SEEDLESS = """
local datasets = require "anomed.datasets"
local evaluators = require "anomed.evaluators"
local iris = datasets.csv(%r, { target = "species" })
local training, rest = datasets.partition(iris, 0.7, 42)
local tuning, validation = datasets.partition(rest, 0.5, 42)
require("anomed.templates.supervised_mia").serve {
  training = training, tuning = tuning, validation = validation,
  anonymizer_evaluator = %s, mia_evaluator = evaluators.mia, mia_evaluation_length = %d,
}
"""


class SeedAndLoadTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.script = os.path.join(self.tmp, "challenge.lua")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def write(self, evaluator="evaluators.strict_accuracy", length=L):
        with open(self.script, "w") as f:
            f.write(SEEDLESS % (os.path.abspath(CSV), evaluator, length))

    def snapshot(self):
        with Server(self.script, workers=1) as server:
            paths = ["/data/anonymizer/training", "/data/anonymizer/tuning", "/data/deanonymizer/members",
                     "/data/deanonymizer/non-members",
                     "/data/attack-success-evaluation?anonymizer=a&deanonymizer=b&data_split=validation"]
            return [requests.get(server.url + p).content for p in paths]

    def test_drawn_seed_is_kept_across_restarts(self):
        self.write()
        first = self.snapshot()
        with sqlite3.connect(os.path.join(self.tmp, ".anomed-state", "ledger.sqlite")) as db:
            seed = int(db.execute("SELECT value FROM meta WHERE key = 'seed'").fetchone()[0])
        self.assertEqual(self.snapshot(), first)
        members = load_npz(first[2])
        expected, _ = partition(reference(seed)["training"], 0.5, seed)
        np.testing.assert_array_equal(members["X"], expected[0])

    def check_fails(self, message):
        r = subprocess.run([BINARY, "--check", self.script], capture_output=True, text=True)
        self.assertEqual(r.returncode, 1)
        self.assertIn(message, r.stderr)

    def test_load_errors(self):
        self.write(length=7)
        self.check_fails("mia_evaluation_length 7 is too large: the smallest attack pool has 6 rows")
        self.write(evaluator='function() return { accuracy = "high" } end')
        self.check_fails("anonymizer_evaluator returned accuracy = high; metrics are name = number")
        with open(self.script, "w") as f:
            f.write('local d = require "anomed.datasets"; local a = require "anomed.array"\n'
                    'd.memory(a.zeros({3, 2}), a.zeros(2), "training")\n')
        self.check_fails("training: X has 3 rows but y has 2")


if __name__ == "__main__":
    unittest.main()
