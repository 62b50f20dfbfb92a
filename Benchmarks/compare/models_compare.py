#!/usr/bin/env python3
"""W6 (CNN training step), W7 (LSTM) and W8 (Transformer encoder layer) in TapeGrad, PyTorch eager and JAX jit,
interleaved round by round, with one TapeGrad ÷ peer ratio table.

    make bench-models                                   # builds tapegrad-bench, then runs this script
    python3 Benchmarks/compare/models_compare.py [--rounds 3] [--threads both|all|1] [--coretype-both]
        [--only W6,W7,W8] [--frameworks tapegrad,torch,jax] [--reps 20] [--quick]
        [--torch-python PATH] [--jax-python PATH] [--tapegrad-bench PATH] [--output models-compare-results.json]
    python3 Benchmarks/compare/models_compare.py --table-only

Venvs: --torch-python / --jax-python name an interpreter; without them the venvs of bench_compare.py are used,
created on first use under .build-venvs/ (torch: ~2.6 GB of wheels from PyPI; jax[cpu]).

Each round runs, for every thread setting, TapeGrad (Benchmarks/.build/release/tapegrad-bench --only …), then
the PyTorch worker, then the JAX worker, each in a fresh process; the table quotes the median over rounds of
each figure and of the per-round TapeGrad ÷ peer ratio (the ratio of figures measured a minute apart, which
matters more than absolute times on a shared machine). Threads = 1: OPENBLAS_NUM_THREADS=1 and
TAPEGRAD_NUM_THREADS=1 for TapeGrad, torch.set_num_threads(1) for PyTorch, and for JAX (which ignores thread
flags and sizes its pool from the affinity mask) `taskset -c 0`. Workers print "@@ {json}" records.

Shapes (float32 everywhere, the same as Benchmarks/Sources/tapegrad-bench/CNN.swift and Sequence.swift):
  W6  x [64, 1, 28, 28] NCHW, conv 3×3 1→32 'same' + bias, relu, maxpool 2/2, conv 3×3 32→64 'same' + bias,
      relu, maxpool 2/2, flatten, dense 3136→10, softmax cross-entropy (mean) on integer labels; "step" is
      the loss and the 6 parameter gradients (no input gradient), "train" adds a momentum-0.9 SGD update
      (MindSpore's Momentum = torch.optim.SGD(momentum=0.9)), "forward" is the loss alone.
  W7  LSTM input 128, hidden 256, time-major x [64, 32, 128]; sum(output · sens), gradients of x and all
      parameters; gate order i, f, g, o.
  W8  post-norm Transformer encoder layer d 256, 4 heads, ff 2048, relu, dropout 0, layer-norm ε 1e-5,
      time-major x [128, 16, 256]; sum(output · sens), gradients of x and all parameters.
"""
import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SELF = os.path.abspath(__file__)
WORKLOADS = ["W6", "W7", "W8"]
ONE_THREAD_ENV = {"OPENBLAS_NUM_THREADS": "1", "TAPEGRAD_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                  "MKL_NUM_THREADS": "1",
                  "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"}
LABEL = {"step": "forward + backward", "train": "training step (momentum SGD)", "forward": "forward only"}


# ==================================================================================================
# Orchestration (standard library only)
# ==================================================================================================

def env_for(threads, coretype):
    env = dict(os.environ)
    env.setdefault("JAX_PLATFORMS", "cpu")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if coretype == "unset":
        env.pop("OPENBLAS_CORETYPE", None)
        env.pop("OPENBLAS_L2_SIZE", None)
    if threads == "1":
        env.update(ONE_THREAD_ENV)
    return env


def tapegrad_key(record):
    """Which peer figure a TapeGrad record pairs with: step, train, forward, or floor (None: not a W6–W8 step)."""
    v = record["variant"]
    if "floor" in v:
        return "floor"
    if record["workload"] == "W6":
        return "train" if "TrainOneStepCell" in v else "forward" if "forward only" in v else "step"
    return "step"


def run_tapegrad(args, threads, coretype, round_no):
    out = tempfile.NamedTemporaryFile(suffix=".json", delete=False).name
    cmd = [args.tapegrad_bench, "--threads", threads, "--only", ",".join(args.only), "--output", out]
    if args.quick:
        cmd.append("--quick")
    print("── round %d, tapegrad, threads %s, OPENBLAS_CORETYPE %s" % (round_no, threads, coretype), flush=True)
    proc = subprocess.run(cmd, env=env_for(threads, coretype), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)
    for line in proc.stdout.splitlines():
        if line[:2] in ("W6", "W7", "W8"):
            print("   " + line, flush=True)
    records = []
    if proc.returncode == 0 and os.path.exists(out):
        with open(out) as fh:
            for r in json.load(fh):
                if r["workload"] in args.only:
                    records.append({"framework": "tapegrad", "workload": r["workload"], "variant": r["variant"],
                                    "key": tapegrad_key(r), "threads": threads, "value": r["value"], "min": r["min"],
                                    "max": r["max"], "floor": r.get("floor"), "metric": r["metric"]})
    else:
        print("   FAILED (exit %d): %s" % (proc.returncode, proc.stdout[-500:]), flush=True)
    if os.path.exists(out):
        os.unlink(out)
    return records


def run_worker(args, framework, threads, coretype, round_no):
    python = getattr(args, framework + "_python")
    if not python:
        # The venvs of bench_compare.py (same folder), created and installed on first use.
        sys.path.insert(0, os.path.dirname(SELF))
        import bench_compare
        python = bench_compare.venv_python(framework)
        setattr(args, framework + "_python", python)
    cmd = [python, SELF, "--worker", framework, "--threads", threads, "--reps", str(args.reps),
           "--only", ",".join(args.only)]
    if framework == "jax" and threads == "1" and shutil.which("taskset"):
        cmd = ["taskset", "-c", "0"] + cmd
    print("── round %d, %s, threads %s, OPENBLAS_CORETYPE %s" % (round_no, framework, threads, coretype), flush=True)
    proc = subprocess.Popen(cmd, env=env_for(threads, coretype), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    records = []
    for line in proc.stdout:
        if line.startswith("@@ "):
            r = json.loads(line[3:])
            r["threads"] = threads
            records.append(r)
            print("   %-3s %-8s %-34s %9.3f ms [%.3f–%.3f]  cpu/wall %.2f" % (
                r["workload"], framework, r["variant"][:34], r["value"], r["min"], r["max"], r["cpu_util"]), flush=True)
        elif line.startswith("# "):
            print("   " + line[2:].rstrip(), flush=True)
    err = proc.stderr.read()
    if proc.wait() != 0:
        print("   FAILED: %s" % " | ".join(err.strip().splitlines()[-3:]), flush=True)
    return records


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds (TapeGrad, PyTorch, JAX each round)")
    ap.add_argument("--threads", default="both", choices=["all", "1", "both"])
    ap.add_argument("--coretype-both", action="store_true",
                    help="every round with OPENBLAS_CORETYPE as in the environment and again with it (and "
                         "OPENBLAS_L2_SIZE) unset")
    ap.add_argument("--only", default=",".join(WORKLOADS))
    ap.add_argument("--frameworks", default="tapegrad,torch,jax")
    ap.add_argument("--reps", type=int, default=0, help="timed repetitions per figure (default 20, --quick 5)")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--torch-python", help="an interpreter with torch (default: bench_compare.py's venv, made on demand)")
    ap.add_argument("--jax-python", help="an interpreter with jax (default: bench_compare.py's venv, made on demand)")
    ap.add_argument("--tapegrad-bench", default=os.path.join(ROOT, "Benchmarks", ".build", "release", "tapegrad-bench"))
    ap.add_argument("--output", default="models-compare-results.json")
    ap.add_argument("--table-only", action="store_true", help="reprint the table from --output")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.only = [w.strip().upper() for w in args.only.split(",") if w.strip()]
    if not args.reps:
        args.reps = 5 if args.quick else 20
    if args.worker:
        return worker(args)
    if args.table_only:
        with open(args.output) as fh:
            print_table(json.load(fh))
        return
    frameworks = [f.strip() for f in args.frameworks.split(",") if f.strip()]
    threads = ["all", "1"] if args.threads == "both" else [args.threads]
    coretypes = ["env", "unset"] if args.coretype_both else ["env"]
    print("OPENBLAS_CORETYPE in this environment: %s; rounds %d; reps %d; workloads %s; frameworks %s" % (
        os.environ.get("OPENBLAS_CORETYPE", "(unset)"), args.rounds, args.reps, ",".join(args.only),
        ",".join(frameworks)), flush=True)
    records = []
    try:
        for round_no in range(1, args.rounds + 1):
            for coretype in coretypes:
                for t in threads:
                    for fw in frameworks:
                        found = run_tapegrad(args, t, coretype, round_no) if fw == "tapegrad" else \
                            run_worker(args, fw, t, coretype, round_no)
                        ct = env_for(t, coretype).get("OPENBLAS_CORETYPE")
                        for r in found:
                            r.update({"round": round_no, "coretype": coretype, "openblas_coretype": ct,
                                      "loadavg": os.getloadavg()[0]})
                        records += found
                        with open(args.output, "w") as fh:
                            json.dump(records, fh, indent=1)
    except KeyboardInterrupt:
        print("\ninterrupted; the table of what ran so far:")
    print_table(records)
    print("\nwrote %s (%d records)" % (args.output, len(records)))


def print_table(records):
    """Per workload, figure, thread and coretype setting: medians over rounds, and the median of the per-round
    TapeGrad ÷ peer ratios (with their range)."""
    med = lambda xs: statistics.median(xs) if xs else None
    settings = sorted({(r["threads"], r.get("openblas_coretype") or "unset") for r in records},
                      key=lambda s: (s[0] != "all", s[1]))
    print("\nTapeGrad ÷ peer — medians over rounds (ms); ratio: median of per-round ratios [min–max] (< 1: TapeGrad faster)")
    print("%-3s %-20s %-3s %-8s %9s %9s %7s %9s %-20s %9s %-20s" % (
        "WL", "figure", "thr", "coretype", "TapeGrad", "floor", "TG÷flr", "PyTorch", "TG÷PyTorch", "JAX jit", "TG÷JAX"))
    for wl in WORKLOADS:
        for key in ("step", "train", "forward"):
            for thr, ct in settings:
                sel = [r for r in records if r["workload"] == wl and r.get("key") == key and r["threads"] == thr
                       and (r.get("openblas_coretype") or "unset") == ct]
                tg = [r for r in sel if r["framework"] == "tapegrad"]
                if not sel:
                    continue
                cells = []
                for peer in ("torch", "jax"):
                    ratios = []
                    for t in tg:
                        p = [r["value"] for r in sel if r["framework"] == peer and r["round"] == t["round"]]
                        if p:
                            ratios.append(t["value"] / p[0])
                    pv = med([r["value"] for r in sel if r["framework"] == peer])
                    cells.append(("%9.2f" % pv if pv else "%9s" % "—",
                                  "%5.2f [%.2f–%.2f]" % (med(ratios), min(ratios), max(ratios)) if ratios else "—"))
                tv = med([t["value"] for t in tg])
                fl = med([t["floor"] for t in tg if t.get("floor")])
                print("%-3s %-20s %-3s %-8s %9s %9s %7s %s %-20s %s %-20s" % (
                    wl, LABEL[key][:20], thr, ct[:8], "%.2f" % tv if tv else "—", "%.2f" % fl if fl else "—",
                    "%.2f" % (tv / fl) if tv and fl else "—", cells[0][0], cells[0][1], cells[1][0], cells[1][1]))


# ==================================================================================================
# Workers (run in the framework's venv; print "@@ {json}" records and "# text" notes)
# ==================================================================================================

def emit(workload, framework, variant, key, times, cpu_util):
    times = sorted(times)
    rec = {"framework": framework, "workload": workload, "variant": variant, "key": key, "metric": "ms",
           "value": statistics.median(times) * 1e3, "min": times[0] * 1e3, "max": times[-1] * 1e3,
           "reps": len(times), "cpu_util": cpu_util}
    print("@@ " + json.dumps(rec), flush=True)


def timed(reps, body):
    """Warm-up (at least 2 calls and 0.3 s), then `reps` timed calls; returns (seconds list, process CPU ÷ wall)."""
    start, n = time.perf_counter(), 0
    while n < 2 or time.perf_counter() - start < 0.3:
        body()
        n += 1
    times = []
    c0, w0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    for _ in range(reps):
        s = time.perf_counter()
        body()
        times.append(time.perf_counter() - s)
    c1, w1 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    cpu = (c1.ru_utime + c1.ru_stime) - (c0.ru_utime + c0.ru_stime)
    return times, cpu / (w1 - w0)


def data(seed):
    import numpy as np
    rng = np.random.default_rng(seed)
    return {
        "W6": (rng.random((64, 1, 28, 28), dtype=np.float32), (np.arange(64) % 10).astype(np.int32)),
        "W7": (rng.uniform(-1, 1, (64, 32, 128)).astype(np.float32), rng.uniform(-1, 1, (64, 32, 256)).astype(np.float32)),
        "W8": (rng.uniform(-1, 1, (128, 16, 256)).astype(np.float32), rng.uniform(-1, 1, (128, 16, 256)).astype(np.float32)),
    }


def worker(args):
    threads = 1 if args.threads == "1" else None
    (torch_worker if args.worker == "torch" else jax_worker)(args, threads, data(0))


def torch_worker(args, threads, d):
    import torch
    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(0)
    print("# torch %s, %d threads, %s" % (torch.__version__, torch.get_num_threads(),
                                          "mkldnn on" if torch.backends.mkldnn.is_available() else "mkldnn off"),
          flush=True)
    fw = "torch"
    if "W6" in args.only:
        nn = torch.nn
        net = nn.Sequential(nn.Conv2d(1, 32, 3, padding="same"), nn.ReLU(), nn.MaxPool2d(2, 2),
                            nn.Conv2d(32, 64, 3, padding="same"), nn.ReLU(), nn.MaxPool2d(2, 2),
                            nn.Flatten(), nn.Linear(7 * 7 * 64, 10))
        x, y = torch.from_numpy(d["W6"][0]), torch.from_numpy(d["W6"][1]).long()
        lossf = nn.CrossEntropyLoss()
        params = list(net.parameters())
        opt = torch.optim.SGD(params, lr=0.01, momentum=0.9)

        def step():
            loss = lossf(net(x), y)
            return torch.autograd.grad(loss, params)

        def train():
            opt.zero_grad(set_to_none=True)
            lossf(net(x), y).backward()
            opt.step()

        def forward():
            with torch.no_grad():
                return lossf(net(x), y)

        for key, body in (("step", step), ("train", train), ("forward", forward)):
            emit("W6", fw, "eager, " + LABEL[key], key, *timed(args.reps, body))
    if "W7" in args.only:
        lstm = torch.nn.LSTM(128, 256)
        x, sens = torch.from_numpy(d["W7"][0]).requires_grad_(True), torch.from_numpy(d["W7"][1])
        params = [x] + list(lstm.parameters())
        emit("W7", fw, "eager, LSTM forward + backward", "step",
             *timed(args.reps, lambda: torch.autograd.grad(lstm(x)[0].mul(sens).sum(), params)))
    if "W8" in args.only:
        layer = torch.nn.TransformerEncoderLayer(256, 4, dim_feedforward=2048, dropout=0.0)
        x, sens = torch.from_numpy(d["W8"][0]).requires_grad_(True), torch.from_numpy(d["W8"][1])
        params = [x] + list(layer.parameters())
        emit("W8", fw, "eager, encoder layer forward + backward", "step",
             *timed(args.reps, lambda: torch.autograd.grad(layer(x).mul(sens).sum(), params)))


def jax_worker(args, threads, d):
    import jax
    import jax.numpy as jnp
    import numpy as np
    from jax import lax
    print("# jax %s, %d CPUs in the affinity mask" % (jax.__version__, len(os.sched_getaffinity(0))), flush=True)
    fw = "jax"
    rng = np.random.default_rng(1)
    u = lambda shape, bound: jnp.asarray(rng.uniform(-bound, bound, shape).astype(np.float32))
    ready = lambda tree: jax.tree_util.tree_map(lambda a: a.block_until_ready(), tree)

    if "W6" in args.only:
        p = {"w1": u((32, 1, 3, 3), 1 / 3), "b1": u((32,), 1 / 3), "w2": u((64, 32, 3, 3), 1 / 17),
             "b2": u((64,), 1 / 17), "w3": u((10, 3136), 1 / 56), "b3": u((10,), 1 / 56)}
        x, y = jnp.asarray(d["W6"][0]), jnp.asarray(d["W6"][1])
        dn = ("NCHW", "OIHW", "NCHW")

        def loss(p, x, y):
            def conv(h, w, b):
                return jax.nn.relu(lax.conv_general_dilated(h, w, (1, 1), "SAME", dimension_numbers=dn)
                                   + b[None, :, None, None])

            def pool(h):
                return lax.reduce_window(h, -jnp.inf, lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")
            h = pool(conv(pool(conv(x, p["w1"], p["b1"])), p["w2"], p["b2"]))
            logits = h.reshape(h.shape[0], -1) @ p["w3"].T + p["b3"]
            return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits), y[:, None], axis=1))

        grad = jax.jit(jax.value_and_grad(loss))

        @jax.jit
        def train(p, v, x, y):
            l, g = jax.value_and_grad(loss)(p, x, y)
            v = jax.tree_util.tree_map(lambda v, g: 0.9 * v + g, v, g)
            return jax.tree_util.tree_map(lambda p, v: p - 0.01 * v, p, v), v, l

        fwd = jax.jit(loss)
        state = [p, jax.tree_util.tree_map(jnp.zeros_like, p)]

        def train_body():
            state[0], state[1], l = train(state[0], state[1], x, y)
            ready(l)

        emit("W6", fw, "jit, " + LABEL["step"], "step", *timed(args.reps, lambda: ready(grad(p, x, y))))
        emit("W6", fw, "jit, " + LABEL["train"], "train", *timed(args.reps, train_body))
        emit("W6", fw, "jit, " + LABEL["forward"], "forward", *timed(args.reps, lambda: ready(fwd(p, x, y))))

    if "W7" in args.only:
        hidden, b = 256, 1 / 16
        p = {"wih": u((1024, 128), b), "whh": u((1024, 256), b), "bih": u((1024,), b), "bhh": u((1024,), b)}
        x, sens = jnp.asarray(d["W7"][0]), jnp.asarray(d["W7"][1])

        def loss(p, x):
            xs = x @ p["wih"].T + p["bih"] + p["bhh"]          # the input projection of all steps at once

            def cell(carry, xt):
                h, c = carry
                i, f, g, o = jnp.split(xt + h @ p["whh"].T, 4, axis=-1)
                c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
                h = jax.nn.sigmoid(o) * jnp.tanh(c)
                return (h, c), h
            zeros = jnp.zeros((x.shape[1], hidden), jnp.float32)
            _, hs = lax.scan(cell, (zeros, zeros), xs)
            return jnp.sum(hs * sens)

        grad = jax.jit(jax.value_and_grad(loss, argnums=(0, 1)))
        emit("W7", fw, "jit, LSTM (lax.scan) forward + backward", "step",
             *timed(args.reps, lambda: ready(grad(p, x))))

    if "W8" in args.only:
        dm, heads, ff = 256, 4, 2048
        p = {"wqkv": u((3 * dm, dm), 1 / 16), "bqkv": jnp.zeros(3 * dm), "wo": u((dm, dm), 1 / 16), "bo": jnp.zeros(dm),
             "w1": u((ff, dm), 1 / 16), "b1": u((ff,), 1 / 16), "w2": u((dm, ff), 1 / 45), "b2": u((dm,), 1 / 45),
             "g1": jnp.ones(dm), "be1": jnp.zeros(dm), "g2": jnp.ones(dm), "be2": jnp.zeros(dm)}
        x, sens = jnp.asarray(d["W8"][0]), jnp.asarray(d["W8"][1])

        def norm(h, g, b):
            mu = h.mean(-1, keepdims=True)
            var = ((h - mu) ** 2).mean(-1, keepdims=True)
            return (h - mu) * lax.rsqrt(var + 1e-5) * g + b

        def layer(p, x):
            length, n, _ = x.shape
            q, k, v = jnp.split(x @ p["wqkv"].T + p["bqkv"], 3, axis=-1)
            split = lambda t: t.reshape(length, n, heads, dm // heads).transpose(1, 2, 0, 3)   # [N, H, L, hd]
            q, k, v = split(q), split(k), split(v)
            att = jax.nn.softmax(q @ k.transpose(0, 1, 3, 2) / jnp.sqrt(dm // heads), axis=-1)
            o = (att @ v).transpose(2, 0, 1, 3).reshape(length, n, dm) @ p["wo"].T + p["bo"]
            h = norm(x + o, p["g1"], p["be1"])
            return norm(h + jax.nn.relu(h @ p["w1"].T + p["b1"]) @ p["w2"].T + p["b2"], p["g2"], p["be2"])

        grad = jax.jit(jax.value_and_grad(lambda p, x: jnp.sum(layer(p, x) * sens), argnums=(0, 1)))
        emit("W8", fw, "jit, encoder layer forward + backward", "step",
             *timed(args.reps, lambda: ready(grad(p, x))))


if __name__ == "__main__":
    main()
