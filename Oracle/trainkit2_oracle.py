"""TapeGrad's oracle for parameter groups and loss scaling, run on real MindSpore 2.10 (CPU, PyNative).

    python3.11 -m venv v && v/bin/pip install mindspore==2.10.0 "numpy<2"
    v/bin/python Oracle/trainkit2_oracle.py      # writes Tests/TapeGradTests/Fixtures/trainkit2.json

The network is SequentialCell([Dense(16, 8, activation='tanh'), Dense(8, 3)]) (parameters 0.weight [8, 16], 0.bias,
1.weight [3, 8], 1.bias) with fixed initial weights, trained with MSELoss (mean) through nn.TrainOneStepCell on a
fixed batch per step; the parameters after every step are recorded.

Groups: Adam, Momentum, SGD, AdamWeightDecay, RMSProp, Adagrad and Adadelta with `group_params` mixing per-group lr (a number or a
LearningRateSchedule), weight_decay, grad_centralization (0.weight has a second dimension of 16, so MindSpore's
Centralization applies to it) and order_params.

MindSpore 2.10 has no CPU kernel for Centralization (the op `grad_centralization` applies), so this script replaces
`optimizer.op_gc` with the op's documented formula in MindSpore ops, g − mean(g, axes, keep_dims=True); everything
around it (when it applies: rank ≥ 2 and shape[1] % 16 == 0, after weight decay, per group) is MindSpore's own code.

The optimizers' own `loss_scale` (SGD, Momentum, Adam, RMSProp, Adagrad, Adadelta): trained through
nn.TrainOneStepCell(sens=loss_scale), as with FixedLossScaleManager(drop_overflow_update=False), with weight decay.

Loss scaling: nn.TrainOneStepWithLossScaleCell with DynamicLossScaleUpdateCell / FixedLossScaleUpdateCell. On CPU,
MindSpore 2.10's default overflow check uses NPUGetFloatStatusV2, which has no CPU kernel ("Unsupported op"), so the
cell below overrides `get_overflow_status` (the documented hook for user cells) with the cell's own IsFinite-based
`_get_distributed_overflow_status_on_infnan_mode` (the GPU/Ascend inf-nan mode): overflow = any non-finite gradient.
Overflow is provoked two ways: a batch of NaN inputs (the loss and every gradient are NaN whatever the scale), and
an initial scale of 2^127 with labels ×1000 (the scaled gradients, ~2^7 unscaled, overflow float32; after a division
by 65536 they are far from it, so the overflow decision does not hang on rounding). Per step: loss, cond, scale_sense, parameters.
"""
import json
import math
import os

import numpy as np
import mindspore
from mindspore import Tensor, nn
from mindspore import ops
from mindspore.nn.optim import optimizer as _optimizer
from mindspore.nn.wrap.loss_scale import _ascend_grad_overflow


class _Centralization(nn.Cell):
    """Centralization's formula (no CPU kernel in MindSpore 2.10): g − mean(g) over `axis`."""
    def construct(self, g, axis):
        return g - ops.mean(g, tuple(axis), True)


_optimizer.op_gc = _Centralization()

mindspore.set_context(mode=mindspore.PYNATIVE_MODE, device_target="CPU")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "TapeGradTests", "Fixtures", "trainkit2.json")

rng = np.random.default_rng(12)
INIT = {
    "0.weight": (rng.standard_normal((8, 16)) * 0.3).astype(np.float32),
    "0.bias": (rng.standard_normal(8) * 0.1).astype(np.float32),
    "1.weight": (rng.standard_normal((3, 8)) * 0.3).astype(np.float32),
    "1.bias": (rng.standard_normal(3) * 0.1).astype(np.float32),
}
BATCHES = [(rng.standard_normal((6, 16)).astype(np.float32), rng.standard_normal((6, 3)).astype(np.float32)) for _ in range(12)]
NAN = (np.full((6, 16), np.nan, np.float32), np.zeros((6, 3), np.float32))


def num(v):
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def enc(x):
    a = x.asnumpy() if hasattr(x, "asnumpy") else np.asarray(x)
    return {"dtype": str(a.dtype), "shape": list(a.shape), "values": [num(v) for v in a.reshape(-1)]}


def make_net():
    net = nn.SequentialCell([nn.Dense(16, 8, activation="tanh"), nn.Dense(8, 3)])
    for name, p in net.parameters_and_names():
        p.set_data(Tensor(INIT[name]))
    params = {name: p for name, p in net.parameters_and_names()}
    return net, params


def snapshot(params):
    return {name: enc(p) for name, p in params.items()}


# MARK: parameter groups

def group_case(name, build, steps=4, describe=None, sens=1.0):
    net, p = make_net()
    opt = build(p)
    train = nn.TrainOneStepCell(nn.WithLossCell(net, nn.MSELoss()), opt, sens=sens)
    after, losses = [], []
    for i in range(steps):
        x, y = BATCHES[i]
        losses.append(num(train(Tensor(x), Tensor(y)).asnumpy()))
        after.append(snapshot(p))
    return {"name": name, "config": describe, "order": [q.name for q in opt.parameters], "losses": losses, "after_steps": after}


def groups():
    cases = []
    cases.append(group_case("adam_groups", lambda p: nn.Adam([
        {"params": [p["0.weight"]], "weight_decay": 0.01, "grad_centralization": True},
        {"params": [p["0.bias"], p["1.weight"]], "lr": 0.01},
        {"params": [p["1.bias"]], "lr": nn.ExponentialDecayLR(0.05, 0.5, 1)},
        {"order_params": [p["0.weight"], p["0.bias"], p["1.weight"], p["1.bias"]]},
    ], learning_rate=0.005, weight_decay=0.001), describe={
        "optimizer": "Adam", "learning_rate": 0.005, "weight_decay": 0.001,
        "groups": [{"params": ["0.weight"], "weight_decay": 0.01, "grad_centralization": True},
                   {"params": ["0.bias", "1.weight"], "lr": 0.01},
                   {"params": ["1.bias"], "lr": {"exponential_decay": [0.05, 0.5, 1]}}],
        "order_params": ["0.weight", "0.bias", "1.weight", "1.bias"]}))
    cases.append(group_case("momentum_groups", lambda p: nn.Momentum([
        {"params": [p["0.weight"], p["1.weight"]], "weight_decay": 0.01},
        {"params": [p["0.bias"], p["1.bias"]], "lr": 0.05},
    ], learning_rate=0.1, momentum=0.9, weight_decay=0.001), describe={
        "optimizer": "Momentum", "learning_rate": 0.1, "momentum": 0.9, "weight_decay": 0.001,
        "groups": [{"params": ["0.weight", "1.weight"], "weight_decay": 0.01},
                   {"params": ["0.bias", "1.bias"], "lr": 0.05}]}))
    cases.append(group_case("sgd_groups_centralized", lambda p: nn.SGD([
        {"params": [p["0.weight"], p["0.bias"]], "grad_centralization": True, "lr": 0.2},
        {"params": [p["1.weight"], p["1.bias"]]},
    ], learning_rate=0.1, momentum=0.5), describe={
        "optimizer": "SGD", "learning_rate": 0.1, "momentum": 0.5,
        "groups": [{"params": ["0.weight", "0.bias"], "grad_centralization": True, "lr": 0.2},
                   {"params": ["1.weight", "1.bias"]}]}))
    cases.append(group_case("adamw_no_decay_for_biases", lambda p: nn.AdamWeightDecay([
        {"params": [p["0.weight"], p["1.weight"]], "weight_decay": 0.1},
        {"params": [p["0.bias"], p["1.bias"]], "weight_decay": 0.0, "lr": 0.02},
    ], learning_rate=0.01), describe={
        "optimizer": "AdamWeightDecay", "learning_rate": 0.01,
        "groups": [{"params": ["0.weight", "1.weight"], "weight_decay": 0.1},
                   {"params": ["0.bias", "1.bias"], "weight_decay": 0.0, "lr": 0.02}]}))
    cases.append(group_case("rmsprop_groups", lambda p: nn.RMSProp([
        {"params": [p["0.weight"]], "grad_centralization": True, "weight_decay": 0.01},
        {"params": [p["0.bias"], p["1.weight"], p["1.bias"]], "lr": 0.002},
    ], learning_rate=0.01, momentum=0.5, centered=True), describe={
        "optimizer": "RMSProp", "learning_rate": 0.01, "momentum": 0.5, "centered": True,
        "groups": [{"params": ["0.weight"], "grad_centralization": True, "weight_decay": 0.01},
                   {"params": ["0.bias", "1.weight", "1.bias"], "lr": 0.002}]}))
    cases.append(group_case("adagrad_groups", lambda p: nn.Adagrad([
        {"params": [p["1.weight"], p["1.bias"]], "lr": 0.05, "weight_decay": 0.02},
        {"params": [p["0.weight"], p["0.bias"]]},
    ], learning_rate=0.1), describe={
        "optimizer": "Adagrad", "learning_rate": 0.1,
        "groups": [{"params": ["1.weight", "1.bias"], "lr": 0.05, "weight_decay": 0.02},
                   {"params": ["0.weight", "0.bias"]}]}))
    cases.append(group_case("adadelta_groups", lambda p: nn.Adadelta([
        {"params": [p["0.weight"], p["1.weight"]], "lr": 0.5, "weight_decay": 0.01},
        {"params": [p["0.bias"], p["1.bias"]]},
    ]), describe={
        "optimizer": "Adadelta", "learning_rate": 1.0,
        "groups": [{"params": ["0.weight", "1.weight"], "lr": 0.5, "weight_decay": 0.01},
                   {"params": ["0.bias", "1.bias"]}]}))
    return cases


# MARK: the optimizers' own loss_scale

def optimizer_loss_scale():
    """Each optimizer that takes `loss_scale`, trained through TrainOneStepCell with sens = loss_scale (MindSpore's
    FixedLossScaleManager(drop_overflow_update=False) pattern); with weight decay, whose scaling by loss_scale the
    optimizer undoes, and one non-power-of-two scale (the float32 reciprocal rounds)."""
    def case(name, ls, build, describe):
        describe = dict(describe, loss_scale=ls)
        return group_case(name, build, describe=describe, sens=ls)
    return [
        case("sgd_loss_scale_1024", 1024.0, lambda p: nn.SGD(list(p.values()), learning_rate=0.1, momentum=0.9, weight_decay=0.01,
                                                           loss_scale=1024.0),
             {"optimizer": "SGD", "learning_rate": 0.1, "momentum": 0.9, "weight_decay": 0.01}),
        case("momentum_loss_scale_1000", 1000.0, lambda p: nn.Momentum(list(p.values()), learning_rate=0.05, momentum=0.9,
                                                                      weight_decay=0.001, loss_scale=1000.0),
             {"optimizer": "Momentum", "learning_rate": 0.05, "momentum": 0.9, "weight_decay": 0.001}),
        case("adam_loss_scale_128", 128.0, lambda p: nn.Adam(list(p.values()), learning_rate=0.01, weight_decay=0.01, loss_scale=128.0),
             {"optimizer": "Adam", "learning_rate": 0.01, "weight_decay": 0.01}),
        case("rmsprop_loss_scale_3", 3.0, lambda p: nn.RMSProp(list(p.values()), learning_rate=0.01, momentum=0.5, centered=True,
                                                              weight_decay=0.02, loss_scale=3.0),
             {"optimizer": "RMSProp", "learning_rate": 0.01, "momentum": 0.5, "centered": True, "weight_decay": 0.02}),
        case("adagrad_loss_scale_64", 64.0, lambda p: nn.Adagrad(list(p.values()), learning_rate=0.1, weight_decay=0.01, loss_scale=64.0),
             {"optimizer": "Adagrad", "learning_rate": 0.1, "weight_decay": 0.01}),
        case("adadelta_loss_scale_10", 10.0, lambda p: nn.Adadelta(list(p.values()), learning_rate=0.5, weight_decay=0.001, loss_scale=10.0),
             {"optimizer": "Adadelta", "learning_rate": 0.5, "weight_decay": 0.001}),
        case("momentum_groups_loss_scale_256", 256.0, lambda p: nn.Momentum([
            {"params": [p["0.weight"]], "weight_decay": 0.01, "grad_centralization": True},
            {"params": [p["0.bias"], p["1.weight"], p["1.bias"]], "lr": 0.05},
        ], learning_rate=0.1, momentum=0.9, loss_scale=256.0), {
            "optimizer": "Momentum", "learning_rate": 0.1, "momentum": 0.9,
            "groups": [{"params": ["0.weight"], "weight_decay": 0.01, "grad_centralization": True},
                       {"params": ["0.bias", "1.weight", "1.bias"], "lr": 0.05}]}),
    ]


# MARK: loss scaling

class CPULossScaleCell(nn.TrainOneStepWithLossScaleCell):
    def get_overflow_status(self, status, compute_output):
        return self._get_distributed_overflow_status_on_infnan_mode(_ascend_grad_overflow, compute_output)


def loss_scale_case(name, make_opt, scale_sense, schedule, describe):
    net, p = make_net()
    opt = make_opt(list(p.values()))
    train = CPULossScaleCell(nn.WithLossCell(net, nn.MSELoss()), opt, scale_sense)
    names = sorted(q.name for q in train.get_parameters())
    steps = []
    for i, kind in enumerate(schedule):
        x, y = NAN if kind == "nan" else BATCHES[i]
        if kind == "big":
            y = y * 1000
        loss, cond, scale = train(Tensor(x), Tensor(y))
        record = {"kind": kind, "batch": i, "loss": num(loss.asnumpy()), "overflow": bool(cond.asnumpy()),
                  "scale_sense": num(scale.asnumpy()), "global_step": int(opt.global_step.asnumpy()[0]), "params": snapshot(p)}
        if hasattr(train.loss_scaling_manager, "cur_iter"):
            record["current_iterator_step"] = int(train.loss_scaling_manager.cur_iter.asnumpy())
            record["last_overflow_iterator_step"] = int(train.loss_scaling_manager.last_overflow_iter.asnumpy())
        steps.append(record)
    return {"name": name, "config": describe, "schedule": schedule, "checkpoint_names": names, "steps": steps}


def loss_scaling():
    mixed = ["ok", "nan", "nan", "nan", "ok", "ok", "ok", "ok", "nan", "ok"]
    return [
        loss_scale_case("dynamic_halves_and_grows_adam", lambda ps: nn.Adam(ps, learning_rate=0.01),
                        nn.DynamicLossScaleUpdateCell(loss_scale_value=4.0, scale_factor=2, scale_window=2), mixed,
                        {"optimizer": "Adam", "learning_rate": 0.01, "update_cell": "dynamic", "loss_scale_value": 4.0,
                         "scale_factor": 2, "scale_window": 2}),
        loss_scale_case("dynamic_huge_initial_scale_momentum", lambda ps: nn.Momentum(ps, learning_rate=1e-5, momentum=0.9),
                        nn.DynamicLossScaleUpdateCell(loss_scale_value=2.0 ** 127, scale_factor=65536, scale_window=3),
                        ["big"] * 9,
                        {"optimizer": "Momentum", "learning_rate": 1e-5, "momentum": 0.9, "update_cell": "dynamic",
                         "loss_scale_value": 2.0 ** 127, "scale_factor": 65536, "scale_window": 3}),
        loss_scale_case("fixed_skips_overflow_momentum", lambda ps: nn.Momentum(ps, learning_rate=0.05, momentum=0.9),
                        nn.FixedLossScaleUpdateCell(1024.0), ["ok", "nan", "ok", "ok"],
                        {"optimizer": "Momentum", "learning_rate": 0.05, "momentum": 0.9, "update_cell": "fixed",
                         "loss_scale_value": 1024.0}),
    ]


if __name__ == "__main__":
    doc = {"mindspore": mindspore.__version__, "initial": {k: enc(v) for k, v in INIT.items()},
           "batches": [{"x": enc(x), "y": enc(y)} for x, y in BATCHES], 
           "groups": groups(), "loss_scaling": loss_scaling(),
           "optimizer_loss_scale": optimizer_loss_scale()}
    with open(OUT, "w") as fh:
        json.dump(doc, fh, indent=1)
    for c in doc["loss_scaling"]:
        print(c["name"], [(s["overflow"], s["scale_sense"]) for s in c["steps"]])
    print("groups %d, loss scaling %d, optimizer loss_scale %d -> %s" % (len(doc["groups"]), len(doc["loss_scaling"]),
                                                                         len(doc["optimizer_loss_scale"]), os.path.normpath(OUT)))
