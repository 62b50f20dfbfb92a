#!/usr/bin/env python3
"""W1 at batch 32 and widths 128, 512, 2048 (784→w→w→10, relu, softmax cross-entropy, loss and the 6 parameter
gradients): TapeGrad's step (`tapegrad-bench --only W11`, every ProductThreading mode, beside its 8-sgemm floor)
against JAX jit's `value_and_grad`, the goal of issue 13 ("W1 at batch 32 × width 512 and 2048 (2 threads):
≤ 1.0× JAX jit"). Interleaved: TapeGrad, then JAX, for --rounds rounds, each in a fresh process.

    swift build -c release --package-path Benchmarks --product tapegrad-bench
    python3 Benchmarks/compare/skinny_w1.py [--rounds 2] [--jax-python PATH] [--output skinny-w1-results.json]

Without --jax-python the JAX venv of bench_compare.py is used (created on first use under .build-venvs/).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SELF = os.path.abspath(__file__)
WIDTHS = [128, 512, 2048]
BATCH = 32


def jax_worker(reps):
    import numpy as np
    import jax
    import jax.numpy as jnp
    jax.config.update("jax_platforms", "cpu")

    def loss(ps, x, y):
        w1, b1, w2, b2, w3, b3 = ps
        h = jax.nn.relu(x @ w1.T + b1)
        h = jax.nn.relu(h @ w2.T + b2)
        logits = h @ w3.T + b3
        return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits), y[:, None], axis=1))

    vg = jax.jit(jax.value_and_grad(loss))
    out = {}
    for w in WIDTHS:
        rng = np.random.default_rng(0)
        ps = []
        for fan_in, fan_out in ((784, w), (w, w), (w, 10)):
            bound = (6.0 / fan_in) ** 0.5
            ps += [jnp.asarray(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32)),
                   jnp.asarray(rng.uniform(-0.1, 0.1, (fan_out,)).astype(np.float32))]
        x = jnp.asarray(rng.standard_normal((BATCH, 784)).astype(np.float32))
        y = jnp.asarray(rng.integers(0, 10, BATCH).astype(np.int32))
        n = reps if w < 2048 else max(5, reps // 2)
        start = time.perf_counter()
        while time.perf_counter() - start < 0.3:          # warm-up: compile, thread pools
            jax.block_until_ready(vg(ps, x, y))
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            jax.block_until_ready(vg(ps, x, y))
            times.append(time.perf_counter() - t0)
        out[w] = statistics.median(times) * 1e3
    print("@@ " + json.dumps(out))


def tapegrad_run(bench):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        path = fh.name
    subprocess.run([bench, "--only", "W11", "--threads", "all", "--output", path], check=True,
                   stdout=subprocess.DEVNULL)
    with open(path) as fh:
        records = json.load(fh)
    os.unlink(path)
    found = {}
    for r in records:
        v = r.get("variant", "")
        for w in WIDTHS:
            prefix = "W1 b%d w%d " % (BATCH, w)
            if v.startswith(prefix):
                found.setdefault(w, {})[v[len(prefix):]] = r["value"]
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--jax-python", help="an interpreter with jax (default: bench_compare.py's venv)")
    ap.add_argument("--tapegrad-bench", default=os.path.join(ROOT, "Benchmarks", ".build", "release", "tapegrad-bench"))
    ap.add_argument("--output", default="skinny-w1-results.json")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return jax_worker(args.reps)
    python = args.jax_python
    if not python:
        sys.path.insert(0, os.path.dirname(SELF))
        import bench_compare
        python = bench_compare.venv_python("jax")
    print("OPENBLAS_CORETYPE in this environment: %s; 2 threads; rounds %d" % (
        os.environ.get("OPENBLAS_CORETYPE", "(unset)"), args.rounds), flush=True)
    rounds = []
    for k in range(args.rounds):
        tg = tapegrad_run(args.tapegrad_bench)
        env = dict(os.environ, JAX_PLATFORMS="cpu", TF_CPP_MIN_LOG_LEVEL="2")
        res = subprocess.run([python, SELF, "--worker", "--reps", str(args.reps)], env=env, check=True,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        jx = next(json.loads(l[3:]) for l in res.stdout.splitlines() if l.startswith("@@ "))
        rounds.append({"tapegrad": {str(w): v for w, v in tg.items()}, "jax_jit_ms": jx})
        print("round %d done" % (k + 1), flush=True)
    with open(args.output, "w") as fh:
        json.dump({"coretype": os.environ.get("OPENBLAS_CORETYPE"), "rounds": rounds}, fh, indent=1)
    print("\nW1 at batch %d, 2 threads — medians over rounds (ms); ratios: median of per-round ratios" % BATCH)
    print("%-6s %9s %9s %11s %9s %9s %9s %9s %10s %9s" % ("width", "floor", "openBLAS", "partitioned", "automatic",
                                                       "JAX jit", "auto÷flr", "oBLAS÷JAX", "part.÷JAX", "auto÷JAX"))
    for w in WIDTHS:
        key = str(w)
        rows = [r for r in rounds if key in r["tapegrad"] and key in r["jax_jit_ms"]]
        if not rows:
            print("%-6d (no W11 figures: W11 runs width 2048 only without --quick)" % w)
            continue
        get = lambda r, name: next((v for n, v in r["tapegrad"][key].items() if n.startswith(name)), None)
        floor = statistics.median(get(r, "8 × cblas_sgemm") for r in rows)
        ob = statistics.median(get(r, "step, ProductThreading.openBLAS") for r in rows)
        part = statistics.median(get(r, "step, ProductThreading.partitioned") for r in rows)
        auto = statistics.median(get(r, "step, ProductThreading.automatic") for r in rows)
        jx = statistics.median(r["jax_jit_ms"][key] for r in rows)
        ratio = lambda name: statistics.median(get(r, name) / r["jax_jit_ms"][key] for r in rows)
        print("%-6d %9.3f %9.3f %11.3f %9.3f %9.3f %9.2f %9.2f %10.2f %9.2f" % (
            w, floor, ob, part, auto, jx, auto / floor, ratio("step, ProductThreading.openBLAS"),
            ratio("step, ProductThreading.partitioned"), ratio("step, ProductThreading.automatic")))
    print("\nwrote %s" % args.output)


if __name__ == "__main__":
    main()
