#!/usr/bin/env python3
"""TapeGrad's oracle for the differentiation APIs: runs real MindSpore 2.10 (CPU, PyNative) on a catalogue
of functions and flag combinations and writes the results as JSON fixtures for the Swift tests.

    python3.11 -m venv .venv && .venv/bin/pip install mindspore==2.10.0 "numpy<2"
    .venv/bin/python Oracle/grad_oracle.py            # writes Tests/TapeGradTests/Fixtures/oracle_grad_cases.json

Every case names a function of the catalogue below by its id ("fn"); the Swift tests implement the same
catalogue (Tests/TapeGradTests/Grad/OracleCatalogue.swift). Encoding (as shared/golden): a tensor is
{"dtype", "shape", "values"}, a tuple a JSON list, a return_ids pair {"id", "grad"}, non-finite values
"nan"/"inf"/"-inf", an error {"error_type", "message" (first line, pointers as 0x?), "raised_at"}.
Cases where TapeGrad deliberately differs from MindSpore (decision 3: the return_ids bugs) are not
generated here; the Swift tests pin TapeGrad's own rule for those.
"""
import json
import math
import os
import re
import subprocess
import sys

import numpy as np

if __name__ == "__main__" and "--worker" not in sys.argv:
    pass

import mindspore as ms
from mindspore import Parameter, ParameterTuple, Tensor, nn, ops

ms.set_context(mode=ms.PYNATIVE_MODE, device_target="CPU")

F32, F64, I32 = np.float32, np.float64, np.int32


# --------------------------------------------------------------------------------------------------
# The catalogue: id -> (builder(params) -> callable or Cell, parameter specs)
# A parameter spec: (key, shape-or-values, requires_grad). Cells store parameters under attribute `key`.
# --------------------------------------------------------------------------------------------------

class Mul2(nn.Cell):
    def construct(self, x, y):
        return x * y


class XWB(nn.Cell):
    """f(x) = x * w + b, w and b Parameters."""
    def __init__(self, w, b):
        super().__init__()
        self.w = w
        self.b = b

    def construct(self, x):
        return x * self.w + self.b


class ThreeParams(nn.Cell):
    """f(x) = (x * c + a) * b — parameters defined in the order a, b, c, used in the order c, a, b."""
    def __init__(self, a, b, c):
        super().__init__()
        self.a = a
        self.b = b
        self.c = c

    def construct(self, x):
        return (x * self.c + self.a) * self.b


class UsedUnusedFrozen(nn.Cell):
    """f(x) = x * w * f; u is unused; f has requires_grad=False."""
    def __init__(self, w, u, f):
        super().__init__()
        self.w = w
        self.u = u
        self.f = f

    def construct(self, x):
        return x * self.w * self.f


class Inner(nn.Cell):
    def __init__(self, w):
        super().__init__()
        self.w = w

    def construct(self, x):
        return x * self.w


class Outer(nn.Cell):
    """f(x) = fc(inner(x)): parameters named inner.w, fc.weight, fc.bias."""
    def __init__(self, w, weight, bias):
        super().__init__()
        self.inner = Inner(w)
        self.fc = nn.Dense(3, 2, weight_init=Tensor(weight.asnumpy()), bias_init=Tensor(bias.asnumpy()))

    def construct(self, x):
        return self.fc(self.inner(x))


class DenseNet(nn.Cell):
    def __init__(self, weight, bias, activation=None):
        super().__init__()
        self.fc = nn.Dense(weight.shape[1], weight.shape[0], weight_init=Tensor(weight.asnumpy()),
                           bias_init=Tensor(bias.asnumpy()), activation=activation)

    def construct(self, x):
        return self.fc(x)


def fn_catalogue():
    """id -> (params spec, builder(params dict) -> callable)."""
    C = {}

    def fn(name, params=()):
        def deco(builder):
            C[name] = (list(params), builder)
            return builder
        return deco

    @fn("mul2")
    def _(p): return lambda x, y: x * y

    @fn("mul2_cell")
    def _(p): return Mul2()

    @fn("mul3")
    def _(p): return lambda x, y, z: x * y * z

    @fn("xy_plus_x2")          # x*y + x*x
    def _(p): return lambda x, y: x * y + x * x

    @fn("square_only_x")       # x*x (y unused)
    def _(p): return lambda x, y: x * x

    @fn("constant_out")        # a constant, independent of x
    def _(p): return lambda x: ops.ones((2,), ms.float32)

    @fn("sum_sq")              # sum(x*x), 0-d
    def _(p): return lambda x: (x * x).sum()

    @fn("two_out")             # (x*y, x+y)
    def _(p): return lambda x, y: (x * y, x + y)

    @fn("three_out")           # (x*y, x-y, x*x)
    def _(p): return lambda x, y: (x * y, x - y, x * x)

    @fn("nested_aux")          # (x*y, (x, y))
    def _(p): return lambda x, y: (x * y, (x, y))

    @fn("first_is_tuple")      # ((x*y, x+y), x)
    def _(p): return lambda x, y: ((x * y, x + y), x)

    @fn("aux_depends_on_x")    # (x*y, x*x)
    def _(p): return lambda x, y: (x * y, x * x)

    @fn("xwb", [("w", [2.0, 3.0], True), ("b", [1.0, -1.0], True)])
    def _(p): return XWB(p["w"], p["b"])

    @fn("xwb_fn", [("w", [2.0, 3.0], True), ("b", [1.0, -1.0], True)])
    def _(p): return lambda x: x * p["w"] + p["b"]

    @fn("xwb_aux_w", [("w", [2.0, 3.0], True), ("b", [1.0, -1.0], True)])   # (x*w + b, w*w)
    def _(p): return lambda x: (x * p["w"] + p["b"], p["w"] * p["w"])

    @fn("three_params", [("a", [1.0, 2.0], True), ("b", [3.0, -1.0], True), ("c", [0.5, 2.0], True)])
    def _(p): return ThreeParams(p["a"], p["b"], p["c"])

    @fn("used_unused_frozen", [("w", [2.0, 3.0], True), ("u", [5.0, 5.0], True), ("f", [4.0, -2.0], False)])
    def _(p): return UsedUnusedFrozen(p["w"], p["u"], p["f"])

    @fn("nested_cells", [("w", [1.0, 2.0, -1.0], True),
                         ("fc_weight", [[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]], True), ("fc_bias", [0.01, -0.02], True)])
    def _(p): return Outer(p["w"], p["fc_weight"], p["fc_bias"])

    @fn("dense_mse", [("weight", [[0.1, -0.2, 0.3], [0.0, 0.5, -0.4]], True), ("bias", [0.2, -0.1], True)])
    def _(p):
        net = DenseNet(p["weight"], p["bias"])
        return nn.WithLossCell(net, nn.MSELoss())

    @fn("dense_mse_sum", [("weight", [[0.1, -0.2, 0.3], [0.0, 0.5, -0.4]], True), ("bias", [0.2, -0.1], True)])
    def _(p): return nn.WithLossCell(DenseNet(p["weight"], p["bias"]), nn.MSELoss(reduction="sum"))

    @fn("dense_relu", [("weight", [[0.1, -0.2, 0.3], [0.0, 0.5, -0.4]], True), ("bias", [0.2, -0.1], True)])
    def _(p): return DenseNet(p["weight"], p["bias"], activation="relu")

    @fn("mse_none")
    def _(p): return lambda a, b: nn.MSELoss(reduction="none")(a, b)

    for red in ("none", "mean", "sum"):
        for sparse in (False, True):
            name = "sce_%s_%s" % ("sparse" if sparse else "dense", red)
            C[name] = ([], (lambda sp, r: (lambda p: nn.SoftmaxCrossEntropyWithLogits(sparse=sp, reduction=r)))(sparse, red))

    # Per-op conventions (§9).
    ops_fns = {
        "op_add": lambda x, y: x + y,
        "op_sub": lambda x, y: x - y,
        "op_mul": lambda x, y: x * y,
        "op_div": lambda x, y: x / y,
        "op_neg_mul_scalar": lambda x: -x * 2.5 + 1.0,
        "op_exp_log": lambda x: ops.exp(x) + ops.log(x),
        "op_sqrt": lambda x: ops.sqrt(x),
        "op_pow_tt": lambda x, y: ops.pow(x, y),
        "op_pow_scalar": lambda x: ops.pow(x, 3.0),
        "op_tanh_sigmoid": lambda x: ops.tanh(x) * ops.sigmoid(x),
        "op_relu_abs": lambda x: ops.relu(x) + ops.abs(x),
        "op_maximum": lambda x, y: ops.maximum(x, y),
        "op_minimum": lambda x, y: ops.minimum(x, y),
        "op_sin_cos": lambda x: ops.sin(x) * ops.cos(x),
        "op_square": lambda x: ops.square(x),
        "op_sum_axis1_keep": lambda x: ops.ReduceSum(keep_dims=True)(x, 1),
        "op_sum_all": lambda x: ops.ReduceSum()(x),
        "op_mean_axis0": lambda x: ops.ReduceMean()(x, 0),
        "op_mean_all": lambda x: ops.ReduceMean()(x),
        "op_max_axis1": lambda x: ops.ReduceMax()(x, 1),
        "op_reshape": lambda x: ops.reshape(x, (3, 2)) * Tensor(np.array([[1, 2], [3, 4], [5, 6]], F32)),
        "op_transpose": lambda x: ops.transpose(x, (1, 0)) * Tensor(np.array([[1, 2], [3, 4], [5, 6]], F32)),
        "op_softmax": lambda x: ops.softmax(x, -1),
        "op_log_softmax": lambda x: ops.log_softmax(x, -1),
        "op_softmax_axis0": lambda x: ops.softmax(x, 0),
        "op_matmul": lambda a, b: ops.MatMul()(a, b),
        "op_matmul_ta": lambda a, b: ops.MatMul(transpose_a=True)(a, b),
        "op_matmul_tb": lambda a, b: ops.MatMul(transpose_b=True)(a, b),
        "op_matmul_tab": lambda a, b: ops.MatMul(transpose_a=True, transpose_b=True)(a, b),
        "op_batch_matmul": lambda a, b: ops.matmul(a, b),
        "op_logsumexp": lambda x: ops.logsumexp(x, 1),
    }
    for name, f in ops_fns.items():
        C[name] = ([], (lambda g: (lambda p: g))(f))
    return C


CATALOGUE = fn_catalogue()


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


def enc_tensor(t, name=None):
    a = t.asnumpy() if isinstance(t, Tensor) else np.asarray(t)
    d = {"dtype": str(t.dtype).lower() if isinstance(t, Tensor) else str(a.dtype), "shape": list(a.shape),
         "values": [enc_value(v) if a.dtype.kind == "f" else int(v) for v in a.reshape(-1).tolist()]}
    if name is not None:
        d["name"] = name
        d["kind"] = "tensor"
    return d


def enc(out):
    if isinstance(out, Tensor):
        return enc_tensor(out)
    if isinstance(out, (tuple, list)):
        if len(out) == 2 and isinstance(out[0], (int, str)) and not isinstance(out[0], bool) and isinstance(out[1], Tensor):
            return {"id": out[0], "grad": enc_tensor(out[1])}
        return [enc(o) for o in out]
    raise TypeError("cannot encode %r" % (type(out),))


def t(values, dtype=F32):
    return Tensor(np.array(values, dtype=dtype))


# --------------------------------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------------------------------

CASES = []


def case(name, api, fn, args, tags, call=None, sens=None, sens_passing=None, note=""):
    CASES.append({"name": name, "api": api, "fn": fn, "args": args, "tags": tags, "call": call or {},
                  "sens": sens, "sens_passing": sens_passing, "notes": note})


X2, Y2, Z2 = [1.0, 2.0], [3.0, -4.0], [0.5, 2.0]

# §2.1 positions and collapse
for gp in (0, 1, (0,), (1,), (0, 1), (1, 0)):
    case("vg_mul2_pos_%s" % str(gp).replace(" ", ""), "value_and_grad", "mul2", [X2, Y2], ["§2.1"], {"grad_position": gp})
    case("grad_mul2_pos_%s" % str(gp).replace(" ", ""), "grad", "mul2", [X2, Y2], ["§2.1"], {"grad_position": gp})
for gp in ((2, 0), (0, 1, 2), (2,), 2):
    case("grad_mul3_pos_%s" % str(gp).replace(" ", ""), "grad", "mul3", [X2, Y2, Z2], ["§2.1"], {"grad_position": gp})
case("vg_cell_default_pos0", "value_and_grad", "mul2_cell", [X2, Y2], ["§2.1"], {})
case("grad_unused_input_zeros", "grad", "square_only_x", [X2, Y2], ["§2.4"], {"grad_position": (0, 1)})
case("grad_constant_output_zeros", "grad", "constant_out", [X2], ["§2.4"], {"grad_position": 0})
case("grad_fanout", "grad", "xy_plus_x2", [X2, Y2], ["§2.4"], {"grad_position": (0, 1)})
case("grad_same_values_twice", "grad", "mul2", [X2, X2], ["§2.4"], {"grad_position": (0, 1)})
case("grad_unused_float64_input", "grad", "square_only_x", [X2, {"values": Y2, "dtype": "float64"}], ["§2.4"], {"grad_position": (0, 1)})
case("grad_unused_int32_input", "grad", "square_only_x", [X2, {"values": [3, 4], "dtype": "int32"}], ["§2.4"], {"grad_position": (0, 1)})
case("grad_int32_mul", "grad", "mul2", [{"values": [3, 4], "dtype": "int32"}, {"values": [5, -6], "dtype": "int32"}], ["§2.4"], {"grad_position": (0, 1)})
case("grad_int32_times_float_truncates", "grad", "mul2", [{"values": [3, 4], "dtype": "int32"}, [0.5, -1.5]], ["§2.4"], {"grad_position": 0})
case("grad_float64_inputs", "grad", "mul3", [{"values": X2, "dtype": "float64"}, {"values": Y2, "dtype": "float64"}, {"values": Z2, "dtype": "float64"}], ["§2.4"], {"grad_position": (0, 1, 2)})
case("vg_multi_output_sums", "value_and_grad", "two_out", [X2, Y2], ["§2.4"], {"grad_position": (0, 1)})
case("vg_three_outputs_sum", "value_and_grad", "three_out", [X2, Y2], ["§2.4"], {"grad_position": 0})
case("vg_nested_outputs_sum", "value_and_grad", "nested_aux", [X2, Y2], ["§2.4"], {"grad_position": (0, 1)})

# §2.2 weights
W = {"container": "list", "names": ["w", "b"]}
for gp in (None, 0, (0,)):
    for container in ("list", "tuple", "ParameterTuple"):
        case("vg_xwb_pos%s_%s" % (str(gp).replace(" ", ""), container), "value_and_grad", "xwb", [X2], ["§2.2"],
             {"grad_position": gp, "weights": {"container": container, "names": ["w", "b"]}})
    case("vg_xwb_pos%s_single" % str(gp).replace(" ", ""), "value_and_grad", "xwb", [X2], ["§2.2"],
         {"grad_position": gp, "weights": {"container": "Parameter", "names": ["w"]}})
    case("grad_xwb_pos%s_list_of_one" % str(gp).replace(" ", ""), "grad", "xwb", [X2], ["§2.2"],
         {"grad_position": gp, "weights": {"container": "list", "names": ["b"]}})
case("grad_xwb_empty_weights_list_no_pos", "grad", "xwb", [X2], ["§2.2"], {"grad_position": None, "weights": {"container": "list", "names": []}})
case("grad_xwb_empty_weights_list_pos0", "grad", "xwb", [X2], ["§2.2", "§2.3"], {"grad_position": 0, "weights": {"container": "list", "names": []}})
case("grad_weights_duplicated_reordered", "grad", "xwb", [X2], ["§2.2"], {"grad_position": None, "weights": {"container": "list", "names": ["b", "w", "b"]}})
case("grad_xwb_fn_weights", "grad", "xwb_fn", [X2], ["§2.2"], {"grad_position": 0, "weights": {"container": "list", "names": ["w", "b"]}})
case("grad_frozen_and_unused_explicit", "grad", "used_unused_frozen", [X2], ["§2.2"], {"grad_position": None, "weights": {"container": "list", "names": ["w", "u", "f"]}})
case("grad_three_params_explicit", "grad", "three_params", [X2], ["§2.2"], {"grad_position": 0, "weights": {"container": "ParameterTuple", "names": ["a", "b", "c"]}})
case("grad_nested_cells_weights", "grad", "nested_cells", [[1.0, -2.0, 0.5]], ["§2.2", "§8"], {"grad_position": 0, "weights": {"container": "trainable", "names": []}})
case("vg_dense_mse_weights", "value_and_grad", "dense_mse", [[[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]], [[0.5, -0.5], [1.0, 2.0]]], ["§2.2", "§8"], {"grad_position": None, "weights": {"container": "trainable", "names": []}})
case("vg_dense_mse_inputs_and_weights", "value_and_grad", "dense_mse", [[[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]], [[0.5, -0.5], [1.0, 2.0]]], ["§2.2", "§8"], {"grad_position": (0, 1), "weights": {"container": "trainable", "names": []}})
case("vg_dense_mse_sum", "value_and_grad", "dense_mse_sum", [[[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]], [[0.5, -0.5], [1.0, 2.0]]], ["§8"], {"grad_position": 0, "weights": {"container": "trainable", "names": []}})
case("vg_dense_relu", "value_and_grad", "dense_relu", [[[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]]], ["§8"], {"grad_position": 0, "weights": {"container": "trainable", "names": []}})
case("vg_mse_none", "value_and_grad", "mse_none", [[[1.0, 2.0], [3.0, 4.0]], [[0.5, 2.5], [3.0, 1.0]]], ["§8"], {"grad_position": (0, 1)})

# GradOperation get_by_list without weights
case("go_by_list_used_order", "GradOperation", "three_params", [X2], ["§2.2"], {"get_all": False, "get_by_list": True})
case("go_by_list_skips_unused_frozen", "GradOperation", "used_unused_frozen", [X2], ["§2.2"], {"get_all": False, "get_by_list": True})
case("go_by_list_function_params", "GradOperation", "xwb_fn", [X2], ["§2.2"], {"get_all": False, "get_by_list": True})
case("go_by_list_none_reached", "GradOperation", "mul2", [X2, Y2], ["§2.2"], {"get_all": False, "get_by_list": True})
case("go_all_and_by_list_none_reached", "GradOperation", "mul2", [X2, Y2], ["§2.3"], {"get_all": True, "get_by_list": True})
case("go_all_one_input_one_tuple", "GradOperation", "sum_sq", [X2], ["§2.1"], {"get_all": True, "get_by_list": False})
case("go_default_first_input", "GradOperation", "mul3", [X2, Y2, Z2], ["§2.1"], {})
case("go_weights_ignored_without_by_list", "GradOperation", "xwb", [X2], ["§2.2"], {"get_all": True, "get_by_list": False, "weights": {"container": "ParameterTuple", "names": ["w", "b"]}})
case("go_by_list_single_parameter", "GradOperation", "xwb", [X2], ["§2.2"], {"get_by_list": True, "weights": {"container": "Parameter", "names": ["w"]}})
case("go_by_list_list_of_one", "GradOperation", "xwb", [X2], ["§2.2"], {"get_by_list": True, "weights": {"container": "list", "names": ["w"]}})

# §4 has_aux
case("grad_aux_two", "grad", "two_out", [X2, Y2], ["§4"], {"grad_position": 0, "has_aux": True})
case("grad_aux_three", "grad", "three_out", [X2, Y2], ["§4"], {"grad_position": (0, 1), "has_aux": True})
case("vg_aux_three", "value_and_grad", "three_out", [X2, Y2], ["§4"], {"grad_position": (0, 1), "has_aux": True})
case("grad_aux_nested", "grad", "nested_aux", [X2, Y2], ["§4"], {"grad_position": 1, "has_aux": True})
case("vg_aux_first_tuple", "value_and_grad", "first_is_tuple", [X2, Y2], ["§4"], {"grad_position": (0, 1), "has_aux": True})
case("grad_aux_stop_gradient", "grad", "aux_depends_on_x", [X2, Y2], ["§4"], {"grad_position": 0, "has_aux": True})
case("vg_aux_with_weights", "value_and_grad", "xwb_aux_w", [X2], ["§4"], {"grad_position": 0, "has_aux": True, "weights": {"container": "list", "names": ["w", "b"]}})
case("grad_aux_with_weights_only", "grad", "xwb_aux_w", [X2], ["§4"], {"grad_position": None, "has_aux": True, "weights": {"container": "list", "names": ["w"]}})
case("vg_aux_return_ids", "value_and_grad", "two_out", [X2, Y2], ["§4", "§3"], {"grad_position": (0, 1), "has_aux": True, "return_ids": True})

# §3 return_ids (the non-buggy shapes)
case("grad_ids_pos0", "grad", "mul2", [X2, Y2], ["§3"], {"grad_position": 0, "return_ids": True})
case("grad_ids_pos_tuple", "grad", "mul3", [X2, Y2, Z2], ["§3"], {"grad_position": (0, 2), "return_ids": True})
case("grad_ids_weights_list", "grad", "xwb", [X2], ["§3"], {"grad_position": None, "weights": {"container": "list", "names": ["w", "b"]}, "return_ids": True})
case("grad_ids_weights_single", "grad", "xwb", [X2], ["§3"], {"grad_position": None, "weights": {"container": "Parameter", "names": ["b"]}, "return_ids": True})
case("grad_ids_pos0_weights_list", "grad", "xwb", [X2], ["§3"], {"grad_position": 0, "weights": {"container": "list", "names": ["w", "b"]}, "return_ids": True})
case("grad_ids_pos_tuple_weights_tuple", "grad", "xwb", [X2], ["§3"], {"grad_position": (0,), "weights": {"container": "ParameterTuple", "names": ["w", "b"]}, "return_ids": True})
case("grad_ids_nested_names", "grad", "nested_cells", [[1.0, -2.0, 0.5]], ["§3", "§8"], {"grad_position": None, "weights": {"container": "trainable", "names": []}, "return_ids": True})
case("grad_ids_withloss_names", "grad", "dense_mse", [[[1.0, 2.0, 3.0]], [[0.5, -0.5]]], ["§3", "§8"], {"grad_position": None, "weights": {"container": "trainable", "names": []}, "return_ids": True})

# §5 sens
S2 = [10.0, 100.0]
case("grad_sens_positional", "grad", "mul2", [X2, Y2], ["§5"], {"grad_position": (0, 1), "sens_param": True}, sens=S2, sens_passing="positional")
case("grad_sens_keyword", "grad", "mul2", [X2, Y2], ["§5"], {"grad_position": (0, 1), "sens_param": True}, sens=S2, sens_passing="keyword")
case("vg_sens_keyword", "value_and_grad", "mul2", [X2, Y2], ["§5"], {"grad_position": 0, "sens_param": True}, sens=S2, sens_passing="keyword")
case("vg_sens_multi_output_tuple", "value_and_grad", "two_out", [X2, Y2], ["§5"], {"grad_position": (0, 1), "sens_param": True}, sens=[S2, [1.0, -1.0]], sens_passing="keyword")
case("grad_sens_multi_output_positional_tuple", "grad", "two_out", [X2, Y2], ["§5"], {"grad_position": (0, 1), "sens_param": True}, sens=[S2, [1.0, -1.0]], sens_passing="positional")
case("grad_sens_scalar_output_reduced", "grad", "sum_sq", [X2], ["§5"], {"grad_position": 0, "sens_param": True}, sens={"values": [[[1.0]], [[2.0]], [[3.0]]], "dtype": "float32"}, sens_passing="keyword")
case("grad_sens_scalar_output_cast", "grad", "sum_sq", [X2], ["§5"], {"grad_position": 0, "sens_param": True}, sens={"values": 3.0, "dtype": "float64"}, sens_passing="keyword")
case("grad_aux_sens_first_output_only", "grad", "two_out", [X2, Y2], ["§5", "§4"], {"grad_position": 0, "has_aux": True, "sens_param": True}, sens=S2, sens_passing="keyword")
case("go_sens_keyword", "GradOperation", "mul2", [X2, Y2], ["§5"], {"get_all": True, "sens_param": True}, sens=S2, sens_passing="keyword")
case("go_sens_positional_weights", "GradOperation", "xwb", [X2], ["§5"], {"get_all": True, "get_by_list": True, "sens_param": True, "weights": {"container": "ParameterTuple", "names": ["w", "b"]}}, sens=S2, sens_passing="positional")
case("fvg_sens_multi_output", "ForwardValueAndGrad", "two_out", [X2, Y2], ["§5"], {"get_all": True, "sens_param": True}, sens=[S2, [1.0, -1.0]], sens_passing="positional")
case("fvg_weights_sens", "ForwardValueAndGrad", "xwb", [X2], ["§5"], {"get_all": False, "get_by_list": True, "sens_param": True, "weights": {"container": "ParameterTuple", "names": ["w", "b"]}}, sens=S2, sens_passing="positional")
case("err_sens_shape", "grad", "mul2", [X2, Y2], ["§5", "error"], {"grad_position": 0, "sens_param": True}, sens=[1.0, 2.0, 3.0], sens_passing="keyword")
case("err_sens_dtype", "grad", "mul2", [X2, Y2], ["§5", "error"], {"grad_position": 0, "sens_param": True}, sens={"values": [1, 2], "dtype": "int32"}, sens_passing="keyword")
case("err_sens_scalar_for_vector", "grad", "mul2", [X2, Y2], ["§5", "error"], {"grad_position": 0, "sens_param": True}, sens={"values": 1.0, "dtype": "float32"}, sens_passing="keyword")
case("err_sens_count", "grad", "two_out", [X2, Y2], ["§5", "error"], {"grad_position": 0, "sens_param": True}, sens=S2, sens_passing="keyword")

# §6 errors that apply
case("err_both_none_grad", "grad", "mul2", [X2, Y2], ["§6", "error"], {"grad_position": None})
case("err_both_none_vg", "value_and_grad", "mul2", [X2, Y2], ["§6", "error"], {"grad_position": None})
case("err_duplicate_positions", "grad", "mul2", [X2, Y2], ["§6", "error"], {"grad_position": (1, 1)})
case("err_negative_position", "grad", "mul2", [X2, Y2], ["§6", "error"], {"grad_position": -1})
case("err_negative_in_tuple", "value_and_grad", "mul2", [X2, Y2], ["§6", "error"], {"grad_position": (0, -1)})
case("err_position_out_of_range", "grad", "mul2", [X2, Y2], ["§6", "error"], {"grad_position": 2})
case("err_position_out_of_range_tuple", "value_and_grad", "mul3", [X2, Y2, Z2], ["§6", "error"], {"grad_position": (0, 3)})
case("err_empty_positions", "grad", "mul2", [X2, Y2], ["§6", "error"], {"grad_position": ()})
case("err_empty_positions_with_weights", "grad", "xwb", [X2], ["§6", "error"], {"grad_position": (), "weights": {"container": "list", "names": ["w"]}})
case("err_fvg_by_list_no_weights", "ForwardValueAndGrad", "xwb", [X2], ["§6", "error"], {"get_by_list": True})
case("err_fvg_by_list_single_parameter", "ForwardValueAndGrad", "xwb", [X2], ["§6", "error"], {"get_by_list": True, "weights": {"container": "Parameter", "names": ["w"]}})

# §8 SoftmaxCrossEntropyWithLogits
LOGITS = [[1.0, 2.0, 0.5], [0.1, -1.0, 3.0]]
for red in ("none", "mean", "sum"):
    case("sce_dense_%s" % red, "value_and_grad", "sce_dense_%s" % red, [LOGITS, [[0.0, 1.0, 0.0], [0.2, 0.3, 0.5]]], ["§8"], {"grad_position": (0, 1)})
    case("sce_sparse_%s" % red, "value_and_grad", "sce_sparse_%s" % red, [LOGITS, {"values": [1, 2], "dtype": "int32"}], ["§8"], {"grad_position": (0, 1)})
case("sce_unnormalized_labels", "value_and_grad", "sce_dense_none", [LOGITS, [[1.0, 1.0, 0.0], [0.0, 0.0, 0.0]]], ["§8"], {"grad_position": 0})

# §9 per-op conventions
A23 = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
OPS = [
    ("op_add", [A23, [10.0, 20.0, 30.0]]), ("op_add", [[[1.0], [2.0]], [[1.0, 2.0, 3.0]]]),
    ("op_sub", [A23, [[1.0], [2.0]]]), ("op_mul", [[[1.0], [2.0]], [[3.0, 4.0, 5.0]]]),
    ("op_mul", [{"values": 2.0, "dtype": "float32"}, A23]), ("op_div", [A23, [2.0, 4.0, 8.0]]),
    ("op_neg_mul_scalar", [A23]), ("op_exp_log", [[0.5, 1.0, 2.0]]), ("op_sqrt", [[0.25, 4.0]]),
    ("op_pow_tt", [[2.0, 3.0], [3.0, 0.5]]), ("op_pow_scalar", [[2.0, -1.5]]),
    ("op_tanh_sigmoid", [[-1.0, 0.0, 2.0]]), ("op_relu_abs", [[-1.0, 0.0, 2.0]]),
    ("op_maximum", [[1.0, 2.0, 3.0], [2.0, 2.0, 2.0]]), ("op_minimum", [[1.0, 2.0, 3.0], [2.0, 2.0, 2.0]]),
    ("op_sin_cos", [[0.3, 1.2]]), ("op_square", [[1.5, -2.0]]),
    ("op_sum_axis1_keep", [A23]), ("op_sum_all", [A23]), ("op_mean_axis0", [A23]), ("op_mean_all", [A23]),
    ("op_max_axis1", [[[1.0, 5.0, 5.0], [2.0, 0.0, 1.0]]]),
    ("op_reshape", [A23]), ("op_transpose", [A23]),
    ("op_softmax", [A23]), ("op_log_softmax", [A23]), ("op_softmax_axis0", [A23]),
    ("op_matmul", [A23, [[1.0, 0.5], [-1.0, 2.0], [0.0, 1.0]]]),
    ("op_matmul_ta", [[[1.0, 0.5], [-1.0, 2.0], [0.0, 1.0]], [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]]),
    ("op_matmul_tb", [A23, [[1.0, 0.5, 2.0], [-1.0, 2.0, 0.0]]]),
    ("op_matmul_tab", [[[1.0, 0.5], [-1.0, 2.0], [0.0, 1.0]], [[1.0, 0.5, 2.0], [-1.0, 2.0, 0.0]]]),
    ("op_batch_matmul", [[[[1.0, 2.0], [3.0, 4.0]], [[0.5, -1.0], [2.0, 0.0]]], [[1.0, -1.0], [0.5, 2.0]]]),
    ("op_logsumexp", [A23]),
]
for i, (fn, args) in enumerate(OPS):
    gp = tuple(range(len(args))) if len(args) > 1 else 0
    case("%s_%d" % (fn, i), "grad", fn, args, ["§9"], {"grad_position": gp})
# softmax with a sens (with ones the gradient is identically 0)
case("op_softmax_with_sens", "grad", "op_softmax", [A23], ["§9", "§5"], {"grad_position": 0, "sens_param": True},
     sens=[[1.0, 0.0, 2.0], [0.5, -1.0, 0.0]], sens_passing="keyword")
case("op_log_softmax_with_sens", "grad", "op_log_softmax", [A23], ["§9", "§5"], {"grad_position": 0, "sens_param": True},
     sens=[[1.0, 0.0, 2.0], [0.5, -1.0, 0.0]], sens_passing="keyword")

# §4 has_aux errors last: two consecutive failures corrupt MindSpore's PyNative state (§10.2).
case("err_has_aux_single_output", "grad", "mul2", [X2, Y2], ["§4", "error"], {"grad_position": 0, "has_aux": True})
case("err_has_aux_one_tuple", "value_and_grad", "first_is_tuple_one", [X2, Y2], ["§4", "error"], {"grad_position": 0, "has_aux": True})
CATALOGUE["first_is_tuple_one"] = ([], lambda p: (lambda x, y: (x * y,)))


# --------------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------------

def make_tensor(spec):
    if isinstance(spec, dict):
        dtype = {"float32": F32, "float64": F64, "int32": I32}[spec["dtype"]]
        return Tensor(np.array(spec["values"], dtype=dtype))
    return Tensor(np.array(spec, dtype=F32))


def first_line(msg):
    line = str(msg).strip().split("\n")[0]
    return re.sub(r"0x[0-9a-fA-F]+", "0x?", line)


def run_case(c):
    specs, builder = CATALOGUE[c["fn"]]
    params = {key: Parameter(Tensor(np.array(v, dtype=F32)), name=key, requires_grad=rg) for key, v, rg in specs}
    subject = builder(params)
    args = [make_tensor(a) for a in c["args"]]
    call = c["call"]
    out = dict(c)
    out["args"] = [dict(enc_tensor(a), name="arg%d" % i, kind="tensor") for i, a in enumerate(args)]
    if isinstance(subject, nn.Cell):
        subject.trainable_params()  # names as MindSpore sets them
    out["params"] = [dict(enc_tensor(params[key]), name=key, ms_name=params[key].name, requires_grad=rg)
                     for key, _, rg in specs]
    weights = None
    wspec = call.get("weights")
    if wspec is not None:
        cont = wspec["container"]
        if cont == "trainable":
            weights = subject.trainable_params()
            out["call"] = dict(call, weights={"container": "trainable", "names": [p.name for p in weights]})
        else:
            ps = [params[n] for n in wspec["names"]]
            weights = {"list": ps, "tuple": tuple(ps), "ParameterTuple": ParameterTuple(ps) if ps else ParameterTuple([]),
                       "Parameter": ps[0] if ps else None}[cont]
    sens = None
    if c["sens"] is not None:
        s = c["sens"]
        if isinstance(s, list) and s and isinstance(s[0], list) and not isinstance(s[0][0], list) and len(s) == 2 and c["fn"] in ("two_out",):
            sens = tuple(make_tensor(v) for v in s)
        else:
            sens = make_tensor(s)
        out["sens"] = [enc_tensor(v) for v in sens] if isinstance(sens, tuple) else enc_tensor(sens)
    stage = "construct"
    try:
        api = c["api"]
        if api in ("grad", "value_and_grad"):
            gp = call.get("grad_position", 0)
            f = ms.grad if api == "grad" else ms.value_and_grad
            gf = f(subject, grad_position=gp, weights=weights, has_aux=call.get("has_aux", False),
                   return_ids=call.get("return_ids", False), sens_param=call.get("sens_param", False))
        elif api == "GradOperation":
            op = ops.GradOperation(get_all=call.get("get_all", False), get_by_list=call.get("get_by_list", False),
                                   sens_param=call.get("sens_param", False))
            gf = op(subject, weights) if weights is not None else op(subject)
        elif api == "ForwardValueAndGrad":
            cell = subject if isinstance(subject, nn.Cell) else _FnCell(subject)
            gf = nn.ForwardValueAndGrad(cell, weights=weights, get_all=call.get("get_all", False),
                                        get_by_list=call.get("get_by_list", False), sens_param=call.get("sens_param", False))
        stage = "call"
        if sens is not None and c["sens_passing"] == "keyword":
            res = gf(*args, sens=sens)
        elif sens is not None:
            res = gf(*args, sens)
        else:
            res = gf(*args)
        out["outcome"] = "ok"
        out["expected"] = enc(res)
    except Exception as e:  # noqa: BLE001 — errors are data here
        out["outcome"] = "error"
        out["error"] = {"error_type": type(e).__name__, "message": first_line(e), "raised_at": stage}
    return out


class _FnCell(nn.Cell):
    def __init__(self, f):
        super().__init__()
        self.f = f

    def construct(self, *args):
        return self.f(*args)


def main():
    results = [run_case(c) for c in CASES]
    tags = {}
    for r in results:
        for tg in r["tags"]:
            tags[tg] = tags.get(tg, 0) + 1
    doc = {"mindspore_version": ms.__version__, "numpy_version": np.__version__, "mode": "PYNATIVE_MODE",
           "device_target": "CPU", "case_count": len(results), "tags": tags,
           "note": "Written by Oracle/grad_oracle.py on real MindSpore; functions by id, see the script's catalogue.",
           "cases": results}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "TapeGradTests", "Fixtures", "oracle_grad_cases.json")
    with open(path, "w") as fh:
        json.dump(doc, fh, indent=1)
    errors = [r["name"] for r in results if r["outcome"] == "error"]
    print("%d cases (%d errors: %s)" % (len(results), len(errors), ", ".join(errors)))
    print("tags:", tags)


if __name__ == "__main__":
    main()
