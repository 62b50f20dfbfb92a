"""MindSpore 2.10's printed forms of tensors and cells -> Tests/TapeGradTests/Fixtures/printing_cases.json.

Recreate the venv: python3.11 -m venv v && v/bin/pip install mindspore==2.10.0 "numpy<2"
Run: v/bin/python Oracle/printing_oracle.py   (CI never runs Python; the JSON is committed.)

Tensors are given as (dtype, shape, "arange" / explicit values) so the Swift test rebuilds them exactly.
"""
import json, os
import numpy as np
import mindspore as ms
from mindspore import Tensor, nn

cases = []
def tensor_case(name, dtype, shape, values=None, divisor=1):
    np_dtype = {"float32": np.float32, "float64": np.float64, "int32": np.int32}[dtype]
    n = int(np.prod(shape))
    arr = (np.arange(n) if values is None else np.array(values)).astype(np.float64) / divisor
    t = Tensor(arr.astype(np_dtype).reshape(shape))
    cases.append({"name": name, "kind": "tensor", "dtype": dtype, "shape": list(shape),
                  "values": None if values is None else list(values), "divisor": divisor, "repr": repr(t)})

tensor_case("matrix_100x100", "float32", [100, 100])
tensor_case("vector_1001", "float32", [1001])
tensor_case("int_vector_2000", "int32", [2000])
tensor_case("int_small_padded", "int32", [3], values=[1, 2, 10])
tensor_case("cube_2x3x200", "float32", [2, 3, 200])
tensor_case("tall_1001x2", "float32", [1001, 2])
tensor_case("float64_2x12x100", "float64", [2, 12, 100], divisor=7)
tensor_case("negative_small", "float32", [2, 2], values=[-1.5, 0, 2.25, -0.125])

def cell_case(name, cell):
    cases.append({"name": name, "kind": "cell", "repr": repr(cell)})
cell_case("dense", nn.Dense(3, 5))
cell_case("dense_no_bias", nn.Dense(3, 5, has_bias=False))
cell_case("sequential", nn.SequentialCell([nn.Dense(3, 5), nn.ReLU(), nn.Dense(5, 2)]))
cell_case("maxpool", nn.MaxPool2d(kernel_size=2, stride=2))
cell_case("dropout", nn.Dropout(p=0.5))
cell_case("flatten", nn.Flatten())

out = os.path.join(os.path.dirname(__file__), "..", "Tests", "TapeGradTests", "Fixtures", "printing_cases.json")
with open(out, "w") as f:
    json.dump({"mindspore": ms.__version__, "cases": cases}, f, indent=1)
print("wrote", len(cases), "cases to", out)
