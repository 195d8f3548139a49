"""The previous approach, for bench/engine_bench.py: a falcon app under gunicorn that, as
the anomed_challenge Python library does, encodes its arrays with np.savez_compressed on
every request and parses every posted npz with np.load. Same data as engine_bench.lua
(the same generator and seed, so numpy and anomed-lua serve identical arrays)."""
import io

import falcon
import numpy as np

g = np.random.default_rng(1)
X = g.random(10000 * 20).reshape(10000, 20)
y = g.integers(0, 3, 10000)


class Alive:
    def on_get(self, req, resp):
        resp.media = {"message": "Challenge server is alive!"}


class Training:
    def on_get(self, req, resp):
        buf = io.BytesIO()
        np.savez_compressed(buf, X=X, y=y)
        resp.data = buf.getvalue()
        resp.content_type = "application/octet-stream"


class Utility:
    def on_post(self, req, resp):
        prediction = np.load(io.BytesIO(req.bounded_stream.read()))["prediction"]
        resp.media = {"accuracy": float(np.mean(prediction == y))}
        resp.status = falcon.HTTP_201


app = falcon.App()
app.add_route("/", Alive())
app.add_route("/data/training", Training())
app.add_route("/utility", Utility())
