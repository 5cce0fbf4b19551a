"""Logs an ONNX model from Python through `git-ml server` (MLFLOW_TRACKING_URI) and registers it as
`onnx-py@champion`. The MLmodel is written with MLflow's Model API exactly as `mlflow.onnx.save_model`
writes it (that function itself needs the `onnxruntime` Python package, which Debian does not ship).
The model is y = x · [1, 2] + 0.5 on float32 input of shape (-1, 2). Prints the run id."""
import os
import tempfile

import mlflow
import mlflow.pyfunc
import numpy as np
import onnx
from mlflow import MlflowClient
from mlflow.models import Model
from onnx import TensorProto, helper, numpy_helper

W = numpy_helper.from_array(np.array([[1.0], [2.0]], dtype=np.float32), "W")
B = numpy_helper.from_array(np.array([0.5], dtype=np.float32), "B")
graph = helper.make_graph(
    [helper.make_node("MatMul", ["x", "W"], ["xw"]), helper.make_node("Add", ["xw", "B"], ["y"])],
    "linear",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 2])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 1])],
    [W, B],
)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 8
onnx.checker.check_model(model)

path = os.path.join(tempfile.mkdtemp(), "model")
os.makedirs(path)
onnx.save_model(model, os.path.join(path, "model.onnx"))
mlmodel = Model()
mlflow.pyfunc.add_to_model(mlmodel, loader_module="mlflow.onnx", data="model.onnx")
mlmodel.add_flavor("onnx", onnx_version=onnx.__version__, data="model.onnx", providers=["CPUExecutionProvider"], code=None)
mlmodel.save(os.path.join(path, "MLmodel"))

with mlflow.start_run(run_name="onnx-from-python") as run:
    mlflow.log_artifacts(path, "model")
version = mlflow.register_model(f"runs:/{run.info.run_id}/model", "onnx-py")
MlflowClient().set_registered_model_alias("onnx-py", "champion", version.version)
print(run.info.run_id)
