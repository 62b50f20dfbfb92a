#!/usr/bin/env python3
"""safetensors interoperability for TapeGrad's checkpoints.

    python Oracle/safetensors_interop.py write    # writes Tests/TapeGradTests/Fixtures/python_written.safetensors (+ .json)
    python Oracle/safetensors_interop.py check F  # loads a file TapeGrad wrote and prints it as JSON (exit 0 if it loads)

Needs `pip install safetensors numpy`.
"""
import json
import os
import sys

import numpy as np
from safetensors.numpy import load_file, save_file

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "TapeGradTests", "Fixtures")


def write():
    tensors = {
        "fc.weight": np.arange(6, dtype=np.float32).reshape(2, 3) / 4 - 0.5,
        "fc.bias": np.array([0.25, -1.5], dtype=np.float32),
        "table": np.array([[1.5, -2.25], [3.0, 0.125]], dtype=np.float64),
        "counts": np.array([1, -2, 3], dtype=np.int32),
        "scale": np.array(2.5, dtype=np.float32),
    }
    path = os.path.join(FIXTURES, "python_written.safetensors")
    save_file(tensors, path, metadata={"written_by": "safetensors.numpy.save_file"})
    expected = {k: {"dtype": str(v.dtype), "shape": list(v.shape), "values": v.reshape(-1).tolist()} for k, v in tensors.items()}
    with open(os.path.join(FIXTURES, "python_written.json"), "w") as fh:
        json.dump(expected, fh, indent=1)
    print("wrote", path)


def check(path):
    tensors = load_file(path)
    print(json.dumps({k: {"dtype": str(v.dtype), "shape": list(v.shape), "values": v.reshape(-1).tolist()} for k, v in sorted(tensors.items())}))


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "write":
        write()
    elif len(sys.argv) >= 3 and sys.argv[1] == "check":
        check(sys.argv[2])
    else:
        print(__doc__)
        sys.exit(2)
