#!/usr/bin/env python3
"""safetensors interop between TapeGrad and Python's reference `safetensors` package.

    python Oracle/safetensors_interop.py write
        Writes Tests/TapeGradTests/Fixtures/python_written.safetensors with safetensors.numpy.save_file (with a
        __metadata__ header entry), plus the sidecar python_written.json: {name: {"dtype", "shape", "values"}}.

    python Oracle/safetensors_interop.py check PATH [EXPECTED.json]
        Loads PATH (a file TapeGrad wrote) with safetensors.numpy.load_file and prints, as JSON on stdout,
        {name: {"dtype", "shape", "values"}} (names sorted; the sidecar's layout), and the header's
        __metadata__ on stderr. Exit 0 on success, 1 if the reference reader rejects the file, 2 if
        EXPECTED.json (the sidecar's layout) is given and differs (differences on stderr). Values compare
        exactly (NaN equals NaN, -0.0 equals 0.0).

Needs only numpy and safetensors (no MindSpore): pip install "numpy<2" safetensors.
Tensor JSON encoding: {"dtype": "float32"|"float64"|"int32", "shape": [...], "values": [flat row-major]},
non-finite floats as the strings "nan", "inf", "-inf".
"""
import json
import math
import os
import sys

import numpy as np
import safetensors
from safetensors import safe_open
from safetensors.numpy import load_file, save_file

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.normpath(os.path.join(HERE, "..", "Tests", "TapeGradTests", "Fixtures"))
ST_PATH = os.path.join(FIXTURES, "python_written.safetensors")
JSON_PATH = os.path.join(FIXTURES, "python_written.json")
METADATA = {"format": "np", "producer": "TapeGrad Oracle/safetensors_interop.py"}


def enc(a):
    a = np.asarray(a)
    vals = []
    for v in a.reshape(-1).tolist():
        if isinstance(v, float) and not math.isfinite(v):
            v = "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
        vals.append(v)
    return {"dtype": str(a.dtype), "shape": list(a.shape), "values": vals}


def tensors():
    """'scale' (0-d float32) and 'counts' (int32) are named in CheckpointTests; keep them."""
    rng = np.random.default_rng(20261123)
    return {
        "fc.weight": np.arange(6, dtype=np.float32).reshape(2, 3) / 4 - 0.5,
        "fc.bias": np.array([0.25, -1.5], np.float32),
        "conv.weight": rng.normal(0, 0.5, size=(2, 1, 2, 2)).astype(np.float32),
        "table": np.array([[1.5, -2.25], [3.0, 0.125]], np.float64),
        "embedding.embedding_table": rng.normal(0, 1, size=(4, 3)).astype(np.float64),
        "counts": np.array([1, -2, 3], np.int32),
        "int_extremes": np.array([2147483647, -2147483648, 0], np.int32),
        "scale": np.array(2.5, np.float32),                     # 0-d
        "global_step": np.array(7, np.int32),                   # 0-d
        "temperature": np.array(0.1, np.float64),               # 0-d
        # No NaN: CheckpointTests compares tensors with ==. Smallest subnormal and largest finite float32.
        "specials": np.array([np.inf, -np.inf, -0.0, 1e-45, 3.4028235e38], np.float32),
    }


def write():
    ts = tensors()
    save_file(ts, ST_PATH, metadata=METADATA)
    size = os.path.getsize(ST_PATH)
    # The sidecar is exactly {name: tensor} (CheckpointTests compares its key set with the file's names).
    with open(JSON_PATH, "w") as fh:
        json.dump({k: enc(v) for k, v in sorted(ts.items())}, fh, indent=1)
        fh.write("\n")
    back = load_file(ST_PATH)
    assert sorted(back) == sorted(ts) and all(np.array_equal(back[k], ts[k], equal_nan=True) and back[k].dtype == ts[k].dtype
                                             for k in ts)
    print("wrote %s (%d bytes, %d tensors, safetensors %s, metadata %s) and %s" % (
        ST_PATH, size, len(ts), safetensors.__version__, METADATA, JSON_PATH))


def same_values(a, b):
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if isinstance(x, str) or isinstance(y, str):
            if x != y:
                return False
        elif x != y:
            return False
    return True


def check(path, expected_path=None):
    try:
        loaded = load_file(path)
        with safe_open(path, framework="np") as fh:
            metadata = fh.metadata()
    except Exception as exc:  # noqa: BLE001 - report whatever the reference reader rejects
        print("cannot load %s: %s: %s" % (path, type(exc).__name__, exc), file=sys.stderr)
        return 1
    got_t = {k: enc(loaded[k]) for k in sorted(loaded)}
    print(json.dumps(got_t))
    print("metadata: %s" % json.dumps(metadata), file=sys.stderr)
    if expected_path is None:
        return 0
    with open(expected_path) as fh:
        want = json.load(fh)
    problems = []
    want_t = want
    if sorted(got_t) != sorted(want_t):
        problems.append("names: got %s, expected %s" % (sorted(got_t), sorted(want_t)))
    for k in sorted(set(got_t) & set(want_t)):
        g, w = got_t[k], want_t[k]
        for field in ("dtype", "shape"):
            if g[field] != w[field]:
                problems.append("%s: %s %s, expected %s" % (k, field, g[field], w[field]))
        if not same_values(g["values"], w["values"]):
            problems.append("%s: values differ" % k)
    for p in problems:
        print(p, file=sys.stderr)
    return 2 if problems else 0


def main(argv):
    if len(argv) >= 2 and argv[1] == "write" and len(argv) == 2:
        write()
        return 0
    if len(argv) in (3, 4) and argv[1] == "check":
        return check(argv[2], argv[3] if len(argv) == 4 else None)
    print(__doc__, file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv))
