"""Conv1d, Conv2dTranspose, AdaptiveAvgPool2d and Upsample (every mode but trilinear) on real MindSpore 2.10 (CPU, PyNative): for several
configurations per layer, the layer's parameter shapes, its output, and the gradients of ⟨layer(x), sens⟩ with
respect to the input and every trainable parameter, all from weights set explicitly here. Written to
Tests/TapeGradTests/Fixtures/conv_layers.json and read by Tests/TapeGradTests/NN/ConvLayersOracleTests.swift.
It also saves a net holding a Conv1d and a Conv2dTranspose with MindSpore's own
save_checkpoint(format="safetensors") to Fixtures/conv_layers.safetensors (names conv.weight, conv.bias, up.weight,
up.bias), with its parameters and outputs in the JSON's "checkpoint" entry, so the test loads MindSpore's file
strictly into TapeGrad's layers and gets MindSpore's numbers.

    python3.11 -m venv v && v/bin/pip install mindspore==2.10.0 "numpy<2"
    v/bin/python Oracle/conv_layers_oracle.py

Every case here runs on MindSpore's CPU backend; no PyTorch fallback was needed (MindSpore 2.10 CPU has nearest
for 3-D/4-D, linear for 3-D and bilinear for 4-D, each with its backward).
"""
import json
import os

import numpy as np
import mindspore
from mindspore import Tensor, nn

mindspore.set_context(mode=mindspore.PYNATIVE_MODE, device_target="CPU")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "TapeGradTests", "Fixtures", "conv_layers.json")


def enc(a):
    a = a.asnumpy() if hasattr(a, "asnumpy") else np.asarray(a)
    return {"shape": list(a.shape), "values": [float(v) for v in a.reshape(-1)]}


def run(name, layer, net, args, x_shape, seed):
    """Sets every parameter from a seeded generator, then records output and gradients."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape).astype(np.float32)
    params = {}
    for p in net.trainable_params():
        value = rng.uniform(-1, 1, p.shape).astype(np.float32)
        p.set_data(Tensor(value))
        params[p.name.split(".")[-1]] = enc(value)
    out = net(Tensor(x))
    sens = rng.standard_normal(out.shape).astype(np.float32)
    weights = net.trainable_params()
    if weights:
        gx, gw = mindspore.grad(lambda t: (net(t) * Tensor(sens)).sum(), grad_position=0, weights=weights)(Tensor(x))
        grads = {p.name.split(".")[-1]: enc(g) for p, g in zip(weights, gw)}
    else:
        gx = mindspore.grad(lambda t: (net(t) * Tensor(sens)).sum(), grad_position=0)(Tensor(x))
        grads = {}
    return {"name": name, "layer": layer, "args": args, "x": enc(x), "params": params, "sens": enc(sens),
            "output": enc(out), "grad_x": enc(gx), "grad_params": grads}


def conv1d(name, x_shape, seed, **args):
    net = nn.Conv1d(**args)
    return run(name, "Conv1d", net, args, x_shape, seed)


def conv2d_transpose(name, x_shape, seed, **args):
    net = nn.Conv2dTranspose(**args)
    return run(name, "Conv2dTranspose", net, {k: list(v) if isinstance(v, tuple) else v for k, v in args.items()}, x_shape, seed)


def adaptive(name, x_shape, seed, output_size):
    net = nn.AdaptiveAvgPool2d(output_size)
    size = list(output_size) if isinstance(output_size, tuple) else output_size
    return run(name, "AdaptiveAvgPool2d", net, {"output_size": size}, x_shape, seed)


def upsample(name, x_shape, seed, **args):
    net = nn.Upsample(**args)
    return run(name, "Upsample", net, {k: list(v) if isinstance(v, tuple) else v for k, v in args.items()}, x_shape, seed)


class CheckpointNet(nn.Cell):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(3, 4, 3, stride=2, has_bias=True)
        self.up = nn.Conv2dTranspose(4, 2, (2, 3), stride=2, has_bias=True)

    def construct(self, x):
        return self.conv(x)


def checkpoint_case():
    """MindSpore's default initialisers (seeded), saved by MindSpore; outputs of both layers."""
    mindspore.set_seed(5)
    net = CheckpointNet()
    path = os.path.join(os.path.dirname(OUT), "conv_layers.safetensors")
    mindspore.save_checkpoint(net, path, format="safetensors")
    rng = np.random.default_rng(50)
    x1 = rng.standard_normal((2, 3, 9)).astype(np.float32)
    x2 = rng.standard_normal((1, 4, 3, 2)).astype(np.float32)
    return {"params": {p.name: enc(p.asnumpy()) for p in net.get_parameters()}, "x_conv": enc(x1), "x_up": enc(x2),
            "out_conv": enc(net.conv(Tensor(x1))), "out_up": enc(net.up(Tensor(x2)))}


if __name__ == "__main__":
    cases = [
        conv1d("conv1d_same_bias", (2, 3, 7), 1, in_channels=3, out_channels=4, kernel_size=3, has_bias=True),
        conv1d("conv1d_same_stride2", (2, 2, 8), 2, in_channels=2, out_channels=3, kernel_size=4, stride=2),
        conv1d("conv1d_valid_stride2_dilation2", (1, 3, 11), 3, in_channels=3, out_channels=2, kernel_size=3, stride=2,
               pad_mode="valid", dilation=2),
        conv1d("conv1d_pad2_bias", (2, 2, 5), 4, in_channels=2, out_channels=2, kernel_size=3, pad_mode="pad", padding=2,
               has_bias=True),
        conv2d_transpose("convT_same_bias", (2, 3, 4, 5), 11, in_channels=3, out_channels=2, kernel_size=3, has_bias=True),
        conv2d_transpose("convT_same_stride2", (1, 2, 3, 4), 12, in_channels=2, out_channels=3, kernel_size=3, stride=2),
        conv2d_transpose("convT_valid_stride2", (2, 2, 3, 3), 13, in_channels=2, out_channels=2, kernel_size=3, stride=2,
                         pad_mode="valid", has_bias=True),
        conv2d_transpose("convT_valid_kernel_below_stride", (1, 2, 3, 2), 14, in_channels=2, out_channels=2, kernel_size=2,
                         stride=3, pad_mode="valid"),
        conv2d_transpose("convT_pad1_stride2_output_padding1_bias", (1, 2, 3, 3), 15, in_channels=2, out_channels=3,
                         kernel_size=3, stride=2, pad_mode="pad", padding=1, output_padding=1, has_bias=True),
        conv2d_transpose("convT_pad_tuple_dilation2", (1, 2, 4, 3), 16, in_channels=2, out_channels=2, kernel_size=(2, 3),
                         stride=(1, 2), pad_mode="pad", padding=(1, 0, 2, 1), dilation=(2, 1)),
        conv2d_transpose("convT_valid_dilation2_nonsquare", (1, 1, 3, 4), 17, in_channels=1, out_channels=2, kernel_size=(2, 3),
                         pad_mode="valid", dilation=2),
        adaptive("adaptive_5x7_to_3x4", (2, 3, 5, 7), 21, (3, 4)),
        adaptive("adaptive_none_height", (1, 2, 5, 6), 22, (None, 4)),
        adaptive("adaptive_none_width", (1, 2, 5, 6), 23, (2, None)),
        adaptive("adaptive_3d_input_int", (3, 7, 5), 24, 3),
        adaptive("adaptive_upsizing_3x2_to_5x4", (1, 2, 3, 2), 25, (5, 4)),
        adaptive("adaptive_exact_6x6_to_3", (1, 1, 6, 6), 26, 3),
        upsample("nearest_4d_up", (1, 2, 4, 5), 31, size=(7, 8)),
        upsample("nearest_4d_down", (2, 1, 5, 7), 32, size=(3, 3), mode="nearest"),
        upsample("nearest_3d", (2, 2, 5), 33, size=8),
        upsample("nearest_recomputed_scale", (1, 1, 3, 4), 34, scale_factor=1.5, recompute_scale_factor=True),
        upsample("bilinear_half_pixel", (1, 2, 4, 5), 35, size=(7, 9), mode="bilinear"),
        upsample("bilinear_align_corners", (1, 2, 4, 5), 36, size=(7, 9), mode="bilinear", align_corners=True),
        upsample("bilinear_down", (2, 1, 5, 5), 37, size=(3, 2), mode="bilinear"),
        upsample("bilinear_scale2", (1, 1, 3, 3), 38, scale_factor=(2.0, 2.0), mode="bilinear", recompute_scale_factor=True),
        upsample("bilinear_align_corners_to_1", (1, 1, 3, 4), 39, size=(1, 3), mode="bilinear", align_corners=True),
        upsample("linear_half_pixel", (2, 2, 4), 40, size=7, mode="linear"),
        upsample("linear_align_corners", (2, 2, 4), 41, size=7, mode="linear", align_corners=True),
        upsample("linear_down", (1, 2, 7), 42, size=3, mode="linear"),
        upsample("nearest_exact_4d_up", (1, 2, 4, 5), 43, size=(7, 8), mode="nearest-exact"),
        upsample("nearest_exact_3d_down", (2, 2, 7), 44, size=3, mode="nearest-exact"),
        upsample("nearest_exact_recomputed_scale", (1, 1, 3, 4), 45, scale_factor=1.5, mode="nearest-exact",
                 recompute_scale_factor=True),
        upsample("area_4d_up", (1, 2, 3, 5), 46, size=(7, 8), mode="area"),
        upsample("area_4d_down", (2, 1, 7, 9), 47, size=(3, 4), mode="area"),
        upsample("area_scale_half", (1, 1, 4, 6), 48, scale_factor=(0.5, 0.5), mode="area"),
        upsample("area_3d_divisible", (2, 2, 8), 49, size=4, mode="area"),
        upsample("bicubic_half_pixel", (1, 2, 4, 5), 50, size=(7, 9), mode="bicubic"),
        upsample("bicubic_align_corners", (1, 2, 4, 5), 51, size=(7, 9), mode="bicubic", align_corners=True),
        upsample("bicubic_down", (2, 1, 6, 7), 52, size=(3, 4), mode="bicubic"),
        upsample("bicubic_align_corners_to_1", (1, 1, 3, 4), 53, size=(1, 3), mode="bicubic", align_corners=True),
        upsample("bicubic_recomputed_scale", (1, 1, 3, 3), 54, scale_factor=(2.0, 2.0), mode="bicubic", recompute_scale_factor=True),
    ]
    with open(OUT, "w") as fh:
        json.dump({"mindspore": mindspore.__version__, "generator": "Oracle/conv_layers_oracle.py", "cases": cases,
                   "checkpoint": checkpoint_case()}, fh)
    print("conv layer cases %d -> %s" % (len(cases), os.path.normpath(OUT)))
