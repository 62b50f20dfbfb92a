#!/usr/bin/env python3
"""The peer side of `make bench-compare`: TapeGrad's workloads W0–W4 on numpy (by hand, no AD), the BLAS
floor, JAX (jit and eager) and MindSpore 2.10 (PyNative), optionally PyTorch, each in its own process, then
one side-by-side table with TapeGrad ÷ peer ratios (read from bench-results.json, written by `make bench`).

    python3 Benchmarks/compare/bench_compare.py [--quick] [--torch] [--threads all|1|both] [--coretype-both]

Virtual environments are created on demand under .build-venvs/ (git-ignored): jax (`jax[cpu]`),
mindspore (`mindspore==2.10.0 "numpy<2"`), torch (only with --torch: its PyPI wheel pulls ~2.6 GB of CUDA
runtime wheels). `--mindspore-python PATH` reuses an existing interpreter that has MindSpore.
Records go to bench-compare-results.json: {framework, variant, workload, threads, metric, value, min, max, coretype}.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
VENVS = os.path.join(ROOT, ".build-venvs")
SELF = os.path.abspath(__file__)

PACKAGES = {
    "numpy": None,                                   # uses whichever venv runs it (jax's has numpy)
    "jax": ["jax[cpu]", "numpy"],
    "mindspore": ["mindspore==2.10.0", "numpy<2"],
    "torch": ["torch", "numpy"],
}


# --------------------------------------------------------------------------------------------------
# Orchestration
# --------------------------------------------------------------------------------------------------

def venv_python(name):
    path = os.path.join(VENVS, name, "bin", "python")
    if not os.path.exists(path):
        print("creating venv %s (pip install %s) …" % (name, " ".join(PACKAGES[name])), flush=True)
        subprocess.run([sys.executable, "-m", "venv", os.path.join(VENVS, name)], check=True)
        subprocess.run([path, "-m", "pip", "install", "-q"] + PACKAGES[name], check=True)
    return path


def run_worker(python, framework, threads, quick, coretype):
    env = dict(os.environ)
    if coretype == "unset":
        env.pop("OPENBLAS_CORETYPE", None)
    if threads == "1":
        env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
                   XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
    args = [python, SELF, "--worker", framework, "--threads", threads] + (["--quick"] if quick else [])
    out = subprocess.run(args, env=env, capture_output=True, text=True)
    records = []
    for line in out.stdout.splitlines():
        if line.startswith("{"):
            r = json.loads(line)
            r["coretype"] = coretype
            records.append(r)
    if out.returncode != 0:
        print("  %s (%s threads) failed: %s" % (framework, threads, out.stderr.strip().splitlines()[-1:] ), flush=True)
    return records


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--torch", action="store_true")
    ap.add_argument("--threads", default="both", choices=["all", "1", "both"])
    ap.add_argument("--coretype-both", action="store_true")
    ap.add_argument("--mindspore-python")
    ap.add_argument("--worker")
    args = ap.parse_args()
    if args.worker:
        return worker(args.worker, args.threads, args.quick)

    frameworks = [("numpy", "jax"), ("jax", "jax"), ("mindspore", "mindspore")] + ([("torch", "torch")] if args.torch else [])
    threads = ["all", "1"] if args.threads == "both" else [args.threads]
    coretypes = ["env", "unset"] if args.coretype_both else ["env"]
    records = []
    for coretype in coretypes:
        for fw, venv in frameworks:
            try:
                python = args.mindspore_python if (fw == "mindspore" and args.mindspore_python) else venv_python(venv)
            except subprocess.CalledProcessError as e:
                print("  could not set up %s: %s" % (venv, e), flush=True)
                continue
            for t in threads:
                print("running %s, %s threads, OPENBLAS_CORETYPE %s …" % (fw, t, coretype), flush=True)
                records += run_worker(python, fw, t, args.quick, coretype)
    with open("bench-compare-results.json", "w") as fh:
        json.dump(records, fh, indent=1)
    print_tables(records)


def print_tables(records):
    tapegrad = []
    if os.path.exists("bench-results.json"):
        with open("bench-results.json") as fh:
            tapegrad = json.load(fh)
    def size(variant):
        # W0 figures are paired by matrix size ("n=1024"); other workloads have one TapeGrad figure.
        return variant.split("n=")[1].split(" ")[0] if "n=" in variant else ""

    keys = sorted({(r["workload"], r["threads"], r["metric"], size(r["variant"])) for r in records})
    print("\n%-4s %-4s %-10s %-34s %10s %12s" % ("WL", "thr", "metric", "framework / variant", "median", "TapeGrad ÷"))
    for wl, thr, metric, n in keys:
        mine = [r for r in tapegrad if r["workload"] == wl and r["threads"] == thr and r["metric"] == metric and size(r.get("variant", "")) == n]
        ours = mine[0]["value"] if mine else None
        if ours is not None:
            print("%-4s %-4s %-10s %-34s %10.3f" % (wl, thr, metric, "TapeGrad: " + mine[0].get("variant", ""), ours))
        for r in [r for r in records if (r["workload"], r["threads"], r["metric"], size(r["variant"])) == (wl, thr, metric, n)]:
            ratio = "" if ours is None or not r["value"] else "%12.2f" % (ours / r["value"])
            label = "%s %s%s" % (r["framework"], r["variant"], "" if r.get("coretype", "env") == "env" else " [coretype unset]")
            print("%-4s %-4s %-10s %-34s %10.3f %s" % (wl, thr, metric, label[:34], r["value"], ratio))
    print("\nwrote bench-compare-results.json (%d records)" % len(records))


# --------------------------------------------------------------------------------------------------
# Workers (run inside the framework's venv)
# --------------------------------------------------------------------------------------------------

def stats(fn, reps, warmup=2):
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    ts.sort()
    return statistics.median(ts), ts[0], ts[-1]


def emit(framework, variant, workload, threads, metric, value, lo=None, hi=None):
    print(json.dumps({"framework": framework, "variant": variant, "workload": workload, "threads": threads,
                      "metric": metric, "value": value, "min": lo, "max": hi}), flush=True)


def worker(framework, threads, quick):
    import numpy as np
    reps = 5 if quick else 20
    rng = np.random.default_rng(0)
    f32 = np.float32

    def mlp_params(batch):
        shapes = [(784, 512), (512,), (512, 512), (512,), (512, 10), (10,)]
        return [(rng.standard_normal(s) * 0.05).astype(f32) for s in shapes], rng.standard_normal((batch, 784)).astype(f32), \
            (np.arange(batch) % 10).astype(np.int32)

    if framework == "numpy":
        # W0 and the floors: numpy's matmul is a direct sgemm on the same OpenBLAS.
        for n in ([256, 512, 1024] if quick else [256, 512, 1024, 2048]):
            a, b = rng.standard_normal((n, n)).astype(f32), rng.standard_normal((n, n)).astype(f32)
            m, lo, hi = stats(lambda: a @ b, reps if n < 2048 else max(5, reps // 4))
            emit("numpy", "matmul n=%d" % n, "W0", threads, "gflops", 2 * n ** 3 / m / 1e9, 2 * n ** 3 / hi / 1e9, 2 * n ** 3 / lo / 1e9)
        (w1, b1, w2, b2, w3, b3), x, y = mlp_params(256)

        def by_hand():
            h1p = x @ w1 + b1; h1 = np.maximum(h1p, 0)
            h2p = h1 @ w2 + b2; h2 = np.maximum(h2p, 0)
            logits = h2 @ w3 + b3
            z = logits - logits.max(1, keepdims=True); p = np.exp(z); p /= p.sum(1, keepdims=True)
            g = p; g[np.arange(len(y)), y] -= 1; g /= len(y)
            dw3 = h2.T @ g; db3 = g.sum(0); d2 = (g @ w3.T) * (h2p > 0)
            dw2 = h1.T @ d2; db2 = d2.sum(0); d1 = (d2 @ w2.T) * (h1p > 0)
            dw1 = x.T @ d1; db1 = d1.sum(0)
            return dw1, db1, dw2, db2, dw3, db3
        m, lo, hi = stats(by_hand, reps)
        emit("numpy", "MLP step by hand (no AD)", "W1", threads, "ms", m * 1e3, lo * 1e3, hi * 1e3)
        g = rng.standard_normal((256, 10)).astype(f32); h = np.zeros((256, 512), f32)

        def blas_only():
            h1 = x @ w1; h2 = h1 @ w2; _ = h2 @ w3
            _ = h2.T @ g; d2 = g @ w3.T; _ = h1.T @ d2; d1 = d2 @ w2.T; _ = x.T @ d1
        m, lo, hi = stats(blas_only, reps)
        emit("numpy", "BLAS calls only (8 sgemm)", "W1", threads, "ms", m * 1e3, lo * 1e3, hi * 1e3)
        return

    if framework == "jax":
        import jax
        import jax.numpy as jnp
        jax.config.update("jax_platform_name", "cpu")
        params, x, y = mlp_params(256)
        params = [jnp.asarray(p) for p in params]
        xj, yj = jnp.asarray(x), jnp.asarray(y)

        def loss(ps, x, y):
            w1, b1, w2, b2, w3, b3 = ps
            h = jax.nn.relu(x @ w1 + b1); h = jax.nn.relu(h @ w2 + b2); logits = h @ w3 + b3
            return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits), y[:, None], 1))
        vg = jax.value_and_grad(loss)
        vg_jit = jax.jit(vg)
        for name, f in (("jit", vg_jit), ("eager", vg)):
            m, lo, hi = stats(lambda: jax.block_until_ready(f(params, xj, yj)), reps)
            emit("jax", name, "W1", threads, "ms", m * 1e3, lo * 1e3, hi * 1e3)

        def chain(x):
            for _ in range(1000):
                x = jnp.tanh(x * 1.01 + 0.1)
            return x.sum()
        x16 = jnp.asarray(rng.standard_normal(16).astype(f32))
        g2 = jax.grad(chain)
        m, lo, hi = stats(lambda: jax.block_until_ready(g2(x16)), max(3, reps // 4), warmup=1)
        emit("jax", "eager", "W2", threads, "us_per_op", m / 3000 * 1e6, lo / 3000 * 1e6, hi / 3000 * 1e6)
        n = 1024
        A, B, C = (jnp.asarray(rng.standard_normal((n, n)).astype(f32)) for _ in range(3))
        f3 = jax.jit(jax.grad(lambda a, b, c: jnp.sum(jax.nn.relu(a @ b) @ c), argnums=(0, 1, 2)))
        m, lo, hi = stats(lambda: jax.block_until_ready(f3(A, B, C)), max(3, reps // 2))
        emit("jax", "jit", "W3", threads, "ms", m * 1e3, lo * 1e3, hi * 1e3)
        return

    if framework == "mindspore":
        import mindspore as ms
        from mindspore import Parameter, Tensor, ops
        ms.set_context(mode=ms.PYNATIVE_MODE, device_target="CPU")
        params, x, y = mlp_params(256)
        ps = [Parameter(Tensor(p), name="p%d" % i) for i, p in enumerate(params)]
        xt, yt = Tensor(x), Tensor(y)
        sce = ops.SparseSoftmaxCrossEntropyWithLogits()

        def loss(x, y):
            h = ops.relu(ops.matmul(x, ps[0]) + ps[1]); h = ops.relu(ops.matmul(h, ps[2]) + ps[3])
            return sce(ops.matmul(h, ps[4]) + ps[5], y)
        vg = ms.value_and_grad(loss, None, ps)
        m, lo, hi = stats(lambda: vg(xt, yt), reps)
        emit("mindspore", "PyNative", "W1", threads, "ms", m * 1e3, lo * 1e3, hi * 1e3)
        m, lo, hi = stats(lambda: [g.asnumpy() for g in vg(xt, yt)[1]], reps)
        emit("mindspore", "PyNative, blocking", "W1", threads, "ms", m * 1e3, lo * 1e3, hi * 1e3)

        def chain(x):
            for _ in range(1000):
                x = ops.tanh(x * 1.01 + 0.1)
            return x.sum()
        x16 = Tensor(rng.standard_normal(16).astype(f32))
        g2 = ms.grad(chain)
        m, lo, hi = stats(lambda: g2(x16).asnumpy(), max(3, reps // 4), warmup=1)
        emit("mindspore", "PyNative", "W2", threads, "us_per_op", m / 3000 * 1e6, lo / 3000 * 1e6, hi / 3000 * 1e6)
        return

    if framework == "torch":
        import torch
        if threads == "1":
            torch.set_num_threads(1)
        params, x, y = mlp_params(256)
        ps = [torch.tensor(p, requires_grad=True) for p in params]
        xt, yt = torch.tensor(x), torch.tensor(y, dtype=torch.long)

        def step():
            h = torch.relu(xt @ ps[0] + ps[1]); h = torch.relu(h @ ps[2] + ps[3])
            loss = torch.nn.functional.cross_entropy(h @ ps[4] + ps[5], yt)
            return torch.autograd.grad(loss, ps)
        m, lo, hi = stats(step, reps)
        emit("torch", "eager", "W1", threads, "ms", m * 1e3, lo * 1e3, hi * 1e3)
        return
    raise SystemExit("unknown framework %s" % framework)


if __name__ == "__main__":
    main()
