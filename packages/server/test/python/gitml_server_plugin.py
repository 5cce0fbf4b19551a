"""pytest plugin: run MLflow's own REST tests against `git-ml server` instead of MLflow's server.

MLflow's tests start their server through `tests.tracking.integration_test_utils._init_server(
backend_uri, root_artifact_uri, extra_env)`. This plugin replaces that function before the test
module imports it: each call starts `git-ml server` on a fresh git repository (the backend URI,
a file store or SQLite path, is ignored; git is the store) with the same artifact root, and yields
its URL. The test file itself runs unchanged.

    cd $MLFLOW_PY_DIR && PYTHONPATH=$MLFLOW_PY_DIR/src:$MLFLOW_PY_DIR/deps:$MLFLOW_PY_DIR:<this dir> \
        /usr/bin/python3 -m pytest -p gitml_server_plugin tests/tracking/test_rest_tracking.py
"""
import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

import mlflow

import tests.tracking.integration_test_utils as integration_test_utils

HERE = os.path.dirname(os.path.abspath(__file__))
GIT_ML = os.environ.get("GIT_ML_BIN") or os.path.join(HERE, "..", "..", "..", "cli", "bin", "git-ml.js")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_up(url, proc, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"git-ml server exited with code {proc.returncode} before answering")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"git-ml server did not answer at {url} within {timeout} s")


@contextlib.contextmanager
def _init_git_ml_server(backend_uri, root_artifact_uri, extra_env=None, app=None):
    mlflow.set_tracking_uri(None)
    repo = tempfile.mkdtemp(prefix="git-ml-server-test-")
    subprocess.run(["git", "init", "-q", repo], check=True)
    port = _free_port()
    cmd = ["node", GIT_ML, "--repo", repo, "server", "--port", str(port)]
    if root_artifact_uri and root_artifact_uri.startswith("file:"):
        cmd += ["--default-artifact-root", root_artifact_uri]
    proc = subprocess.Popen(cmd, env={**os.environ, **(extra_env or {})})
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_up(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(repo, ignore_errors=True)


integration_test_utils._init_server = _init_git_ml_server
