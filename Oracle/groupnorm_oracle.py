"""GroupNorm on real MindSpore 2.10 (CPU, PyNative): outputs and gradients with respect to the input, gamma and beta
for a fixed cotangent, written to Tests/TapeGradTests/Fixtures/oracle_groupnorm.json.

    python3.11 -m venv v && v/bin/pip install mindspore==2.10.0 "numpy<2"
    v/bin/python Oracle/groupnorm_oracle.py
"""
import json
import os

import numpy as np
import mindspore
from mindspore import Tensor, nn, ops

mindspore.set_context(mode=mindspore.PYNATIVE_MODE, device_target="CPU")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "TapeGradTests", "Fixtures", "oracle_groupnorm.json")


def enc(a):
    a = a.asnumpy() if hasattr(a, "asnumpy") else np.asarray(a)
    return {"shape": list(a.shape), "values": [float(v) for v in a.reshape(-1)]}


def case(name, shape, groups, eps=1e-5, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(np.float32)
    c = shape[1]
    gamma = rng.uniform(0.5, 1.5, c).astype(np.float32)
    beta = rng.uniform(-0.5, 0.5, c).astype(np.float32)
    sens = rng.standard_normal(shape).astype(np.float32)
    net = nn.GroupNorm(groups, c, eps=eps)
    net.gamma.set_data(Tensor(gamma))
    net.beta.set_data(Tensor(beta))
    out = net(Tensor(x))
    gx, gw = mindspore.grad(lambda t: (net(t) * Tensor(sens)).sum(), grad_position=0, weights=net.trainable_params())(Tensor(x))
    return {"name": name, "groups": groups, "eps": eps, "x": enc(x), "gamma": enc(gamma), "beta": enc(beta), "sens": enc(sens),
            "output": enc(out), "grad_x": enc(gx), "grad_gamma": enc(gw[0]), "grad_beta": enc(gw[1])}


if __name__ == "__main__":
    cases = [case("nchw_2_groups", (2, 4, 3, 3), 2, seed=1), case("nchw_1_group", (3, 6, 2, 2), 1, seed=2),
             case("nchw_per_channel", (2, 3, 4, 4), 3, eps=1e-3, seed=3)]
    with open(OUT, "w") as fh:
        json.dump({"mindspore": mindspore.__version__, "cases": cases}, fh, indent=1)
    print("groupnorm cases %d -> %s" % (len(cases), os.path.normpath(OUT)))
