"""Measure the standard and the rolling apply under the same traffic, side by side (a benchmark, not a test).

Usage (root, after scripts/bootstrap):
    python3 tests/benchmarks/zero_downtime.py [--rate 20] [--apply-seconds 10] [--runs 1]

For each mode, in the same session, on the same lab (the vendor 3-node domain behind the lab's HAProxy;
its own name, subnet and folder: bnchz, 10.89.0, /tmp/apigw-lab-bench-zdu), built afresh:

1. `labctl up --topology vendor-3-node`, then `test_upgrade` (not measured);
2. every node's `sysupgrade apply` made to take --apply-seconds more (`labctl fault NODE slow step=apply
   seconds=S`: a larger configuration; the vendor says the standard apply's downtime "can be longer"
   for large configurations, upgrade_zdu_overview.md);
3. `labctl traffic` through HAProxy at --rate requests/s, started 3 s before the apply and bounded to
   end well after it (the script checks that it covered the whole apply);
4. the apply: standard (`-e apigw_apply_confirmed=true`) or rolling (`-e apigw_apply_mode=rolling
   -e apigw_lb_hooks=haproxy` as well).

Printed: per mode, failed requests, seconds of outage (failed request slots x 1/rate) and the longest
one, the apply's wall time, and the window during which old and new versions both answered (from the
traffic) and the collection's own figure (the summary's mixed window).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LABCTL = REPO / "tests" / "lab" / "labctl"
LAB_DIR = Path("/tmp/apigw-lab-bench-zdu")
ENV = dict(os.environ, APIGW_LAB_NAME="bnchz", APIGW_LAB_SUBNET="10.89.0", APIGW_LAB_DIR=str(LAB_DIR),
           ANSIBLE_COLLECTIONS_PATH=str(REPO / ".collections"), ANSIBLE_NOCOLOR="1",
           PATH="%s:%s" % (REPO / ".venv" / "bin", os.environ.get("PATH", "")))
WORK = Path("/tmp/apigw-bench-zdu-work")
# How long the traffic runs beyond the apply's expected end, and the most an apply may take here.
MARGIN_SECONDS = 30
MIXED = re.compile(r"served side by side for (\d+) s")


def run(argv, check=True):
    proc = subprocess.run([str(a) for a in argv], env=ENV, cwd=str(WORK), capture_output=True, text=True, check=False)
    if check and proc.returncode != 0:
        sys.exit("%s failed (exit %d):\n%s\n%s" % (" ".join(map(str, argv)), proc.returncode,
                                                   proc.stdout[-3000:], proc.stderr[-3000:]))
    return proc


def playbook(name, *args):
    return ["ansible-playbook", "-i", LAB_DIR / "inventory.yml", "apigw.sysupgrade." + name] + list(args)


def measure(mode, rate, apply_seconds, expected_apply):
    run([LABCTL, "down"], check=False)
    run([LABCTL, "up", "--topology", "vendor-3-node"])
    try:
        run(playbook("test_upgrade"))
        for node in ("node1", "node2", "node3"):
            run([LABCTL, "fault", node, "slow", "step=apply", "seconds=%d" % apply_seconds])
        count = int(rate * (expected_apply + MARGIN_SECONDS))
        out_file = WORK / ("traffic-%s.json" % mode)
        if out_file.exists():
            out_file.unlink()
        traffic = subprocess.Popen([str(LABCTL), "traffic", "--rate", str(rate), "--count", str(count),
                                    "--json", str(out_file)], env=ENV, cwd=str(WORK),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(3)
        args = ["-e", "apigw_apply_confirmed=true"]
        if mode == "rolling":
            args += ["-e", "apigw_apply_mode=rolling", "-e", "apigw_lb_hooks=haproxy"]
        start = time.time()
        proc = run(playbook("apply", *args), check=False)
        end = time.time()
        traffic.wait(timeout=count / rate + 60)
        if proc.returncode != 0:
            sys.exit("%s apply failed (exit %d):\n%s" % (mode, proc.returncode, proc.stdout[-4000:]))
        result = json.loads(out_file.read_text())
        if not (result["start"] <= start and result["end"] >= end):
            sys.exit("%s: the traffic (%.0f-%.0f) did not cover the apply (%.0f-%.0f); raise the expected "
                     "apply time" % (mode, result["start"], result["end"], start, end))
        mixed = MIXED.findall(proc.stdout)
        return {"mode": mode, "apply_seconds": end - start, "sent": result["sent"], "failed": result["failed"],
                "outage": result["outage_seconds"], "longest": result["longest_outage_seconds"],
                "mixed_traffic": result["mixed_seconds"], "mixed_collection": int(mixed[-1]) if mixed else None,
                "by_version": result["by_version"]}
    finally:
        run([LABCTL, "down"], check=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=20, help="requests per second through HAProxy")
    parser.add_argument("--apply-seconds", type=int, default=10, help="extra seconds each node's apply takes")
    parser.add_argument("--expected-apply", type=int, default=150, help="seconds an apply may take here")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    rows = [measure(mode, args.rate, args.apply_seconds, args.expected_apply) for mode in ("standard", "rolling")]
    print("\nSame lab (vendor 3-node behind HAProxy), same traffic (%d requests/s), each apply step +%d s:\n"
          % (args.rate, args.apply_seconds))
    print("| mode | apply wall time | requests | failed | outage (s) | longest outage (s) | mixed versions, traffic (s) | mixed, collection's summary (s) |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print("| %s | %.1f s | %d | %d | %.2f | %.2f | %.1f | %s |" % (
            r["mode"], r["apply_seconds"], r["sent"], r["failed"], r["outage"], r["longest"], r["mixed_traffic"],
            "-" if r["mixed_collection"] is None else r["mixed_collection"]))
    print("\nby version: " + "; ".join("%s %s" % (r["mode"], r["by_version"]) for r in rows))


if __name__ == "__main__":
    main()
