"""Measure test_upgrade on N lab hosts beside a serial loop, and print it (a benchmark, not a test).

Usage (root, after scripts/bootstrap):
    python3 tests/benchmarks/parallel_steps.py [--sizes 1,5,10,20] [--step-seconds 5]
                                               [--target-step-seconds 60] [--png FILE]

Every row brings up a fresh lab of N hosts (the N-node topology; its own name, subnet and folder:
bench-steps, 10.88.0, /tmp/apigw-lab-bench-steps), sets every node's upgrade step to a fixed time
(`labctl fault NODE slow step=upgrade seconds=S`), and measures, in the same session:

- ours: `ansible-playbook apigw.sysupgrade.test_upgrade` at Ansible's default forks (5);
- serial: the loop an operator types today, node after node:
  `ssh NODE sysupgrade export ... && sysupgrade upgrade ...`, the credentials on standard input.

Then, on N=20 with a --target-step-seconds upgrade step, ours against one node's run, and the
serial loop projected from one node's serial time (a serial loop adds up, so N x one node; it is
printed as projected, not measured, because measuring it would take N x the step).
Also measured: apply overhead (a full apply of the vendor 3-node domain against the sum of its
apply steps, from the lab's audit log), a rerun of test_upgrade after success against
`ansible -m ping` of the same hosts, and SSH round trips per node per run (from -vvv).
Prints a Markdown table and writes a PNG plot of wall time against N (matplotlib).
"""
import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LABCTL = REPO / "tests" / "lab" / "labctl"
LAB_DIR = Path("/tmp/apigw-lab-bench-steps")
ENV = dict(os.environ, APIGW_LAB_NAME="bnchs", APIGW_LAB_SUBNET="10.88.0", APIGW_LAB_DIR=str(LAB_DIR),
           ANSIBLE_COLLECTIONS_PATH=str(REPO / ".collections"), ANSIBLE_NOCOLOR="1",
           PATH="%s:%s" % (REPO / ".venv" / "bin", os.environ.get("PATH", "")))
WORK = Path("/tmp/apigw-bench-steps-work")


def run(argv, check=True, input=None, quiet=True):
    proc = subprocess.run(argv, env=ENV, cwd=str(WORK), input=input, capture_output=True, text=True, check=False)
    if check and proc.returncode != 0:
        sys.exit("%s failed (exit %d):\n%s\n%s"
                 % (" ".join(map(str, argv)), proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:]))
    return proc


def timed(argv, **kwargs):
    start = time.monotonic()
    proc = run(argv, **kwargs)
    return time.monotonic() - start, proc


def lab_up(nodes, step_seconds, topology=None):
    run([str(LABCTL), "down"], check=False)
    args = ["--topology", topology] if topology else ["--topology", "N-node", "--nodes", str(nodes)]
    run([str(LABCTL), "up"] + args)
    lab = json.loads((LAB_DIR / "lab.json").read_text())
    if step_seconds:
        for host in lab["hosts"]:
            run([str(LABCTL), "fault", host["inventory_name"], "slow", "step=upgrade", "seconds=%d" % step_seconds])
    return lab


def playbook(name, *args):
    return ["ansible-playbook", "-i", str(LAB_DIR / "inventory.yml"), "apigw.sysupgrade." + name] + list(args)


def serial_loop(lab, hosts):
    """What an operator types today, node after node, credentials on standard input."""
    anms = [h for h in lab["hosts"] if h.get("anm")]
    first = [h for h in anms if h.get("first_anm")] or anms
    anm_host = ["--anm_host", first[0]["topology_name"]] if len(anms) > 1 else []
    cassandra = lab["cassandra"]
    answers = "%s\n%s\n" % (lab["admin_username"], lab["admin_password"])
    start = time.monotonic()
    for host in hosts:
        bin_dir = lab["new_dir"] + "/upgrade/bin"
        export = "cd %s && ./sysupgrade export --old_install_dir %s %s" % (bin_dir, lab["old_dir"], " ".join(anm_host))
        upgrade = "cd %s && ./sysupgrade upgrade --cass_host %s --cass_port %d" % (
            bin_dir, cassandra["host"], cassandra["port"])
        ssh = ["ssh", "-F", str(LAB_DIR / "ssh_config"), host["inventory_name"]]
        run(ssh + [export], input=answers)
        run(ssh + [upgrade], input="")
    return time.monotonic() - start


def ours(nodes, step_seconds):
    lab = lab_up(nodes, step_seconds)
    seconds, _proc = timed(playbook("test_upgrade"))
    return lab, seconds


def serial(nodes, step_seconds):
    lab = lab_up(nodes, step_seconds)
    return serial_loop(lab, lab["hosts"])


def audit_step_seconds(node, step):
    """Sum of the durations of one sysupgrade step on a node, from the lab's audit log ("end"
    records carry their start and end, to the second)."""
    path = LAB_DIR / "hosts" / node / "opt" / "apigw-lab" / "audit.log"

    def stamp(text):
        return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").timestamp()
    total = 0.0
    for line in path.read_text().splitlines():
        record = json.loads(line)
        argv = record.get("argv") or []
        if record.get("event") == "end" and len(argv) > 1 and argv[1] == step:
            total += stamp(record["end"]) - stamp(record["start"])
    return total


def apply_overhead(apply_seconds):
    lab = lab_up(0, 0, topology="vendor-3-node")
    run(playbook("test_upgrade"))
    for host in lab["hosts"]:
        run([str(LABCTL), "fault", host["inventory_name"], "slow", "step=apply", "seconds=%d" % apply_seconds])
    first = timed(playbook("apply", "--limit", "node1", "-e", "apigw_apply_confirmed=true"))[0]
    rest = timed(playbook("apply", "-e", "apigw_apply_confirmed=true"))[0]
    steps = sum(audit_step_seconds(h["inventory_name"], "apply") for h in lab["hosts"])
    return first + rest, steps


def ssh_round_trips(output, hosts):
    counts = {h["inventory_name"]: 0 for h in hosts}
    for match in re.finditer(r"<([^>]+)> SSH: EXEC ssh ", output):
        for host in hosts:
            if match.group(1) in (host["inventory_name"], host["address"]):
                counts[host["inventory_name"]] += 1
    return counts


def rerun_and_ping():
    lab = lab_up(3, 0)
    first, proc = timed(playbook("test_upgrade", "-vvv"))
    trips = ssh_round_trips(proc.stdout, lab["hosts"])
    again, proc2 = timed(playbook("test_upgrade", "-vvv"))
    trips_again = ssh_round_trips(proc2.stdout, lab["hosts"])
    ping = timed(["ansible", "-i", str(LAB_DIR / "inventory.yml"), "apigw", "-m", "ansible.builtin.ping"])[0]
    return first, again, ping, trips, trips_again


def plot(rows, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(matplotlib not installed: no plot; pip install matplotlib)")
        return
    sizes = [r["n"] for r in rows]
    plt.figure(figsize=(6, 4))
    plt.plot(sizes, [r["ours"] for r in rows], "o-", label="apigw.sysupgrade.test_upgrade (forks 5)")
    plt.plot(sizes, [r["serial"] for r in rows], "s--", label="serial ssh loop")
    plt.xlabel("nodes (N)")
    plt.ylabel("wall time (s)")
    plt.title("test upgrade, %d s upgrade step per node" % rows[0]["step"])
    plt.grid(True, alpha=0.3)
    plt.legend()
    plt.tight_layout()
    plt.savefig(str(path), dpi=100)
    print("plot: %s" % path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,5,10,20")
    parser.add_argument("--step-seconds", type=int, default=5)
    parser.add_argument("--target-step-seconds", type=int, default=60)
    parser.add_argument("--apply-step-seconds", type=int, default=30,
                        help="each node's apply step in the apply-overhead measurement")
    parser.add_argument("--png", default=str(REPO / "docs" / "benchmark-parallel-steps.png"))
    parser.add_argument("--skip-target", action="store_true", help="skip the N=20 / 60 s target row")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    rows = []
    try:
        for n in [int(x) for x in args.sizes.split(",")]:
            _lab, ours_s = ours(n, args.step_seconds)
            serial_s = serial(n, args.step_seconds)
            rows.append({"n": n, "step": args.step_seconds, "ours": ours_s, "serial": serial_s})
            print("N=%d: ours %.1f s, serial %.1f s" % (n, ours_s, serial_s), flush=True)
        target = None
        if not args.skip_target:
            _lab, one = ours(1, args.target_step_seconds)
            _lab, twenty = ours(20, args.target_step_seconds)
            serial_one = serial(1, args.target_step_seconds)
            target = (one, twenty, serial_one)
        total_apply, apply_steps = apply_overhead(args.apply_step_seconds)
        first, again, ping, trips, trips_again = rerun_and_ping()
    finally:
        run([str(LABCTL), "down"], check=False)
    one_node = rows[0]["ours"] if rows and rows[0]["n"] == 1 else None
    print()
    print("| N | upgrade step | ours (s) | x one node's run | serial loop (s) | serial / ours |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print("| %d | %d s | %.1f | %s | %.1f | %.1f |" % (
            r["n"], r["step"], r["ours"], "%.2f" % (r["ours"] / one_node) if one_node else "-", r["serial"],
            r["serial"] / r["ours"]))
    if target:
        one, twenty, serial_one = target
        print("| 20 | %d s | %.1f | %.2f (target <= 1.10) | %.1f projected (20 x %.1f) | %.1f (target >= 16) |" % (
            args.target_step_seconds, twenty, twenty / one, 20 * serial_one, serial_one, 20 * serial_one / twenty))
    print()
    print("| measure | ours | baseline | ratio | target |")
    print("|---|---|---|---|---|")
    overhead = 100.0 * (total_apply - apply_steps) / apply_steps if apply_steps else float("nan")
    print("| apply, vendor 3-node (first ANM, then the rest) | %.1f s | %.1f s (sum of apply steps) | %.0f %% overhead "
          "| <= 10 %% |" % (total_apply, apply_steps, overhead))
    print("| test_upgrade rerun after success, 3 nodes | %.1f s | %.1f s (ansible -m ping) | %.2f x | <= 1.5 x |" % (
        again, ping, again / ping))
    print("| SSH round trips per node, first test_upgrade | %s | | | |" % json.dumps(trips))
    print("| SSH round trips per node, rerun | %s | | | |" % json.dumps(trips_again))
    print()
    print("benchmark took %.0f s" % (time.monotonic() - started))
    plot(rows, Path(args.png))


if __name__ == "__main__":
    main()
