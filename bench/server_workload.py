"""One MLflow Python client workload for `npm run bench` (bench/server.mjs), run against any tracking
server URL: python3 server_workload.py URL PHASE N [TAG]. Prints one JSON line of timings.

PHASE runs:    N x (create_run + log_batch(3 metrics, 5 params) + set_terminated)
PHASE metrics: N log_metric calls on one run, each timed, plus N GET /health round trips (bare HTTP)
PHASE search:  search_runs over the experiment's runs (max_results=1000), 5 times
"""
import json
import statistics
import sys
import time

import requests
from mlflow import MlflowClient
from mlflow.entities import Metric, Param

url, phase, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
tag = sys.argv[4] if len(sys.argv) > 4 else "main"
client = MlflowClient(url)
exp_name = "bench-server"
exp = client.get_experiment_by_name(exp_name)
exp_id = exp.experiment_id if exp else client.create_experiment(exp_name)
out = {"phase": phase, "n": n}

if phase == "runs":
    t = time.perf_counter()
    for i in range(n):
        run = client.create_run(exp_id, run_name=f"{tag}-{i}")
        now = int(time.time() * 1000)
        client.log_batch(
            run.info.run_id,
            metrics=[Metric("acc", (i % 100) / 100, now, 0), Metric("f1", ((i * 7) % 100) / 100, now, 0), Metric("loss", 1 - (i % 100) / 100, now, 0)],
            params=[Param(f"p{j}", str((i + j) % 10)) for j in range(5)],
        )
        client.set_terminated(run.info.run_id)
    out["seconds"] = time.perf_counter() - t
elif phase == "metrics":
    run = client.create_run(exp_id, run_name=f"{tag}-metrics")
    lat = []
    t = time.perf_counter()
    for i in range(n):
        s = time.perf_counter()
        client.log_metric(run.info.run_id, "m", i / n, step=i)
        lat.append(time.perf_counter() - s)
    out["seconds"] = time.perf_counter() - t
    session = requests.Session()
    bare = []
    for _ in range(min(n, 2000)):
        s = time.perf_counter()
        session.get(f"{url}/health")
        bare.append(time.perf_counter() - s)
    out["log_metric_median_ms"] = statistics.median(lat) * 1000
    out["bare_http_median_ms"] = statistics.median(bare) * 1000
elif phase == "search":
    times = []
    for _ in range(5):
        s = time.perf_counter()
        runs = client.search_runs([exp_id], "metrics.acc > 0.5", max_results=1000)
        times.append(time.perf_counter() - s)
    out["median_ms"] = statistics.median(times) * 1000
    out["matched"] = len(runs)
print(json.dumps(out))
