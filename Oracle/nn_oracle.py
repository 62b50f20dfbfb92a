#!/usr/bin/env python3
"""TapeGrad's oracle for the neural-network layer: layers, losses and optimizers on real MindSpore 2.10
(CPU, PyNative). Every case gives all inputs and parameter values explicitly (never MindSpore's random
initialisation), the forward output, and for layers and losses the gradients with respect to the input and
each parameter under an explicit sens. Writes Tests/TapeGradTests/Fixtures/oracle_nn_cases.json.

    .venv-oracle/bin/python Oracle/nn_oracle.py
"""
import json
import math
import os

import numpy as np
import mindspore as ms
from mindspore import Parameter, Tensor, nn, ops

ms.set_context(mode=ms.PYNATIVE_MODE, device_target="CPU")
RNG = np.random.default_rng(20261122)


def enc(a):
    a = a.asnumpy() if isinstance(a, Tensor) else np.asarray(a)
    vals = [(("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")) if isinstance(v, float) and not math.isfinite(v) else v)
            for v in a.reshape(-1).tolist()]
    return {"dtype": str(a.dtype), "shape": list(a.shape), "values": vals}


def rand(*shape, lo=-1.0, hi=1.0):
    return RNG.uniform(lo, hi, size=shape).astype(np.float32)


def set_params(net, values):
    """Assigns explicit values to every parameter (by name) and returns them encoded."""
    out = {}
    for p in net.get_parameters():
        v = values[p.name] if p.name in values else rand(*p.shape)
        p.set_data(Tensor(np.asarray(v, dtype=np.float32)))
        out[p.name] = dict(enc(p), requires_grad=bool(p.requires_grad))
    return out


def layer_case(name, layer, ctor, x, values=None, train=False, int_input=False):
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
    if not int_input and not layer.__class__.__name__.startswith("Dropout"):
        sens = rand(*y.shape)
        weights = layer.trainable_params()
        fn = ms.grad(layer, grad_position=0, weights=weights if weights else None, sens_param=True)
        g = fn(xt, Tensor(sens))
        if weights:
            gx, gw = g
            case["grad_params"] = {p.name: enc(t) for p, t in zip(weights, gw)}
        else:
            gx = g
        case["sens"] = enc(sens)
        case["grad_input"] = enc(gx)
    elif int_input:
        sens = rand(*y.shape)
        weights = layer.trainable_params()
        fn = ms.grad(layer, grad_position=None, weights=weights, sens_param=True)
        gw = fn(xt, Tensor(sens))
        case["sens"] = enc(sens)
        case["grad_params"] = {p.name: enc(t) for p, t in zip(weights, gw)}
    return case


def layers():
    out = []
    x2 = rand(4, 5)
    out.append(layer_case("dense", nn.Dense(5, 3), {"in_channels": 5, "out_channels": 3}, x2))
    out.append(layer_case("dense_no_bias_relu", nn.Dense(5, 3, has_bias=False, activation="relu"),
                          {"in_channels": 5, "out_channels": 3, "has_bias": False, "activation": "relu"}, x2))
    out.append(layer_case("flatten", nn.Flatten(), {}, rand(2, 3, 2, 2)))
    for cls in ("ReLU", "Sigmoid", "Tanh"):
        out.append(layer_case(cls.lower(), getattr(nn, cls)(), {}, x2))
    out.append(layer_case("gelu_approximate", nn.GELU(), {"approximate": True}, x2))
    out.append(layer_case("gelu_exact", nn.GELU(approximate=False), {"approximate": False}, x2))
    out.append(layer_case("softmax", nn.Softmax(), {"axis": -1}, x2))
    out.append(layer_case("log_softmax_axis0", nn.LogSoftmax(axis=0), {"axis": 0}, x2))
    out.append(layer_case("dropout_eval", nn.Dropout(p=0.5), {"p": 0.5}, x2, train=False))
    out.append(layer_case("embedding", nn.Embedding(6, 3), {"vocab_size": 6, "embedding_size": 3},
                          np.array([[0, 5, 2], [2, 1, 0]], np.int32), int_input=True))
    out.append(layer_case("layer_norm_last", nn.LayerNorm((5,)), {"normalized_shape": [5], "begin_norm_axis": -1, "begin_params_axis": -1}, x2))
    out.append(layer_case("layer_norm_last_two", nn.LayerNorm((3, 4), begin_norm_axis=1, begin_params_axis=1),
                          {"normalized_shape": [3, 4], "begin_norm_axis": 1, "begin_params_axis": 1}, rand(2, 3, 4)))
    out.append(layer_case("batch_norm1d_train", nn.BatchNorm1d(5), {"num_features": 5}, rand(6, 5, lo=-2, hi=3), train=True,
                          values={"moving_mean": rand(5), "moving_variance": rand(5, lo=0.5, hi=1.5)}))
    out.append(layer_case("batch_norm1d_eval", nn.BatchNorm1d(5), {"num_features": 5}, rand(6, 5), train=False,
                          values={"moving_mean": rand(5), "moving_variance": rand(5, lo=0.5, hi=1.5)}))
    img = rand(2, 3, 7, 7)
    convs = [
        ("conv_same", dict(in_channels=3, out_channels=4, kernel_size=3, pad_mode="same", has_bias=True)),
        ("conv_valid", dict(in_channels=3, out_channels=4, kernel_size=3, pad_mode="valid", has_bias=False)),
        ("conv_pad1_stride2", dict(in_channels=3, out_channels=2, kernel_size=3, stride=2, pad_mode="pad", padding=1, has_bias=True)),
        ("conv_dilation2", dict(in_channels=3, out_channels=2, kernel_size=3, dilation=2, pad_mode="valid", has_bias=True)),
        ("conv_same_stride2", dict(in_channels=3, out_channels=2, kernel_size=(2, 3), stride=2, pad_mode="same", has_bias=False)),
    ]
    for name, kw in convs:
        out.append(layer_case(name, nn.Conv2d(**kw), dict(kw, kernel_size=list(kw["kernel_size"]) if isinstance(kw["kernel_size"], tuple) else kw["kernel_size"]), img))
    pools = [
        ("max_pool_2_2", nn.MaxPool2d(kernel_size=2, stride=2), {"kernel_size": 2, "stride": 2, "pad_mode": "valid"}),
        ("max_pool_3_1", nn.MaxPool2d(kernel_size=3, stride=1), {"kernel_size": 3, "stride": 1, "pad_mode": "valid"}),
        ("max_pool_same", nn.MaxPool2d(kernel_size=3, stride=2, pad_mode="same"), {"kernel_size": 3, "stride": 2, "pad_mode": "same"}),
        ("avg_pool_2_2", nn.AvgPool2d(kernel_size=2, stride=2), {"kernel_size": 2, "stride": 2, "pad_mode": "valid"}),
        ("avg_pool_3_1", nn.AvgPool2d(kernel_size=3, stride=1), {"kernel_size": 3, "stride": 1, "pad_mode": "valid"}),
        ("avg_pool_same", nn.AvgPool2d(kernel_size=3, stride=2, pad_mode="same"), {"kernel_size": 3, "stride": 2, "pad_mode": "same"}),
    ]
    for name, layer, ctor in pools:
        out.append(layer_case(name, layer, ctor, img))
    return out


def loss_case(name, loss, ctor, logits, target, grad_target=False):
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
    w = np.array([1.0, 2.0, 0.5, 1.5, 1.0], np.float32)
    bce_t = (rand(3, 4) > 0).astype(np.float32)
    for red in ("none", "mean", "sum"):
        out.append(loss_case("mse_%s" % red, nn.MSELoss(reduction=red), {"reduction": red}, a, b))
        out.append(loss_case("l1_%s" % red, nn.L1Loss(reduction=red), {"reduction": red}, a, b))
        out.append(loss_case("ce_indices_%s" % red, nn.CrossEntropyLoss(reduction=red), {"reduction": red}, logits, idx))
        out.append(loss_case("ce_indices_weight_%s" % red, nn.CrossEntropyLoss(weight=Tensor(w), reduction=red),
                             {"reduction": red, "weight": w.tolist()}, logits, idx))
        out.append(loss_case("ce_probs_%s" % red, nn.CrossEntropyLoss(reduction=red), {"reduction": red}, logits, probs))
        out.append(loss_case("ce_smoothing_%s" % red, nn.CrossEntropyLoss(reduction=red, label_smoothing=0.1),
                             {"reduction": red, "label_smoothing": 0.1}, logits, idx))
        out.append(loss_case("nll_%s" % red, nn.NLLLoss(reduction=red), {"reduction": red}, logits, idx))
        out.append(loss_case("nll_weight_%s" % red, nn.NLLLoss(weight=Tensor(w), reduction=red), {"reduction": red, "weight": w.tolist()}, logits, idx))
        out.append(loss_case("bce_%s" % red, nn.BCEWithLogitsLoss(reduction=red), {"reduction": red}, a * 2, bce_t))
        pw = np.array([1.0, 2.0, 0.5, 3.0], np.float32)
        wt = np.array([0.5, 1.0, 2.0, 1.0], np.float32)
        out.append(loss_case("bce_weights_%s" % red, nn.BCEWithLogitsLoss(reduction=red, weight=Tensor(wt), pos_weight=Tensor(pw)),
                             {"reduction": red, "weight": wt.tolist(), "pos_weight": pw.tolist()}, a * 2, bce_t))
    out.append(loss_case("ce_ignore_index", nn.CrossEntropyLoss(ignore_index=2), {"reduction": "mean", "ignore_index": 2}, logits,
                         np.array([1, 2, 4, 2], np.int32)))
    return out


def optimizer_case(name, cls, kwargs, steps=3):
    p1 = Parameter(Tensor(np.array([[0.5, -1.0], [2.0, 0.25], [-0.75, 1.5]], np.float32)), name="fc.weight")
    p2 = Parameter(Tensor(np.array([0.1, -0.2], np.float32)), name="fc.bias")
    g1 = Tensor(np.array([[0.2, -0.1], [0.05, 0.3], [-0.4, 0.15]], np.float32))
    g2 = Tensor(np.array([-0.3, 0.6], np.float32))
    opt = cls([p1, p2], **kwargs)
    initial = {p.name: enc(p) for p in (p1, p2)}
    after = []
    for _ in range(steps):
        opt((g1, g2))
        after.append({p.name: enc(p) for p in (p1, p2)})
    return {"name": name, "optimizer": cls.__name__, "args": kwargs, "params": initial,
            "grads": {"fc.weight": enc(g1), "fc.bias": enc(g2)}, "after_steps": after}


def optimizers():
    return [
        optimizer_case("sgd_plain", nn.SGD, {"learning_rate": 0.1}),
        optimizer_case("sgd_momentum", nn.SGD, {"learning_rate": 0.1, "momentum": 0.9}),
        optimizer_case("sgd_nesterov", nn.SGD, {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
        optimizer_case("sgd_weight_decay", nn.SGD, {"learning_rate": 0.1, "momentum": 0.9, "weight_decay": 0.01}),
        optimizer_case("sgd_dampening", nn.SGD, {"learning_rate": 0.1, "momentum": 0.9, "dampening": 0.5}),
        optimizer_case("momentum", nn.Momentum, {"learning_rate": 0.1, "momentum": 0.9}),
        optimizer_case("momentum_nesterov", nn.Momentum, {"learning_rate": 0.1, "momentum": 0.9, "use_nesterov": True}),
        optimizer_case("momentum_weight_decay", nn.Momentum, {"learning_rate": 0.1, "momentum": 0.9, "weight_decay": 0.01}),
        optimizer_case("adam", nn.Adam, {"learning_rate": 1e-3}),
        optimizer_case("adam_lr01", nn.Adam, {"learning_rate": 0.1}),
        optimizer_case("adam_weight_decay", nn.Adam, {"learning_rate": 0.1, "weight_decay": 0.01}),
        optimizer_case("adam_nesterov", nn.Adam, {"learning_rate": 0.1, "use_nesterov": True}),
        optimizer_case("adamw", nn.AdamWeightDecay, {"learning_rate": 0.1, "weight_decay": 0.01}),
        optimizer_case("adamw_no_decay", nn.AdamWeightDecay, {"learning_rate": 0.1}),
    ]


def main():
    doc = {"mindspore_version": ms.__version__, "numpy_version": np.__version__, "mode": "PYNATIVE_MODE",
           "layers": layers(), "losses": losses(), "optimizers": optimizers()}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "TapeGradTests", "Fixtures", "oracle_nn_cases.json")
    with open(path, "w") as fh:
        json.dump(doc, fh)
    print("layers %d, losses %d, optimizers %d" % (len(doc["layers"]), len(doc["losses"]), len(doc["optimizers"])))


if __name__ == "__main__":
    main()
