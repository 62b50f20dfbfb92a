"""BatchNorm2d, BatchNorm1d, InstanceNorm2d and RMSNorm fixtures -> Tests/TapeGradTests/Fixtures/norm_layers.json.

One script, two frameworks; each run fills its own section of the JSON and keeps the other's:

    python3.11 -m venv v && v/bin/pip install mindspore==2.10.0 "numpy<2"
    v/bin/python Oracle/norm_layers_oracle.py          # section "mindspore": nn.BatchNorm2d, nn.BatchNorm1d (CPU, PyNative)

    python3.11 -m venv t && t/bin/pip install torch "numpy<2"
    t/bin/python Oracle/norm_layers_oracle.py          # section "pytorch": nn.InstanceNorm2d, nn.RMSNorm

Why PyTorch for two of them:
- MindSpore 2.10's nn.InstanceNorm2d runs on GPU only ("Unsupported op [InstanceNorm] on CPU"). Its documented
  forward (instance statistics, biased variance, in training and evaluation alike) is PyTorch's
  nn.InstanceNorm2d(affine=True, track_running_stats=False), which is the oracle here; the script also checks
  it against the formula in NumPy.
- MindSpore 2.10 has no RMSNorm layer (ops.rms_norm exists for Ascend only); TapeGrad follows PyTorch's nn.RMSNorm.

BatchNorm2d and BatchNorm1d cases record: the parameters set from this script, the training-mode output, the moving
statistics after one and after two training forwards (MindSpore's rule: moving = momentum * moving + (1 - momentum) *
batch, the variance unbiased over N*H*W — N*L for BatchNorm1d on (N, C, L), N on (N, C) — checked here in NumPy), the gradients of sum(output * sens) with respect to x,
gamma and beta in training mode, and the evaluation-mode output with the statistics after two steps.
"""
import json
import os
import sys

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "TapeGradTests", "Fixtures", "norm_layers.json")


def enc(a):
    a = a.asnumpy() if hasattr(a, "asnumpy") else (a.detach().numpy() if hasattr(a, "detach") else np.asarray(a))
    return {"shape": list(a.shape), "values": [float(v) for v in a.reshape(-1)]}


def close(what, got, want, tol=1e-4):
    err = float(np.max(np.abs(np.asarray(got, np.float64) - want) / (1e-5 + np.abs(want))))
    if err > tol:
        raise SystemExit("%s: relative error %g against the NumPy formula" % (what, err))


def batchnorm2d_cases():
    import mindspore
    from mindspore import Tensor, nn

    mindspore.set_context(mode=mindspore.PYNATIVE_MODE, device_target="CPU")

    def case(name, shape, momentum=0.9, eps=1e-5, affine=True, seed=0, layer="BatchNorm2d"):
        rng = np.random.default_rng(seed)
        n, c = shape[0], shape[1]
        x1 = (rng.standard_normal(shape) * 1.5 + 0.5).astype(np.float32)
        x2 = (rng.standard_normal(shape) * 0.7 - 0.3).astype(np.float32)
        sens = rng.standard_normal(shape).astype(np.float32)
        params = {"gamma": rng.uniform(0.5, 1.5, c), "beta": rng.uniform(-0.5, 0.5, c),
                  "moving_mean": rng.uniform(-0.3, 0.3, c), "moving_variance": rng.uniform(0.6, 1.4, c)}
        params = {k: v.astype(np.float32) for k, v in params.items()}
        net = getattr(nn, layer)(c, eps=eps, momentum=momentum, affine=affine)

        def reset():
            for k, v in params.items():
                getattr(net, k).set_data(Tensor(v))

        reset()
        net.set_train(True)
        out1 = net(Tensor(x1))
        after1 = {k: getattr(net, k).asnumpy().copy() for k in ("moving_mean", "moving_variance")}
        net(Tensor(x2))
        after2 = {k: getattr(net, k).asnumpy().copy() for k in ("moving_mean", "moving_variance")}
        net.set_train(False)
        out_eval = net(Tensor(x1))

        # NumPy: the training output and MindSpore's update rule (unbiased variance over N*H*W).
        axes = (0,) + tuple(range(2, len(shape)))
        m = int(np.prod([shape[a] for a in axes]))
        def stats(x):
            x64 = x.astype(np.float64)
            return x64.mean(axis=axes), x64.var(axis=axes), x64.var(axis=axes) * m / (m - 1)
        mean1, var1, unb1 = stats(x1)
        bc = lambda v: v.reshape((1, c) + (1,) * (len(shape) - 2))
        close(name + " output", out1.asnumpy(), (x1 - bc(mean1)) / np.sqrt(bc(var1) + eps) * bc(params["gamma"]) + bc(params["beta"]))
        exp_mean1 = momentum * params["moving_mean"] + (1 - momentum) * mean1
        exp_var1 = momentum * params["moving_variance"] + (1 - momentum) * unb1
        close(name + " moving_mean", after1["moving_mean"], exp_mean1)
        close(name + " moving_variance (unbiased)", after1["moving_variance"], exp_var1)
        mean2, _, unb2 = stats(x2)
        close(name + " moving_mean step 2", after2["moving_mean"], momentum * exp_mean1 + (1 - momentum) * mean2)
        close(name + " moving_variance step 2", after2["moving_variance"], momentum * exp_var1 + (1 - momentum) * unb2)

        reset()
        net.set_train(True)
        weights = net.trainable_params()
        g = mindspore.grad(lambda t: (net(t) * Tensor(sens)).sum(), grad_position=0, weights=weights if weights else None)(Tensor(x1))
        gx, gw = (g[0], g[1]) if weights else (g, ())
        rec = {"name": name, "layer": layer, "num_features": c, "eps": eps, "momentum": momentum, "affine": affine,
               "x": enc(x1), "x2": enc(x2), "sens": enc(sens), "params": {k: enc(v) for k, v in params.items()},
               "output_train": enc(out1), "grad_x": enc(gx),
               "moving_after_1": {k: enc(v) for k, v in after1.items()},
               "moving_after_2": {k: enc(v) for k, v in after2.items()},
               "output_eval": enc(out_eval)}
        if weights:
            rec["grad_gamma"], rec["grad_beta"] = enc(gw[0]), enc(gw[1])
        return rec

    cases = [case("nchw_2x3x4x5", (2, 3, 4, 5), seed=1),
             case("nchw_4x2x3x3_momentum_0.7_eps_1e-3", (4, 2, 3, 3), momentum=0.7, eps=1e-3, seed=2),
             case("nchw_1x4x2x3_single_image", (1, 4, 2, 3), momentum=0.5, seed=3),
             case("nchw_3x2x1x1_not_affine", (3, 2, 1, 1), affine=False, seed=4)]
    cases1d = [case("ncl_2x3x4", (2, 3, 4), seed=5, layer="BatchNorm1d"),
               case("ncl_3x2x5_momentum_0.7_eps_1e-3", (3, 2, 5), momentum=0.7, eps=1e-3, seed=6, layer="BatchNorm1d"),
               case("ncl_1x4x3_single_sequence_not_affine", (1, 4, 3), momentum=0.5, affine=False, seed=7, layer="BatchNorm1d"),
               case("nc_5x3", (5, 3), seed=8, layer="BatchNorm1d")]
    net = nn.BatchNorm2d(3)
    names = [n for n, _ in net.parameters_and_names()]
    return {"version": mindspore.__version__, "batchnorm2d": cases, "batchnorm1d": cases1d, "batchnorm2d_parameter_names": names}


def pytorch_cases():
    import torch

    def instance_case(name, shape, eps=1e-5, seed=0):
        rng = np.random.default_rng(seed)
        c = shape[1]
        x = (rng.standard_normal(shape) * 1.3 + 0.4).astype(np.float32)
        sens = rng.standard_normal(shape).astype(np.float32)
        gamma = rng.uniform(0.5, 1.5, c).astype(np.float32)
        beta = rng.uniform(-0.5, 0.5, c).astype(np.float32)
        net = torch.nn.InstanceNorm2d(c, eps=eps, affine=True, track_running_stats=False)
        with torch.no_grad():
            net.weight.copy_(torch.from_numpy(gamma))
            net.bias.copy_(torch.from_numpy(beta))
        xt = torch.from_numpy(x).requires_grad_(True)
        out = net(xt)
        (out * torch.from_numpy(sens)).sum().backward()
        x64 = x.astype(np.float64)
        mu, var = x64.mean(axis=(2, 3), keepdims=True), x64.var(axis=(2, 3), keepdims=True)
        close(name + " output", out.detach().numpy(), (x64 - mu) / np.sqrt(var + eps) * gamma.reshape(1, c, 1, 1) + beta.reshape(1, c, 1, 1))
        return {"name": name, "layer": "InstanceNorm2d", "num_features": c, "eps": eps, "x": enc(x), "sens": enc(sens),
                "params": {"gamma": enc(gamma), "beta": enc(beta)}, "output": enc(out), "grad_x": enc(xt.grad),
                "grad_gamma": enc(net.weight.grad), "grad_beta": enc(net.bias.grad)}

    def rms_case(name, shape, normalized, eps=None, seed=0):
        rng = np.random.default_rng(seed)
        x = (rng.standard_normal(shape) * 1.2 + 0.2).astype(np.float32)
        sens = rng.standard_normal(shape).astype(np.float32)
        weight = rng.uniform(0.5, 1.5, normalized).astype(np.float32)
        net = torch.nn.RMSNorm(normalized, eps=eps, elementwise_affine=True)
        with torch.no_grad():
            net.weight.copy_(torch.from_numpy(weight))
        xt = torch.from_numpy(x).requires_grad_(True)
        out = net(xt)
        (out * torch.from_numpy(sens)).sum().backward()
        axes = tuple(range(len(shape) - len(normalized), len(shape)))
        e = np.finfo(np.float32).eps if eps is None else eps
        x64 = x.astype(np.float64)
        close(name + " output", out.detach().numpy(), x64 / np.sqrt((x64 ** 2).mean(axis=axes, keepdims=True) + e) * weight)
        return {"name": name, "layer": "RMSNorm", "normalized_shape": list(normalized), "eps": eps, "x": enc(x), "sens": enc(sens),
                "params": {"weight": enc(weight)}, "output": enc(out), "grad_x": enc(xt.grad), "grad_weight": enc(net.weight.grad)}

    return {"version": torch.__version__,
            "instancenorm2d": [instance_case("nchw_2x3x4x5", (2, 3, 4, 5), seed=11),
                               instance_case("nchw_3x2x3x3_eps_1e-3", (3, 2, 3, 3), eps=1e-3, seed=12),
                               instance_case("nchw_1x4x1x6", (1, 4, 1, 6), seed=13)],
            "rmsnorm": [rms_case("last_axis_eps_default", (2, 3, 4), [4], seed=21),
                        rms_case("last_two_axes_eps_1e-6", (2, 5, 6), [5, 6], eps=1e-6, seed=22),
                        rms_case("matrix_eps_1e-2", (4, 8), [8], eps=1e-2, seed=23)]}


if __name__ == "__main__":
    doc = {}
    if os.path.exists(OUT):
        with open(OUT) as fh:
            doc = json.load(fh)
    try:
        import mindspore  # noqa: F401
        doc["mindspore"] = batchnorm2d_cases()
        which = "mindspore"
    except ImportError:
        doc["pytorch"] = pytorch_cases()
        which = "pytorch"
    with open(OUT, "w") as fh:
        json.dump(doc, fh, indent=1, sort_keys=True)
    print("norm layers (%s section) -> %s" % (which, os.path.normpath(OUT)), file=sys.stderr)
