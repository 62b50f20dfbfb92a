#!/usr/bin/env python3
"""TapeGrad's oracle for the functional transforms: runs real MindSpore 2.10 (CPU, PyNative) on
grad(grad(f)), mindspore.vjp, mindspore.jvp, mindspore.jacrev, mindspore.jacfwd and cells with a custom
`bprop`, and writes the results (structures and values) as JSON fixtures for the Swift tests.

    python3.11 -m venv v && v/bin/pip install mindspore==2.10.0 "numpy<2"
    v/bin/python Oracle/functional_oracle.py   # writes Tests/TapeGradTests/Fixtures/oracle_functional_cases.json

Every case names a function of the catalogue below by its id ("fn"); the Swift tests build the same
function (Tests/TapeGradTests/Grad/FunctionalOracleTests.swift). Encoding as Oracle/grad_oracle.py: a tensor
is {"dtype", "shape", "values"}, a tuple a JSON list. Functions are plain `def`s because jvp, jacrev and
jacfwd compile them with `jit`, which cannot parse lambdas.
"""
import json
import math
import os

import numpy as np

import mindspore as ms
from mindspore import Parameter, Tensor, nn, ops

ms.set_context(mode=ms.PYNATIVE_MODE, device_target="CPU")


# --------------------------------------------------------------------------------------------------
# The catalogue (mirrored in Swift)
# --------------------------------------------------------------------------------------------------

def cube(x):
    return x * x * x


def sin_mul(x):
    return ops.sin(x) * x


def tanh_exp(x):
    return ops.tanh(x) * ops.exp(x * 0.5)


def sigmoid_sq(x):
    return ops.sigmoid(x) * x * x


def sum_sq(x):
    return (x * x).sum()


def softmax_last(x):
    return ops.softmax(x, -1)


def log_div(x, y):
    return ops.log(x) / y


def mul(x, y):
    return x * y


def aab(x, y):
    return x * x * y


def two_out(x, y):
    return x * y, x + y


def three_out(x, y):
    return x * y, x + y, x


def aab_diff(x, y):
    return x * x * y, x - y


def matmul_tanh(x, w):
    return ops.tanh(ops.matmul(x, w))


def mlp_sum(x, w1, w2):
    return ops.matmul(ops.tanh(ops.matmul(x, w1)), w2).sum()


def xyz(x, y, z):
    return x * y * z


def exp_sum_sq(x, y):
    return (ops.exp(x) * y * y).sum()


FUNCTIONS = {f.__name__: f for f in [cube, sin_mul, tanh_exp, sigmoid_sq, sum_sq, softmax_last, log_div, mul, aab,
                                     two_out, three_out, aab_diff, matmul_tanh, mlp_sum, xyz, exp_sum_sq]}


class ScaleBprop(nn.Cell):
    """Forward x², gradient 10·dout (not 2x: the custom rule is visible)."""
    def construct(self, x):
        return x * x

    def bprop(self, x, out, dout):
        return (dout * 10,)


class MulUsingOut(nn.Cell):
    """Forward x·y, gradients (dout·y·out, dout·x)."""
    def construct(self, x, y):
        return x * y

    def bprop(self, x, y, out, dout):
        return dout * y * out, dout * x


class ClipBprop(nn.Cell):
    """Forward 3x, gradient clip(dout, −1, 1) (gradient clipping inside the backward pass)."""
    def construct(self, x):
        return x * 3

    def bprop(self, x, out, dout):
        return (ops.clip_by_value(dout, -1.0, 1.0),)


class OuterOfBprop(nn.Cell):
    """sin(ScaleBprop(2x)): the custom rule inside the chain rule."""
    def __init__(self):
        super().__init__()
        self.inner = ScaleBprop()

    def construct(self, x):
        return ops.sin(self.inner(x * 2))


class ParamBprop(nn.Cell):
    """Forward x·w (w a Parameter [2, 3]), gradient 7·dout for x only: w gets zeros."""
    def __init__(self):
        super().__init__()
        self.w = Parameter(Tensor(np.array([2.0, 3.0], np.float32)), name="w")

    def construct(self, x):
        return x * self.w

    def bprop(self, x, out, dout):
        return (dout * 7,)


CELLS = {"ParamBprop": ParamBprop, "ScaleBprop": ScaleBprop, "MulUsingOut": MulUsingOut, "ClipBprop": ClipBprop, "OuterOfBprop": OuterOfBprop}


# --------------------------------------------------------------------------------------------------
# Encoding
# --------------------------------------------------------------------------------------------------

def enc_value(v):
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def enc(out):
    if isinstance(out, Tensor):
        a = out.asnumpy()
        return {"dtype": str(out.dtype).lower(), "shape": list(a.shape), "values": [enc_value(v) for v in a.reshape(-1).tolist()]}
    if isinstance(out, (tuple, list)):
        return [enc(o) for o in out]
    raise TypeError("cannot encode %r" % (type(out),))


RNG = np.random.default_rng(20261128)


def rand(shape, lo=-1.0, hi=1.0):
    return Tensor(RNG.uniform(lo, hi, size=shape).astype(np.float32))


# --------------------------------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------------------------------

CASES = []


def case(name, api, fn, args, **extra):
    CASES.append(dict(name=name, api=api, fn=fn, args=args, **extra))


UNARY = ["cube", "sin_mul", "tanh_exp", "sigmoid_sq"]

# grad(grad(f)): second derivatives (the outer grad seeds the inner gradient's elements with ones).
for fn in UNARY + ["sum_sq", "softmax_last"]:
    case("grad2_" + fn, "grad2", fn, [rand([2, 3])], grad_position=0, grad_position2=0)
case("grad2_log_div_xx", "grad2", "log_div", [rand([3], 0.5, 2.0), rand([3], 0.5, 2.0)], grad_position=0, grad_position2=0)
case("grad2_log_div_xy", "grad2", "log_div", [rand([3], 0.5, 2.0), rand([3], 0.5, 2.0)], grad_position=0, grad_position2=1)
case("grad2_aab_both", "grad2", "aab", [rand([2, 2]), rand([2, 2])], grad_position=[0, 1], grad_position2=[0, 1])
case("grad2_mlp_x", "grad2", "mlp_sum", [rand([3, 2]), rand([2, 4]), rand([4, 1])], grad_position=0, grad_position2=0)
case("grad2_mlp_w1", "grad2", "mlp_sum", [rand([3, 2]), rand([2, 4]), rand([4, 1])], grad_position=1, grad_position2=1)
case("grad2_mlp_x_w2", "grad2", "mlp_sum", [rand([3, 2]), rand([2, 4]), rand([4, 1])], grad_position=0, grad_position2=2)
case("grad2_exp_sum_sq", "grad2", "exp_sum_sq", [rand([4]), rand([4])], grad_position=1, grad_position2=[0, 1])

# vjp: value and pullback(cotangents); with has_aux the aux outputs; with weights (a cell with a Parameter).
for fn in UNARY + ["softmax_last"]:
    x = rand([2, 3])
    case("vjp_" + fn, "vjp", fn, [x], cotangents=[rand([2, 3])])
case("vjp_mul", "vjp", "mul", [rand([3]), rand([3])], cotangents=[rand([3])])
case("vjp_matmul_tanh", "vjp", "matmul_tanh", [rand([2, 3]), rand([3, 2])], cotangents=[rand([2, 2])])
case("vjp_two_out", "vjp", "two_out", [rand([3]), rand([3])], cotangents=[rand([3]), rand([3])])
case("vjp_two_out_aux", "vjp", "two_out", [rand([3]), rand([3])], cotangents=[rand([3])], has_aux=True)
case("vjp_three_out_aux", "vjp", "three_out", [rand([3]), rand([3])], cotangents=[rand([3])], has_aux=True)
case("vjp_xyz", "vjp", "xyz", [rand([2]), rand([2]), rand([2])], cotangents=[rand([2])])
case("vjp_mlp_sum", "vjp", "mlp_sum", [rand([3, 2]), rand([2, 4]), rand([4, 1])], cotangents=[rand([])])

# jvp: value and J·v.
for fn in UNARY + ["softmax_last"]:
    case("jvp_" + fn, "jvp", fn, [rand([2, 3])], tangents=[rand([2, 3])])
case("jvp_aab", "jvp", "aab", [rand([3]), rand([3])], tangents=[rand([3]), rand([3])])
case("jvp_aab_diff", "jvp", "aab_diff", [rand([3]), rand([3])], tangents=[rand([3]), rand([3])])
case("jvp_aab_diff_aux", "jvp", "aab_diff", [rand([3]), rand([3])], tangents=[rand([3]), rand([3])], has_aux=True)
case("jvp_three_out_aux", "jvp", "three_out", [rand([3]), rand([3])], tangents=[rand([3]), rand([3])], has_aux=True)
case("jvp_matmul_tanh", "jvp", "matmul_tanh", [rand([2, 3]), rand([3, 2])], tangents=[rand([2, 3]), rand([3, 2])])
case("jvp_mlp_sum", "jvp", "mlp_sum", [rand([3, 2]), rand([2, 4]), rand([4, 1])], tangents=[rand([3, 2]), rand([2, 4]), rand([4, 1])])

# jacrev / jacfwd: structures over outputs and positions, has_aux.
for api in ["jacrev", "jacfwd"]:
    case(api + "_tanh_exp", api, "tanh_exp", [rand([2, 2])], grad_position=0)
    case(api + "_softmax", api, "softmax_last", [rand([3])], grad_position=0)
    case(api + "_aab_pos1", api, "aab", [rand([2]), rand([2])], grad_position=1)
    case(api + "_aab_both", api, "aab", [rand([2]), rand([2])], grad_position=[0, 1])
    case(api + "_two_out", api, "two_out", [rand([2]), rand([2])], grad_position=0)
    case(api + "_two_out_both", api, "two_out", [rand([2]), rand([2])], grad_position=[0, 1])
    case(api + "_two_out_aux", api, "two_out", [rand([2]), rand([2])], grad_position=0, has_aux=True)
    case(api + "_three_out_aux", api, "three_out", [rand([2]), rand([2])], grad_position=[0, 1], has_aux=True)
    case(api + "_matmul_tanh_w", api, "matmul_tanh", [rand([2, 3]), rand([3, 2])], grad_position=1)
    case(api + "_sum_sq", api, "sum_sq", [rand([3])], grad_position=0)

# Cells with a custom bprop, through every API.
case("bprop_grad_scale", "grad", "ScaleBprop", [rand([3])], grad_position=0)
case("bprop_value_and_grad_scale", "value_and_grad", "ScaleBprop", [rand([3])], grad_position=0)
case("bprop_gradop_mul_out", "GradOperation", "MulUsingOut", [rand([3]), rand([3])], get_all=True)
case("bprop_grad_clip", "grad", "ClipBprop", [rand([3])], grad_position=0, sens=[rand([3], -4.0, 4.0)])
case("bprop_grad_outer", "grad", "OuterOfBprop", [rand([3])], grad_position=0)
case("bprop_vjp_mul_out", "vjp", "MulUsingOut", [rand([3]), rand([3])], cotangents=[rand([3])])
case("bprop_grad_param_weights", "grad_weights", "ParamBprop", [rand([2])], grad_position=0)
case("bprop_jacrev_scale", "jacrev", "ScaleBprop", [rand([2])], grad_position=0)

# vmap: axes, unmapped inputs, several outputs, and per-example gradients (vmap of grad).
case("vmap_cube", "vmap", "cube", [rand([3, 2])], in_axes=0, out_axes=0)
case("vmap_sum_sq_axis1", "vmap", "sum_sq", [rand([2, 4])], in_axes=1, out_axes=0)
case("vmap_mul_unmapped", "vmap", "mul", [rand([4, 3]), rand([3])], in_axes=[0, None], out_axes=0)
case("vmap_two_out_axes", "vmap", "two_out", [rand([3, 2]), rand([3, 2])], in_axes=0, out_axes=[1, 0])
case("vmap_matmul_tanh", "vmap", "matmul_tanh", [rand([4, 2, 3]), rand([3, 2])], in_axes=[0, None], out_axes=2)
case("vmap_of_grad_sum_sq", "vmap_grad", "exp_sum_sq", [rand([3, 4]), rand([3, 4])], in_axes=0, out_axes=0)


# --------------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------------

def subject(name):
    if name in FUNCTIONS:
        return FUNCTIONS[name]
    return CELLS[name]()


def positions(p):
    return tuple(p) if isinstance(p, list) else p


def run(c):
    f = subject(c["fn"])
    args = [Tensor(np.array(a, dtype=np.float32)) if not isinstance(a, Tensor) else a for a in c["args"]]
    api = c["api"]
    if api == "grad2":
        inner = ms.grad(f, grad_position=positions(c["grad_position"]))
        return ms.grad(inner, grad_position=positions(c["grad_position2"]))(*args)
    if api == "grad":
        if "sens" in c:
            return ms.grad(f, grad_position=positions(c["grad_position"]), sens_param=True)(*args, c["sens"][0])
        return ms.grad(f, grad_position=positions(c["grad_position"]))(*args)
    if api == "grad_weights":
        return ms.grad(f, grad_position=positions(c["grad_position"]), weights=f.trainable_params())(*args)
    if api == "value_and_grad":
        return ms.value_and_grad(f, grad_position=positions(c["grad_position"]))(*args)
    if api == "GradOperation":
        return ops.GradOperation(get_all=c.get("get_all", False))(f)(*args)
    if api == "vjp":
        res = ms.vjp(f, *args, has_aux=c.get("has_aux", False))
        grads = res[1](*c["cotangents"])
        return (res[0], grads, res[2]) if c.get("has_aux") else (res[0], grads)
    if api == "jvp":
        inputs = args[0] if len(args) == 1 else tuple(args)
        v = c["tangents"][0] if len(args) == 1 else tuple(c["tangents"])
        return ms.jvp(f, inputs, v, has_aux=c.get("has_aux", False))
    if api in ("vmap", "vmap_grad"):
        target = ms.grad(f, grad_position=(0, 1)) if api == "vmap_grad" else f
        axes = lambda a: tuple(a) if isinstance(a, list) else a
        return ms.vmap(target, in_axes=axes(c["in_axes"]), out_axes=axes(c["out_axes"]))(*args)
    if api in ("jacrev", "jacfwd"):
        transform = ms.jacrev if api == "jacrev" else ms.jacfwd
        return transform(f, grad_position=positions(c["grad_position"]), has_aux=c.get("has_aux", False))(*args)
    raise ValueError(api)


def finite_difference_grad2(c):
    """grad(grad(f)) by central differences (float64) of MindSpore's own first-order gradient: a check of
    MindSpore's second-order result."""
    f = subject(c["fn"])
    args = [np.array(a.asnumpy(), dtype=np.float64) for a in c["args"]]
    inner = ms.grad(f, grad_position=positions(c["grad_position"]))

    def total(values):
        g = inner(*[Tensor(v) for v in values])
        parts = g if isinstance(g, tuple) else (g,)
        return sum(float(p.asnumpy().sum()) for p in parts)

    p2 = c["grad_position2"]
    out = []
    for p in (p2 if isinstance(p2, list) else [p2]):
        d = np.zeros_like(args[p])
        for k in range(d.size):
            plus = [a.copy() for a in args]
            minus = [a.copy() for a in args]
            plus[p].reshape(-1)[k] += 1e-6
            minus[p].reshape(-1)[k] -= 1e-6
            d.reshape(-1)[k] = (total(plus) - total(minus)) / 2e-6
        out.append(Tensor(d.astype(np.float32)))
    return tuple(out) if isinstance(p2, list) else out[0]


def max_difference(a, b):
    if isinstance(a, tuple):
        return max(max_difference(x, y) for x, y in zip(a, b))
    return float(np.max(np.abs(a.asnumpy().astype(np.float64) - b.asnumpy().astype(np.float64)))) if a.size else 0.0


def main():
    results, failed, wrong = [], [], []
    for c in CASES:
        try:
            expected = enc(run(c))
        except Exception as e:  # a MindSpore failure on a valid call: reported, not written
            failed.append("%s (%s: %s)" % (c["name"], type(e).__name__, str(e).split("\n")[0]))
            continue
        out = {k: v for k, v in c.items()}
        for key in ("args", "cotangents", "tangents", "sens"):
            if key in out:
                out[key] = [enc(t) for t in out[key]]
        out["expected"] = expected
        if c["api"] == "grad2":
            # MindSpore's second order is checked against finite differences of its first order; where it
            # is wrong, the fixture keeps MindSpore's answer but expects the correct one.
            reference = finite_difference_grad2(c)
            if max_difference(run(c), reference) > 1e-3:
                out["mindspore_result"] = expected
                out["expected"] = enc(reference)
                out["mindspore_wrong"] = "MindSpore's grad(grad(f)) differs from finite differences of grad(f)"
                wrong.append(c["name"])
        results.append(out)
    counts = {}
    for r in results:
        counts[r["api"]] = counts.get(r["api"], 0) + 1
    doc = {"mindspore_version": ms.__version__, "numpy_version": np.__version__, "mode": "PYNATIVE_MODE",
           "device_target": "CPU", "case_count": len(results), "apis": counts,
           "note": "Written by Oracle/functional_oracle.py on real MindSpore; functions by id, see the script's catalogue.",
           "cases": results}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "TapeGradTests", "Fixtures",
                        "oracle_functional_cases.json")
    with open(path, "w") as fh:
        json.dump(doc, fh, indent=1)
    print("%d cases: %s" % (len(results), counts))
    for f in failed:
        print("MindSpore failed:", f)
    for w in wrong:
        print("MindSpore wrong (expected from finite differences):", w)


if __name__ == "__main__":
    main()
