#!/usr/bin/env python3
"""A safetensors file written by PyTorch with every dtype TapeGrad holds, and its expected values.

    /work/venv-torch/bin/python Oracle/safetensors_dtypes.py
        Writes Tests/TapeGradTests/Fixtures/pytorch_dtypes.safetensors (safetensors.torch.save_file of a
        real module's state_dict plus extra tensors) and pytorch_dtypes.json:
        {"torch": version, "tensors": {name: {"dtype", "shape", "hex", "values"}}}, where "hex" is the
        tensor's little-endian bytes (exact for every dtype) and "values" are for reading.
        Replayed by Tests/TapeGradTests/NN/CheckpointDTypeTests.swift.

    /work/venv-torch/bin/python Oracle/safetensors_dtypes.py check PATH
        Loads PATH (written by TapeGrad: `TAPEGRAD_DTYPES_OUT=PATH swift test --skip-build
        --disable-swift-testing --filter CheckpointDTypeTests`) with safetensors.torch.load_file and compares
        every tensor's dtype, shape and bytes with pytorch_dtypes.json. Exit 0 when all match, 1 otherwise.

Recreate the venv:  python3.11 -m venv v && v/bin/pip install torch safetensors "numpy<2"

The file holds a Linear + BatchNorm1d state_dict after three training-mode forwards (so
`bn.num_batches_tracked` is int64 3, the buffer that made PyTorch files unloadable), a float16 and a
bfloat16 weight (with values that are not float32-exact: rounding matters), a bool mask, uint8 pixels
and an int64 tensor beyond 2^53 (exactness of 64-bit integers).
"""
import json
import os

import torch
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.normpath(os.path.join(HERE, "..", "Tests", "TapeGradTests", "Fixtures"))
ST_PATH = os.path.join(FIXTURES, "pytorch_dtypes.safetensors")
JSON_PATH = os.path.join(FIXTURES, "pytorch_dtypes.json")

NAMES = {torch.bool: "bool", torch.uint8: "uint8", torch.int32: "int32", torch.int64: "int64",
         torch.float16: "float16", torch.bfloat16: "bfloat16", torch.float32: "float32", torch.float64: "float64"}


def enc(t):
    t = t.contiguous()
    raw = t.view(torch.uint8).numpy().tobytes() if t.dim() > 0 else t.reshape(1).view(torch.uint8).numpy().tobytes()
    values = t.float().reshape(-1).tolist() if t.dtype == torch.bfloat16 else t.reshape(-1).tolist()
    values = [v if not isinstance(v, float) or v == v and abs(v) != float("inf") else str(v) for v in values]
    return {"dtype": NAMES[t.dtype], "shape": list(t.shape), "hex": raw.hex(), "values": values}


def main():
    torch.manual_seed(0)
    net = torch.nn.Module()
    net.fc = torch.nn.Linear(3, 2)
    net.bn = torch.nn.BatchNorm1d(2)
    net.train()
    for _ in range(3):
        net.bn(net.fc(torch.randn(4, 3)))
    tensors = {k: v.detach().clone() for k, v in net.state_dict().items()}
    tensors["half.weight"] = torch.tensor([[0.1, -2.5], [65504.0, 6.1e-5]], dtype=torch.float32).to(torch.float16)
    tensors["brain.weight"] = torch.tensor([0.1, 1 / 3, -3.0e38], dtype=torch.float32).to(torch.bfloat16)
    tensors["mask"] = torch.tensor([[True, False, True], [False, False, True]])
    tensors["pixels"] = torch.tensor([0, 1, 128, 255], dtype=torch.uint8)
    tensors["big"] = torch.tensor([2**62 + 1, -(2**63), 9007199254740993], dtype=torch.int64)
    tensors["index"] = torch.tensor([2, 0], dtype=torch.int32)
    tensors["scale64"] = torch.tensor(0.1, dtype=torch.float64)
    save_file(tensors, ST_PATH, metadata={"producer": "Oracle/safetensors_dtypes.py", "torch": torch.__version__})
    doc = {"torch": torch.__version__, "tensors": {k: enc(v) for k, v in sorted(tensors.items())}}
    with open(JSON_PATH, "w") as f:
        json.dump(doc, f, indent=1)
    print("wrote", ST_PATH, "and", JSON_PATH, {k: str(v.dtype) for k, v in sorted(tensors.items())})


def check(path):
    from safetensors.torch import load_file
    with open(JSON_PATH) as f:
        expected = json.load(f)["tensors"]
    got = {k: enc(v) for k, v in load_file(path).items()}
    bad = [k for k in sorted(set(expected) | set(got))
           if k not in got or k not in expected
           or any(got[k][f] != expected[k][f] for f in ("dtype", "shape", "hex"))]
    print("checked", len(got), "tensors;", "all equal" if not bad else "differ: %s" % bad)
    return 1 if bad else 0


if __name__ == "__main__":
    import sys
    if len(sys.argv) == 3 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2]))
    main()
