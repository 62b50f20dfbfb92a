#!/usr/bin/env python3
"""A safetensors checkpoint written by MindSpore 2.10 itself, with every dtype TapeGrad holds.

    /work/venv-ms/bin/python Oracle/mindspore_safetensors.py
        Writes Tests/TapeGradTests/Fixtures/mindspore_dtypes.safetensors with
        mindspore.save_checkpoint(net, path, format="safetensors") and mindspore_dtypes.json:
        {"mindspore": version, "tensors": {name: {"dtype", "shape", "hex", "values"}}} (hex: the exact
        little-endian bytes). Replayed by Tests/TapeGradTests/NN/CheckpointDTypeTests.swift.

Recreate the venv:  python3.11 -m venv v && v/bin/pip install mindspore==2.10.0 "numpy<2"

The net is nn.Dense(3, 2) + nn.BatchNorm1d(2) (MindSpore's names: fc.weight, fc.bias, bn.gamma, bn.beta,
bn.moving_mean, bn.moving_variance) plus parameters of dtype float16, bfloat16, int64, bool, uint8, int32
and float64.
"""
import json
import os

import numpy as np
import mindspore as ms
from mindspore import Parameter, Tensor, nn

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.normpath(os.path.join(HERE, "..", "Tests", "TapeGradTests", "Fixtures"))
ST_PATH = os.path.join(FIXTURES, "mindspore_dtypes.safetensors")
JSON_PATH = os.path.join(FIXTURES, "mindspore_dtypes.json")

NAMES = {ms.bool_: "bool", ms.uint8: "uint8", ms.int32: "int32", ms.int64: "int64", ms.float16: "float16",
         ms.bfloat16: "bfloat16", ms.float32: "float32", ms.float64: "float64"}
NP = {"bool": np.bool_, "uint8": np.uint8, "int32": np.int32, "int64": np.int64, "float16": np.float16,
      "float32": np.float32, "float64": np.float64}


def enc(t):
    dt = NAMES[t.dtype]
    if dt == "bfloat16":
        f = t.astype(ms.float32).asnumpy().astype(np.float32)
        raw, values = (f.view(np.uint32) >> 16).astype("<u2").tobytes(), f.reshape(-1).tolist()
    else:
        a = np.ascontiguousarray(t.asnumpy().astype(NP[dt]))
        raw, values = a.tobytes(), a.reshape(-1).tolist()
    return {"dtype": dt, "shape": list(t.shape), "hex": raw.hex(), "values": values}


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.fc = nn.Dense(3, 2)
        self.bn = nn.BatchNorm1d(2)
        self.half = Parameter(Tensor(np.array([[0.1, -2.5], [65504.0, 6.1e-5]], np.float16)), name="half")
        self.brain = Parameter(Tensor(np.array([0.1, 1 / 3, -3.0e38], np.float32)).astype(ms.bfloat16), name="brain")
        self.steps = Parameter(Tensor(np.array(7, np.int64)), name="steps", requires_grad=False)
        self.big = Parameter(Tensor(np.array([2**62 + 1, -(2**63)], np.int64)), name="big", requires_grad=False)
        self.flag = Parameter(Tensor(np.array([True, False, True])), name="flag", requires_grad=False)
        self.pixels = Parameter(Tensor(np.array([0, 1, 128, 255], np.uint8)), name="pixels", requires_grad=False)
        self.index = Parameter(Tensor(np.array([2, 0], np.int32)), name="index", requires_grad=False)
        self.scale64 = Parameter(Tensor(np.array(0.1, np.float64)), name="scale64")

    def construct(self, x):
        return self.bn(self.fc(x))


def main():
    ms.set_seed(0)
    net = Net()
    ms.save_checkpoint(net, ST_PATH, format="safetensors")
    os.chmod(ST_PATH, 0o644)
    doc = {"mindspore": ms.__version__,
           "tensors": {name: enc(p) for name, p in sorted(net.parameters_and_names())}}
    with open(JSON_PATH, "w") as f:
        json.dump(doc, f, indent=1)
    print("wrote", ST_PATH, {k: v["dtype"] for k, v in doc["tensors"].items()})


if __name__ == "__main__":
    main()
