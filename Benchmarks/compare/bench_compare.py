#!/usr/bin/env python3
"""The peer side of `make bench-compare`: TapeGrad's workloads W0–W4 on numpy (by hand, no AD, and the
bare BLAS calls), JAX (jit and eager), MindSpore 2.10 (PyNative) and, with --torch, PyTorch (eager).

    python3 Benchmarks/compare/bench_compare.py [--quick] [--torch] [--threads all|1|both]
        [--only W0,W1,...] [--frameworks numpy,cblas,jax,mindspore,mindspore-sync] [--coretype-both]
        [--mindspore-python PATH] [--jax-python PATH] [--torch-python PATH] [--output FILE]

`cblas` is the system OpenBLAS's sgemm through ctypes (W0 only); `mindspore-sync` is MindSpore after
mindspore.runtime.launch_blocking() (variants marked "(launch_blocking)"). See README.md beside this file.
Each framework runs in its own process (this file re-invoked with --worker FRAMEWORK), one process per
thread setting (and per OPENBLAS_CORETYPE setting with --coretype-both); each W4 figure runs in a process of
its own. Virtual environments are created on demand (python3.11 -m venv) under .build-venvs/ (git-ignored):
  jax        jax[cpu]                      (also runs the numpy worker)
  mindspore  mindspore==2.10.0 "numpy<2"
  torch      torch (only with --torch: the PyPI wheel pulls ~2.6 GB of CUDA runtime wheels)
Records go to bench-compare-results.json in the working directory; if bench-results.json (written by
`make bench`) is there too, a side-by-side table with TapeGrad ÷ peer ratios is printed at the end.
The orchestrator needs only the standard library.
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
VENVS = os.path.join(ROOT, ".build-venvs")
SELF = os.path.abspath(__file__)
WORKLOADS = ["W0", "W1", "W2", "W3", "W4"]

PACKAGES = {
    "jax": ["jax[cpu]"],
    "mindspore": ["mindspore==2.10.0", "numpy<2"],
    "torch": ["torch", "numpy"],
}
# "mindspore-sync" is MindSpore again with mindspore.runtime.launch_blocking() (synchronous op launch, no
# asynchronous PyNative pipeline); its records say framework "mindspore", variant "… (launch_blocking)".
VENV_OF = {"numpy": "jax", "cblas": "jax", "jax": "jax", "mindspore": "mindspore", "mindspore-sync": "mindspore", "torch": "torch"}
IMPORT_OF = {"jax": "jax", "mindspore": "mindspore", "torch": "torch"}
# W4 runs each of these W1 variants in a fresh process of its own.
W4_VARIANTS = {"numpy": ["by hand (no AD)"], "cblas": [], "jax": ["jit", "eager"], "mindspore": ["PyNative"],
               "mindspore-sync": ["PyNative"], "torch": ["eager"]}

ONE_THREAD_ENV = {
    "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1",
}


# ==================================================================================================
# Orchestration (runs under any python3, standard library only)
# ==================================================================================================

def find_python311():
    exe = shutil.which("python3.11")
    if exe:
        return exe
    if sys.version_info[:2] == (3, 11):
        return sys.executable
    raise SystemExit("python3.11 not found: the venvs are made with `python3.11 -m venv`")


def venv_python(name, override=None):
    """The interpreter for venv `name`, creating the venv and installing its packages on first use."""
    if override:
        return override
    home = os.path.join(VENVS, name)
    python = os.path.join(home, "bin", "python")
    stamp = os.path.join(home, ".tapegrad-ok")
    if os.path.exists(stamp) and os.path.exists(python):
        return python
    if name == "torch":
        print("note: PyPI's torch wheel pulls ~2.6 GB of CUDA runtime wheels (the CPU index is not reachable)",
              flush=True)
    if not os.path.exists(python):
        print("creating venv .build-venvs/%s …" % name, flush=True)
        subprocess.run([find_python311(), "-m", "venv", home], check=True)
    print("pip install %s into .build-venvs/%s (this can take minutes) …" % (" ".join(PACKAGES[name]), name),
          flush=True)
    subprocess.run([python, "-m", "pip", "install", "-q"] + PACKAGES[name], check=True)
    subprocess.run([python, "-c", "import numpy, %s" % IMPORT_OF[name]], check=True)
    with open(stamp, "w") as fh:
        fh.write("ok\n")
    return python


def worker_env(threads, coretype):
    env = dict(os.environ)
    env.setdefault("JAX_PLATFORMS", "cpu")
    env["TF_CPP_MIN_LOG_LEVEL"] = env.get("TF_CPP_MIN_LOG_LEVEL", "2")
    env["GLOG_v"] = env.get("GLOG_v", "3")          # MindSpore: errors only on stderr
    if coretype == "unset":
        # the two are set together on machines where older OpenBLAS builds misdetect the CPU: unset them together
        env.pop("OPENBLAS_CORETYPE", None)
        env.pop("OPENBLAS_L2_SIZE", None)
    if threads == "1":
        for k, v in ONE_THREAD_ENV.items():
            env[k] = (env[k] + " " + v) if (k == "XLA_FLAGS" and env.get(k)) else v
    return env


def cpu_busy_fraction(seconds=1.0):
    """The fraction of all CPUs' time spent busy over `seconds` (from /proc/stat; our own process sleeps)."""
    def sample():
        with open("/proc/stat") as fh:
            fields = [int(v) for v in fh.readline().split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
        return sum(fields), idle
    t0, i0 = sample()
    time.sleep(seconds)
    t1, i1 = sample()
    return 1.0 - (i1 - i0) / max(t1 - t0, 1)


def wait_until_idle(args):
    """Refuses to time while other work keeps the CPUs busy: waits up to --busy-wait seconds for the machine to
    fall below --busy-threshold, then stops (or, with --force, goes on and says so in the notes)."""
    if args.busy_threshold >= 1:
        return
    deadline = time.time() + args.busy_wait
    while True:
        busy = cpu_busy_fraction()
        if busy <= args.busy_threshold:
            return
        if time.time() > deadline:
            msg = "the CPUs are %.0f %% busy with other work (threshold %.0f %%, waited %d s)" % (
                100 * busy, 100 * args.busy_threshold, args.busy_wait)
            if args.force:
                print("   warning: timing anyway (--force): " + msg, flush=True)
                args.forced_notes.append("timed while busy: " + msg)
                return
            raise SystemExit("refusing to time: %s; stop the other work, or pass --force" % msg)
        print("   waiting: CPUs %.0f %% busy with other work …" % (100 * busy), flush=True)
        time.sleep(4)


class Runner:
    def __init__(self, args):
        self.args = args
        self.records = []
        self.notes = []
        os.makedirs(os.path.join(VENVS, "logs"), exist_ok=True)

    def run(self, python, framework, threads, coretype, extra, label):
        wait_until_idle(self.args)
        args = [python, SELF, "--worker", framework, "--threads", threads, "--reps", str(self.args.reps),
                "--only", ",".join(self.args.only)] + (["--quick"] if self.args.quick else []) \
            + (["--no-pin"] if self.args.no_pin else []) + extra
        log = os.path.join(VENVS, "logs", "%s-%s-%s-%s.log" % (framework, threads, coretype, label))
        print("── %s, threads %s, OPENBLAS_CORETYPE %s%s" % (
            framework, threads, coretype, "" if label == "main" else ", " + label), flush=True)
        with open(log, "w") as err:
            proc = subprocess.Popen(args, env=worker_env(threads, coretype), stdout=subprocess.PIPE,
                                    stderr=err, text=True, cwd=os.getcwd(), start_new_session=True)
            timer = threading.Timer(self.args.worker_timeout, lambda: os.killpg(proc.pid, signal.SIGKILL))
            timer.start()
            try:
                for line in proc.stdout:
                    if line.startswith("@@ "):
                        r = json.loads(line[3:])
                        r["coretype"] = coretype
                        r["openblas_coretype"] = worker_env(threads, coretype).get("OPENBLAS_CORETYPE")
                        self.records.append(r)
                        print("   %-3s %-10s %-40s %s%s" % (
                            r["workload"], r["framework"], r["variant"][:40], fmt_cell(r),
                            "  (cpu/wall %.2f)" % r["cpu_util"] if r.get("cpu_util") is not None else ""), flush=True)
                    elif line.startswith("# "):
                        print("   " + line[2:].rstrip(), flush=True)
                        if "MISMATCH" in line or "note:" in line:
                            self.notes.append("%s/%s/%s: %s" % (framework, threads, coretype, line[2:].strip()))
                rc = proc.wait()
            except KeyboardInterrupt:
                os.killpg(proc.pid, signal.SIGKILL)
                raise
            finally:
                timer.cancel()
        if rc != 0:
            with open(log) as fh:
                tail = [l.rstrip() for l in fh if l.strip()][-3:]
            msg = "%s (threads %s, coretype %s, %s) exited %d; see %s: %s" % (
                framework, threads, coretype, label, rc, os.path.relpath(log), " | ".join(tail))
            print("   FAILED: " + msg, flush=True)
            self.notes.append("FAILED " + msg)
        self.save()

    def save(self):
        with open(self.args.output, "w") as fh:
            json.dump(self.records, fh, indent=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="5 reps per figure, W0 without n=2048 (smoke run)")
    ap.add_argument("--torch", action="store_true", help="also PyTorch (pulls ~2.6 GB of CUDA wheels)")
    ap.add_argument("--frameworks", default="numpy,cblas,jax,mindspore,mindspore-sync",
                    help="comma list of numpy, cblas, jax, mindspore, mindspore-sync, torch (torch added by --torch)")
    ap.add_argument("--only", default=",".join(WORKLOADS), help="comma list of workloads, e.g. W1,W3")
    ap.add_argument("--threads", default="both", choices=["all", "1", "both"])
    ap.add_argument("--coretype-both", action="store_true",
                    help="run everything with OPENBLAS_CORETYPE as in the environment and again with it unset")
    ap.add_argument("--no-pin", action="store_true",
                    help="threads=1: do not pin the worker to one CPU (JAX ignores the thread flags otherwise)")
    ap.add_argument("--reps", type=int, default=0, help="timed repetitions per figure (default 20, --quick 5)")
    ap.add_argument("--mindspore-python", help="reuse this interpreter (with mindspore) instead of a venv")
    ap.add_argument("--jax-python", help="reuse this interpreter (with jax) instead of a venv")
    ap.add_argument("--torch-python", help="reuse this interpreter (with torch) instead of a venv")
    ap.add_argument("--output", default="bench-compare-results.json")
    ap.add_argument("--tapegrad", default="bench-results.json", help="TapeGrad's results for the ratio table")
    ap.add_argument("--worker-timeout", type=float, default=3600.0, help="seconds before a worker is killed")
    ap.add_argument("--table-only", action="store_true", help="only print the tables from --output")
    ap.add_argument("--busy-threshold", type=float, default=0.15,
                    help="refuse to time while more than this fraction of the CPUs is busy with other work (1 = never)")
    ap.add_argument("--busy-wait", type=int, default=120, help="seconds to wait for the machine to become idle")
    ap.add_argument("--force", action="store_true", help="time even when the machine is busy (noted in the output)")
    ap.add_argument("--chart", help="the SVG bar chart of TapeGrad ÷ peer ratios (default: --output with .svg)")
    ap.add_argument("--markdown", help="also write the tables as Markdown (the README's performance section is this file)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--w4", help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.only = [w.strip().upper() for w in args.only.split(",") if w.strip()]
    args.forced_notes = []
    if not args.chart:
        args.chart = os.path.splitext(args.output)[0] + ".svg"
    if not args.reps:
        args.reps = 5 if args.quick else 20
    if args.worker:
        return worker(args)
    if args.table_only:
        with open(args.output) as fh:
            records = json.load(fh)
        rows = print_tables(records, args.tapegrad)
        write_chart(rows, args.chart)
        write_markdown(records, args.tapegrad, rows, args)
        return

    frameworks = [f.strip() for f in args.frameworks.split(",") if f.strip()]
    if args.torch and "torch" not in frameworks:
        frameworks.append("torch")
    overrides = {"mindspore": args.mindspore_python, "jax": args.jax_python, "torch": args.torch_python}
    overrides["numpy"] = overrides["cblas"] = args.jax_python
    overrides["mindspore-sync"] = args.mindspore_python
    threads = ["all", "1"] if args.threads == "both" else [args.threads]
    coretypes = ["env", "unset"] if args.coretype_both else ["env"]
    print("OPENBLAS_CORETYPE in this environment: %s" % os.environ.get("OPENBLAS_CORETYPE", "(unset)"))
    if args.coretype_both and "OPENBLAS_CORETYPE" not in os.environ:
        print("note: OPENBLAS_CORETYPE is not set, so the 'env' and 'unset' runs are the same setting")
    print("reps per figure: %d%s; workloads %s; frameworks %s\n" % (
        args.reps, " (quick)" if args.quick else "", ",".join(args.only), ",".join(frameworks)))

    runner = Runner(args)
    pythons = {}
    for fw in frameworks:
        if fw not in VENV_OF:
            raise SystemExit("unknown framework %s (numpy, cblas, jax, mindspore, mindspore-sync, torch)" % fw)
        try:
            pythons[fw] = venv_python(VENV_OF[fw], overrides.get(fw))
        except (subprocess.CalledProcessError, OSError) as e:
            print("could not set up %s: %s — skipping it" % (fw, e), flush=True)
            runner.notes.append("skipped %s: venv setup failed (%s)" % (fw, e))
    try:
        for coretype in coretypes:
            for fw in frameworks:
                if fw not in pythons:
                    continue
                for t in threads:
                    if any(w in args.only for w in (("W0",) if fw == "cblas" else ("W0", "W1", "W2", "W3"))):
                        runner.run(pythons[fw], fw, t, coretype, [], "main")
                    if "W4" in args.only:
                        for i, v in enumerate(W4_VARIANTS[fw]):
                            runner.run(pythons[fw], fw, t, coretype, ["--w4", v], "W4-%d" % i)
    except KeyboardInterrupt:
        print("\ninterrupted; tables of what ran so far:")
    runner.save()
    rows = print_tables(runner.records, args.tapegrad)
    write_chart(rows, args.chart)
    runner.notes += args.forced_notes
    write_markdown(runner.records, args.tapegrad, rows, args, runner.notes)
    if runner.notes:
        print("\nnotes:")
        for n in runner.notes:
            print("  " + n)
    print("\nwrote %s (%d records)" % (args.output, len(runner.records)))


# --------------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------------

def fmt(v):
    if v is None:
        return "—"
    a = abs(v)
    return "%.0f" % v if a >= 1000 else "%.1f" % v if a >= 100 else "%.2f" % v if a >= 1 else "%.3f" % v


def fmt_cell(r):
    s = "%s %s" % (fmt(r["value"]), r["metric"])
    if r.get("min") is not None and r.get("max") is not None:
        s += " [%s–%s]" % (fmt(r["min"]), fmt(r["max"]))
    return s


HIGHER_IS_BETTER = {"gflops", "efficiency", "steps_per_s"}


def size_key(r):
    v = r.get("variant", "")
    return v.split("n=")[1].split()[0].rstrip(")") if r["workload"] == "W0" and "n=" in v else ""


def print_tables(records, tapegrad_path):
    order = {"all": 0, "1": 1, "env": 0, "unset": 1}
    cols = sorted({(r["threads"], r.get("coretype", "env")) for r in records},
                  key=lambda c: (order.get(c[0], 9), order.get(c[1], 9)))
    two_ct = len({c[1] for c in cols}) > 1
    head = ["thr %s%s" % (t, ("/ct " + c) if two_ct else "") for t, c in cols]
    for wl in WORKLOADS:
        rows = []
        for r in records:
            if r["workload"] != wl:
                continue
            key = (r["framework"], r["variant"], r["metric"])
            if key not in rows:
                rows.append(key)
        if not rows:
            continue
        print("\n%s — median [min–max]" % wl)
        print("%-10s %-40s %-10s " % ("framework", "variant", "metric") + " ".join("%-24s" % h for h in head))
        for fw, var, metric in rows:
            cells = []
            for t, c in cols:
                m = [r for r in records if (r["workload"], r["framework"], r["variant"], r["metric"], r["threads"],
                                            r.get("coretype", "env")) == (wl, fw, var, metric, t, c)]
                cells.append("%-24s" % (fmt_cell(m[0]).replace(" " + metric, "") if m else "—"))
            print("%-10s %-40s %-10s " % (fw, var[:40], metric) + " ".join(cells))

    if not tapegrad_path or not os.path.exists(tapegrad_path):
        print("\n(no %s here: run `make bench` first for the TapeGrad ÷ peer table)" % tapegrad_path)
        return []
    with open(tapegrad_path) as fh:
        ours = json.load(fh)
    # A ratio is only taken between figures measured with the same OPENBLAS_CORETYPE (a forced kernel can be
    # twice as slow as the auto-detected one): TapeGrad's records say which kernel setting they ran with.
    ours_ct = {r.get("coretype", "?") for r in ours}
    if "?" in ours_ct:
        print("\n%s has no coretype field (written by an older make bench): run `make bench` again for the ratio "
              "table" % tapegrad_path)
        return []
    print("\nTapeGrad (%s) vs peers — TapeGrad ÷ peer, same OPENBLAS_CORETYPE only; 'better' says who wins "
          "(ms/µs/MB: lower, GFLOP/s/efficiency: higher)" % tapegrad_path)
    print("%-3s %-3s %-9s %-10s %-34s %9s %-44s %9s %8s %s" % ("WL", "thr", "coretype", "metric", "TapeGrad variant",
                                                            "TapeGrad", "peer", "peer", "TG÷peer", "better"))
    rows = []
    skipped = 0
    for wl in WORKLOADS:
        for thr in ("all", "1"):
            peers = [r for r in records if r["workload"] == wl and r["threads"] == thr]
            for metric in sorted({r["metric"] for r in peers}):
                for n in sorted({size_key(r) for r in peers if r["metric"] == metric}, key=lambda s: int(s or 0)):
                    mine = [r for r in ours if r.get("workload") == wl and r.get("threads") == thr
                            and r.get("metric") == metric and size_key(r) == n]
                    for r in [r for r in peers if r["metric"] == metric and size_key(r) == n]:
                        same = [m for m in mine if m.get("coretype") == r.get("openblas_coretype")]
                        if not same:
                            skipped += 1 if mine else 0
                            continue
                        tg = same[0]          # the first (primary) TapeGrad variant of this figure
                        ratio = tg["value"] / r["value"] if r["value"] else None
                        better = "" if ratio is None else \
                            ("TapeGrad" if (ratio > 1) == (metric in HIGHER_IS_BETTER) else "peer")
                        if ratio is not None and abs(ratio - 1) < 0.03:
                            better = "≈"
                        ct = r.get("openblas_coretype") or "unset"
                        peer = "%s %s" % (r["framework"], r["variant"])
                        print("%-3s %-3s %-9s %-10s %-34s %9s %-44s %9s %8s %s" % (
                            wl, thr, ct[:9], metric, tg["variant"][:34], fmt(tg["value"]), peer[:44], fmt(r["value"]),
                            "—" if ratio is None else "%.2f" % ratio, better))
                        if ratio is not None:
                            rows.append({"workload": wl, "threads": thr, "coretype": ct, "metric": metric,
                                         "peer": peer, "ratio": ratio, "tapegrad_better": better == "TapeGrad",
                                         "higher_is_better": metric in HIGHER_IS_BETTER})
    if skipped:
        print("(%d peer figures have no TapeGrad figure with the same OPENBLAS_CORETYPE: run `make bench` with that "
              "setting too, e.g. `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE make bench`)" % skipped)
    return rows


def write_chart(rows, path):
    """A horizontal bar chart of 'how many times faster TapeGrad is' per peer figure (> 1: TapeGrad ahead),
    on a log scale, grouped by workload; written beside the JSON."""
    if not rows or not path:
        return
    import math
    speedups = [(r, (r["ratio"] if r["higher_is_better"] else 1 / r["ratio"])) for r in rows if r["ratio"] > 0]
    lo = min(0.25, min(v for _, v in speedups) / 1.2)
    hi = max(4.0, max(v for _, v in speedups) * 1.2)
    left, width, bar, top = 380, 520, 16, 60
    height = top + len(speedups) * (bar + 4) + 60
    x = lambda v: left + width * (math.log(v) - math.log(lo)) / (math.log(hi) - math.log(lo))
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">'
           % (left + width + 40, height), '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="24" font-size="15">TapeGrad vs peers: how many times faster TapeGrad is '
           '(same machine, same run; log scale)</text>' % 10,
           '<text x="%d" y="42" fill="#555">bars right of 1× favour TapeGrad; ms, µs/op and MB inverted so that '
           'right is always better</text>' % 10]
    for tick in [t for t in (0.1, 0.25, 0.5, 1, 2, 4, 10, 100, 1000) if lo <= t <= hi]:
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s"/>' % (
            x(tick), top - 6, x(tick), height - 40, "#333" if tick == 1 else "#ddd"))
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%g×</text>' % (x(tick), height - 24, tick))
    for k, (r, v) in enumerate(speedups):
        y = top + k * (bar + 4)
        label = "%s %s thr %s %s · %s" % (r["workload"], r["metric"], r["threads"], r["coretype"], r["peer"])
        out.append('<text x="%d" y="%d" text-anchor="end">%s</text>' % (
            left - 6, y + bar - 4, label[:64].replace("&", "&amp;").replace("<", "&lt;")))
        x0, x1 = sorted((x(1), x(v)))
        out.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"/>' % (
            x0, y, max(x1 - x0, 1), bar, "#27ae60" if v >= 1 else "#c0392b"))
        out.append('<text x="%.1f" y="%d" fill="#333">%.2f×</text>' % (max(x(v), x(1)) + 4, y + bar - 4, v))
    out.append("</svg>")
    with open(path, "w") as fh:
        fh.write("\n".join(out) + "\n")
    print("wrote %s (%d bars)" % (path, len(speedups)))


def machine_line():
    """CPU model, core count and the AVX-512 flag, read from /proc/cpuinfo (Linux)."""
    model, flags, cpus = "unknown CPU", set(), 0
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "model name":
                    model, cpus = value.strip(), cpus + 1
                elif key == "flags":
                    flags = set(value.split())
    except OSError:
        pass
    simd = "AVX-512" if "avx512f" in flags else "AVX2, no AVX-512" if "avx2" in flags else "no AVX2"
    return "%s, %d CPUs, %s" % (model, cpus, simd)


def write_markdown(records, tapegrad_path, rows, args, notes=()):
    """The tables as Markdown: TapeGrad's own figures beside their floors (from `make bench`'s JSON), then every
    TapeGrad ÷ peer ratio of the same OPENBLAS_CORETYPE. The README's performance section is pasted from it."""
    if not args.markdown:
        return
    ours = []
    if tapegrad_path and os.path.exists(tapegrad_path):
        with open(tapegrad_path) as fh:
            ours = json.load(fh)
    out = ["<!-- written by `python3 Benchmarks/compare/bench_compare.py --markdown` on %s; do not edit by hand -->"
           % time.strftime("%Y-%m-%d"), "",
           "Machine: %s. OPENBLAS_CORETYPE in the environment: `%s`. Peer figures: medians of %s repetitions." % (
               machine_line(), os.environ.get("OPENBLAS_CORETYPE", "(unset)"),
               "/".join(str(n) for n in sorted({r["reps"] for r in records if r.get("reps")})) or args.reps), ""]
    if ours:
        out += ["**TapeGrad (`make bench`) beside its floor measured in the same run**", "",
                "| workload | variant | threads | coretype | median | floor | ratio |", "|---|---|---|---|---|---|---|"]
        for r in ours:
            out.append("| %s | %s | %s | %s | %s %s | %s | %s |" % (
                r.get("workload"), r.get("variant", "").replace("|", "\\|"), r.get("threads"), r.get("coretype") or "unset",
                fmt(r.get("value")), r.get("metric"), fmt(r.get("floor")),
                "—" if r.get("ratio") is None else "%.2f" % r["ratio"]))
        out.append("")
    if rows:
        out += ["**TapeGrad ÷ peer** (same machine, same OPENBLAS_CORETYPE; ms, µs/op and MB: below 1 favours "
                "TapeGrad; GFLOP/s, efficiency, steps/s: above 1 does)", "",
                "| workload | threads | coretype | metric | peer | TapeGrad ÷ peer | faster |", "|---|---|---|---|---|---|---|"]
        for r in rows:
            faster = "≈" if abs(r["ratio"] - 1) < 0.03 else "TapeGrad" if r["tapegrad_better"] else "peer"
            out.append("| %s | %s | %s | %s | %s | %.2f | %s |" % (
                r["workload"], r["threads"], r["coretype"], r["metric"], r["peer"].replace("|", "\\|"), r["ratio"], faster))
        out.append("")
    if notes:
        out += ["Notes of the run:", ""] + ["- " + n for n in notes] + [""]
    with open(args.markdown, "w") as fh:
        fh.write("\n".join(out))
    print("wrote %s" % args.markdown)


# ==================================================================================================
# Workers (run inside the framework's venv; print "@@ {json}" records and "# text" notes)
# ==================================================================================================

def note(text):
    print("# " + text, flush=True)


def proc_status_kb(field):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError("no %s in /proc/self/status" % field)


def blas_info(np):
    """The OpenBLAS that numpy loaded: its core (kernel) name and thread count, read through ctypes. (Other
    packages may load an OpenBLAS of their own, e.g. MindSpore's scipy: numpy's is the one in numpy.libs.)"""
    import ctypes
    numpy_dir = os.path.dirname(os.path.dirname(os.path.abspath(np.__file__)))
    paths = []
    try:
        with open("/proc/self/maps") as fh:
            for line in fh:
                p = line.split()[-1]
                if "openblas" in os.path.basename(p).lower() and ".so" in p and p not in paths:
                    paths.append(p)
    except OSError:
        pass
    paths.sort(key=lambda p: not (p.startswith(numpy_dir) and "numpy" in p))
    for p in paths:
        try:
            lib = ctypes.CDLL(p)
        except OSError:
            continue
        core = threads = None
        for prefix in ("", "scipy_"):
            for suffix in ("", "64_"):
                try:
                    f = getattr(lib, "%sopenblas_get_corename%s" % (prefix, suffix))
                    f.restype = ctypes.c_char_p
                    core = f().decode()
                    g = getattr(lib, "%sopenblas_get_num_threads%s" % (prefix, suffix))
                    threads = g()
                except AttributeError:
                    continue
                break
            if core:
                break
        if core:
            return "%s (kernel %s, %s threads)" % (os.path.basename(p), core, threads)
    return "openblas not found in the process (%s)" % (", ".join(paths) or "none")


class Emitter:
    def __init__(self, framework, threads, reps, suffix=""):
        self.framework, self.threads, self.reps, self.suffix = framework, threads, reps, suffix

    def timed(self, fn, reps=None, warmup=2):
        """median/min/max seconds of `reps` calls after `warmup` untimed ones, and CPU-time ÷ wall-time."""
        reps = reps or self.reps
        # at least `warmup` calls and at least 0.3 s of them (at most 300): a fresh process's BLAS / runtime thread
        # pools wake up slowly at first (4 ms, one scheduler tick, per small gemm for the first ~10 calls here)
        t_end, k = time.perf_counter() + 0.3, 0
        while k < warmup or (time.perf_counter() < t_end and k < 300):
            fn()
            k += 1
        ts = []
        c0, w0 = time.process_time(), time.perf_counter()
        for _ in range(reps):
            t = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t)
        util = (time.process_time() - c0) / max(time.perf_counter() - w0, 1e-9)
        return statistics.median(ts), min(ts), max(ts), util, reps

    def emit(self, variant, workload, metric, value, lo=None, hi=None, **extra):
        r = {"framework": self.framework, "variant": variant + self.suffix, "workload": workload, "threads": self.threads,
             "metric": metric, "value": value, "min": lo, "max": hi}
        r.update(extra)
        print("@@ " + json.dumps(r), flush=True)

    def time_ms(self, variant, workload, fn, reps=None, warmup=2):
        m, lo, hi, util, n = self.timed(fn, reps, warmup)
        self.emit(variant, workload, "ms", m * 1e3, lo * 1e3, hi * 1e3, reps=n, cpu_util=round(util, 2))
        return m

    def time_gflops(self, variant, n, fn, reps=None):
        m, lo, hi, util, k = self.timed(fn, reps)
        fl = 2.0 * n ** 3 / 1e9
        self.emit(variant, "W0", "gflops", fl / m, fl / hi, fl / lo, reps=k, cpu_util=round(util, 2))
        return fl / m

    def time_w2(self, variant, fn, reps=None, warmup=2):
        m, lo, hi, util, n = self.timed(fn, reps, warmup)
        k = 1e6 / 3000
        self.emit(variant, "W2", "us_per_op", m * k, lo * k, hi * k, reps=n, cpu_util=round(util, 2))

    def time_w3(self, variant, fn, ref_gflops, reps=None):
        m, lo, hi, util, n = self.timed(fn, reps)
        self.emit(variant, "W3", "ms", m * 1e3, lo * 1e3, hi * 1e3, reps=n, cpu_util=round(util, 2))
        eff = lambda t: 6 * 2.0 * 1024 ** 3 / t / 1e9 / ref_gflops
        self.emit(variant, "W3", "efficiency", eff(m), eff(hi), eff(lo), reps=n, ref_gflops=ref_gflops)


# ---- the shared data and the numpy reference (explicit forward and backward, no AD) ----------------

def mlp_data(np, batch, seed=0):
    """Parameters in the [out, in] layout of a Dense/Linear layer (y = x·Wᵀ + b), inputs, integer labels."""
    rng = np.random.default_rng(seed)
    f32 = np.float32
    params = []
    for fan_in, fan_out in ((784, 512), (512, 512), (512, 10)):
        bound = (6.0 / fan_in) ** 0.5
        params.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(f32))
        params.append(rng.uniform(-0.1, 0.1, (fan_out,)).astype(f32))
    x = rng.standard_normal((batch, 784)).astype(f32)
    y = rng.integers(0, 10, batch).astype(np.int32)
    return params, x, y


def numpy_mlp_step(np, params, x, y):
    w1, b1, w2, b2, w3, b3 = params
    h1p = x @ w1.T + b1
    h1 = np.maximum(h1p, 0)
    h2p = h1 @ w2.T + b2
    h2 = np.maximum(h2p, 0)
    logits = h2 @ w3.T + b3
    z = logits - logits.max(1, keepdims=True)
    e = np.exp(z)
    s = e.sum(1, keepdims=True)
    rows = np.arange(len(y))
    loss = float(np.mean(np.log(s[:, 0]) - z[rows, y]))
    g = e / s
    g[rows, y] -= 1
    g /= len(y)
    dw3 = g.T @ h2
    db3 = g.sum(0)
    d2 = (g @ w3) * (h2p > 0)
    dw2 = d2.T @ h1
    db2 = d2.sum(0)
    d1 = (d2 @ w2) * (h1p > 0)
    dw1 = d1.T @ x
    db1 = d1.sum(0)
    return loss, [dw1, db1, dw2, db2, dw3, db3]


def numpy_w2(np, x):
    ys = []
    for _ in range(1000):
        x = np.tanh(x * np.float32(1.01) + np.float32(0.1))
        ys.append(x)
    loss = x.sum()
    g = np.ones_like(x)
    for y in reversed(ys):
        g = g * (1 - y * y) * np.float32(1.01)
    return loss, g


def numpy_w3(np, A, B, C):
    r = A @ B
    mask = r > 0
    rr = r * mask
    f = (rr @ C).sum()
    G = np.ones_like(rr)             # d sum / d (rr·C), as an AD system seeds it
    drr = G @ C.T
    dC = rr.T @ G
    dr = drr * mask
    return f, [dr @ B.T, A.T @ dr, dC]


def w2_input(np):
    return np.random.default_rng(2).standard_normal(16).astype(np.float32)


def w3_inputs(np):
    rng = np.random.default_rng(3)
    return [rng.uniform(-1, 1, (1024, 1024)).astype(np.float32) for _ in range(3)]


def rel_err(np, got, ref):
    got, ref = [np.asarray(g, dtype=np.float64) for g in got], [np.asarray(r, dtype=np.float64) for r in ref]
    # relative to the largest reference entry, floored at 1e-20: W2's gradient underflows in float32 (each step
    # multiplies it by ≈ 0.62), to 1e-45 in numpy and to exactly 0 where denormals are flushed (XLA)
    return max(float(np.max(np.abs(g - r))) / max(float(np.max(np.abs(r))), 1e-20) for g, r in zip(got, ref))


def check(np, name, loss, grads, ref_loss, ref_grads):
    """Each peer's result against the numpy reference, so every framework computes the same thing."""
    err = rel_err(np, grads, ref_grads)
    bad = err > 1e-3 or abs(float(loss) - float(ref_loss)) > 1e-3 * max(1.0, abs(float(ref_loss)))
    note("%scheck %s: value %.6g (numpy %.6g), max |Δgrad| / max |grad| vs numpy %.1e" % (
        "MISMATCH " if bad else "", name, float(loss), float(ref_loss), err))


# ---- the framework adapters: each returns a dict of callables ---------------------------------------

def system_sgemm(np):
    """cblas_sgemm from the system OpenBLAS (the one TapeGrad links) through ctypes, or None. numpy's wheel bundles
    its own, newer OpenBLAS; this row tells the two libraries apart in W0."""
    import ctypes
    import ctypes.util
    name = ctypes.util.find_library("openblas")
    if not name:
        return None, None
    try:
        lib = ctypes.CDLL(name)
        f = lib.cblas_sgemm
    except (OSError, AttributeError):
        return None, None
    i, fl, p = ctypes.c_int, ctypes.c_float, ctypes.c_void_p
    f.argtypes = [i, i, i, i, i, i, fl, p, i, p, i, fl, p, i]
    f.restype = None
    try:
        lib.openblas_get_corename.restype = ctypes.c_char_p
        info = "%s (kernel %s, %d threads)" % (name, lib.openblas_get_corename().decode(), lib.openblas_get_num_threads())
    except AttributeError:
        info = name

    def mm(a, b):
        n = a.shape[0]
        c = np.empty((n, n), np.float32)
        keep = (a, b, c)                       # the closure holds the arrays the raw pointers point into

        def run():
            f(101, 111, 111, n, n, n, 1.0, keep[0].ctypes.data, n, keep[1].ctypes.data, n, 0.0, keep[2].ctypes.data, n)
        return run                             # 101: row-major; 111: no transpose
    return mm, info


def setup_numpy(np, threads):
    def mm(a, b):
        return lambda: a @ b

    def w1(params, x, y):
        return {"by hand (no AD)": lambda: numpy_mlp_step(np, params, x, y)}

    def w1_floor(params, x, y):
        # Exactly the 8 sgemm calls of a reverse pass, same shapes and transposes as TapeGrad's floor:
        # forward X·W1ᵀ, H1·W2ᵀ, H2·W3ᵀ; weight gradients Gᵀ·H (3); hidden-activation gradients G·W (2).
        w1_, _, w2_, _, w3_, _ = params
        b = x.shape[0]
        h1, h2, lo = (np.empty((b, 512), np.float32), np.empty((b, 512), np.float32), np.empty((b, 10), np.float32))
        g3 = np.random.default_rng(5).standard_normal((b, 10)).astype(np.float32)
        d2, d1 = np.empty((b, 512), np.float32), np.empty((b, 512), np.float32)
        dw1, dw2, dw3 = np.empty_like(w1_), np.empty_like(w2_), np.empty_like(w3_)

        def run():
            np.matmul(x, w1_.T, out=h1)
            np.matmul(h1, w2_.T, out=h2)
            np.matmul(h2, w3_.T, out=lo)
            np.matmul(g3.T, h2, out=dw3)
            np.matmul(g3, w3_, out=d2)
            np.matmul(d2.T, h1, out=dw2)
            np.matmul(d2, w2_, out=d1)
            np.matmul(d1.T, x, out=dw1)
        return run

    def w2(x):
        return {"by hand (no AD)": lambda: numpy_w2(np, x)}

    def w3(A, B, C):
        return {"by hand (no AD)": lambda: numpy_w3(np, A, B, C)}

    return dict(version="numpy worker", mm=mm, w1=w1, w1_floor=w1_floor, w2=w2, w3=w3,
                w1_results=lambda out: (out[0], out[1]))


def setup_jax(np, threads):
    import jax
    import jax.numpy as jnp
    jax.config.update("jax_platforms", "cpu")
    jax.devices()                                  # the runtime, before any array

    def ready(t):
        return jax.block_until_ready(t)

    def mm(a, b):
        f = jax.jit(jnp.matmul)
        a, b = jnp.asarray(a), jnp.asarray(b)
        return lambda: ready(f(a, b))

    def loss(ps, x, y):
        w1, b1, w2, b2, w3, b3 = ps
        h = jax.nn.relu(x @ w1.T + b1)
        h = jax.nn.relu(h @ w2.T + b2)
        logits = h @ w3.T + b3
        return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits), y[:, None], axis=1))

    def w1(params, x, y):
        ps, xj, yj = [jnp.asarray(p) for p in params], jnp.asarray(x), jnp.asarray(y)
        vg = jax.value_and_grad(loss)
        vg_jit = jax.jit(vg)
        return {"jit": lambda: ready(vg_jit(ps, xj, yj)), "eager": lambda: ready(vg(ps, xj, yj))}

    def chain(x):
        for _ in range(1000):
            x = jnp.tanh(x * 1.01 + 0.1)
        return x.sum()

    def w2(x):
        xj = jnp.asarray(x)
        vg = jax.value_and_grad(chain)
        vg_jit = jax.jit(vg)
        return {"eager": lambda: ready(vg(xj)), "jit": lambda: ready(vg_jit(xj))}

    def f3(a, b, c):
        return jnp.sum(jax.nn.relu(a @ b) @ c)

    def w3(A, B, C):
        a, b, c = jnp.asarray(A), jnp.asarray(B), jnp.asarray(C)
        vg = jax.value_and_grad(f3, argnums=(0, 1, 2))
        vg_jit = jax.jit(vg)
        return {"jit": lambda: ready(vg_jit(a, b, c)), "eager": lambda: ready(vg(a, b, c))}

    import jaxlib
    return dict(version="jax %s, jaxlib %s" % (jax.__version__, jaxlib.__version__), mm=mm, w1=w1, w2=w2, w3=w3,
                w1_results=lambda out: (np.asarray(out[0]), [np.asarray(g) for g in out[1]]))


def setup_mindspore_sync(np, threads):
    return setup_mindspore(np, threads, launch_blocking=True)


def setup_mindspore(np, threads, launch_blocking=False):
    import mindspore as ms
    from mindspore import Parameter, Tensor, nn, ops
    from mindspore.common.api import _pynative_executor
    ms.set_context(mode=ms.PYNATIVE_MODE)
    ms.set_device("CPU")
    if launch_blocking:
        ms.runtime.launch_blocking()
    if threads == "1":
        try:                                       # 2.10's replacement for set_context(runtime_num_threads=1)
            from mindspore.device_context.cpu import op_tuning
            op_tuning.threads_num(1)
        except (ImportError, AttributeError):
            ms.set_context(runtime_num_threads=1)

    def sync():
        _pynative_executor.sync()                  # waits for the asynchronous PyNative pipeline

    def mm(a, b):
        a, b = Tensor(a), Tensor(b)

        def run():
            c = ops.matmul(a, b)
            sync()
            return c
        return run

    def w1(params, x, y):
        ps = [Parameter(Tensor(p), name=n) for p, n in zip(params, ("w1", "b1", "w2", "b2", "w3", "b3"))]
        xt, yt = Tensor(x), Tensor(y)
        ce = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")

        def fwd(x, y):
            h = ops.relu(ops.dense(x, ps[0], ps[1]))
            h = ops.relu(ops.dense(h, ps[2], ps[3]))
            return ce(ops.dense(h, ps[4], ps[5]), y)
        vg = ms.value_and_grad(fwd, None, ps)

        def blocking():
            loss, grads = vg(xt, yt)
            return loss.asnumpy(), [g.asnumpy() for g in grads]
        if launch_blocking:                        # every op already waits for its result
            return {"PyNative, blocking": blocking}
        return {"PyNative": lambda: vg(xt, yt), "PyNative, blocking": blocking}

    def chain(x):
        for _ in range(1000):
            x = ops.tanh(x * 1.01 + 0.1)
        return x.sum()

    def w2(x):
        vg = ms.value_and_grad(chain)
        xt = Tensor(x)

        def run():
            loss, g = vg(xt)
            return loss.asnumpy(), g.asnumpy()
        return {"PyNative, blocking": run}

    def f3(a, b, c):
        return ops.matmul(ops.relu(ops.matmul(a, b)), c).sum()

    def w3(A, B, C):
        vg = ms.value_and_grad(f3, grad_position=(0, 1, 2))
        a, b, c = Tensor(A), Tensor(B), Tensor(C)

        def run():
            f, grads = vg(a, b, c)
            return f.asnumpy(), [g.asnumpy() for g in grads]
        return {"PyNative, blocking": run}

    def res_w1(out):
        if isinstance(out[0], np.ndarray) or np.isscalar(out[0]):
            return out
        return out[0].asnumpy(), [g.asnumpy() for g in out[1]]

    return dict(version="mindspore %s%s" % (ms.__version__, ", launch_blocking" if launch_blocking else ""),
                framework="mindspore", suffix=" (launch_blocking)" if launch_blocking else "", mm=mm, w1=w1, w2=w2, w3=w3, after_loop=sync,
                w1_results=res_w1)


def setup_torch(np, threads):
    import torch
    import torch.nn.functional as F
    if threads == "1":
        torch.set_num_threads(1)
        try:
            torch.set_num_interop_threads(1)
        except RuntimeError:                       # only allowed before any inter-op work
            pass

    def mm(a, b):
        a, b = torch.from_numpy(a), torch.from_numpy(b)
        return lambda: a @ b

    def w1(params, x, y):
        ps = [torch.tensor(p, requires_grad=True) for p in params]
        xt, yt = torch.from_numpy(x), torch.from_numpy(y).long()

        def step():
            h = torch.relu(F.linear(xt, ps[0], ps[1]))
            h = torch.relu(F.linear(h, ps[2], ps[3]))
            loss = F.cross_entropy(F.linear(h, ps[4], ps[5]), yt)
            return loss.detach(), torch.autograd.grad(loss, ps)
        return {"eager": step}

    def w2(x):
        def run():
            x0 = torch.tensor(x, requires_grad=True)
            t = x0
            for _ in range(1000):
                t = torch.tanh(t * 1.01 + 0.1)
            loss = t.sum()
            return loss.detach(), torch.autograd.grad(loss, x0)[0]
        return {"eager": run}

    def w3(A, B, C):
        a, b, c = [torch.tensor(m, requires_grad=True) for m in (A, B, C)]

        def run():
            f = (torch.relu(a @ b) @ c).sum()
            return f.detach(), torch.autograd.grad(f, [a, b, c])
        return {"eager": run}

    return dict(version="torch %s (%d threads)" % (torch.__version__, torch.get_num_threads()), mm=mm, w1=w1,
                w2=w2, w3=w3,
                w1_results=lambda out: (out[0].numpy(), [g.numpy() for g in out[1]]))


def setup_cblas(np, threads):
    mm, info = system_sgemm(np)
    if mm is None:
        raise SystemExit("no system OpenBLAS (libopenblas) with cblas_sgemm found")
    return dict(version="system BLAS %s" % info, mm=mm, mm_name="sgemm (system OpenBLAS)")


SETUPS = {"numpy": setup_numpy, "cblas": setup_cblas, "jax": setup_jax, "mindspore": setup_mindspore,
          "mindspore-sync": setup_mindspore_sync, "torch": setup_torch}


def pin_one_cpu(args):
    """threads=1: keep the worker on one CPU. JAX ≥ 0.4 sizes its thread pool from the affinity mask and ignores
    the XLA_FLAGS thread settings; pinning every framework keeps the comparison even."""
    if args.threads == "1" and not args.no_pin and hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return "pinned to CPU %d" % cpu
    return "not pinned"


def worker(args):
    pinned = pin_one_cpu(args)
    import numpy as np
    fw, threads = args.worker, args.threads
    if args.w4:
        return worker_w4(args, np, pinned)
    api = SETUPS[fw](np, threads)
    e = Emitter(api.get("framework", fw), threads, args.reps, api.get("suffix", ""))
    note("%s; numpy %s; BLAS %s; %s; OPENBLAS_CORETYPE=%s" % (
        api["version"], np.__version__, blas_info(np), pinned, os.environ.get("OPENBLAS_CORETYPE", "(unset)")))
    after = api.get("after_loop", lambda: None)

    # W0 (and the numpy sgemm rate at n = 1024 that W3's efficiency is measured against, in this same process)
    sizes = [256, 512, 1024] if args.quick else [256, 512, 1024, 2048]
    ref = None
    rng = np.random.default_rng(1)
    for n in sizes if "W0" in args.only else ([1024] if "W3" in args.only and "w3" in api else []):
        a, b = rng.standard_normal((n, n)).astype(np.float32), rng.standard_normal((n, n)).astype(np.float32)
        if "W0" in args.only:
            rate = e.time_gflops(api.get("mm_name", "matmul") + " n=%d" % n, n, api["mm"](a, b))
        if n == 1024 and "W3" in args.only and "w3" in api:
            if fw != "numpy" or "W0" not in args.only:
                m = e.timed(lambda: a @ b)[0]
                rate = 2.0 * n ** 3 / m / 1e9
            ref = rate
    if ref is not None and "W3" in args.only and "w3" in api:
        note("W3 reference: numpy sgemm n=1024 in this process %.1f GFLOP/s" % ref)

    if "W1" in args.only and "w1" in api:
        params, x, y = mlp_data(np, 256)
        ref_loss, ref_grads = numpy_mlp_step(np, params, x, y)
        for name, fn in api["w1"](params, x, y).items():
            out = fn()
            after()
            loss, grads = api["w1_results"](out)
            check(np, "W1 " + name, loss, grads, ref_loss, ref_grads)
            e.time_ms(name, "W1", fn)
            after()
        if "w1_floor" in api:
            e.time_ms("BLAS calls only (8 sgemm)", "W1", api["w1_floor"](params, x, y))

    if "W2" in args.only and "w2" in api:
        x = w2_input(np)
        ref_loss, ref_g = numpy_w2(np, x)
        for name, fn in api["w2"](x).items():
            out = fn()
            check(np, "W2 " + name, np.asarray(out[0]), [np.asarray(out[1])], ref_loss, [ref_g])
            e.time_w2(name, fn)

    if "W3" in args.only and "w3" in api:
        A, B, C = w3_inputs(np)
        ref_f, ref_g = numpy_w3(np, A, B, C)
        for name, fn in api["w3"](A, B, C).items():
            out = fn()
            check(np, "W3 " + name, np.asarray(out[0]), [np.asarray(g) for g in out[1]], ref_f, ref_g)
            e.time_w3(name, fn, ref)


def worker_w4(args, np, pinned):
    """Peak RSS of one W1 variant at batch 1024 after 2 warm-up and 5 timed steps, minus the RSS before the first
    array (after the imports and the framework's runtime start-up)."""
    fw, variant = args.worker, args.w4
    api = SETUPS[fw](np, args.threads)
    before = proc_status_kb("VmRSS")
    try:
        with open("/proc/self/clear_refs", "w") as fh:      # "5" resets VmHWM to the current VmRSS
            fh.write("5")
        reset = True
    except OSError:
        reset = False                                       # this process is fresh: the peak is ours anyway
    params, x, y = mlp_data(np, 1024)
    variants = api["w1"](params, x, y)
    # MindSpore: the blocking step (.asnumpy() on the results), so every step has finished when it returns
    fn = variants["PyNative, blocking"] if fw.startswith("mindspore") else variants[variant]
    after = api.get("after_loop", lambda: None)
    for _ in range(2):
        fn()
    after()
    t = time.perf_counter()
    for _ in range(5):
        fn()
    after()
    dt = (time.perf_counter() - t) / 5
    peak = proc_status_kb("VmHWM")
    note("W4 %s: RSS before %.1f MB, peak %.1f MB, HWM reset %s, %.1f ms/step, %s" % (
        variant, before / 1024, peak / 1024, "yes" if reset else "no (fresh process)", dt * 1e3, pinned))
    Emitter(api.get("framework", fw), args.threads, 5, api.get("suffix", "")).emit(variant, "W4", "mb", (peak - before) / 1024, None, None,
                                      hwm_reset=reset, rss_before_mb=round(before / 1024, 1))


if __name__ == "__main__":
    main()
