"""challenges/regression.lua served for real: an anonymizer downloads the data, fits least
squares with numpy, posts its predictions and gets numpy's own RMSE, MAE and R²."""
import os
import unittest

import numpy as np
import requests

from harness import HERE, Server, load_npz, npz_bytes

CHALLENGE = os.path.join(HERE, "..", "..", "challenges", "regression.lua")
CSV = os.path.join(HERE, "..", "..", "challenges", "data", "diabetes.csv")


class RegressionChallengeTest(unittest.TestCase):
    def test_anonymizer_round_trip(self):
        data = np.loadtxt(CSV, delimiter=",", skiprows=1)
        X_all, y_all = data[:, :-1], data[:, -1].astype(np.int64)
        rows = np.random.default_rng(7).permutation(len(X_all))
        train, test = rows[: int(0.8 * len(rows))], rows[int(0.8 * len(rows)):]
        with Server(CHALLENGE, workers=1) as server:
            training = load_npz(requests.get(server.url + "/data/training").content)
            np.testing.assert_array_equal(training["X"], X_all[train])
            np.testing.assert_array_equal(training["y"], y_all[train])
            X_test = load_npz(requests.get(server.url + "/data/test").content)["X"]
            np.testing.assert_array_equal(X_test, X_all[test])
            design = np.c_[training["X"], np.ones(len(training["X"]))]
            w, *_ = np.linalg.lstsq(design, training["y"], rcond=None)
            prediction = np.c_[X_test, np.ones(len(X_test))] @ w
            r = requests.post(server.url + "/utility/regression?anonymizer=ols", data=npz_bytes(prediction=prediction))
            self.assertEqual(r.status_code, 201)
            truth = y_all[test]
            expected = {"rmse": np.sqrt(np.mean((prediction - truth) ** 2)),
                        "mae": np.mean(np.abs(prediction - truth)),
                        "r2": 1 - np.sum((prediction - truth) ** 2) / np.sum((truth - truth.mean()) ** 2)}
            for name, value in expected.items():
                self.assertAlmostEqual(r.json()[name], value, places=9)
            short = requests.post(server.url + "/utility/regression?anonymizer=ols",
                                  data=npz_bytes(prediction=prediction[:5]))
            self.assertEqual(short.status_code, 400)
            self.assertIn("shape (5,), expected int64 of shape (89,)", short.json()["description"])
            self.assertEqual(requests.get(server.url + "/info").json()["test_rows"], 89)


if __name__ == "__main__":
    unittest.main()
