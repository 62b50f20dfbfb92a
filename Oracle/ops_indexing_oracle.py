#!/usr/bin/env python3
"""TapeGrad's oracle for the indexing, selection, shape and creation ops (issue 11, items 1-3 and 8).

Runs each op on real MindSpore 2.10 (CPU, PyNative) — PyTorch where MindSpore lacks the op or differs
from the semantics TapeGrad documents (each such case says "ref": "torch" and why) — and records the
forward outputs and, for a fixed random cotangent per floating output, the gradient with respect to
each floating input: ∂/∂xᵢ Σₖ ⟨outₖ, cotₖ⟩. Inputs are float32 with 3 decimals (so float32 and
float64 replays read the same values), index tensors int32, masks bool.
Writes Tests/TapeGradTests/Fixtures/oracle_ops_indexing.json; Tests/TapeGradTests/Ops/IndexingOracleTests.swift
replays every case in float32 and float64.

    python3.11 -m venv v && v/bin/pip install mindspore==2.10.0 "numpy<2"
    v/bin/python Oracle/ops_indexing_oracle.py
    # PyTorch (second oracle): python3.11 -m venv t && t/bin/pip install torch numpy
    # The script runs the torch cases by calling ORACLE_TORCH_PYTHON (default /work/venv-torch/bin/python)
    # on itself with --torch.

Random ops (randint, bernoulli, multinomial, randperm, normal) are not here: TapeGrad's generator is its
own (xoshiro256**), so their tests pin reproducibility and distributions instead.
"""
import json
import math
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "TapeGradTests", "Fixtures", "oracle_ops_indexing.json")
RNG = np.random.default_rng(20261128)
TORCH_MODE = "--torch" in sys.argv


def enc(a):
    a = np.asarray(a)
    if a.dtype == np.bool_:
        a = a.astype(np.int32)
    if a.dtype == np.int64:
        a = a.astype(np.int32)
    vals = []
    for v in a.reshape(-1).tolist():
        if isinstance(v, float) and not math.isfinite(v):
            v = "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
        vals.append(v)
    return {"dtype": str(a.dtype), "shape": list(a.shape), "values": vals}


def rand(*shape, lo=-2.0, hi=2.0):
    return np.round(RNG.uniform(lo, hi, size=shape), 3).astype(np.float32)


def distinct(*shape):
    """Values without ties (sort/topk/argmax gradients are then unambiguous)."""
    n = int(np.prod(shape)) if shape else 1
    return (RNG.permutation(n).astype(np.float32) * 0.25 - n * 0.1).reshape(shape)


def idx(values):
    return np.asarray(values, dtype=np.int32)


def mask(values):
    return np.asarray(values, dtype=bool)


# ------------------------------------------------------------------------------------------------ cases
# Each case: name, op (the Swift replay key), params (JSON), inputs (numpy arrays: float32 = differentiable,
# int32 = indices, bool = masks), ref ("mindspore" or "torch") and why (for torch).

CASES = []


def case(name, op, inputs, params=None, ref="mindspore", why=None):
    CASES.append({"name": name, "op": op, "inputs": inputs, "params": params or {}, "ref": ref, "why": why})


X34 = rand(3, 4)
X234 = rand(2, 3, 4)

# 1. Indexing: subscripts. Items: {"int": i} {"slice": [start, end, step]} {"ellipsis": 1} {"newaxis": 1}
# {"indices": k} / {"mask": k} (k = input number).
def sl(start=None, end=None, step=1):
    return {"slice": [start, end, step]}


for name, x, items, extra in [
    ("getitem x[2]", X34, [{"int": 2}], []),
    ("getitem x[-1]", X34, [{"int": -1}], []),
    ("getitem x[1:3]", X34, [sl(1, 3)], []),
    ("getitem x[..., 0]", X234, [{"ellipsis": 1}, {"int": 0}], []),
    ("getitem x[0, 1:4]", X34, [{"int": 0}, sl(1, 4)], []),
    ("getitem x[0, ..., 1]", X234, [{"int": 0}, {"ellipsis": 1}, {"int": 1}], []),
    ("getitem x[::-1, 0]", X34, [sl(None, None, -1), {"int": 0}], []),
    ("getitem x[::2, 1:]", X34, [sl(None, None, 2), sl(1, None)], []),
    ("getitem x[None, 1]", X34, [{"newaxis": 1}, {"int": 1}], []),
    ("getitem x[1:1] empty", X34, [sl(1, 1)], []),
    ("getitem x[idx] repeated", X34, [{"indices": 1}], [idx([2, 0, 2])]),
    ("getitem x[:, idx2d]", X34, [sl(), {"indices": 1}], [idx([[3, 0], [-1, 3]])]),
    ("getitem x[1, ..., idx]", X234, [{"int": 1}, {"ellipsis": 1}, {"indices": 1}], [idx([0, 0, 2])]),
    ("getitem x[mask2d]", X34, [{"mask": 1}], [mask(X34 > 0)]),
    ("getitem x[mask rows]", X234, [{"mask": 1}], [mask([True, False])]),
    ("getitem x[:, mask]", X234, [sl(), {"mask": 1}], [mask([False, True, True])]),
]:
    if "::-1" in name:
        case(name, "getitem", [x] + extra, {"items": items}, ref="torch",
             why="MindSpore 2.10's slice gradient fails on a negative step ('The int value(-1) is less than 0')")
    else:
        case(name, "getitem", [x] + extra, {"items": items})

for name, x, items, v, extra in [
    ("setitem x[1] = v row", X34, [{"int": 1}], rand(4), []),
    ("setitem x[0, 1:3] = v", X34, [{"int": 0}, sl(1, 3)], rand(2), []),
    ("setitem x[..., 0] = v broadcast", X234, [{"ellipsis": 1}, {"int": 0}], rand(3), []),
    ("setitem x[1:3] = scalar", X34, [sl(1, 3)], rand(), []),
    ("setitem x[idx] = v", X34, [{"indices": 2}], rand(2, 4), [idx([2, 0])]),
    ("setitem x[mask] = v", X34, [{"mask": 2}], rand(), [mask(X34 < 0)]),
    ("setitem x[::-1, 2] = v", X34, [sl(None, None, -1), {"int": 2}], rand(3), []),
]:
    if "::-1" in name:
        case(name, "setitem", [x, v] + extra, {"items": items}, ref="torch",
             why="MindSpore 2.10's slice gradient fails on a negative step")
    elif "0, 1:3" in name:
        case(name, "setitem", [x, v] + extra, {"items": items}, ref="torch",
             why="MindSpore 2.10 returns the value's gradient in shape [1, 2] for a value of shape [2]")
    else:
        case(name, "setitem", [x, v] + extra, {"items": items})

# gather family
case("gatherElements axis 1", "gatherElements", [X34, idx([[0, 0, 3], [1, 2, 2], [3, 3, 3]])], {"axis": 1})
case("gatherElements axis 0", "gatherElements", [X34, idx([[2, 0, 1, 0], [2, 2, 2, 1]])], {"axis": 0})
case("gatherElements axis -1 3d", "gatherElements", [X234, idx(RNG.integers(0, 4, (2, 3, 2)))], {"axis": -1})
case("gatherElements empty index", "gatherElements", [X34, np.zeros((3, 0), np.int32)], {"axis": 1})
# No repeated targets: MindSpore and PyTorch both give an overwritten write the gradient of the winning
# one; TapeGrad gives it 0 (the output does not depend on it) — pinned by a hand-derived Swift test.
case("scatter axis 1", "scatter", [X34, idx([[3, 1], [0, 2], [2, 1]]), rand(3, 2)], {"axis": 1})
case("scatter axis 0", "scatter", [X34, idx([[2, 0, 1, 1]]), rand(1, 4)], {"axis": 0})
case("scatter src larger", "scatter", [X34, idx([[1], [2]]), rand(2, 3)], {"axis": 1}, ref="torch",
     why="MindSpore's scatter requires src and index of one shape")
case("scatterAdd axis 1 repeated", "scatterAdd", [X34, idx([[3, 3], [0, 1], [2, 2]]), rand(3, 2)], {"axis": 1})
case("scatterAdd axis 0", "scatterAdd", [X234, idx(RNG.integers(0, 2, (2, 3, 4))), rand(2, 3, 4)], {"axis": 0})
case("scatterAdd src larger", "scatterAdd", [X34, idx([[1], [2]]), rand(2, 3)], {"axis": 1}, ref="torch",
     why="MindSpore's tensor_scatter_elements requires src and index of one shape")
case("maskedFill tensor value", "maskedFill", [X34, mask(X34 > 0.5), np.float32(7.5)], {})
case("maskedFill broadcast mask", "maskedFill", [X234, mask([True, False, False, True]), np.float32(-1.0)], {})
case("maskedSelect", "maskedSelect", [X34, mask(X34 < 0)], {})
case("maskedSelect broadcast", "maskedSelect", [X34, mask([True, False, True, True])], {})
case("indexSelect axis 0", "indexSelect", [X34, idx([2, 2, 0])], {"axis": 0})
case("indexSelect axis -1", "indexSelect", [X234, idx([3, 1])], {"axis": -1})
case("nonzero", "nonzero", [np.asarray([[0, 1.5, 0], [2, 0, -1]], np.float32)], {})
case("nonzero empty", "nonzero", [np.zeros((2, 0), np.float32)], {})

# 2. Selection and ordering
D34 = distinct(3, 4)
D234 = distinct(2, 3, 4)
TIES = np.asarray([[1, 3, 3, 0], [2, 2, 2, 2], [5, 1, 5, 1]], np.float32)
for ax, kd in [(None, False), (1, False), (0, True), (-1, True)]:
    case(f"argmax axis {ax} keepDims {kd}", "argmax", [TIES], {"axis": ax, "keepDims": kd})
    case(f"argmin axis {ax} keepDims {kd}", "argmin", [TIES], {"axis": ax, "keepDims": kd})
case("argmax 3d axis 1", "argmax", [D234], {"axis": 1, "keepDims": False})
case("topk k=2", "topk", [D34], {"k": 2, "axis": -1, "largest": True})
case("topk smallest axis 0", "topk", [D34], {"k": 2, "axis": 0, "largest": False})
case("topk ties", "topk", [TIES], {"k": 3, "axis": 1, "largest": True})
case("topk k=0", "topk", [D34], {"k": 0, "axis": 1, "largest": True}, ref="torch", why="MindSpore rejects k = 0")
for ax, desc in [(-1, False), (0, True), (1, True)]:
    case(f"sort axis {ax} descending {desc}", "sort", [D234], {"axis": ax, "descending": desc})
case("sort ties stable", "sort", [TIES], {"axis": 1, "descending": False})
case("sort ties stable descending", "sort", [TIES], {"axis": 1, "descending": True})
case("argsort ties", "argsort", [TIES], {"axis": -1, "descending": False})
case("argsort axis 0 descending", "argsort", [D34], {"axis": 0, "descending": True})
for ax in [0, 1, -1]:
    case(f"cumsum axis {ax}", "cumsum", [X234], {"axis": ax})
    case(f"cumprod axis {ax}", "cumprod", [X234], {"axis": ax})
case("cumsum empty", "cumsum", [np.zeros((0, 3), np.float32)], {"axis": 1})
CUMPROD_WHY = "MindSpore 2.10's cumprod gradient divides by the input: NaN wherever an element is 0"
case("cumprod with zeros", "cumprod", [np.asarray([[2, 0, 3, 0.5], [0, 1.5, 0, 2], [1, 2, -1, 0]], np.float32)], {"axis": 1},
     ref="torch", why=CUMPROD_WHY)
case("cumprod with zeros axis 0", "cumprod", [np.asarray([[2, 0], [0, 3], [1.5, 2]], np.float32)], {"axis": 0},
     ref="torch", why=CUMPROD_WHY)
CUMMAX_WHY = "MindSpore 2.10's cummax gradient needs InplaceScatterAdd, unsupported on CPU"
case("cummax axis 1", "cummax", [D34], {"axis": 1}, ref="torch", why=CUMMAX_WHY)
case("cummax ties axis 1", "cummax", [TIES], {"axis": 1}, ref="torch", why=CUMMAX_WHY)
case("cummax axis 0 3d", "cummax", [D234], {"axis": 0}, ref="torch", why=CUMMAX_WHY)
case("cummax ties forward", "cummax", [TIES * 0 + TIES.astype(np.int32)], {"axis": 1})
case("unique sorted", "unique", [np.asarray([[2, 1, 2], [5, 1, 0]], np.float32)], {"sorted": True}, ref="torch",
     why="MindSpore's unique keeps first-appearance order and has no counts; torch pins the sorted form")
case("unique first appearance", "unique", [np.asarray([2, 1, 2, 5, 1], np.int32)], {"sorted": False})

# 3. Shape
case("split sizes", "split", [X234], {"sizes": [1, 2], "axis": 1})
case("split size", "split", [X34], {"size": 3, "axis": -1})
case("split size empty axis", "split", [np.zeros((0, 2), np.float32)], {"sizes": [0], "axis": 0}, ref="torch",
     why="MindSpore 2.10's split gradient on an empty axis fails ('StridedSliceGrad, memcpy failed')")
case("chunk 3 of 4", "chunk", [X34], {"chunks": 3, "axis": 1})
case("chunk 2 axis 0", "chunk", [X234], {"chunks": 2, "axis": 0})
case("tile", "tile", [X34], {"multiples": [2, 1]})
case("tile more dims", "tile", [rand(2, 3)], {"multiples": [2, 1, 2]})
case("tile zero", "tile", [rand(2, 3)], {"multiples": [0, 2]}, ref="torch",
     why="MindSpore 2.10 gives a non-zero gradient (ones) through a tile with an empty result")
case("repeatInterleave flat", "repeatInterleave", [X34], {"repeats": [2], "axis": None})
case("repeatInterleave per row", "repeatInterleave", [X34], {"repeats": [1, 0, 3], "axis": 0})
case("repeatInterleave axis -1", "repeatInterleave", [X234], {"repeats": [2], "axis": -1})
for mode, padding in [("constant", [1, 2]), ("constant", [0, 1, 2, 0]), ("constant", [-1, 1]),
                      ("reflect", [2, 1]), ("reflect", [1, 1, 2, 0]), ("replicate", [2, 3]), ("replicate", [1, 0, 0, 2])]:
    case(f"pad {mode} {padding}", "pad", [X234], {"padding": padding, "mode": mode, "value": 1.5 if mode == "constant" else 0.0})
case("flip axes [0, -1]", "flip", [X234], {"axes": [0, -1]})
case("flip axis 1", "flip", [X34], {"axes": [1]})
ROLL_WHY = "MindSpore 2.10 has no Roll kernel on CPU ('The kernel Roll unregistered')"
case("roll flat", "roll", [X34], {"shifts": [5], "axes": []}, ref="torch", why=ROLL_WHY)
case("roll two axes", "roll", [X234], {"shifts": [1, -5], "axes": [0, 2]}, ref="torch", why=ROLL_WHY)
for d in [0, 1, -1]:
    case(f"triu diagonal {d}", "triu", [X34], {"diagonal": d})
    case(f"tril diagonal {d}", "tril", [X234], {"diagonal": d})
case("diag vector", "diag", [rand(3)], {"offset": 0})
DIAG_WHY = "MindSpore's ops.diag has no offset and maps a matrix to a rank-4 tensor; TapeGrad follows torch.diag there"
case("diag vector offset -1", "diag", [rand(3)], {"offset": -1}, ref="torch", why=DIAG_WHY)
case("diag matrix offset 1", "diag", [X34], {"offset": 1}, ref="torch", why=DIAG_WHY)
case("diagonal", "diagonal", [X34], {"offset": 0, "axis1": 0, "axis2": 1})
case("diagonal offset -1 axes 2,0", "diagonal", [X234], {"offset": -1, "axis1": 2, "axis2": 0})
case("diagonal offset 2 axes -2,-1", "diagonal", [X234], {"offset": 2, "axis1": -2, "axis2": -1})
case("trace", "trace", [X34], {})
case("meshgrid xy", "meshgrid", [rand(3), rand(2), rand(4)], {"indexing": "xy"})
case("meshgrid ij", "meshgrid", [rand(3), rand(2)], {"indexing": "ij"})
case("flatten default", "flatten", [X234], {})
case("flatten 0..1", "flatten", [X234], {"startDim": 0, "endDim": 1})
case("flatten -2..-1", "flatten", [X234], {"startDim": -2, "endDim": -1})
case("unflatten", "unflatten", [X34], {"axis": 1, "sizes": [2, -1]}, ref="torch", why="mindspore.ops has no unflatten in 2.10")
case("movedim", "movedim", [X234], {"source": [0], "destination": [-1]})
case("movedim two", "movedim", [X234], {"source": [0, 1], "destination": [2, 0]})
case("narrow", "narrow", [X234], {"axis": 2, "start": 1, "length": 2})
case("narrow negative start", "narrow", [X34], {"axis": 0, "start": -2, "length": 2}, ref="torch", why="MindSpore's narrow rejects a negative start")

# Empty dimensions across the families.
E03 = np.zeros((0, 3), np.float32)
E20 = np.zeros((2, 0), np.float32)
case("empty getitem x[idx] no indices", "getitem", [X34, np.zeros((0,), np.int32)], {"items": [{"indices": 1}]})
case("empty indexSelect", "indexSelect", [E03, np.zeros((2,), np.int32)], {"axis": 1}, ref="torch",
     why="MindSpore 2.10's index_select gradient fails on an empty input ('UnsortedSegmentSum, loop_size_ should be greater than 0')")
case("empty sort axis 0", "sort", [E03], {"axis": 0, "descending": False}, ref="torch",
     why="MindSpore 2.10's sort fails on an empty axis ('For TopK, the check range left must be smaller than right')")
case("empty topk k=0 on empty", "topk", [E20], {"k": 0, "axis": -1, "largest": True}, ref="torch", why="MindSpore rejects k = 0")
case("empty flip", "flip", [E03], {"axes": [0, 1]})
case("empty tril", "tril", [E20], {"diagonal": 0}, ref="torch",
     why="MindSpore 2.10's CPU tril rejects an empty matrix ('input matrix_height should >= 1')")
case("empty cumprod", "cumprod", [E20], {"axis": -1}, ref="torch",
     why="MindSpore 2.10's cumprod gradient kernel fails on an empty axis ('Launch kernel failed, name: CumSum')")
case("empty pad constant", "pad", [np.zeros((1, 0, 2), np.float32)], {"padding": [1, 1], "mode": "constant", "value": 2.0},
     ref="torch", why="MindSpore 2.10's pad rejects an empty output ('the output size must be greater than 0')")
case("empty meshgrid", "meshgrid", [np.zeros((0,), np.float32), rand(2)], {"indexing": "ij"})
case("empty movedim", "movedim", [np.zeros((2, 0, 3), np.float32)], {"source": [1], "destination": [-1]})

# Further MindSpore ops built on the same kernels.
case("indexAdd axis 0 repeated", "indexAdd", [X34, idx([2, 0, 2]), rand(3, 4)], {"axis": 0}, ref="torch",
     why="MindSpore 2.10's index_add needs x as a Parameter (an in-place op); torch.index_add is the functional form")
case("indexAdd axis -1", "indexAdd", [X234, idx([1, 3]), rand(2, 3, 2)], {"axis": -1}, ref="torch", why="as above")
INDEXFILL_WHY = "MindSpore 2.10's index_fill gives the fill value a zero gradient (it does reach the output)"
case("indexFill axis 1", "indexFill", [X34, idx([0, 2]), np.float32(-3.5)], {"axis": 1}, ref="torch", why=INDEXFILL_WHY)
case("indexFill axis 0 3d", "indexFill", [X234, idx([1]), np.float32(2.0)], {"axis": 0}, ref="torch", why=INDEXFILL_WHY)
case("indexFill forward", "indexFill", [X34, idx([3]), np.float32(1.25)], {"axis": -1, "forwardOnly": True})
case("take", "take", [X34, idx([[11, 0], [-1, 5]])], {}, ref="torch",
     why="MindSpore 2.10 has no Take kernel on CPU ('The kernel Take unregistered')")
CUMMIN_WHY = "MindSpore 2.10's cummin gradient fails on CPU (as cummax's)"
case("cummin axis 1", "cummin", [TIES], {"axis": 1}, ref="torch", why=CUMMIN_WHY)
case("cummin axis 0", "cummin", [D34], {"axis": 0}, ref="torch", why=CUMMIN_WHY)
case("cummin ties forward", "cummin", [TIES.astype(np.int32)], {"axis": 1})
case("msort", "msort", [D34], {})
case("searchsorted 1-D", "searchsorted", [np.asarray([1, 3, 3, 5, 8], np.float32), np.asarray([[3, 0], [9, 5]], np.float32)], {"right": False})
case("searchsorted right", "searchsorted", [np.asarray([1, 3, 3, 5, 8], np.float32), np.asarray([3, 0, 9, 5], np.float32)], {"right": True})
case("searchsorted rows", "searchsorted", [np.asarray([[1, 2, 3], [2, 4, 6]], np.float32), np.asarray([[2, 7], [2, 5]], np.float32)], {"right": False})
case("uniqueConsecutive", "uniqueConsecutive", [np.asarray([[1, 1, 2], [2, 1, 1]], np.float32)], {})
case("hstack 2-D", "hstack", [rand(2, 1), rand(2, 3)], {})
case("hstack 1-D", "hstack", [rand(2), rand(3)], {})
case("vstack 1-D", "vstack", [rand(3), rand(3)], {})
case("unbind axis 1", "unbind", [X234], {"axis": 1})
case("unbind axis -1", "unbind", [X34], {"axis": -1})
case("tensorSplit sections", "tensorSplit", [X234], {"sections": 3, "axis": -1})
case("tensorSplit indices", "tensorSplit", [X34], {"indices": [1, 1, 3], "axis": 1})
case("swapaxes", "swapaxes", [X234], {"axis0": 0, "axis1": -1})
for k in [1, 2, 3, -1]:
    case(f"rot90 k={k}", "rot90", [X234], {"k": k, "axes": [0, 2]} if k != 2 else {"k": k, "axes": [1, 2]})
case("diagEmbed", "diagEmbed", [X34], {"offset": 0, "axis1": -2, "axis2": -1})
case("diagEmbed offset 1 axes 0,2", "diagEmbed", [X34], {"offset": 1, "axis1": 0, "axis2": 2})
case("diagEmbed offset -2", "diagEmbed", [rand(3)], {"offset": -2, "axis1": -2, "axis2": -1})

# 8. Creation
case("linspace 7", "linspace", [], {"start": 0.0, "end": 1.0, "steps": 7})
case("linspace descending", "linspace", [], {"start": 3.0, "end": -2.0, "steps": 6})
case("linspace 1", "linspace", [], {"start": 2.5, "end": 9.0, "steps": 1})
case("logspace", "logspace", [], {"start": -1.0, "end": 2.0, "steps": 4, "base": 10.0})
case("logspace base 2", "logspace", [], {"start": 0.0, "end": 3.0, "steps": 4, "base": 2.0})
case("fullLike", "fullLike", [X34], {"value": 2.5})
case("zerosLike", "zerosLike", [X234], {})
case("onesLike int32", "onesLike", [idx([[1, 2], [3, 4]])], {})


# ------------------------------------------------------------------------------------------------ runners

def build_index(items, inputs, T, make_int, make_bool):
    out = []
    for it in items:
        if "int" in it:
            out.append(it["int"])
        elif "slice" in it:
            s = it["slice"]
            out.append(slice(s[0], s[1], s[2]))
        elif "ellipsis" in it:
            out.append(Ellipsis)
        elif "newaxis" in it:
            out.append(None)
        elif "indices" in it:
            out.append(make_int(inputs[it["indices"]]))
        elif "mask" in it:
            out.append(make_bool(inputs[it["mask"]]))
    return tuple(out)


def run_ms(c):
    import mindspore as ms
    from mindspore import ops, Tensor
    ms.set_context(mode=ms.PYNATIVE_MODE)
    ms.set_device("CPU")
    p, raw = c["params"], c["inputs"]
    fl = [i for i, a in enumerate(raw) if np.asarray(a).dtype == np.float32]

    def T(a):
        return Tensor(np.asarray(a))

    def forward(*xs):
        xs = list(xs)
        op = c["op"]
        if op == "getitem":
            return [xs[0][build_index(p["items"], raw, T, lambda a: T(a), lambda a: T(a))]]
        if op == "gatherElements":
            return [ops.gather_elements(xs[0], p["axis"], xs[1])]
        if op == "scatter":
            return [ops.scatter(xs[0], p["axis"], xs[1], xs[2])]
        if op == "maskedFill":
            return [ops.masked_fill(xs[0], xs[1], xs[2])]
        if op == "maskedSelect":
            return [ops.masked_select(xs[0], xs[1])]
        if op == "indexSelect":
            return [ops.index_select(xs[0], p["axis"], xs[1])]
        if op == "nonzero":
            return [ops.nonzero(xs[0])]
        if op == "argmax":
            return [ops.argmax(xs[0], dim=p["axis"], keepdim=p["keepDims"])]
        if op == "argmin":
            return [ops.argmin(xs[0], axis=p["axis"], keepdims=p["keepDims"])]
        if op == "topk":
            v, i = ops.topk(xs[0], p["k"], dim=p["axis"], largest=p["largest"], sorted=True)
            return [v, i]
        if op == "sort":
            v, i = ops.sort(xs[0], axis=p["axis"], descending=p["descending"])
            return [v, i]
        if op == "argsort":
            return [ops.argsort(xs[0], axis=p["axis"], descending=p["descending"])]
        if op == "cumsum":
            return [ops.cumsum(xs[0], p["axis"])]
        if op == "cumprod":
            return [ops.cumprod(xs[0], p["axis"])]
        if op == "cummax":
            v, i = ops.cummax(xs[0], p["axis"])
            return [v, i]
        if op == "unique":
            v, i = ops.unique(xs[0])
            vals = v.asnumpy()
            counts = np.asarray([(i.asnumpy() == k).sum() for k in range(len(vals))], np.int32)
            return [v, i, T(counts)]
        if op == "split":
            return list(ops.split(xs[0], p["sizes"] if "sizes" in p else p["size"], p["axis"]))
        if op == "chunk":
            return list(ops.chunk(xs[0], p["chunks"], p["axis"]))
        if op == "tile":
            return [ops.tile(xs[0], tuple(p["multiples"]))]
        if op == "repeatInterleave":
            r = p["repeats"]
            return [ops.repeat_interleave(xs[0], r[0] if len(r) == 1 else r, p["axis"])]
        if op == "pad":
            if p["mode"] == "constant":
                return [ops.pad(xs[0], tuple(p["padding"]), mode="constant", value=p["value"])]
            return [ops.pad(xs[0], tuple(p["padding"]), mode=p["mode"])]
        if op == "flip":
            return [ops.flip(xs[0], tuple(p["axes"]))]
        if op == "roll":
            if not p["axes"]:
                return [ops.roll(xs[0].reshape(-1), p["shifts"], 0).reshape(xs[0].shape)]
            return [ops.roll(xs[0], p["shifts"], p["axes"])]
        if op == "triu":
            return [ops.triu(xs[0], p["diagonal"])]
        if op == "tril":
            return [ops.tril(xs[0], p["diagonal"])]
        if op == "diag":
            return [ops.diag(xs[0])]
        if op == "indexFill":
            return [ops.index_fill(xs[0], p["axis"], xs[1], xs[2])]
        if op == "take":
            return [ops.take(xs[0], xs[1])]
        if op == "cummin":
            v, i = ops.cummin(xs[0], p["axis"])
            return [v, i]
        if op == "msort":
            return [ops.msort(xs[0])]
        if op == "searchsorted":
            return [ops.searchsorted(xs[0], xs[1], out_int32=True, right=p["right"])]
        if op == "uniqueConsecutive":
            v, i, n = ops.unique_consecutive(xs[0], return_inverse=True, return_counts=True)
            return [v, i, n]
        if op == "hstack":
            return [ops.hstack(list(xs))]
        if op == "vstack":
            return [ops.vstack(list(xs))]
        if op == "unbind":
            return list(ops.unbind(xs[0], p["axis"]))
        if op == "tensorSplit":
            return list(ops.tensor_split(xs[0], p["sections"] if "sections" in p else p["indices"], p["axis"]))
        if op == "swapaxes":
            return [ops.swapaxes(xs[0], p["axis0"], p["axis1"])]
        if op == "rot90":
            return [ops.rot90(xs[0], p["k"], tuple(p["axes"]))]
        if op == "diagEmbed":
            return [ops.diag_embed(xs[0], p["offset"], p["axis1"], p["axis2"])]
        if op == "setitem":
            y = xs[0] * 1
            y[build_index(p["items"], raw, T, lambda a: T(a), lambda a: T(a))] = xs[1]
            return [y * 1]
        if op == "scatterAdd":
            return [ops.tensor_scatter_elements(xs[0], xs[1], xs[2], p["axis"], reduction="add")]
        if op == "diagonal":
            return [ops.diagonal(xs[0], p["offset"], p["axis1"], p["axis2"])]
        if op == "trace":
            return [ops.trace(xs[0])]
        if op == "meshgrid":
            return list(ops.meshgrid(*xs, indexing=p["indexing"]))
        if op == "flatten":
            return [ops.flatten(xs[0], start_dim=p.get("startDim", 1), end_dim=p.get("endDim", -1))]
        if op == "movedim":
            return [ops.movedim(xs[0], tuple(p["source"]), tuple(p["destination"]))]
        if op == "narrow":
            return [ops.narrow(xs[0], p["axis"], p["start"], p["length"])]
        if op == "linspace":
            return [ops.linspace(p["start"], p["end"], p["steps"])]
        if op == "logspace":
            return [ops.logspace(p["start"], p["end"], p["steps"], base=int(p["base"]), dtype=ms.float32)]
        if op == "fullLike":
            return [ops.full_like(xs[0], p["value"])]
        if op == "zerosLike":
            return [ops.zeros_like(xs[0])]
        if op == "onesLike":
            return [ops.ones_like(xs[0])]
        raise KeyError(op)

    return evaluate(c, raw, fl, [T(a) for a in raw], forward,
                    lambda f, ts: grads_ms(f, ts, fl), lambda t: t.asnumpy())


def grads_ms(loss, ts, fl):
    import mindspore as ms
    if not fl:
        return []
    g = ms.grad(lambda *xs: loss(*xs), grad_position=tuple(fl))(*ts)
    g = g if isinstance(g, tuple) else (g,)
    return [x.asnumpy() for x in g]


def run_torch(c):
    import torch
    p, raw = c["params"], c["inputs"]
    fl = [i for i, a in enumerate(raw) if np.asarray(a).dtype == np.float32]

    def T(a):
        a = np.asarray(a)
        t = torch.tensor(a.astype(np.int64) if a.dtype == np.int32 else a)
        return t

    def forward(*xs):
        xs = list(xs)
        op = c["op"]
        if op == "getitem":
            index = build_index(p["items"], raw, T, lambda a: T(a), lambda a: T(a))
            index = tuple(torch.arange(xs[0].shape[k] - 1, -1, -1) if isinstance(s, slice) and s.step == -1 else s
                          for k, s in enumerate(index))
            return [xs[0][index]]
        if op == "cummax":
            v, i = torch.cummax(xs[0], p["axis"])
            return [v, i]
        if op == "roll":
            if not p["axes"]:
                return [torch.roll(xs[0], p["shifts"])]
            return [torch.roll(xs[0], p["shifts"], p["axes"])]
        if op == "split":
            return list(torch.split(xs[0], p["sizes"] if "sizes" in p else p["size"], p["axis"]))
        if op == "setitem":
            y = xs[0].clone()
            items = p["items"]
            index = build_index(items, raw, T, lambda a: T(a), lambda a: T(a))
            # torch has no negative-step slices: use the equivalent index tensor.
            index = tuple(torch.arange(xs[0].shape[k] - 1, -1, -1) if isinstance(s, slice) and s.step == -1 else s
                          for k, s in enumerate(index))
            y[index] = xs[1]
            return [y * 1]
        if op == "scatter":
            s = xs[2][tuple(slice(0, n) for n in xs[1].shape)]
            return [torch.scatter(xs[0], p["axis"], xs[1], s)]
        if op == "scatterAdd":
            s = xs[2][tuple(slice(0, n) for n in xs[1].shape)]
            return [torch.scatter_add(xs[0], p["axis"], xs[1], s)]
        if op == "topk":
            v, i = torch.topk(xs[0], p["k"], dim=p["axis"], largest=p["largest"], sorted=True)
            return [v, i]
        if op == "sort":
            v, i = torch.sort(xs[0], dim=p["axis"], descending=p["descending"], stable=True)
            return [v, i]
        if op == "argsort":
            return [torch.sort(xs[0], dim=p["axis"], descending=p["descending"], stable=True)[1]]
        if op == "unique":
            v, i, n = torch.unique(xs[0], sorted=True, return_inverse=True, return_counts=True)
            return [v, i, n]
        if op == "diag":
            return [torch.diag(xs[0], p["offset"])]
        if op == "cumprod":
            return [torch.cumprod(xs[0], p["axis"])]
        if op == "take":
            return [torch.take(xs[0], xs[1])]
        if op == "indexFill":
            return [torch.index_fill(xs[0], p["axis"], xs[1], xs[2])]
        if op == "cummin":
            v, i = torch.cummin(xs[0], p["axis"])
            return [v, i]
        if op == "indexAdd":
            return [torch.index_add(xs[0], p["axis"], xs[1], xs[2])]
        if op == "indexSelect":
            return [torch.index_select(xs[0], p["axis"], xs[1])]
        if op == "tril":
            return [torch.tril(xs[0], p["diagonal"])]
        if op == "pad":
            return [torch.nn.functional.pad(xs[0], tuple(p["padding"]), mode=p["mode"], value=p["value"])]
        if op == "tile":
            return [torch.tile(xs[0], tuple(p["multiples"]))]
        if op == "unflatten":
            return [torch.unflatten(xs[0], p["axis"], tuple(p["sizes"]))]
        if op == "narrow":
            return [torch.narrow(xs[0], p["axis"], p["start"], p["length"])]
        raise KeyError(op)

    def grads(loss, ts):
        if not fl:
            return []
        xs = [t.clone().requires_grad_(True) if i in fl else t for i, t in enumerate(ts)]
        val = loss(*xs)
        gs = torch.autograd.grad(val, [xs[i] for i in fl], allow_unused=True)
        return [np.zeros(raw[i].shape, np.float32) if g is None else g.numpy() for i, g in zip(fl, gs)]

    return evaluate(c, raw, fl, [T(a) for a in raw], forward, grads, lambda t: t.detach().numpy())


def evaluate(c, raw, fl, ts, forward, grads, to_np):
    outs = forward(*ts)
    out_np = [to_np(o) for o in outs]
    cots = [np.round(RNG_COT(c["name"]).uniform(0.5, 1.5, size=o.shape), 3).astype(np.float32)
            if o.dtype in (np.float32, np.float64) else None for o in out_np]

    def loss(*xs):
        total = None
        for o, cot in zip(forward(*xs), cots):
            if cot is None:
                continue
            term = (o * type_like(o, cot)).sum()
            total = term if total is None else total + term
        return total

    differentiable = c["op"] not in NOT_DIFFERENTIABLE and not c["params"].get("forwardOnly")
    if not differentiable:
        cots = [None] * len(cots)
    gs = grads(loss, ts) if any(cot is not None for cot in cots) and fl else []
    res = {"outputs": [enc(o) for o in out_np], "cotangents": [None if k is None else enc(k) for k in cots],
           "grads": [None] * len(raw)}
    for i, g in zip(fl, gs):
        res["grads"][i] = enc(g)
    return res


NOT_DIFFERENTIABLE = {"unique", "searchsorted", "uniqueConsecutive", "nonzero", "argmax", "argmin", "argsort", "linspace", "logspace", "fullLike",
                      "zerosLike", "onesLike"}


def type_like(o, a):
    mod = type(o).__module__
    if mod.startswith("torch"):
        import torch
        return torch.tensor(a)
    from mindspore import Tensor
    return Tensor(a)


def RNG_COT(name):
    return np.random.default_rng(abs(hash_name(name)) % (2 ** 32))


def hash_name(s):
    h = 1469598103934665603
    for ch in s.encode():
        h = ((h ^ ch) * 1099511628211) % (2 ** 64)
    return h


def main():
    if TORCH_MODE:
        results = {}
        for c in CASES:
            if c["ref"] == "torch":
                results[c["name"]] = run_torch(c)
        json.dump(results, sys.stdout)
        return
    torch_python = os.environ.get("ORACLE_TORCH_PYTHON", "/work/venv-torch/bin/python")
    torch_results = json.loads(subprocess.run([torch_python, os.path.abspath(__file__), "--torch"],
                                              check=True, capture_output=True, text=True).stdout)
    out = []
    failed = []
    for c in CASES:
        try:
            res = torch_results[c["name"]] if c["ref"] == "torch" else run_ms(c)
        except Exception as e:  # noqa: BLE001 - report every failing case, then stop
            failed.append((c["name"], str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__))
            continue
        entry = {"name": c["name"], "op": c["op"], "params": c["params"], "ref": c["ref"],
                 "inputs": [enc(a) for a in c["inputs"]], **res}
        if c["why"]:
            entry["why"] = c["why"]
        out.append(entry)
    if failed:
        for name, err in failed:
            print("FAILED %s: %s" % (name, err), file=sys.stderr)
        sys.exit(1)
    meta = {"generator": "Oracle/ops_indexing_oracle.py", "mindspore": __import__("mindspore").__version__,
            "cases": len(out), "torch_cases": sum(1 for c in out if c["ref"] == "torch")}
    with open(OUT, "w") as f:
        json.dump({"meta": meta, "cases": out}, f, indent=0)
    print("wrote %d cases (%d from PyTorch) to %s" % (len(out), meta["torch_cases"], OUT))


if __name__ == "__main__":
    main()
