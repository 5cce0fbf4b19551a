"""MLflow's FileStore on the workloads of bench/loops.mjs, for a side-by-side ratio in the same run.

Usage: /usr/bin/python3 bench/mlflow_filestore.py RUNS CALLS REPEAT   (prints one JSON object)
  RUNS  runs created, each create_run + log_batch (3 metrics, 5 params) + set_terminated
        (the same workload as createRuns in bench/run.mjs)
  CALLS log_metric calls on one run (each durable when it returns: FileStore appends to a file)
Each repetition uses a fresh `file:` store in a temporary directory; times exclude the import.
"""
import json
import math
import shutil
import sys
import tempfile
import time

import mlflow
from mlflow.entities import Metric, Param
from mlflow.tracking import MlflowClient


def create_runs(client, exp, n):
    t = time.perf_counter()
    for i in range(n):
        run = client.create_run(exp, run_name=f"run-{i}")
        rid = run.info.run_id
        ts = int(time.time() * 1000)
        client.log_batch(
            rid,
            metrics=[
                Metric("acc", (i % 100) / 100, ts, 0),
                Metric("f1", ((i * 7) % 100) / 100, ts, 0),
                Metric("loss", 1 - (i % 100) / 100, ts, 0),
            ],
            params=[
                Param("model", str(i % 10)),
                Param("lr", "0.01"),
                Param("depth", str(i % 5)),
                Param("seed", str(i)),
                Param("batch", "32"),
            ],
        )
        client.set_terminated(rid)
    return time.perf_counter() - t


def log_metrics(client, exp, calls):
    rid = client.create_run(exp, run_name="metrics").info.run_id
    t = time.perf_counter()
    for i in range(calls):
        client.log_metric(rid, "loss", math.sin(i), step=i)
    secs = time.perf_counter() - t
    got = len(client.get_metric_history(rid, "loss"))
    if got != calls:
        raise SystemExit(f"MLflow read back {got} points, logged {calls}")
    return secs


def main():
    runs, calls, repeat = (int(a) for a in sys.argv[1:4])
    create, log = [], []
    for _ in range(repeat):
        d = tempfile.mkdtemp(prefix="mlflow-bench-")
        try:
            client = MlflowClient(tracking_uri="file:" + d)
            exp = client.create_experiment("bench")
            if runs > 0:
                create.append(runs / create_runs(client, exp, runs))
            if calls > 0:
                log.append(calls / log_metrics(client, exp, calls))
        finally:
            shutil.rmtree(d, ignore_errors=True)
    print(json.dumps({"mlflow": mlflow.__version__, "runs": runs, "calls": calls,
                      "create_runs_per_s": create, "log_metric_calls_per_s": log}))


if __name__ == "__main__":
    main()
