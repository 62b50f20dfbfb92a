#!/usr/bin/env python3
"""W7 and W8 in PyTorch eager (CPU), the peer figures for TapeGrad's Sequence.swift workloads.

    python3.11 -m venv v && v/bin/pip install torch
    v/bin/python Benchmarks/compare/sequence_torch.py [--reps 20] [--threads 1]

W7: nn.LSTM(128, 256), sequence 64, batch 32, forward + backward of sum(sens * output) w.r.t. the input and
the parameters. W8: nn.TransformerEncoderLayer(256, 4, dim_feedforward=2048, dropout=0.0), sequence 128,
batch 16 (time-major), forward + backward likewise. Prints the median ms (and min, max).
"""
import argparse
import time

import torch

parser = argparse.ArgumentParser()
parser.add_argument("--reps", type=int, default=20)
parser.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (default: torch's choice)")
args = parser.parse_args()
if args.threads > 0:
    torch.set_num_threads(args.threads)
torch.manual_seed(0)


def bench(name, model, x, sens):
    x = x.requires_grad_(True)

    def step():
        model.zero_grad(set_to_none=True)
        x.grad = None
        (model(x)[0] if isinstance(model, torch.nn.LSTM) else model(x)).mul(sens).sum().backward()

    for _ in range(2):
        step()
    times = []
    for _ in range(args.reps):
        s = time.perf_counter()
        step()
        times.append(time.perf_counter() - s)
    times.sort()
    print("%s torch %s eager, %d threads: median %.3f ms (min %.3f, max %.3f)"
          % (name, torch.__version__, torch.get_num_threads(), times[len(times) // 2] * 1e3, times[0] * 1e3, times[-1] * 1e3))


bench("W7", torch.nn.LSTM(128, 256), torch.rand(64, 32, 128) * 2 - 1, torch.rand(64, 32, 256) * 2 - 1)
bench("W8", torch.nn.TransformerEncoderLayer(256, 4, dim_feedforward=2048, dropout=0.0), torch.rand(128, 16, 256) * 2 - 1,
      torch.rand(128, 16, 256) * 2 - 1)
