"""Measure how long `labctl up` and `labctl down` take, and print it (a benchmark, not a test).

Usage (root): python3 tests/lab/benchmark_updown.py [--rounds N] [--sizes 3,20] [--no-product]

Each round brings a lab up and down on its own name, subnet and folder (bench, 10.75.0,
/tmp/apigw-lab-bench), so that it never meets another lab. Sizes other than 3 use the N-node
topology; 3 uses vendor-3-node. Prints min / median / max wall time per size.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

LABCTL = Path(__file__).resolve().parent / "labctl"
ENV = dict(os.environ, APIGW_LAB_NAME="bench", APIGW_LAB_SUBNET="10.75.0", APIGW_LAB_DIR="/tmp/apigw-lab-bench")


def timed(*args):
    start = time.monotonic()
    proc = subprocess.run([str(LABCTL)] + list(args), env=ENV, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - start
    if proc.returncode != 0:
        sys.exit("labctl %s failed (exit %d): %s%s" % (" ".join(args), proc.returncode, proc.stdout, proc.stderr))
    return elapsed


def measure(size, rounds, product):
    topology = ["--topology", "vendor-3-node"] if size == 3 else ["--topology", "N-node", "--nodes", str(size)]
    extra = [] if product else ["--no-product"]
    ups, downs = [], []
    for _round in range(rounds):
        ups.append(timed("up", *(topology + extra)))
        downs.append(timed("down"))
    return ups, downs


def line(name, values):
    return "%-5s min %6.2f s   median %6.2f s   max %6.2f s" % (
        name, min(values), statistics.median(values), max(values))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sizes", default="3,20")
    parser.add_argument("--no-product", action="store_true", help="bare hosts: no install, no processes")
    args = parser.parse_args()
    print("labctl up/down, %d round(s) each, %s, load average %s" % (
        args.rounds, "bare hosts" if args.no_product else "with the product installed and started",
        " ".join("%.2f" % x for x in os.getloadavg())))
    for size in (int(s) for s in args.sizes.split(",")):
        ups, downs = measure(size, args.rounds, not args.no_product)
        print("%d hosts" % size)
        print("  " + line("up", ups))
        print("  " + line("down", downs))


if __name__ == "__main__":
    main()
