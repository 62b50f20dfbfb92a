#!/usr/bin/env python3
"""Dtype promotion, casts and arithmetic of the storage dtypes, recorded from real MindSpore 2.10.

    /work/venv-ms/bin/python Oracle/dtypes_oracle.py
        Writes Tests/TapeGradTests/Fixtures/dtypes_oracle.json, replayed by
        Tests/TapeGradTests/Tensor/DTypeOracleTests.swift.

Recreate the venv:  python3.11 -m venv v && v/bin/pip install mindspore==2.10.0 "numpy<2"

Every tensor is stored exactly, as the hex of its little-endian bytes, plus its values for reading:
    {"dtype": "float16", "shape": [3], "hex": "003c...", "values": [1.0, ...]}
bfloat16 is read back through float32 (its bits are the top half of the float32's).

Sections:
  promotion  every pair of bool, uint8, int32, int64, float16, bfloat16, float32, float64 under `+`
  casts      Tensor.astype between dtypes: round-to-nearest-even ties into float16/bfloat16, overflow,
             subnormals, float → uint8 wrap, int64 → int32 wrap, anything → bool
  binary     a ∘ b for ∘ in + − × ÷ on the new dtypes (uint8 wrap, bool or/xor/and, int ÷ int → float32)
  scalar     tensor ∘ Python number (uint8 + 300 wraps, bool + 2 is int64, int32 + 2.5 is float32)
  reduce     sum of bool, uint8 and int32 (int64), of float16 (accumulated in float32), of int64; max keeps the dtype
"""
import json
import os

import numpy as np
import mindspore as ms
from mindspore import Tensor

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "Tests", "TapeGradTests", "Fixtures", "dtypes_oracle.json"))

MS = {"bool": ms.bool_, "uint8": ms.uint8, "int32": ms.int32, "int64": ms.int64,
      "float16": ms.float16, "bfloat16": ms.bfloat16, "float32": ms.float32, "float64": ms.float64}
NAMES = list(MS)
NP = {"bool": np.bool_, "uint8": np.uint8, "int32": np.int32, "int64": np.int64,
      "float16": np.float16, "float32": np.float32, "float64": np.float64}


def name_of(dtype):
    for k, v in MS.items():
        if v == dtype:
            return k
    raise ValueError(dtype)


def enc(t):
    """A MindSpore tensor as exact hex bytes plus readable values."""
    dt = name_of(t.dtype)
    if dt == "bfloat16":
        f = t.astype(ms.float32).asnumpy().astype(np.float32)
        bits = (f.view(np.uint32) >> 16).astype("<u2")
        raw, values = bits.tobytes(), f.reshape(-1).tolist()
    else:
        a = np.ascontiguousarray(t.asnumpy().astype(NP[dt]))
        raw = a.astype(a.dtype.newbyteorder("<")).tobytes()
        values = a.reshape(-1).tolist()
    values = [v if not isinstance(v, float) or np.isfinite(v) else str(v) for v in values]
    return {"dtype": dt, "shape": list(t.shape), "hex": raw.hex(), "values": values}


def make(values, dt):
    if dt == "bfloat16":
        return Tensor(np.array(values, np.float32), dtype=ms.float32).astype(ms.bfloat16)
    return Tensor(np.array(values).astype(NP[dt]))


def from_bits(bits, dt):
    """A float tensor with exactly these bit patterns (float32 bits for float32 sources)."""
    if dt == "float32":
        return Tensor(np.array(bits, np.uint32).view(np.float32))
    if dt == "float64":
        return Tensor(np.array(bits, np.uint64).view(np.float64))
    raise ValueError(dt)


def promotion():
    out = []
    for a in NAMES:
        for b in NAMES:
            r = make([1, 0], a) + make([1, 1], b)
            out.append({"a": a, "b": b, "result": name_of(r.dtype)})
    return out


def casts():
    cases = []
    # float32 bit patterns chosen for rounding: ties to even in both directions, just above a tie,
    # overflow to inf and the largest finite, subnormals, ±0, ±inf, NaN.
    f32_bits = [
        0x3F800000, 0x3F808000, 0x3F818000, 0x3F808001, 0x3F80FFFF, 0xBF818000,  # bfloat16 ties around 1
        0x3F801000, 0x3F803000, 0x3F801001, 0x3F802FFF,  # float16 ties around 1 (2^-11 = 0x1000 in f32 bits)
        0x477FF000, 0x477FEFFF, 0x477FE000,  # 65520 → inf in f16, 65519.99 → 65504
        0x7F7FFFFF, 0x7F7F8000,  # largest f32: bf16 → inf; tie → rounds up to inf
        0x33800000, 0x33000001, 0x387FC000, 0x00000001,  # f16 subnormal edges; the smallest f32 subnormal
        0x00000000, 0x80000000, 0x7F800000, 0xFF800000,
        0x3DCCCCCD, 0x3EAAAAAB, 0x40490FDB,  # 0.1, 1/3, π
    ]
    src = from_bits(f32_bits, "float32")
    for to in ["float16", "bfloat16", "float64"]:
        cases.append({"input": enc(src), "to": to, "output": enc(src.astype(MS[to]))})
    nan = Tensor(np.array([np.nan, -np.nan], np.float32))
    for to in ["float16", "bfloat16", "bool"]:
        cases.append({"input": enc(nan), "to": to, "output": enc(nan.astype(MS[to]))})
    f64 = Tensor(np.array([0.1, 1 / 3, 65519.0, 1e-300, -2.5, 1e30], np.float64))
    for to in ["float32", "float16"]:
        cases.append({"input": enc(f64), "to": to, "output": enc(f64.astype(MS[to]))})
    floats = Tensor(np.array([-1.5, -0.5, 0.0, 0.7, 2.9, 255.0, 300.7], np.float32))
    for to in ["uint8", "int32", "int64", "bool"]:
        cases.append({"input": enc(floats), "to": to, "output": enc(floats.astype(MS[to]))})
    big = Tensor(np.array([2**40 + 5, -(2**31) - 1, 2**31, 9007199254740993, -1, 255, 256], np.int64))
    for to in ["int32", "uint8", "bool", "float32", "float64"]:
        cases.append({"input": enc(big), "to": to, "output": enc(big.astype(MS[to]))})
    u8 = Tensor(np.array([0, 1, 127, 128, 255], np.uint8))
    for to in ["int32", "int64", "float16", "bool", "bfloat16"]:
        cases.append({"input": enc(u8), "to": to, "output": enc(u8.astype(MS[to]))})
    b = Tensor(np.array([True, False, True]))
    for to in ["uint8", "int32", "int64", "float16", "bfloat16", "float32"]:
        cases.append({"input": enc(b), "to": to, "output": enc(b.astype(MS[to]))})
    h = Tensor(np.array([1.0, 0.000061035156, 65504.0, -0.0, 1.0009766], np.float16))
    for to in ["float32", "bfloat16", "int64"]:
        cases.append({"input": enc(h), "to": to, "output": enc(h.astype(MS[to]))})
    return cases


def binary():
    cases = []
    inputs = {
        "uint8": ([200, 3, 255, 0], [100, 7, 1, 1]),
        "int64": ([2**62, -5, 7, 3_000_000_000], [3, 2, -7, 3_000_000_000]),
        "bool": ([True, True, False, False], [True, False, True, False]),
        "float16": ([0.1, 1000.0, 65504.0, -3.0], [0.2, 0.0999, 16.0, 7.0]),
        "bfloat16": ([0.1, 1000.0, 3.0e38, -3.0], [0.2, 0.0999, 16.0, 7.0]),
    }
    for dt, (x, y) in inputs.items():
        a, b = make(x, dt), make(y, dt)
        for op, f in [("add", lambda p, q: p + q), ("sub", lambda p, q: p - q),
                      ("mul", lambda p, q: p * q), ("div", lambda p, q: p / q)]:
            try:
                r = f(a, b)
            except Exception as e:  # an op MindSpore's CPU backend lacks for this dtype
                print("skip", dt, op, str(e).splitlines()[0][:80])
                continue
            cases.append({"op": op, "a": enc(a), "b": enc(b), "output": enc(r)})
    # mixed dtypes: the promotion applied to values
    mixed = [(([1, 2], "uint8"), ([3, -4], "int64")), (([True, False], "bool"), ([2.5, 1.0], "float16")),
             (([0.5, 3.0], "float16"), ([0.25, 2.0], "bfloat16")), (([7, 250], "uint8"), ([True, True], "bool")),
             (([2**40, 3], "int64"), ([0.5, 0.25], "float16"))]
    for (x, dx), (y, dy) in mixed:
        a, b = make(x, dx), make(y, dy)
        for op, f in [("add", lambda p, q: p + q), ("mul", lambda p, q: p * q)]:
            cases.append({"op": op, "a": enc(a), "b": enc(b), "output": enc(f(a, b))})
    return cases


def scalar():
    cases = []
    for x, dt, s in [([1, 200], "uint8", 300), ([True, False], "bool", 2), ([1, -3], "int32", 2.5),
                     ([0.1, 2.0], "float16", 2.5), ([1.0, 3.0], "bfloat16", 2.5), ([2**62, -1], "int64", 3),
                     ([True, False], "bool", 2.5), ([10, 3], "uint8", 2)]:
        t = make(x, dt)
        cases.append({"op": "add", "a": enc(t), "scalar": s, "output": enc(t + s)})
        cases.append({"op": "mul", "a": enc(t), "scalar": s, "output": enc(t * s)})
    return cases


def reduce():
    cases = []
    for x, dt in [([True, True, False, True], "bool"), ([200, 100, 255], "uint8"),
                  ([0.1, 0.2, 0.3, 1000.0], "float16"), ([2**40, 3, -5], "int64")]:
        # Not recorded: MindSpore's CPU int64 sum rounds through double (2^53+1 + 2 gives 2^53+2, and
        # 2^62 + 2^62 + 5 gives -2^63); TapeGrad's integer sums are exact and wrap (decision 3).
        t = make(x, dt)
        cases.append({"op": "sum", "a": enc(t), "output": enc(t.sum())})
    for x, dt in [([2**31 - 1, 1, 5], "int32"), ([3, 250, 7], "uint8"), ([0.5, -2.0], "float16")]:
        t = make(x, dt)
        if dt == "int32":
            cases.append({"op": "sum", "a": enc(t), "output": enc(t.sum())})   # int64: no int32 overflow
        cases.append({"op": "max", "a": enc(t), "output": enc(t.max())})
    return cases


def main():
    doc = {"mindspore": ms.__version__, "promotion": promotion(), "casts": casts(), "binary": binary(),
           "scalar": scalar(), "reduce": reduce()}
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
    print("wrote", OUT, {k: len(v) for k, v in doc.items() if isinstance(v, list)})


if __name__ == "__main__":
    main()
