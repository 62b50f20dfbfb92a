"""Grouped and depthwise convolutions (MindSpore's `group` argument) on real MindSpore 2.10 (CPU, PyNative):
nn.Conv2d, nn.Conv1d and nn.Conv2dTranspose with group > 1, for several configurations each: the layer's
parameter shapes (MindSpore's layouts: Conv2d (out, in/group, kh, kw), Conv1d (out, in/group, 1, k),
Conv2dTranspose (in, out/group, kh, kw)), its output, and the gradients of ⟨layer(x), sens⟩ with respect to the
input and every trainable parameter, all from weights set explicitly here (the helpers of conv_layers_oracle.py).
It also records the bound of MindSpore's default initialisers for a grouped layer (weight HeUniform(√5) and bias
U(±1/√fanIn), fanIn read from the grouped weight shape). Written to
Tests/TapeGradTests/Fixtures/grouped_conv.json and read by Tests/TapeGradTests/NN/GroupedConvOracleTests.swift.

    python3.11 -m venv v && v/bin/pip install mindspore==2.10.0 "numpy<2"
    v/bin/python Oracle/grouped_conv_oracle.py
"""
import json
import math
import os
import sys

import numpy as np
import mindspore
from mindspore import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conv_layers_oracle import run  # noqa: E402  (sets MindSpore's CPU PyNative context)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "TapeGradTests", "Fixtures", "grouped_conv.json")


def listed(args):
    return {k: list(v) if isinstance(v, tuple) else v for k, v in args.items()}


def case(layer, name, x_shape, seed, **args):
    net = getattr(nn, layer)(**args)
    return run(name, layer, net, listed(args), x_shape, seed)


def init_bounds():
    """MindSpore's default initialisers on grouped shapes: the weight shape, fan-in, and the largest |w| and |b|."""
    rows = []
    for layer, args in [("Conv2d", dict(in_channels=8, out_channels=16, kernel_size=3, group=8, has_bias=True)),
                        ("Conv1d", dict(in_channels=6, out_channels=12, kernel_size=3, group=3, has_bias=True)),
                        ("Conv2dTranspose", dict(in_channels=16, out_channels=8, kernel_size=3, group=4, has_bias=True))]:
        mindspore.set_seed(7)
        net = getattr(nn, layer)(**args)
        w, b = net.weight.asnumpy(), net.bias.asnumpy()
        fan_in = int(np.prod(w.shape[1:]))
        rows.append({"layer": layer, "args": args, "weight_shape": list(w.shape), "fan_in": fan_in,
                     "bound": 1 / math.sqrt(fan_in), "max_abs_weight": float(np.abs(w).max()),
                     "max_abs_bias": float(np.abs(b).max())})
    return rows


if __name__ == "__main__":
    cases = [
        case("Conv2d", "conv2d_group2_same_bias", (2, 4, 5, 5), 101, in_channels=4, out_channels=6, kernel_size=3, group=2,
             has_bias=True),
        case("Conv2d", "conv2d_depthwise_pad1_stride2_bias", (2, 3, 6, 5), 102, in_channels=3, out_channels=3, kernel_size=3,
             stride=2, pad_mode="pad", padding=1, group=3, has_bias=True),
        case("Conv2d", "conv2d_depth_multiplier2_valid_dilation2", (1, 2, 7, 6), 103, in_channels=2, out_channels=4,
             kernel_size=(2, 3), pad_mode="valid", dilation=2, group=2),
        case("Conv2d", "conv2d_group3_same_stride2", (2, 6, 5, 4), 104, in_channels=6, out_channels=3, kernel_size=3, stride=2,
             group=3),
        case("Conv1d", "conv1d_group2_same_bias", (2, 4, 7), 111, in_channels=4, out_channels=2, kernel_size=3, group=2,
             has_bias=True),
        case("Conv1d", "conv1d_depthwise_stride2", (2, 3, 9), 112, in_channels=3, out_channels=3, kernel_size=3, stride=2,
             group=3),
        case("Conv1d", "conv1d_group2_pad1_dilation2_bias", (1, 4, 8), 113, in_channels=4, out_channels=6, kernel_size=3,
             pad_mode="pad", padding=1, dilation=2, group=2, has_bias=True),
        case("Conv2dTranspose", "convT_group2_same_stride2_bias", (2, 4, 3, 3), 121, in_channels=4, out_channels=6,
             kernel_size=3, stride=2, group=2, has_bias=True),
        case("Conv2dTranspose", "convT_depthwise_pad1_output_padding1", (1, 3, 3, 4), 122, in_channels=3, out_channels=3,
             kernel_size=3, stride=2, pad_mode="pad", padding=1, output_padding=1, group=3),
        case("Conv2dTranspose", "convT_group2_valid_bias", (2, 2, 3, 2), 123, in_channels=2, out_channels=4, kernel_size=(2, 3),
             pad_mode="valid", group=2, has_bias=True),
    ]
    with open(OUT, "w") as fh:
        json.dump({"mindspore": mindspore.__version__, "generator": "Oracle/grouped_conv_oracle.py", "cases": cases,
                   "init": init_bounds()}, fh)
    print("grouped conv cases %d -> %s" % (len(cases), os.path.normpath(OUT)))
