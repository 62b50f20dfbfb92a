"""TapeGrad's oracle for the training kit: the optimizers RMSProp, Adagrad, Adadelta and Lamb, MindSpore's
learning-rate schedules, and gradient clipping, run on real MindSpore 2.10 (CPU, PyNative).

    python3.11 -m venv v && v/bin/pip install mindspore==2.10.0 "numpy<2"
    v/bin/python Oracle/optim_oracle.py      # writes Tests/TapeGradTests/Fixtures/oracle_optim_cases.json

Optimizers: two parameters (a 3×2 weight named fc.weight and a 2-vector bias named fc.bias), three steps with a
different gradient each step; the parameters after every step are recorded. Schedules: the rate of steps 0…N.
Clipping: ops.clip_by_global_norm and ops.clip_by_value on a tuple of tensors.
"""
import json
import os

import numpy as np
import mindspore
from mindspore import Parameter, Tensor, nn, ops

mindspore.set_context(mode=mindspore.PYNATIVE_MODE, device_target="CPU")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "TapeGradTests", "Fixtures",
                   "oracle_optim_cases.json")


def enc(x):
    a = x.asnumpy() if hasattr(x, "asnumpy") else np.asarray(x)
    return {"shape": list(a.shape), "values": [float(v) for v in a.reshape(-1)]}


W0 = np.array([[0.5, -1.0], [2.0, 0.25], [-0.75, 1.5]], np.float32)
B0 = np.array([0.1, -0.2], np.float32)
GRADS = [
    (np.array([[0.2, -0.1], [0.05, 0.3], [-0.4, 0.15]], np.float32), np.array([-0.3, 0.6], np.float32)),
    (np.array([[-0.1, 0.25], [0.3, -0.05], [0.2, 0.1]], np.float32), np.array([0.4, -0.2], np.float32)),
    (np.array([[0.05, 0.05], [-0.2, 0.4], [0.1, -0.3]], np.float32), np.array([0.1, 0.3], np.float32)),
]


def optimizer_case(name, cls, kwargs):
    p1 = Parameter(Tensor(W0), name="fc.weight")
    p2 = Parameter(Tensor(B0), name="fc.bias")
    opt = cls([p1, p2], **kwargs)
    after = []
    for gw, gb in GRADS:
        opt((Tensor(gw), Tensor(gb)))
        after.append({p.name: enc(p) for p in (p1, p2)})
    return {"name": name, "optimizer": cls.__name__, "args": kwargs,
            "params": {"fc.weight": enc(W0), "fc.bias": enc(B0)},
            "grads": [{"fc.weight": enc(gw), "fc.bias": enc(gb)} for gw, gb in GRADS], "after_steps": after}


def optimizers():
    return [
        optimizer_case("rmsprop", nn.RMSProp, {"learning_rate": 0.1}),
        optimizer_case("rmsprop_momentum", nn.RMSProp, {"learning_rate": 0.05, "decay": 0.8, "momentum": 0.9, "epsilon": 1e-6}),
        optimizer_case("rmsprop_centered", nn.RMSProp, {"learning_rate": 0.05, "momentum": 0.5, "centered": True, "epsilon": 1e-6}),
        optimizer_case("rmsprop_weight_decay", nn.RMSProp, {"learning_rate": 0.1, "weight_decay": 0.01}),
        optimizer_case("adagrad", nn.Adagrad, {"learning_rate": 0.1}),
        optimizer_case("adagrad_accum", nn.Adagrad, {"learning_rate": 0.1, "accum": 0.5, "weight_decay": 0.01}),
        optimizer_case("adagrad_no_update_slots", nn.Adagrad, {"learning_rate": 0.1, "update_slots": False}),
        optimizer_case("adadelta", nn.Adadelta, {}),
        optimizer_case("adadelta_rho", nn.Adadelta, {"learning_rate": 0.5, "rho": 0.8, "epsilon": 1e-4, "weight_decay": 0.01}),
        lamb_case("lamb", {"learning_rate": 0.1}),
        lamb_case("lamb_weight_decay", {"learning_rate": 0.1, "weight_decay": 0.01, "beta1": 0.8, "beta2": 0.99}),
    ]


def lamb_case(name, kwargs):
    """MindSpore 2.10's CPU backend has no Lamb kernel ("Kernel select failed"), so this case is a numpy (float64)
    re-derivation of nn.Lamb's documented update: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², m̂ = m/(1−β₁ᵗ),
    v̂ = v/(1−β₂ᵗ), r = m̂/(√v̂ + ε) + λw, w ← w − lr·(‖w‖/‖r‖)·r per parameter (ratio 1 when a norm is 0)."""
    h = dict({"beta1": 0.9, "beta2": 0.999, "eps": 1e-6, "weight_decay": 0.0}, **kwargs)
    ps = [W0.astype(np.float64), B0.astype(np.float64)]
    ms, vs = [np.zeros_like(p) for p in ps], [np.zeros_like(p) for p in ps]
    after = []
    for t, grads in enumerate(GRADS, start=1):
        for i, g in enumerate(grads):
            g = g.astype(np.float64)
            ms[i] = h["beta1"] * ms[i] + (1 - h["beta1"]) * g
            vs[i] = h["beta2"] * vs[i] + (1 - h["beta2"]) * g * g
            r = (ms[i] / (1 - h["beta1"] ** t)) / (np.sqrt(vs[i] / (1 - h["beta2"] ** t)) + h["eps"]) + h["weight_decay"] * ps[i]
            wn, rn = np.linalg.norm(ps[i]), np.linalg.norm(r)
            ps[i] = ps[i] - h["learning_rate"] * (wn / rn if wn > 0 and rn > 0 else 1.0) * r
        after.append({"fc.weight": enc(ps[0]), "fc.bias": enc(ps[1])})
    return {"name": name, "optimizer": "Lamb", "args": kwargs, "reference": "numpy re-derivation (no CPU kernel in MindSpore 2.10)",
            "params": {"fc.weight": enc(W0), "fc.bias": enc(B0)},
            "grads": [{"fc.weight": enc(gw), "fc.bias": enc(gb)} for gw, gb in GRADS], "after_steps": after}


def schedule_case(name, make, args, steps=12):
    sched = make(**args)
    rates = [float(sched(Tensor(np.array(s, np.int32))).asnumpy()) for s in range(steps)]
    return {"name": name, "schedule": make.__name__, "args": args, "rates": rates}


def schedules():
    cases = [
        schedule_case("warmup", nn.WarmUpLR, {"learning_rate": 0.1, "warmup_steps": 4}),
        schedule_case("cosine_decay", nn.CosineDecayLR, {"min_lr": 0.01, "max_lr": 0.1, "decay_steps": 8}),
        schedule_case("polynomial_decay", nn.PolynomialDecayLR,
                      {"learning_rate": 0.1, "end_learning_rate": 0.01, "decay_steps": 6, "power": 0.5}),
        schedule_case("polynomial_decay_update", nn.PolynomialDecayLR,
                      {"learning_rate": 0.1, "end_learning_rate": 0.01, "decay_steps": 4, "power": 2.0, "update_decay_steps": True}),
        schedule_case("exponential_decay", nn.ExponentialDecayLR, {"learning_rate": 0.1, "decay_rate": 0.9, "decay_steps": 4}),
        schedule_case("exponential_decay_stair", nn.ExponentialDecayLR,
                      {"learning_rate": 0.1, "decay_rate": 0.9, "decay_steps": 4, "is_stair": True}),
        schedule_case("natural_exp_decay", nn.NaturalExpDecayLR, {"learning_rate": 0.1, "decay_rate": 0.9, "decay_steps": 4}),
        schedule_case("natural_exp_decay_stair", nn.NaturalExpDecayLR,
                      {"learning_rate": 0.1, "decay_rate": 0.9, "decay_steps": 4, "is_stair": True}),
        schedule_case("inverse_decay", nn.InverseDecayLR, {"learning_rate": 0.1, "decay_rate": 0.5, "decay_steps": 4}),
        schedule_case("inverse_decay_stair", nn.InverseDecayLR,
                      {"learning_rate": 0.1, "decay_rate": 0.5, "decay_steps": 4, "is_stair": True}),
    ]
    piecewise = nn.piecewise_constant_lr([2, 5, 10], [0.1, 0.05, 0.01])
    cases.append({"name": "piecewise_constant", "schedule": "piecewise_constant_lr",
                  "args": {"milestone": [2, 5, 10], "learning_rates": [0.1, 0.05, 0.01]}, "rates": [float(r) for r in piecewise]})
    return cases


def clipping():
    xs = [np.array([[3.0, -4.0], [1.0, 2.0]], np.float32), np.array([0.5, -12.0], np.float32)]
    out = []
    for clip in (1.0, 5.0, 100.0):
        clipped = ops.clip_by_global_norm(tuple(Tensor(x) for x in xs), clip_norm=clip)
        out.append({"name": "global_norm_%g" % clip, "kind": "global_norm", "clip": clip,
                    "inputs": [enc(x) for x in xs], "outputs": [enc(c) for c in clipped]})
    for lo, hi in ((-1.0, 1.0), (-0.5, 2.5)):
        clipped = [ops.clip_by_value(Tensor(x), lo, hi) for x in xs]
        out.append({"name": "value_%g_%g" % (lo, hi), "kind": "value", "min": lo, "max": hi,
                    "inputs": [enc(x) for x in xs], "outputs": [enc(c) for c in clipped]})
    return out


if __name__ == "__main__":
    doc = {"mindspore": mindspore.__version__, "optimizers": optimizers(), "schedules": schedules(), "clipping": clipping()}
    with open(OUT, "w") as fh:
        json.dump(doc, fh, indent=1)
    print("optimizers %d, schedules %d, clipping %d -> %s" % (
        len(doc["optimizers"]), len(doc["schedules"]), len(doc["clipping"]), os.path.normpath(OUT)))
