"""The seed workshop in Python, against `git-ml server` (MLFLOW_TRACKING_URI): two models trained and
logged with params, metrics, curves and a dict artifact, registered with `registered_model_name`, an
alias set with MlflowClient, the champion loaded back with `mlflow.pyfunc.load_model`, and one
autologged scikit-learn run. Prints a JSON summary on its last line for the test to check."""
import json
import sys

import mlflow
import numpy as np
from mlflow import MlflowClient
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split
from xgboost import XGBClassifier

mlflow.set_experiment("workshop-py")
X, y = make_classification(n_samples=400, n_features=8, random_state=42)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=42)
runs = {}

with mlflow.start_run(run_name="logreg") as run:
    model = LogisticRegression(C=0.5, max_iter=200).fit(X_train, y_train)
    mlflow.log_params({"model": "logreg", "C": 0.5})
    for step, c in enumerate([0.01, 0.1, 0.5]):
        acc = accuracy_score(y_test, LogisticRegression(C=c, max_iter=200).fit(X_train, y_train).predict(X_test))
        mlflow.log_metric("accuracy_curve", acc, step=step)
    mlflow.log_metric("accuracy", accuracy_score(y_test, model.predict(X_test)))
    mlflow.log_dict({"features": X.shape[1], "classes": [0, 1]}, "data.json")
    mlflow.sklearn.log_model(model, "model", registered_model_name="workshop-py-model")
    runs["logreg"] = run.info.run_id

with mlflow.start_run(run_name="xgboost") as run:
    xgb = XGBClassifier(n_estimators=20, max_depth=3).fit(X_train, y_train, eval_set=[(X_test, y_test)], verbose=False)
    mlflow.log_params({"model": "xgboost", "n_estimators": 20, "max_depth": 3})
    for step, loss in enumerate(xgb.evals_result()["validation_0"]["logloss"]):
        mlflow.log_metric("logloss", loss, step=step)
    xgb_acc = accuracy_score(y_test, xgb.predict(X_test))
    mlflow.log_metric("accuracy", xgb_acc)
    mlflow.xgboost.log_model(xgb, "model", registered_model_name="workshop-py-model")
    runs["xgboost"] = run.info.run_id

client = MlflowClient()
client.set_registered_model_alias("workshop-py-model", "champion", "2")
client.set_registered_model_alias("workshop-py-model", "challenger", "1")
champion = mlflow.pyfunc.load_model("models:/workshop-py-model@champion")
predictions = np.asarray(champion.predict(X_test))

mlflow.autolog(log_models=False)
with mlflow.start_run(run_name="autolog") as run:
    LogisticRegression(max_iter=100).fit(X_train, y_train)
    runs["autolog"] = run.info.run_id
autolog = client.get_run(runs["autolog"])

print(json.dumps({
    "runs": runs,
    "champion_accuracy": float(accuracy_score(y_test, predictions.astype(int))),
    "xgb_accuracy": xgb_acc,
    "autolog_params": sorted(autolog.data.params),
    "autolog_metrics": sorted(autolog.data.metrics),
    "versions": sorted(v.version for v in client.search_model_versions("name = 'workshop-py-model'")),
}))
sys.stdout.flush()
