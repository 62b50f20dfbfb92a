#!/usr/bin/env python3
"""TapeGrad's oracle for the neural-network layer: layers, losses and optimizers on real MindSpore 2.10
(CPU, PyNative). Writes Tests/TapeGradTests/Fixtures/oracle_nn_cases.json.

Every case gives all inputs and all parameter values explicitly (set from a seeded numpy generator, never
MindSpore's random initialisation), the forward output, and for layers and losses the gradients with respect
to the input and each trainable parameter under an explicit sens (recorded). Optimizer cases record the
parameters, the gradients, and the parameters (and the optimizer's state) after each of 3 identical steps.
The script also re-derives the update formulas in numpy and checks them against MindSpore ("checks").

    python3.11 -m venv .venv-oracle
    .venv-oracle/bin/pip install mindspore==2.10.0 "numpy<2" safetensors
    .venv-oracle/bin/python Oracle/nn_oracle.py

See Oracle/NN_README.md.
"""
import inspect
import json
import math
import os
import sys

import numpy as np
import mindspore as ms
from mindspore import Parameter, Tensor, nn

ms.set_context(mode=ms.PYNATIVE_MODE)
ms.set_device("CPU")
RNG = np.random.default_rng(20261122)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "TapeGradTests", "Fixtures", "oracle_nn_cases.json")
CHECKS = []


# ----------------------------------------------------------------------------------------------- encoding

def enc(a):
    a = a.asnumpy() if isinstance(a, Tensor) else np.asarray(a)
    vals = []
    for v in a.reshape(-1).tolist():
        if isinstance(v, float) and not math.isfinite(v):
            v = "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
        vals.append(v)
    return {"dtype": str(a.dtype), "shape": list(a.shape), "values": vals}


def rand(*shape, lo=-1.0, hi=1.0):
    return RNG.uniform(lo, hi, size=shape).astype(np.float32)


def check(name, formula, got, want, tol=1e-5):
    """Records (and enforces) that a numpy re-derivation reproduces MindSpore's numbers."""
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    err = float(np.max(np.abs(got - want) / (1.0 + np.abs(want)))) if got.size else 0.0
    CHECKS.append({"name": name, "formula": formula, "max_rel_err": err, "ok": err <= tol})
    if err > tol:
        print("CHECK FAILED: %s (%s): %g" % (name, formula, err), file=sys.stderr)


# ----------------------------------------------------------------------------------------------- layers

def set_params(net, values):
    """Assigns explicit values to every parameter (by name) and returns them encoded."""
    unknown = set(values) - {p.name for p in net.get_parameters()}
    assert not unknown, "no parameters named %s" % sorted(unknown)
    out = {}
    for p in net.get_parameters():
        v = values[p.name] if p.name in values else rand(*p.shape)
        p.set_data(Tensor(np.asarray(v, dtype=np.float32)))
        out[p.name] = dict(enc(p), requires_grad=bool(p.requires_grad))
    return out


def layer_case(name, layer, ctor, x, values=None, train=False):
    params = set_params(layer, values or {})
    layer.set_train(train)
    xt = Tensor(x)
    y = layer(xt)
    case = {"name": name, "layer": layer.__class__.__name__, "args": ctor, "train": train, "params": params,
            "input": enc(xt), "output": enc(y)}
    if train and layer.__class__.__name__.startswith("BatchNorm"):
        case["params_after"] = {p.name: enc(p) for p in layer.get_parameters()}
        # Re-set so the gradient run starts from the same state.
        set_params(layer, {k: np.array(v["values"], np.float32).reshape(v["shape"]) for k, v in params.items()})
    int_input = np.asarray(x).dtype.kind == "i"
    sens = rand(*y.shape)
    weights = layer.trainable_params()
    if int_input:   # Embedding: gradient only with respect to the table
        gw = ms.grad(layer, grad_position=None, weights=weights, sens_param=True)(xt, Tensor(sens))
        case["grad_params"] = {p.name: enc(t) for p, t in zip(weights, gw)}
    else:
        g = ms.grad(layer, grad_position=0, weights=weights if weights else None, sens_param=True)(xt, Tensor(sens))
        if weights:
            gx, gw = g
            case["grad_params"] = {p.name: enc(t) for p, t in zip(weights, gw)}
        else:
            gx = g
        case["grad_input"] = enc(gx)
    case["sens"] = enc(sens)
    if train and layer.__class__.__name__.startswith("BatchNorm"):
        case["params_after_grad_run"] = "the gradient run (train mode) updates mean/variance (moving statistics) again; not recorded"
    return case


def batchnorm_check(case):
    x = np.array(case["input"]["values"], np.float64).reshape(case["input"]["shape"])
    p = {k: np.array(v["values"], np.float64) for k, v in case["params"].items()}
    after = {k: np.array(v["values"], np.float64) for k, v in case["params_after"].items()}
    mom, eps = case["args"]["momentum"], case["args"]["eps"]
    mean, var_b, var_u = x.mean(0), x.var(0), x.var(0, ddof=1)
    y = (x - mean) / np.sqrt(var_b + eps) * p["gamma"] + p["beta"]
    check("batch_norm1d_train output", "y = (x - mean_B) / sqrt(var_B(biased) + eps) * gamma + beta",
          np.array(case["output"]["values"]).reshape(y.shape), y)
    check("batch_norm1d_train moving_mean", "moving_mean = momentum * moving_mean + (1 - momentum) * mean_B",
          after["mean"], mom * p["mean"] + (1 - mom) * mean)
    check("batch_norm1d_train moving_variance", "moving_variance = momentum * moving_variance + (1 - momentum) * var_B(unbiased, n-1)",
          after["variance"], mom * p["variance"] + (1 - mom) * var_u)


def batchnorm_eval_check(case):
    x = np.array(case["input"]["values"], np.float64).reshape(case["input"]["shape"])
    p = {k: np.array(v["values"], np.float64) for k, v in case["params"].items()}
    y = (x - p["mean"]) / np.sqrt(p["variance"] + case["args"]["eps"]) * p["gamma"] + p["beta"]
    check("batch_norm1d_eval output", "y = (x - moving_mean) / sqrt(moving_variance + eps) * gamma + beta",
          np.array(case["output"]["values"]).reshape(y.shape), y)


def layers():
    out = []
    x2 = rand(4, 5)
    out.append(layer_case("dense", nn.Dense(5, 3), {"in_channels": 5, "out_channels": 3}, x2))
    out.append(layer_case("dense_relu", nn.Dense(5, 3, activation="relu"),
                          {"in_channels": 5, "out_channels": 3, "has_bias": True, "activation": "relu"}, x2))
    out.append(layer_case("dense_no_bias_relu", nn.Dense(5, 3, has_bias=False, activation="relu"),
                          {"in_channels": 5, "out_channels": 3, "has_bias": False, "activation": "relu"}, x2))
    out.append(layer_case("dense_no_bias", nn.Dense(5, 3, has_bias=False),
                          {"in_channels": 5, "out_channels": 3, "has_bias": False}, x2))
    out.append(layer_case("flatten", nn.Flatten(), {}, rand(2, 3, 2, 2)))
    for cls in ("ReLU", "Sigmoid", "Tanh"):
        out.append(layer_case(cls.lower(), getattr(nn, cls)(), {}, rand(4, 5, lo=-3, hi=3)))
    xg = rand(4, 5, lo=-3, hi=3)
    out.append(layer_case("gelu_approximate", nn.GELU(), {"approximate": True}, xg))
    out.append(layer_case("gelu_exact", nn.GELU(approximate=False), {"approximate": False}, xg))
    out.append(layer_case("softmax", nn.Softmax(), {"axis": -1}, x2 * 3))
    out.append(layer_case("log_softmax", nn.LogSoftmax(), {"axis": -1}, x2 * 3))
    out.append(layer_case("log_softmax_axis0", nn.LogSoftmax(axis=0), {"axis": 0}, x2 * 3))
    out.append(layer_case("dropout_eval", nn.Dropout(p=0.5), {"p": 0.5}, x2, train=False))
    out.append(layer_case("embedding", nn.Embedding(6, 3), {"vocab_size": 6, "embedding_size": 3},
                          np.array([[0, 5, 2], [2, 1, 0]], np.int32)))
    out.append(layer_case("layer_norm_last", nn.LayerNorm((5,)),
                          {"normalized_shape": [5], "begin_norm_axis": -1, "begin_params_axis": -1, "epsilon": 1e-7}, x2))
    out.append(layer_case("layer_norm_last_two", nn.LayerNorm((3, 4), begin_norm_axis=1, begin_params_axis=1),
                          {"normalized_shape": [3, 4], "begin_norm_axis": 1, "begin_params_axis": 1, "epsilon": 1e-7}, rand(2, 3, 4)))
    bn_args = {"num_features": 5, "eps": 1e-5, "momentum": 0.9}
    out.append(layer_case("batch_norm1d_train", nn.BatchNorm1d(5), bn_args, rand(6, 5, lo=-2, hi=3), train=True,
                          values={"mean": rand(5), "variance": rand(5, lo=0.5, hi=1.5)}))
    batchnorm_check(out[-1])
    out.append(layer_case("batch_norm1d_eval", nn.BatchNorm1d(5), bn_args, rand(6, 5), train=False,
                          values={"mean": rand(5), "variance": rand(5, lo=0.5, hi=1.5)}))
    batchnorm_eval_check(out[-1])
    img = rand(2, 3, 7, 7)
    convs = [
        ("conv_same", dict(in_channels=3, out_channels=4, kernel_size=3, pad_mode="same", has_bias=True)),
        ("conv_valid", dict(in_channels=3, out_channels=4, kernel_size=3, pad_mode="valid", has_bias=False)),
        ("conv_pad1", dict(in_channels=3, out_channels=2, kernel_size=3, pad_mode="pad", padding=1, has_bias=False)),
        ("conv_pad1_stride2", dict(in_channels=3, out_channels=2, kernel_size=3, stride=2, pad_mode="pad", padding=1, has_bias=True)),
        ("conv_pad2_k5", dict(in_channels=3, out_channels=2, kernel_size=5, pad_mode="pad", padding=2, has_bias=True)),
        ("conv_stride2_valid", dict(in_channels=3, out_channels=2, kernel_size=3, stride=2, pad_mode="valid", has_bias=True)),
        ("conv_dilation2", dict(in_channels=3, out_channels=2, kernel_size=3, dilation=2, pad_mode="valid", has_bias=True)),
        ("conv_dilation2_same", dict(in_channels=3, out_channels=2, kernel_size=3, dilation=2, pad_mode="same", has_bias=False)),
        ("conv_same_stride2", dict(in_channels=3, out_channels=2, kernel_size=(2, 3), stride=2, pad_mode="same", has_bias=False)),
    ]
    for name, kw in convs:
        kw = dict(kw, group=1)
        ctor = dict(kw, kernel_size=list(kw["kernel_size"]) if isinstance(kw["kernel_size"], tuple) else kw["kernel_size"])
        out.append(layer_case(name, nn.Conv2d(**kw), ctor, img))
    pools = [
        ("max_pool_2_2", dict(kernel_size=2, stride=2, pad_mode="valid")),
        ("max_pool_2_2_same", dict(kernel_size=2, stride=2, pad_mode="same")),
        ("max_pool_3_1", dict(kernel_size=3, stride=1, pad_mode="valid")),
        ("max_pool_3_1_same", dict(kernel_size=3, stride=1, pad_mode="same")),
        ("max_pool_same", dict(kernel_size=3, stride=2, pad_mode="same")),
        ("avg_pool_2_2", dict(kernel_size=2, stride=2, pad_mode="valid")),
        ("avg_pool_2_2_same", dict(kernel_size=2, stride=2, pad_mode="same")),
        ("avg_pool_3_1", dict(kernel_size=3, stride=1, pad_mode="valid")),
        ("avg_pool_3_1_same", dict(kernel_size=3, stride=1, pad_mode="same")),
        ("avg_pool_same", dict(kernel_size=3, stride=2, pad_mode="same")),
    ]
    for name, kw in pools:
        cls = nn.MaxPool2d if name.startswith("max") else nn.AvgPool2d
        out.append(layer_case(name, cls(**kw), dict(kw), img))
    layer_checks({c["name"]: c for c in out})
    return out


def arr(e):
    return np.array(e["values"], np.float64).reshape(e["shape"])


def pads(size, k, s, d, mode, padding=0):
    """(out, pad_before) for one spatial axis; 'same' puts the odd extra padding after (bottom/right)."""
    ke = (k - 1) * d + 1
    if mode == "same":
        out = -(-size // s)
        return out, max((out - 1) * s + ke - size, 0) // 2
    if mode == "pad":
        return (size + 2 * padding - ke) // s + 1, padding
    return (size - ke) // s + 1, 0


def conv_ref(x, w, b, stride, mode, padding, dilation):
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    oh, ph = pads(h, kh, stride, dilation, mode, padding)
    ow, pw = pads(wd, kw, stride, dilation, mode, padding)
    y = np.zeros((n, o, oh, ow))
    for i in range(oh):
        for j in range(ow):
            for u in range(kh):
                for v in range(kw):
                    r, q = i * stride - ph + u * dilation, j * stride - pw + v * dilation
                    if 0 <= r < h and 0 <= q < wd:
                        y[:, :, i, j] += x[:, :, r, q] @ w[:, :, u, v].T
    return y + (b.reshape(1, -1, 1, 1) if b is not None else 0)


def pool_ref(x, k, s, mode, kind):
    n, c, h, wd = x.shape
    oh, ph = pads(h, k, s, 1, mode)
    ow, pw = pads(wd, k, s, 1, mode)
    y = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            win = x[:, :, max(i * s - ph, 0):min(i * s - ph + k, h), max(j * s - pw, 0):min(j * s - pw + k, wd)]
            y[:, :, i, j] = win.max((2, 3)) if kind == "max" else win.mean((2, 3))
    return y


def layer_checks(by):
    from math import erf
    x = arr(by["gelu_exact"]["input"])
    check("gelu_exact", "x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2))", arr(by["gelu_exact"]["output"]),
          0.5 * x * (1 + np.vectorize(erf)(x / math.sqrt(2))))
    check("gelu_approximate", "0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))", arr(by["gelu_approximate"]["output"]),
          0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3))))
    for name, c in by.items():
        if name.startswith("conv"):
            a = c["args"]
            k = a["kernel_size"]
            y = conv_ref(arr(c["input"]), arr(c["params"]["weight"]), arr(c["params"]["bias"]) if "bias" in c["params"] else None,
                         a.get("stride", 1), a["pad_mode"], a.get("padding", 0), a.get("dilation", 1))
            check(name, "cross-correlation; 'same': out = ceil(in / stride), pad_total = max((out-1)*stride + (k-1)*dilation + 1 - in, 0), "
                  "pad_before = pad_total // 2 (odd extra after)", arr(c["output"]), y)
        if "pool" in name:
            a = c["args"]
            y = pool_ref(arr(c["input"]), a["kernel_size"], a["stride"], a["pad_mode"], name[:3])
            check(name, "'same' padding as Conv2d; max ignores padding; avg divides by the number of real (unpadded) elements",
                  arr(c["output"]), y)


# ----------------------------------------------------------------------------------------------- losses

def loss_case(name, loss, ctor, logits, target):
    lt, tt = Tensor(logits), Tensor(target)
    y = loss(lt, tt)
    sens = rand(*y.shape) if y.shape else np.array(1.5, np.float32)
    g = ms.grad(loss, grad_position=0, sens_param=True)(lt, tt, Tensor(sens))
    return {"name": name, "loss": loss.__class__.__name__, "args": ctor, "logits": enc(lt), "target": enc(tt),
            "output": enc(y), "sens": enc(sens), "grad_logits": enc(g)}


def losses():
    out = []
    a, b = rand(3, 4), rand(3, 4)
    logits = rand(4, 5, lo=-2, hi=2)
    idx = np.array([1, 0, 4, 2], np.int32)
    probs = np.abs(rand(4, 5)) + 0.1
    probs = (probs / probs.sum(1, keepdims=True)).astype(np.float32)
    onehot = np.eye(5, dtype=np.float32)[idx]
    w = np.array([1.0, 2.0, 0.5, 1.5, 1.0], np.float32)
    bce_t = (rand(3, 4) > 0).astype(np.float32)
    pw = np.array([1.0, 2.0, 0.5, 3.0], np.float32)
    wt = np.array([0.5, 1.0, 2.0, 1.0], np.float32)
    log_probs = (logits - np.log(np.exp(logits).sum(1, keepdims=True))).astype(np.float32)
    for red in ("none", "mean", "sum"):
        r = {"reduction": red}
        out.append(loss_case("mse_%s" % red, nn.MSELoss(reduction=red), dict(r), a, b))
        out.append(loss_case("l1_%s" % red, nn.L1Loss(reduction=red), dict(r), a, b))
        out.append(loss_case("sce_sparse_%s" % red, nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction=red),
                             dict(r, sparse=True), logits, idx))
        out.append(loss_case("sce_dense_%s" % red, nn.SoftmaxCrossEntropyWithLogits(sparse=False, reduction=red),
                             dict(r, sparse=False), logits, probs))
        out.append(loss_case("sce_dense_onehot_%s" % red, nn.SoftmaxCrossEntropyWithLogits(sparse=False, reduction=red),
                             dict(r, sparse=False), logits, onehot))
        out.append(loss_case("ce_indices_%s" % red, nn.CrossEntropyLoss(reduction=red), dict(r), logits, idx))
        out.append(loss_case("ce_indices_weight_%s" % red, nn.CrossEntropyLoss(weight=Tensor(w), reduction=red),
                             dict(r, weight=w.tolist()), logits, idx))
        out.append(loss_case("ce_smoothing_%s" % red, nn.CrossEntropyLoss(reduction=red, label_smoothing=0.1),
                             dict(r, label_smoothing=0.1), logits, idx))
        out.append(loss_case("ce_smoothing_weight_%s" % red, nn.CrossEntropyLoss(weight=Tensor(w), reduction=red, label_smoothing=0.1),
                             dict(r, weight=w.tolist(), label_smoothing=0.1), logits, idx))
        out.append(loss_case("ce_probs_%s" % red, nn.CrossEntropyLoss(reduction=red), dict(r), logits, probs))
        out.append(loss_case("ce_probs_smoothing_%s" % red, nn.CrossEntropyLoss(reduction=red, label_smoothing=0.1),
                             dict(r, label_smoothing=0.1), logits, probs))
        out.append(loss_case("ce_probs_weight_%s" % red, nn.CrossEntropyLoss(weight=Tensor(w), reduction=red),
                             dict(r, weight=w.tolist()), logits, probs))
        out.append(loss_case("nll_%s" % red, nn.NLLLoss(reduction=red), dict(r), log_probs, idx))
        out.append(loss_case("nll_weight_%s" % red, nn.NLLLoss(weight=Tensor(w), reduction=red), dict(r, weight=w.tolist()), log_probs, idx))
        out.append(loss_case("bce_%s" % red, nn.BCEWithLogitsLoss(reduction=red), dict(r), a * 2, bce_t))
        out.append(loss_case("bce_pos_weight_%s" % red, nn.BCEWithLogitsLoss(reduction=red, pos_weight=Tensor(pw)),
                             dict(r, pos_weight=pw.tolist()), a * 2, bce_t))
        out.append(loss_case("bce_weights_%s" % red, nn.BCEWithLogitsLoss(reduction=red, weight=Tensor(wt), pos_weight=Tensor(pw)),
                             dict(r, weight=wt.tolist(), pos_weight=pw.tolist()), a * 2, bce_t))
    out.append(loss_case("ce_ignore_index", nn.CrossEntropyLoss(ignore_index=2), {"reduction": "mean", "ignore_index": 2}, logits,
                         np.array([1, 2, 4, 2], np.int32)))
    loss_checks(out, logits, idx, probs, w)
    xb, yb = (a * 2).astype(np.float64), bce_t
    lsig, l1sig = -np.logaddexp(0, -xb), -np.logaddexp(0, xb)
    ref = -wt * (pw * yb * lsig + (1 - yb) * l1sig)
    bw = {c["name"]: np.array(c["output"]["values"]) for c in out}
    check("bce_weights_none", "l = -weight * (pos_weight * y * log sigmoid(x) + (1 - y) * log(1 - sigmoid(x))) (weight, pos_weight broadcast over the last axis)",
          bw["bce_weights_none"], ref.reshape(-1))
    check("bce_weights_mean", "mean over all elements", bw["bce_weights_mean"], ref.mean())
    return out


def loss_checks(cases, logits, idx, probs, w):
    by = {c["name"]: np.array(c["output"]["values"], np.float64) for c in cases}
    z = logits.astype(np.float64)
    lsm = z - np.log(np.exp(z).sum(1, keepdims=True))
    n, c = z.shape
    nll = -lsm[np.arange(n), idx]
    check("ce_indices_weight_mean", "mean = sum_i w[y_i] * nll_i / sum_i w[y_i]", by["ce_indices_weight_mean"], (w[idx] * nll).sum() / w[idx].sum())
    eps = 0.1
    sm = (1 - eps) * nll + eps * (-lsm.mean(1))
    check("ce_smoothing_none", "l_i = (1 - eps) * nll_i + eps/C * sum_c (-logp_ic)", by["ce_smoothing_none"], sm)
    smw = (1 - eps) * w[idx] * nll + eps / c * (-(lsm * w).sum(1))
    check("ce_smoothing_weight_none", "l_i = (1 - eps) * w[y_i] * nll_i + eps/C * sum_c w_c * (-logp_ic)",
          by["ce_smoothing_weight_none"], smw)
    check("ce_smoothing_weight_mean", "mean = sum_i l_i / sum_i w[y_i]", by["ce_smoothing_weight_mean"], smw.sum() / w[idx].sum())
    q = (1 - eps) * probs + eps / c
    check("ce_probs_smoothing_none", "targets q = (1 - eps) * p + eps/C; l_i = -sum_c q_ic logp_ic",
          by["ce_probs_smoothing_none"], -(q * lsm).sum(1))
    ign = np.array([1, 2, 4, 2])
    keep = ign != 2
    check("ce_ignore_index", "mean over the non-ignored rows only", by["ce_ignore_index"], (-lsm[np.arange(n), ign])[keep].mean())
    check("nll_weight_mean", "NLL input is log-probabilities; mean = sum_i w[y_i] * (-x_i,y_i) / sum_i w[y_i]",
          by["nll_weight_mean"], (w[idx] * nll).sum() / w[idx].sum())
    check("sce_sparse_mean", "SoftmaxCrossEntropyWithLogits: mean over the batch of -log softmax(x)_y", by["sce_sparse_mean"], nll.mean())
    lw = -(probs * w * lsm).sum(1)
    check("ce_probs_weight_mean", "l_i = -sum_c w_c p_ic logp_ic; mean = sum_i l_i / N (not / sum of weights)",
          by["ce_probs_weight_mean"], lw.mean())


# ----------------------------------------------------------------------------------------------- optimizers

HYPER_DEFAULTS = {  # from the __init__ signatures in mindspore/nn/optim/{sgd,momentum,adam}.py (2.10.0)
    "SGD": {"learning_rate": 0.1, "momentum": 0.0, "dampening": 0.0, "weight_decay": 0.0, "nesterov": False, "loss_scale": 1.0},
    "Momentum": {"weight_decay": 0.0, "loss_scale": 1.0, "use_nesterov": False},
    "Adam": {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "use_locking": False, "use_nesterov": False,
             "weight_decay": 0.0, "loss_scale": 1.0, "use_amsgrad": False},
    "AdamWeightDecay": {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-6, "weight_decay": 0.0},
}

FORMULAS = {
    "SGD": "g = grad + weight_decay * p; step 1: v = g; later: v = momentum * v + (1 - dampening) * g; "
           "p -= lr * (g + momentum * v) if nesterov else p -= lr * v",
    "Momentum": "g = grad + weight_decay * p; v starts at 0; plain: v = momentum * v + g, p -= lr * v; "
                "use_nesterov (2.10 kernel, differs from the docstring): p -= lr * (g + momentum * v_prev), then v = momentum * v_prev + g",
    "Adam": "float32 throughout; g = grad + weight_decay * p; m += (g - m) * (1-b1); v += (g^2 - v) * (1-b2); "
            "b1^t, b2^t as running float32 products; lr_t = lr * sqrt(1-b2^t) / (1-b1^t); "
            "p -= lr_t * m / (sqrt(v) + eps), or with use_nesterov p -= lr_t * (b1*m + (1-b1)*g) / (sqrt(v) + eps)",
    "AdamWeightDecay": "b1, b2 rounded to float32; m = b1*m + (1-b1)*grad; v = b2*v + (1-b2)*grad^2 (no bias correction); "
                       "p -= lr * (m / (sqrt(v) + eps) + weight_decay * p)",
}


def f32(x):
    """MindSpore keeps beta1/beta2 as float32 tensors, so 1 - beta2 is 0.00099998713..., not 0.001."""
    return float(np.float32(x))


def reference_steps(cls, h, params, grads, steps):
    """Numpy (float64) re-derivation of MindSpore's update; returns the params after each step."""
    ps = [np.array(p, np.float64) for p in params]
    gs = [np.array(g, np.float64) for g in grads]
    st = [dict(v=np.zeros_like(p), m=np.zeros_like(p)) for p in ps]
    lr, wd = h["learning_rate"], h["weight_decay"]
    out = []
    for t in range(1, steps + 1):
        for p, g0, s in zip(ps, gs, st):
            if cls == "AdamWeightDecay":
                b1, b2, eps = f32(h["beta1"]), f32(h["beta2"]), h["eps"]
                s["m"] = b1 * s["m"] + (1 - b1) * g0
                s["v"] = b2 * s["v"] + (1 - b2) * g0 * g0
                p -= lr * (s["m"] / (np.sqrt(s["v"]) + eps) + wd * p)
                continue
            g = g0 + wd * p
            if cls == "SGD":
                u, d = h["momentum"], h["dampening"]
                s["v"] = g.copy() if t == 1 else u * s["v"] + (1 - d) * g
                p -= lr * (g + u * s["v"]) if h["nesterov"] else lr * s["v"]
            elif cls == "Momentum":
                u = h["momentum"]
                if h["use_nesterov"]:   # MindSpore 2.10's kernel uses the previous v (not the documented v_{t+1})
                    p -= lr * (g + u * s["v"])
                    s["v"] = u * s["v"] + g
                else:
                    s["v"] = u * s["v"] + g
                    p -= lr * s["v"]
            elif cls == "Adam":   # in float32, as the CPU kernel computes it
                F = np.float32
                b1, b2, eps, g = F(h["beta1"]), F(h["beta2"]), F(h["eps"]), g.astype(F)
                b1p, b2p = F(1), F(1)
                for _ in range(t):   # beta powers are float32 running products
                    b1p, b2p = F(b1p * b1), F(b2p * b2)
                lr_t = F(lr) * np.sqrt(F(1) - b2p) / (F(1) - b1p)
                s["m"] = (s["m"].astype(F) + (g - s["m"].astype(F)) * (F(1) - b1)).astype(F)
                s["v"] = (s["v"].astype(F) + (g * g - s["v"].astype(F)) * (F(1) - b2)).astype(F)
                num = s["m"] * b1 + (F(1) - b1) * g if h["use_nesterov"] else s["m"]
                p[...] = p.astype(F) - lr_t * num / (np.sqrt(s["v"]) + eps)
        out.append([p.copy() for p in ps])
    return out


def optimizer_case(name, cls, kwargs, steps=3):
    w0 = np.array([[0.5, -1.0], [2.0, 0.25], [-0.75, 1.5]], np.float32)
    b0 = np.array([0.1, -0.2], np.float32)
    gw = np.array([[0.2, -0.1], [0.05, 0.3], [-0.4, 0.15]], np.float32)
    gb = np.array([-0.3, 0.6], np.float32)
    p1 = Parameter(Tensor(w0), name="fc.weight")
    p2 = Parameter(Tensor(b0), name="fc.bias")
    g1, g2 = Tensor(gw), Tensor(gb)
    opt = cls([p1, p2], **kwargs)
    hyper = dict(HYPER_DEFAULTS[cls.__name__], **kwargs)
    initial = {p.name: enc(p) for p in (p1, p2)}
    after, state = [], []
    for _ in range(steps):
        opt((g1, g2))
        after.append({p.name: enc(p) for p in (p1, p2)})
        state.append({q.name: enc(q) for q in opt.get_parameters() if q.name not in ("fc.weight", "fc.bias")})
    ref = reference_steps(cls.__name__, hyper, [w0, b0], [gw, gb], steps)
    for k in range(steps):
        for i, pname in enumerate(("fc.weight", "fc.bias")):
            check("%s step %d %s" % (name, k + 1, pname), FORMULAS[cls.__name__],
                  np.array(after[k][pname]["values"]).reshape(ref[k][i].shape), ref[k][i], tol=5e-7)
    return {"name": name, "optimizer": cls.__name__, "args": kwargs, "hyper_parameters": hyper,
            "weight_decay_applies_to": ["fc.weight", "fc.bias"] if hyper.get("weight_decay", 0) > 0 else [],
            "formula": FORMULAS[cls.__name__], "params": initial,
            "grads": {"fc.weight": enc(gw), "fc.bias": enc(gb)}, "after_steps": after, "state_after_steps": state}


def optimizers():
    # Check only (not a fixture case): a large eps tells the kernel's m / (sqrt(v) + eps) with the bias correction
    # in lr_t from the docstring's m_hat / (sqrt(v_hat) + eps).
    optimizer_case("adam_eps0.01_check_only", nn.Adam, {"learning_rate": 0.1, "eps": 1e-2})
    return [
        optimizer_case("sgd_plain", nn.SGD, {"learning_rate": 0.1}),
        optimizer_case("sgd_momentum", nn.SGD, {"learning_rate": 0.1, "momentum": 0.9}),
        optimizer_case("sgd_nesterov", nn.SGD, {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
        optimizer_case("sgd_weight_decay_plain", nn.SGD, {"learning_rate": 0.1, "weight_decay": 0.01}),
        optimizer_case("sgd_weight_decay", nn.SGD, {"learning_rate": 0.1, "momentum": 0.9, "weight_decay": 0.01}),
        optimizer_case("sgd_nesterov_weight_decay", nn.SGD, {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
        optimizer_case("sgd_dampening", nn.SGD, {"learning_rate": 0.1, "momentum": 0.9, "dampening": 0.5}),
        optimizer_case("momentum", nn.Momentum, {"learning_rate": 0.1, "momentum": 0.9}),
        optimizer_case("momentum_nesterov", nn.Momentum, {"learning_rate": 0.1, "momentum": 0.9, "use_nesterov": True}),
        optimizer_case("momentum_weight_decay", nn.Momentum, {"learning_rate": 0.1, "momentum": 0.9, "weight_decay": 0.01}),
        optimizer_case("momentum_nesterov_weight_decay", nn.Momentum,
                       {"learning_rate": 0.1, "momentum": 0.9, "use_nesterov": True, "weight_decay": 0.01}),
        optimizer_case("adam", nn.Adam, {"learning_rate": 1e-3}),
        optimizer_case("adam_weight_decay_lr1e-3", nn.Adam, {"learning_rate": 1e-3, "weight_decay": 0.01}),
        optimizer_case("adam_lr01", nn.Adam, {"learning_rate": 0.1}),
        optimizer_case("adam_weight_decay", nn.Adam, {"learning_rate": 0.1, "weight_decay": 0.01}),
        optimizer_case("adam_nesterov", nn.Adam, {"learning_rate": 0.1, "use_nesterov": True}),
        optimizer_case("adamw", nn.AdamWeightDecay, {"learning_rate": 0.1, "weight_decay": 0.01}),
        optimizer_case("adamw_no_decay", nn.AdamWeightDecay, {"learning_rate": 0.1}),
    ]


# ----------------------------------------------------------------------------------------------- defaults

def source_line(rel, class_marker, needle):
    """The first line containing `needle` after `class_marker` in mindspore/<rel>, as 'file:line: text'."""
    path = os.path.join(os.path.dirname(ms.__file__), rel)
    with open(path) as fh:
        lines = fh.readlines()
    start = next(i for i, l in enumerate(lines) if l.startswith(class_marker))
    for i in range(start, len(lines)):
        if needle in lines[i]:
            return "mindspore/%s:%d: %s" % (rel, i + 1, lines[i].strip())
    raise RuntimeError("%s not found in %s" % (needle, rel))


def signature_defaults(cls, names):
    sig = inspect.signature(cls.__init__)
    return {n: (sig.parameters[n].default if not isinstance(sig.parameters[n].default, type) else None) for n in names}


def observed(t):
    a = t.asnumpy().astype(np.float64)
    return {"min": float(a.min()), "max": float(a.max()), "mean": float(a.mean()), "std": float(a.std())}


def defaults():
    ms.set_seed(7)  # only for the 'observed' statistics below; no case uses MindSpore's random init
    he = {"init": "HeUniform", "negative_slope": math.sqrt(5), "mode": "fan_in", "nonlinearity": "leaky_relu",
          "gain": "sqrt(2 / (1 + negative_slope^2)) = sqrt(1/3)",
          "distribution": "U(-b, b), b = sqrt(3) * gain / sqrt(fan_in) = 1 / sqrt(fan_in)"}
    d = nn.Dense(64, 32)
    c = nn.Conv2d(4, 8, 3, has_bias=True)
    e = nn.Embedding(200, 16)
    ln = nn.LayerNorm((5,))
    bn = nn.BatchNorm1d(5)
    sig = lambda cls, ks: {k: v for k, v in signature_defaults(cls, ks).items()}
    return {
        "Dense": {
            "signature": sig(nn.Dense, ["weight_init", "bias_init", "has_bias", "activation"]),
            "weight": dict(he, fan_in="in_channels", shape="[out_channels, in_channels]",
                           source=source_line("nn/layer/basic.py", "class Dense(", "HeUniform(math.sqrt(5))")),
            "bias": {"init": "Uniform", "scale": "1 / sqrt(in_channels)", "distribution": "U(-scale, scale)",
                     "source": source_line("nn/layer/basic.py", "class Dense(", "bound = 1 / math.sqrt(in_channels)")},
            "observed_Dense_64_32": {"weight": observed(d.weight), "bias": observed(d.bias), "bound": 1 / 8},
        },
        "Conv2d": {
            "signature": sig(nn.Conv2d, ["stride", "pad_mode", "padding", "dilation", "group", "has_bias", "weight_init",
                                         "bias_init", "data_format"]),
            "weight": dict(he, fan_in="(in_channels / group) * kernel_h * kernel_w",
                           shape="[out_channels, in_channels / group, kernel_h, kernel_w]",
                           source=source_line("nn/layer/conv.py", "class _Conv(", "HeUniform(math.sqrt(5))")),
            "bias": {"init": "Uniform", "scale": "1 / sqrt(fan_in) (zeros if fan_in == 0)", "distribution": "U(-scale, scale)",
                     "note": "only when has_bias=True; Conv2d's has_bias defaults to False",
                     "source": source_line("nn/layer/conv.py", "class _Conv(", "bound = 1 / math.sqrt(fan_in)")},
            "observed_Conv2d_4_8_k3": {"weight": observed(c.weight), "bias": observed(c.bias), "bound": 1 / 6},
        },
        "Embedding": {
            "signature": sig(nn.Embedding, ["use_one_hot", "embedding_table", "padding_idx"]),
            "embedding_table": {"init": "Normal", "sigma": 0.01, "mean": 0.0, "name": "'normal'",
                                "source": source_line("nn/layer/embedding.py", "class Embedding(", "embedding_table='normal'"),
                                "initializer_source": source_line("common/initializer.py", "class Normal(", "def __init__(self, sigma=0.01")},
            "observed_Embedding_200_16": observed(e.embedding_table),
        },
        "LayerNorm": {
            "signature": sig(nn.LayerNorm, ["begin_norm_axis", "begin_params_axis", "gamma_init", "beta_init", "epsilon"]),
            "gamma": "ones", "beta": "zeros", "epsilon": 1e-7,
            "source": source_line("nn/layer/normalization.py", "class LayerNorm(", "epsilon=1e-7"),
            "observed": {"gamma": observed(ln.gamma), "beta": observed(ln.beta)},
        },
        "BatchNorm1d": {
            "signature": sig(nn.BatchNorm1d, ["eps", "momentum", "affine", "gamma_init", "beta_init", "moving_mean_init",
                                              "moving_var_init", "use_batch_statistics"]),
            "gamma": "ones", "beta": "zeros", "moving_mean (Parameter name 'mean')": "zeros", "moving_variance (Parameter name 'variance')": "ones",
            "parameter_names": [p.name for p in bn.get_parameters()],
            "trainable": [p.name for p in bn.trainable_params()],
            "momentum_convention": "moving = momentum * moving + (1 - momentum) * batch_stat, momentum=0.9 default "
                                   "(the op receives 1 - momentum)",
            "source": source_line("nn/layer/normalization.py", "class _BatchNorm(", "self.momentum = 1.0 - momentum"),
        },
    }


def main():
    doc = {"mindspore_version": ms.__version__, "numpy_version": np.__version__, "mode": "PYNATIVE_MODE", "device": "CPU",
           "generator": "Oracle/nn_oracle.py", "seed": "numpy.random.default_rng(20261122)"}
    doc["layers"] = layers()
    doc["losses"] = losses()
    doc["optimizers"] = optimizers()
    doc["defaults"] = defaults()
    doc["checks"] = CHECKS
    with open(OUT, "w") as fh:
        json.dump(doc, fh)
    bad = [c["name"] for c in CHECKS if not c["ok"]]
    print("layers %d, losses %d, optimizers %d, checks %d (%d failed) -> %s" % (
        len(doc["layers"]), len(doc["losses"]), len(doc["optimizers"]), len(CHECKS), len(bad), os.path.normpath(OUT)))
    if bad:
        print("failed checks: %s" % ", ".join(bad), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
