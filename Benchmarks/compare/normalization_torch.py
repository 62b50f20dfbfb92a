#!/usr/bin/env python3
"""BN in PyTorch eager (CPU), the peer figure for TapeGrad's Normalization.swift workload.

    python3.11 -m venv v && v/bin/pip install torch
    v/bin/python Benchmarks/compare/normalization_torch.py [--reps 20] [--threads 1]

BN: nn.BatchNorm2d(32) in training mode on (64, 32, 26, 26), forward + backward of sum(sens * output) with respect
to the input, weight and bias. Prints the median ms (and min, max).
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

model = torch.nn.BatchNorm2d(32).train()
x = torch.randn(64, 32, 26, 26).requires_grad_(True)
sens = torch.rand(64, 32, 26, 26) * 2 - 1


def step():
    model.zero_grad(set_to_none=True)
    x.grad = None
    model(x).mul(sens).sum().backward()


for _ in range(2):
    step()
times = []
for _ in range(args.reps):
    s = time.perf_counter()
    step()
    times.append(time.perf_counter() - s)
times.sort()
print("BN torch %s eager, %d threads: median %.3f ms (min %.3f, max %.3f)"
      % (torch.__version__, torch.get_num_threads(), times[len(times) // 2] * 1e3, times[0] * 1e3, times[-1] * 1e3))
