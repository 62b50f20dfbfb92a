"""Result dtypes and values of MindSpore 2.10's comparison and logical ops, and of the ops that consume
bool masks -> Tests/TapeGradTests/Fixtures/bool_results.json.

Recreate the venv: python3.11 -m venv v && v/bin/pip install mindspore==2.10.0 "numpy<2"
Run: v/bin/python Oracle/bool_results_oracle.py   (CI never runs Python; the JSON is committed.)

Tensors are written exactly as in dtypes_oracle.py: {"dtype", "shape", "hex"} with the little-endian bytes of
the elements, so the Swift test compares dtype, shape and every element bit for bit.
"""
import json, os
import numpy as np
import mindspore as ms
from mindspore import Tensor, ops

ms.set_context(mode=ms.PYNATIVE_MODE, device_target="CPU")

NP = {"bool": np.bool_, "uint8": np.uint8, "int32": np.int32, "int64": np.int64,
      "float16": np.float16, "float32": np.float32, "float64": np.float64}

def name_of(dtype):
    s = str(dtype).lower()
    return "bool" if s in ("bool", "bool_") else s

def enc(t):
    a = t.asnumpy() if isinstance(t, Tensor) else np.asarray(t)
    return {"dtype": name_of(t.dtype) if isinstance(t, Tensor) else str(a.dtype).replace("bool", "bool"),
            "shape": list(a.shape), "hex": np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<")).tobytes().hex()}

def make(dtype, values, shape=None):
    a = np.array(values, dtype=np.float64)
    a = a.astype(NP[dtype]) if dtype != "bool" else (a != 0)
    return Tensor(a.reshape(shape) if shape is not None else a)

# Values chosen to hit ties, signs, zero and (for floats) NaN and infinities.
FLOAT_A = [1, 2, -3, 0, float("nan"), float("inf")]
FLOAT_B = [1, 3, -4]
INT_A = [1, 2, -3, 0, 5, 7]
INT_B = [1, 3, -4]
BOOL_A = [1, 0, 1, 0, 1, 1]
BOOL_B = [1, 0, 0]
UINT_A = [1, 2, 200, 0, 5, 7]
UINT_B = [1, 3, 4]

def values_for(dtype, which):
    if dtype == "bool": return BOOL_A if which == "a" else BOOL_B
    if dtype == "uint8": return UINT_A if which == "a" else UINT_B
    if dtype.startswith("int"): return INT_A if which == "a" else INT_B
    return FLOAT_A if which == "a" else FLOAT_B

BINARY = {"greater": ops.greater, "greaterEqual": ops.greater_equal, "less": ops.less, "lessEqual": ops.less_equal,
          "equal": ops.equal, "notEqual": ops.not_equal, "logicalAnd": ops.logical_and, "logicalOr": ops.logical_or,
          "logicalXor": ops.logical_xor}
PAIRS = [("float32", "float32"), ("float64", "float32"), ("float16", "float16"), ("int32", "float32"),
         ("int32", "int32"), ("int64", "int32"), ("uint8", "uint8"), ("bool", "bool"), ("bool", "int32"),
         ("float32", "bool")]

binary = []
for op, f in BINARY.items():
    for da, db in PAIRS:
        a = make(da, values_for(da, "a"), [2, 3])      # [2, 3] against [3]: broadcasting
        b = make(db, values_for(db, "b"))
        try:
            r = f(a, b)
            r.asnumpy()   # PyNative runs lazily: fail here, not at encoding
            via = "direct"
        except Exception:
            # Where 2.10's CPU kernel rejects a dtype pair, the result on the inputs cast to bool (non-zero and
            # NaN → true), which is what TapeGrad's logical ops compute.
            r = f(a.astype(ms.bool_), b.astype(ms.bool_))
            via = "cast to bool"
        binary.append({"op": op, "a": enc(a), "b": enc(b), "output": enc(r), "via": via})

unary = []
UNARY = {"isnan": ops.isnan, "isinf": ops.isinf, "isfinite": ops.isfinite, "logicalNot": ops.logical_not}
for op, f in UNARY.items():
    for d in ["float32", "float64", "float16", "int32", "bool"]:
        x = make(d, values_for(d, "a"), [2, 3])
        try:
            r = f(x)
            r.asnumpy()
            via = "direct"
        except Exception:   # 2.10's CPU isinf/isnan/isfinite reject int and bool: the result of their float32 cast
            r = f(x.astype(ms.float32))
            via = "cast to float32"
        unary.append({"op": op, "x": enc(x), "output": enc(r), "via": via})

isclose = []
for d in ["float32", "float64"]:
    a = make(d, [1, 2, float("nan"), float("inf"), 1e-9, 100], [6])
    b = make(d, [1.000001, 2.1, float("nan"), float("inf"), 0, 100.0005], [6])
    for equal_nan in (False, True):
        r = ops.isclose(a, b, rtol=1e-5, atol=1e-8, equal_nan=equal_nan)
        isclose.append({"a": enc(a), "b": enc(b), "equalNan": equal_nan, "output": enc(r)})

# Consumers of bool masks.
consumers = []
x = make("float32", [1, -2, 3, -4, 5, -6], [2, 3])
y = make("float32", [10, 20, 30, 40, 50, 60], [2, 3])
cond = ops.greater(x, Tensor(np.float32(0)))
def grad_where(a, b):
    return (ops.where(cond, a, b) * Tensor(np.arange(1, 7, dtype=np.float32).reshape(2, 3))).sum()
gx, gy = ms.grad(grad_where, grad_position=(0, 1))(x, y)
consumers.append({"op": "where", "condition": enc(cond), "a": enc(x), "b": enc(y),
                  "output": enc(ops.where(cond, x, y)), "gradA": enc(gx), "gradB": enc(gy)})
m = make("bool", [0, 1, 0])
consumers.append({"op": "maskedFill", "input": enc(x), "mask": enc(m), "value": -1.5,
                  "output": enc(ops.masked_fill(x, m, Tensor(np.float32(-1.5))))})
consumers.append({"op": "maskedSelect", "input": enc(x), "mask": enc(m), "output": enc(ops.masked_select(x, m))})
consumers.append({"op": "booleanSubscript", "input": enc(x), "mask": enc(cond), "output": enc(x[cond])})
rowmask = make("bool", [1, 0])
consumers.append({"op": "booleanSubscriptRows", "input": enc(x), "mask": enc(rowmask), "output": enc(x[rowmask])})
bm = make("bool", [1, 0, 1, 1, 0, 1], [2, 3])
consumers.append({"op": "sum", "x": enc(bm), "output": enc(bm.sum())})
consumers.append({"op": "sumAxis1", "x": enc(bm), "output": enc(bm.sum(axis=1))})
consumers.append({"op": "any", "x": enc(bm), "output": enc(bm.any())})
consumers.append({"op": "anyAxis1", "x": enc(bm), "output": enc(bm.any(axis=1))})
consumers.append({"op": "all", "x": enc(bm), "output": enc(bm.all())})
consumers.append({"op": "allAxis1", "x": enc(bm), "output": enc(bm.all(axis=1))})
# (Not -0.0: 2.10's CPU Tensor.any ORs the raw bytes, so any([0, -0.0]) is a bool byte 0x80, "True" — a bug.)
z = make("float32", [0, 0, 0], [3])
consumers.append({"op": "any", "x": enc(z), "output": enc(z.any())})
consumers.append({"op": "allAxis0", "x": enc(x), "output": enc(x.all(axis=0))})
for d in ["float32", "float64", "int32", "int64", "uint8", "float16"]:
    consumers.append({"op": "astype", "to": d, "x": enc(bm), "output": enc(bm.astype(getattr(ms, d)))})
fx = make("float32", [0, -0.0, 0.5, float("nan"), -2, float("inf")], [6])
consumers.append({"op": "astype", "to": "bool", "x": enc(fx), "output": enc(fx.astype(ms.bool_))})
consumers.append({"op": "add", "a": enc(bm), "b": enc(bm), "output": enc(bm + bm)})
consumers.append({"op": "mul", "a": enc(bm), "b": enc(x), "output": enc(bm * x)})
consumers.append({"op": "mul", "a": enc(x), "b": enc(bm), "output": enc(x * bm)})
xi = make("int32", [1, 2, 3, 4, 5, 6], [2, 3])
consumers.append({"op": "add", "a": enc(bm), "b": enc(xi), "output": enc(bm + xi)})
consumers.append({"op": "sub", "a": enc(y), "b": enc(bm), "output": enc(y - bm)})

prints = []
for shape, vals in [([3], [1, 0, 1]), ([2, 2], [1, 0, 0, 1]), ([], [1]), ([], [0])]:
    t = make("bool", vals, shape)
    prints.append({"tensor": enc(t), "repr": repr(t)})
prints.append({"tensor": enc(cond), "repr": repr(cond)})

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "TapeGradTests", "Fixtures", "bool_results.json")
with open(out, "w") as fh:
    json.dump({"mindspore": ms.__version__, "binary": binary, "unary": unary, "isclose": isclose,
               "consumers": consumers, "printing": prints}, fh, indent=1)
print("wrote", out, len(binary), "binary,", len(unary), "unary,", len(isclose), "isclose,", len(consumers), "consumers,", len(prints), "prints")
