#!/usr/bin/env python3
"""TapeGrad's oracle for the math, activation, reduction, comparison and linear-algebra ops (issue 11, items 4-7).

Each case names an op, its scalar parameters, its inputs (from a seeded numpy generator) and which inputs are
differentiable. For float32 and float64 it records the forward output and, under a fixed random cotangent C
(seeded by the case name), the gradient of sum(op(inputs) * C) with respect to each differentiable input.

Reference: real MindSpore 2.10.0 (CPU, PyNative) first. PyTorch is the second oracle, run in its own venv as a
subprocess on every case: a case uses PyTorch when MindSpore lacks the op, raises on it (often a float64 kernel
missing on CPU), or disagrees with PyTorch beyond the tolerance (MindSpore bug). Every case records its
"source" and, where MindSpore was overruled, "mindspore_note". Masked mean (no MindSpore op) is the
masked-sum / mask-count formula run in PyTorch.

    python3.11 -m venv /work/venv-ms && /work/venv-ms/bin/pip install mindspore==2.10.0 "numpy<2"
    python3.11 -m venv /work/venv-torch && /work/venv-torch/bin/pip install torch "numpy<2"
    /work/venv-ms/bin/python Oracle/ops_math_oracle.py          # writes Tests/TapeGradTests/Fixtures/oracle_ops_math.json

(`--torch-python PATH` overrides the PyTorch interpreter.) Int32 and bool outputs are stored with dtype
"int32"/"bool"; TapeGrad's comparisons return bool too, which the Swift replay checks.
"""
import json
import math
import os
import subprocess
import sys
import tempfile
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "TapeGradTests", "Fixtures", "oracle_ops_math.json")
RNG = np.random.default_rng(20261128)


# --------------------------------------------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------------------------------------------

def U(shape, lo=-2.0, hi=2.0):
    return RNG.uniform(lo, hi, size=shape)


def off_zero(shape, lo=0.3, hi=2.0):
    return RNG.uniform(lo, hi, size=shape) * RNG.choice([-1.0, 1.0], size=shape)


def well_conditioned(shape):
    a = U(shape, -1, 1)
    n = shape[-1]
    return a + 3 * np.eye(n)


CASES = []


def case(op, inputs, diff=None, name=None, int_inputs=(), **params):
    diff = list(range(len(inputs))) if diff is None else diff
    shapes = "x".join(str(list(np.shape(x))) for x in inputs)
    label = name or f"{op} {shapes} {json.dumps(params, sort_keys=True)}"
    CASES.append({"name": label, "op": op, "params": params, "inputs": [np.asarray(x, dtype=np.float64) for x in inputs],
                  "int_inputs": list(int_inputs), "diff": [d for d in diff if d not in int_inputs]})


UNARY_DOMAINS = {
    "floor": (-3, 3), "ceil": (-3, 3), "trunc": (-3, 3), "frac": (-3, 3), "round": (-3, 3), "sign": (-2, 2),
    "tan": (-1.2, 1.2), "asin": (-0.9, 0.9), "acos": (-0.9, 0.9), "atan": (-3, 3), "sinh": (-2, 2), "cosh": (-2, 2),
    "asinh": (-3, 3), "acosh": (1.2, 3), "atanh": (-0.9, 0.9), "log1p": (-0.5, 3), "expm1": (-2, 2),
    "log2": (0.3, 3), "log10": (0.3, 3), "exp2": (-2, 2), "erf": (-2, 2), "erfc": (-2, 2), "erfinv": (-0.9, 0.9),
    "lgamma": (0.3, 4), "digamma": (0.3, 4), "reciprocal": (0.3, 3),
    "silu": (-3, 3), "selu": (-3, 3), "mish": (-3, 3), "hardswish": (-2.9, 2.9), "hardsigmoid": (-2.9, 2.9),
    "softsign": (-3, 3), "logsigmoid": (-5, 5), "relu6": (-2, 8),
}
NON_DIFF = {"floor", "ceil", "trunc", "round", "sign", "isnan", "isinf", "isfinite", "logical_not"}
for op, (lo, hi) in UNARY_DOMAINS.items():
    for shape in [(3, 4), (), (0, 3), (2, 1, 3)]:
        case(op, [U(shape, lo, hi)], diff=[] if op in NON_DIFF else None)
case("round", [np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.49, -0.51])], diff=[], name="round halves to even")
case("lgamma", [U((5,), -2.8, -2.2)], name="lgamma negative non-integers")
case("digamma", [U((5,), -2.8, -2.2)], name="digamma negative non-integers")
for n in [1, 2, 3]:
    case("polygamma", [U((3, 4), 0.3, 4)], n=n)
for alpha in [1.0, 0.5]:
    case("elu", [off_zero((3, 4))], alpha=alpha)
    case("celu", [off_zero((3, 4))], alpha=alpha + 0.3)
case("hardtanh", [U((3, 4), -2, 2)], min_val=-1.0, max_val=1.0)
case("hardtanh", [U((3, 4), -2, 2)], min_val=-0.5, max_val=1.5)
special = np.array([[1.0, np.nan, np.inf, -np.inf], [0.0, -2.5, 3.0, np.nan]])
for op in ["isnan", "isinf", "isfinite"]:
    case(op, [special], diff=[])
case("nan_to_num", [special], diff=[], nan=0.5, posinf=9.0, neginf=-9.0)
case("nan_to_num", [U((3, 4))], nan=0.0, posinf=9.0, neginf=-9.0, name="nan_to_num finite (gradient)")

# Binary elementwise with broadcasting.
for sa, sb in [((3, 4), (3, 4)), ((3, 4), (4,)), ((3, 1), (1, 4)), ((3, 4), ()), ((0, 4), (4,))]:
    case("atan2", [U(sa), off_zero(sb)])
    case("hypot", [off_zero(sa), off_zero(sb)])
    case("remainder", [U(sa, -5, 5), off_zero(sb, 0.5, 2)])
    case("fmod", [U(sa, -5, 5), off_zero(sb, 0.5, 2)])
    case("floor_divide", [U(sa, -5, 5), off_zero(sb, 0.5, 2)], diff=[])
    ints_a, ints_b = RNG.integers(-3, 4, size=sa).astype(float), RNG.integers(-3, 4, size=sb).astype(float)
    for op in ["equal", "not_equal", "greater", "greater_equal", "less", "less_equal"]:
        case(op, [ints_a, ints_b], diff=[])
    za, zb = RNG.integers(0, 2, size=sa) * U(sa), RNG.integers(0, 2, size=sb) * U(sb)
    for op in ["logical_and", "logical_or", "logical_xor"]:
        case(op, [za, zb], diff=[])
    case("lerp", [U(sa), U(sb), U(sb, 0, 1)])
case("logical_not", [RNG.integers(0, 2, size=(3, 4)) * U((3, 4))], diff=[])
ia, ib = RNG.integers(-9, 10, size=(3, 4)).astype(float), RNG.choice([-4.0, -3.0, 2.0, 3.0], size=(4,))
for op in ["remainder", "fmod", "floor_divide"]:
    case(op, [ia, ib], diff=[], int_inputs=(0, 1), name=f"{op} int32")
base = U((3, 4))
near = base + np.where(RNG.uniform(size=(3, 4)) < 0.5, 1e-7, 1e-2)
near[0, 0] = np.nan
base[0, 0] = np.nan
case("isclose", [base, near], diff=[])
case("isclose", [base, near], diff=[], rtol=1e-3, atol=1e-3, equal_nan=True)
case("prelu", [off_zero((2, 3, 4)), U((3,), 0, 0.5)])
case("prelu", [off_zero((2, 3)), U((1,), 0, 0.5)])
case("glu", [U((2, 6))], axis=-1)
case("glu", [U((4, 3))], axis=0)
case("clamp", [U((3, 4)), U((4,), -1.5, -0.2), U((3, 1), 0.2, 1.5)])
case("clamp", [U((3, 4))], min=-0.5, max=0.7, name="clamp scalar bounds")
case("clamp", [U((3, 4))], min=-0.5, name="clamp scalar min only")
case("lerp", [U((3, 4)), U((3, 4))], weight=0.3, name="lerp scalar weight")

# Reductions and statistics.
x34, x345 = U((3, 4)), U((2, 3, 4))
for axis, keep in [(None, False), (1, False), (-1, True), (0, False)]:
    for op in ["prod", "amax", "amin"]:
        case(op, [x34], axis=axis, keepdims=keep)
    for ddof in [0, 1]:
        case("var", [x34], axis=axis, ddof=ddof, keepdims=keep)
        case("std", [x34], axis=axis, ddof=ddof, keepdims=keep)
case("prod", [x345], axis=[0, 2], keepdims=False)
withzeros = U((3, 4))
withzeros[0, 1] = 0
withzeros[1, 2] = withzeros[1, 3] = 0
case("prod", [withzeros], axis=1, keepdims=False, name="prod with zeros")
case("prod", [U((0, 3))], axis=0, keepdims=False, name="prod over an empty dimension")
tied = np.array([[1.0, 3.0, 3.0, 0.5], [2.0, 2.0, 2.0, 2.0], [-1.0, 0.0, -1.0, 0.0]])
case("amax", [tied], axis=1, keepdims=False, name="amax ties share the gradient")
case("amin", [tied], axis=1, keepdims=False, name="amin ties share the gradient")
for axis in [0, 1, -1]:
    case("logcumsumexp", [U((3, 4), -3, 3)], axis=axis)
case("logcumsumexp", [U((2, 3, 4), -30, 30)], axis=1)
for ord_, dim in [(None, None), (2, 1), (1, 0), ("inf", -1), ("-inf", 1), (3, None), (0, 1)]:
    case("norm", [off_zero((3, 4))], diff=[] if ord_ == 0 else None, ord=ord_, dim=dim)
mask = (RNG.integers(0, 3, size=(3, 4)) > 0).astype(float)
for axis in [None, 1, [0, 1], -2]:
    for op in ["any", "all", "count_nonzero"]:
        case(op, [mask * U((3, 4))], diff=[], axis=axis, keepdims=False)
case("any", [np.zeros((0, 3))], diff=[], axis=0, keepdims=False, name="any over an empty dimension")
case("all", [np.zeros((0, 3))], diff=[], axis=0, keepdims=False, name="all over an empty dimension")
for axis, keep in [(-1, False), (0, True), (1, False)]:
    case("median", [U((3, 5))], axis=axis, keepdims=keep)
    case("median_indices", [U((3, 5))], diff=[], axis=axis, keepdims=keep)
case("median", [U((4,))], axis=-1, keepdims=False, name="median even length (lower median)")
case("masked_mean", [U((3, 4)), mask], diff=[0], axis=1)
case("masked_mean", [U((3, 4)), mask], diff=[0], axis=None)

# Linear algebra.
A33, A233 = well_conditioned((3, 3)), well_conditioned((2, 3, 3))
for eq, shapes in [("ij,jk->ik", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(2, 3, 4), (2, 4, 2)]), ("ii->i", [(3, 3)]),
                   ("ii", [(3, 3)]), ("i,j->ij", [(3,), (4,)]), ("bij,bj->i", [(2, 3, 4), (2, 4)]),
                   ("...ij,...jk->...ik", [(2, 3, 4), (4, 2)]), ("ij->", [(3, 4)]), ("ij,ij->ij", [(3, 4), (3, 4)]),
                   ("ijk,jl,l->ik", [(2, 3, 4), (3, 5), (5,)]), ("ij,kj", [(2, 3), (4, 3)])]:
    case("einsum", [U(s) for s in shapes], equation=eq)
case("dot", [U((4,)), U((4,))])
case("outer", [U((3,)), U((4,))])
case("bmm", [U((2, 3, 4)), U((2, 4, 2))])
case("inv", [A33])
case("inv", [A233])
case("solve", [A33, U((3, 2))])
case("solve", [A233, U((2, 3))], name="solve a batch of vectors")
case("det", [A33])
case("det", [U((2, 3, 3))])
case("slogdet", [U((3, 3))])
case("slogdet_sign", [U((2, 3, 3))], diff=[])
case("cholesky_spd", [U((3, 3))], upper=False)
case("cholesky_spd", [U((2, 3, 3))], upper=True)
for s in [(4, 3), (3, 3), (2, 4)]:
    case("qr_q", [U(s)])
    case("qr_r", [U(s)])
case("svd_s", [U((4, 3))])
case("svd_s", [U((2, 3, 5))])
case("svd_uvt", [U((4, 3))])
case("svd_uvt", [U((2, 3, 5))])
case("eigh_values", [U((3, 3))])
case("eigh_vectors_sq", [U((4, 4))])
case("lstsq", [U((5, 3)), U((5, 2))])
for o in ["fro", "nuc", 1, -1, 2, -2, "inf", "-inf"]:
    case("matrix_norm", [U((3, 3)) if o not in (1, -1, "inf", "-inf") else off_zero((3, 3))], ord=o)


def ord_value(o):
    return {"inf": math.inf, "-inf": -math.inf}.get(o, o) if isinstance(o, str) else o


# --------------------------------------------------------------------------------------------------------------
# Backends: each maps (op, params) to a function of framework tensors returning one tensor.
# --------------------------------------------------------------------------------------------------------------

def ms_function(op, p):
    import mindspore as ms
    import mindspore.ops as ops
    ax = p.get("axis")
    axt = tuple(ax) if isinstance(ax, list) else ax
    table = {
        "hardtanh": lambda x: ops.hardtanh(x, p["min_val"], p["max_val"]),
        "elu": lambda x: ops.elu(x, p["alpha"]), "celu": lambda x: ops.celu(x, p["alpha"]),
        "polygamma": lambda x: ops.polygamma(ms.Tensor(p["n"]), x),
        "nan_to_num": lambda x: ops.nan_to_num(x, p["nan"], p["posinf"], p["neginf"]),
        "isclose": lambda a, b: ops.isclose(a, b, p.get("rtol", 1e-5), p.get("atol", 1e-8), p.get("equal_nan", False)),
        "glu": lambda x: ops.glu(x, p["axis"]),
        "clamp": lambda x, lo=None, hi=None: ops.clamp(x, lo if lo is not None else p.get("min"), hi if hi is not None else p.get("max")),
        "lerp": lambda a, b, w=None: ops.lerp(a, b, w if w is not None else p["weight"]),
        "prod": lambda x: ops.prod(x, axt, p["keepdims"]) if axt is not None else ops.prod(x, keep_dims=p["keepdims"]),
        "amax": lambda x: ops.amax(x, axt, p["keepdims"]), "amin": lambda x: ops.amin(x, axt, p["keepdims"]),
        "var": lambda x: ops.var(x, axt, p["ddof"], p["keepdims"]), "std": lambda x: ops.std(x, axt, p["ddof"], p["keepdims"]),
        "logcumsumexp": lambda x: ops.logcumsumexp(x, p["axis"]),
        "norm": lambda x: ops.norm(x, ord_value(p["ord"]), p["dim"]),
        "any": lambda x: ops.any(x, axt, p["keepdims"]), "all": lambda x: ops.all(x, axt, p["keepdims"]),
        "count_nonzero": lambda x: ops.count_nonzero(x, axt if axt is not None else (), p["keepdims"]),
        "median": lambda x: ops.median(x, p["axis"], p["keepdims"])[0],
        "median_indices": lambda x: ops.median(x, p["axis"], p["keepdims"])[1],
        "einsum": lambda *xs: ops.einsum(p["equation"], *xs),
        "dot": lambda a, b: ops.inner(a, b), "outer": ops.outer, "bmm": ops.bmm, "inv": ops.inverse,
        "det": ops.det, "slogdet": lambda x: ops.slogdet(x)[1], "slogdet_sign": lambda x: ops.slogdet(x)[0],
        "cholesky_spd": lambda x: ops.cholesky(ops.matmul(x, x.swapaxes(-1, -2)) + 3 * ops.eye(x.shape[-1], x.shape[-1], x.dtype), p["upper"]),
        "qr_q": lambda x: ops.qr(x)[0], "qr_r": lambda x: ops.qr(x)[1],
        "svd_s": lambda x: ops.svd(x, compute_uv=False),
        "svd_uvt": lambda x: (lambda suv: ops.matmul(suv[1], suv[2].swapaxes(-1, -2)))(ops.svd(x)),
        "lstsq": lambda a, b: ops.lstsq(a, b),
        "matrix_norm": lambda x: ops.matrix_norm(x, ord_value(p["ord"])),
        "floor_divide": ops.floor_divide, "logsigmoid": ops.logsigmoid,
    }
    if op in table:
        return table[op]
    if op in ("solve", "eigh_values", "eigh_vectors_sq", "masked_mean"):
        raise NotImplementedError(f"MindSpore 2.10 has no ops.{op} usable here")
    return getattr(ops, op)


def torch_function(op, p):
    import torch
    ax = p.get("axis")
    axt = tuple(ax) if isinstance(ax, list) else ax

    def sym(x):
        return (x + x.transpose(-1, -2)) / 2

    def reduce_all(f, x):
        return f(x) if axt is None else f(x, dim=axt, keepdim=p["keepdims"])

    table = {
        "frac": torch.frac, "hardtanh": lambda x: torch.nn.functional.hardtanh(x, p["min_val"], p["max_val"]),
        "elu": lambda x: torch.nn.functional.elu(x, p["alpha"]), "celu": lambda x: torch.nn.functional.celu(x, p["alpha"]),
        "selu": torch.selu, "silu": torch.nn.functional.silu, "mish": torch.nn.functional.mish,
        "hardswish": torch.nn.functional.hardswish, "hardsigmoid": torch.nn.functional.hardsigmoid,
        "softsign": torch.nn.functional.softsign, "logsigmoid": torch.nn.functional.logsigmoid,
        "relu6": torch.nn.functional.relu6, "polygamma": lambda x: torch.special.polygamma(p["n"], x),
        "nan_to_num": lambda x: torch.nan_to_num(x, p["nan"], p["posinf"], p["neginf"]),
        "isclose": lambda a, b: torch.isclose(a, b, p.get("rtol", 1e-5), p.get("atol", 1e-8), p.get("equal_nan", False)),
        "glu": lambda x: torch.nn.functional.glu(x, p["axis"]),
        "prelu": lambda x, w: torch.nn.functional.prelu(x, w),
        "clamp": lambda x, lo=None, hi=None: torch.clamp(x, lo if lo is not None else p.get("min"), hi if hi is not None else p.get("max")),
        "lerp": lambda a, b, w=None: torch.lerp(a, b, w if w is not None else p["weight"]),
        "prod": lambda x: (torch.prod(x) if axt is None else (torch.prod(x, dim=axt, keepdim=p["keepdims"]) if isinstance(axt, int)
                          else torch.prod(torch.prod(x, dim=axt[1], keepdim=p["keepdims"]), dim=axt[0], keepdim=p["keepdims"]))),
        "amax": lambda x: torch.amax(x, dim=axt if axt is not None else tuple(range(x.dim())), keepdim=p["keepdims"]),
        "amin": lambda x: torch.amin(x, dim=axt if axt is not None else tuple(range(x.dim())), keepdim=p["keepdims"]),
        "var": lambda x: torch.var(x, dim=axt, correction=p["ddof"], keepdim=p["keepdims"]),
        "std": lambda x: torch.std(x, dim=axt, correction=p["ddof"], keepdim=p["keepdims"]),
        "logcumsumexp": lambda x: torch.logcumsumexp(x, p["axis"]),
        "norm": lambda x: torch.linalg.vector_norm(x, ord_value(p["ord"]) if p["ord"] is not None else 2, dim=p["dim"]),
        "any": lambda x: reduce_all(torch.any, x) if not isinstance(axt, tuple) else torch.any(torch.any(x, dim=axt[1]), dim=axt[0]),
        "all": lambda x: reduce_all(torch.all, x) if not isinstance(axt, tuple) else torch.all(torch.all(x, dim=axt[1]), dim=axt[0]),
        "count_nonzero": lambda x: torch.count_nonzero(x, dim=axt).to(torch.int32),
        "median": lambda x: torch.median(x, p["axis"], p["keepdims"])[0],
        "median_indices": lambda x: torch.median(x, p["axis"], p["keepdims"])[1].to(torch.int32),
        "einsum": lambda *xs: torch.einsum(p["equation"], *xs),
        "dot": torch.dot, "outer": torch.outer, "bmm": torch.bmm, "inv": torch.linalg.inv, "solve": torch.linalg.solve,
        "det": torch.linalg.det, "slogdet": lambda x: torch.linalg.slogdet(x)[1], "slogdet_sign": lambda x: torch.linalg.slogdet(x)[0],
        "cholesky_spd": lambda x: torch.linalg.cholesky(x @ x.transpose(-1, -2) + 3 * torch.eye(x.shape[-1], dtype=x.dtype), upper=p["upper"]),
        "qr_q": lambda x: torch.linalg.qr(x)[0], "qr_r": lambda x: torch.linalg.qr(x)[1],
        "svd_s": torch.linalg.svdvals,
        "svd_uvt": lambda x: (lambda usv: usv[0] @ usv[2])(torch.linalg.svd(x, full_matrices=False)),
        "eigh_values": lambda x: torch.linalg.eigh(sym(x))[0],
        "eigh_vectors_sq": lambda x: torch.linalg.eigh(sym(x))[1] ** 2,
        "lstsq": lambda a, b: torch.linalg.lstsq(a, b, driver="gelsd").solution,
        "matrix_norm": lambda x: torch.linalg.matrix_norm(x, ord_value(p["ord"])),
        "floor_divide": lambda a, b: torch.floor(a / b) if a.is_floating_point() else torch.div(a, b, rounding_mode="floor"),
        "masked_mean": lambda x, m: ((x * (m != 0)).sum(dim=axt) / (m != 0).sum(dim=axt)) if axt is not None
                       else (x * (m != 0)).sum() / (m != 0).sum(),
    }
    if op in table:
        return table[op]
    return getattr(torch, op)


def cotangent(name, shape):
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    return rng.normal(size=shape)


def encode(a):
    a = np.asarray(a)
    if a.dtype == np.bool_:
        dtype, vals = "bool", a.astype(np.float64)
    elif np.issubdtype(a.dtype, np.integer):
        dtype, vals = "int32", a.astype(np.float64)
    else:
        dtype, vals = str(a.dtype), a.astype(np.float64)

    def num(v):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return float(v) if dtype in ("float32", "float64") else int(v)
    return {"dtype": dtype, "shape": list(a.shape), "values": [num(v) for v in vals.reshape(-1)]}


def inputs_for(c, dtype):
    return [x.astype(np.int32) if i in c["int_inputs"] else x.astype(dtype) for i, x in enumerate(c["inputs"])]


def run_torch(c, dtype):
    import torch
    f = torch_function(c["op"], c["params"])
    xs = [torch.tensor(x, requires_grad=(i in c["diff"])) for i, x in enumerate(inputs_for(c, dtype))]
    out = f(*xs)
    result = {"output": encode(out.detach().numpy())}
    if c["diff"] and out.is_floating_point():
        cot = torch.tensor(cotangent(c["name"], tuple(out.shape)).astype(dtype))
        grads = torch.autograd.grad((out * cot).sum(), [xs[i] for i in c["diff"]], allow_unused=True)
        result["grads"] = [encode(g.numpy() if g is not None else np.zeros(xs[i].shape, dtype)) for g, i in zip(grads, c["diff"])]
    return result


def run_mindspore(c, dtype):
    import mindspore as ms
    f = ms_function(c["op"], c["params"])
    xs = [ms.Tensor(x) for x in inputs_for(c, dtype)]
    out = f(*xs)
    result = {"output": encode(out.asnumpy())}
    if c["diff"] and out.dtype in (ms.float32, ms.float64):
        cot = ms.Tensor(cotangent(c["name"], tuple(out.shape)).astype(dtype))
        if out.size == 0:
            grads = [ms.Tensor(np.zeros(xs[i].shape, dtype)) for i in c["diff"]]
        else:
            g = ms.grad(lambda *a: (f(*a) * cot).sum(), grad_position=tuple(c["diff"]))(*xs)
            grads = list(g) if isinstance(g, tuple) else [g]
        result["grads"] = [encode(g.asnumpy()) for g in grads]
    return result


def differs(a, b, dtype):
    if a["shape"] != b["shape"]:
        return "shape"
    rtol, atol = (1e-4, 1e-5) if dtype == "float32" else (1e-8, 1e-10)
    for x, y in zip(a["values"], b["values"]):
        if isinstance(x, str) or isinstance(y, str):
            if x != y:
                return f"{x} vs {y}"
            continue
        if abs(x - y) > atol + rtol * abs(y):
            return f"{x} vs {y}"
    return None


def serial(c):
    return {**c, "inputs": [x.tolist() for x in c["inputs"]], "shapes": [list(x.shape) for x in c["inputs"]]}


def torch_main(cases_path, out_path):
    with open(cases_path) as f:
        cases = json.load(f)
    results = {}
    for c in cases:
        c["inputs"] = [np.array(x, dtype=np.float64).reshape(s) for x, s in zip(c["inputs"], c["shapes"])]
        for dtype in ("float32", "float64"):
            try:
                results[f"{c['name']}|{dtype}"] = run_torch(c, dtype)
            except Exception as e:  # recorded, decided by the caller
                results[f"{c['name']}|{dtype}"] = {"error": f"{type(e).__name__}: {e}"}
    with open(out_path, "w") as f:
        json.dump(results, f)


def main():
    torch_python = "/work/venv-torch/bin/python"
    if "--torch-python" in sys.argv:
        torch_python = sys.argv[sys.argv.index("--torch-python") + 1]
    with tempfile.TemporaryDirectory() as tmp:
        cases_path, torch_path = os.path.join(tmp, "cases.json"), os.path.join(tmp, "torch.json")
        with open(cases_path, "w") as f:
            json.dump([serial(c) for c in CASES], f)
        subprocess.run([torch_python, os.path.abspath(__file__), "--torch-worker", cases_path, torch_path], check=True)
        with open(torch_path) as f:
            torch_results = json.load(f)

    import mindspore as ms
    ms.set_context(mode=ms.PYNATIVE_MODE)
    ms.set_device("CPU")
    fixture, counts = [], {}
    for c in CASES:
        entry = {"name": c["name"], "op": c["op"], "params": c["params"], "diff": c["diff"],
                 "inputs": [encode(x.astype(np.int32) if i in c["int_inputs"] else x) for i, x in enumerate(c["inputs"])]}
        if c["op"] == "masked_mean":
            entry["note"] = "MindSpore 2.10 ops.mean has no mask; numerator/denominator formula run in PyTorch"
        for dtype in ("float32", "float64"):
            t = torch_results.get(f"{c['name']}|{dtype}", {"error": "missing"})
            try:
                m = run_mindspore(c, dtype)
            except Exception as e:
                m = {"error": f"{type(e).__name__}: {str(e).splitlines()[0][:160]}"}
            note = None
            if "error" not in m:
                chosen, source = m, "mindspore"
                if "error" not in t:
                    for part in ["output"] + [f"grads[{k}]" for k in range(len(m.get("grads", [])))]:
                        a = m["output"] if part == "output" else m["grads"][int(part[6:-1])]
                        b = t["output"] if part == "output" else (t.get("grads") or [None] * 99)[int(part[6:-1])]
                        why = differs(a, b, dtype) if b is not None else None
                        if why is not None:
                            chosen, source = t, "pytorch"
                            note = f"MindSpore {part} disagrees with PyTorch ({why}); PyTorch used"
                            break
            elif "error" not in t:
                chosen, source, note = t, "pytorch", f"MindSpore: {m['error']}"
            else:
                print(f"SKIP {c['name']} {dtype}: ms {m['error']} / torch {t['error']}", file=sys.stderr)
                continue
            entry[dtype] = {"source": source, **chosen}
            if "grads" in chosen:
                entry[dtype]["cotangent"] = encode(cotangent(c["name"], tuple(chosen["output"]["shape"])).astype(dtype))
            if note:
                entry[dtype]["mindspore_note"] = note
            counts[source] = counts.get(source, 0) + 1
        fixture.append(entry)
    with open(OUT, "w") as f:
        json.dump({"generator": "Oracle/ops_math_oracle.py", "mindspore": ms.__version__, "cases": fixture}, f, indent=None)
    print(f"{len(fixture)} cases, per-dtype sources {counts} -> {os.path.relpath(OUT)}")
    for e in fixture:
        for dtype in ("float32", "float64"):
            if dtype in e and "mindspore_note" in e[dtype]:
                print(f"  {e['name']} [{dtype}]: {e[dtype]['mindspore_note'][:150]}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--torch-worker":
        torch_main(sys.argv[2], sys.argv[3])
    else:
        main()
