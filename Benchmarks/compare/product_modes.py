#!/usr/bin/env python3
"""TapeGrad's README workloads (W0, W1, W3; `tapegrad-bench --quick`) in each ProductThreading mode, one fresh
process per mode per round, the modes interleaved within every round, so that drift and other load hit them
alike. Prints, per figure, the median over rounds in each mode and the median of the per-round ratios against
the first mode (each mode is set through TAPEGRAD_PRODUCT_THREADING; `automatic+openblas` also sets
TAPEGRAD_SPLIT_THREADS=openblas: split blocks on OpenBLAS's workers instead of Dispatch's threads).

    swift build -c release --package-path Benchmarks --product tapegrad-bench
    python3 Benchmarks/compare/product_modes.py [--rounds 5] [--only W0,W1,W3] [--modes openblas,automatic]
        [--max-load 1.5] [--output products-modes.json]

--max-load: before each round, wait (up to --wait seconds) for the 1-minute load average to drop below it;
the JSON records the load at the start of every round. OPENBLAS_CORETYPE is taken from the environment.
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def run(bench, only, mode):
    env = dict(os.environ)
    name, _, executor = mode.partition("+")
    env["TAPEGRAD_PRODUCT_THREADING"] = name
    if executor:
        env["TAPEGRAD_SPLIT_THREADS"] = executor
    else:
        env.pop("TAPEGRAD_SPLIT_THREADS", None)
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        path = fh.name
    subprocess.run([bench, "--quick", "--only", only, "--threads", "all", "--output", path], check=True,
                   stdout=subprocess.DEVNULL, env=env)
    with open(path) as fh:
        records = json.load(fh)
    os.unlink(path)
    return {r["workload"] + " " + r["variant"]: (r["value"], r["metric"]) for r in records}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--only", default="W0,W1,W3")
    ap.add_argument("--modes", default="openblas,automatic")
    ap.add_argument("--max-load", type=float, default=None)
    ap.add_argument("--wait", type=float, default=120)
    ap.add_argument("--tapegrad-bench", default=os.path.join(ROOT, "Benchmarks", ".build", "release", "tapegrad-bench"))
    ap.add_argument("--output", default="products-modes.json")
    args = ap.parse_args()
    modes = args.modes.split(",")
    rounds = []
    for k in range(args.rounds):
        start = time.time()
        while args.max_load is not None and os.getloadavg()[0] > args.max_load and time.time() - start < args.wait:
            time.sleep(5)
        load = os.getloadavg()[0]
        order = modes if k % 2 == 0 else modes[::-1]
        rounds.append({"load": load, "modes": {m: run(args.tapegrad_bench, args.only, m) for m in order}})
        print("round %d done (load %.2f)" % (k + 1, load), flush=True)
    with open(args.output, "w") as fh:
        json.dump({"coretype": os.environ.get("OPENBLAS_CORETYPE"), "only": args.only, "rounds": rounds}, fh, indent=1)
    base = modes[0]
    keys = [key for key in rounds[0]["modes"][base] if "(floor)" not in key or key.startswith("W0")]
    print("\nOPENBLAS_CORETYPE %s; %d rounds; medians over rounds; ratio: median of per-round ratios to %s" % (
        os.environ.get("OPENBLAS_CORETYPE", "(unset)"), len(rounds), base))
    print("%-62s %-13s" % ("figure", "metric") + "".join("%20s" % m for m in modes) + "".join("%20s" % ("÷ " + base) for m in modes[1:]))
    for key in keys:
        metric = rounds[0]["modes"][base][key][1]
        med = [statistics.median(r["modes"][m][key][0] for r in rounds) for m in modes]
        ratios = [statistics.median(r["modes"][m][key][0] / r["modes"][base][key][0] for r in rounds) for m in modes[1:]]
        print("%-62s %-13s" % (key[:62], metric) + "".join("%20.3f" % v for v in med) + "".join("%20.3f" % v for v in ratios))
    print("\nwrote %s" % args.output)


if __name__ == "__main__":
    main()
