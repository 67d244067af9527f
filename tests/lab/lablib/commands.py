"""labctl's commands after up/down: status, fail/heal, crash/boot, fault(s), ssh, exec.

Each returns an exit status; errors are raised as LabError and printed by labctl.
"""
import json
import os
import time

from . import faults, haproxy, hosts, netns, product, sshd
from . import state as st
from .up import start_cassandra
from .util import HOST_ENV, LabError, Timer, log, wait_until, write_file


# ---------------------------------------------------------------- status

def resolve(state, name):
    """Accept the inventory name (node1) or the topology name (NodeA)."""
    for node, entry in state["hosts"].items():
        if name in (node, entry["topology_name"]):
            return node, entry
    return st.node_entry(state, name)  # raises, listing the nodes


def status(as_json=False):
    lab_dir = st.lab_dir()
    state = st.load_state(lab_dir)
    rows = []
    for node, e in state["hosts"].items():
        rows.append({"node": node, "topology_name": e["topology_name"], "address": e["address"],
                     "namespace": e["namespace"], "pid": e["pid"],
                     "alive": hosts.alive(e["pid"]), "network": "up" if netns.cable_plugged(e["index"]) else "cut",
                     "sshd": sshd.port_open(e["address"]) if netns.cable_plugged(e["index"]) else None})
    lb = haproxy.report(state, lab_dir)
    if as_json:
        print(json.dumps({"lab_dir": str(lab_dir), "hosts": rows, "haproxy": lb}, indent=2))
        return 0
    print("lab %s" % lab_dir)
    print("%-7s %-10s %-13s %-13s %-8s %-6s %-7s %s" % (
        "NODE", "TOPOLOGY", "ADDRESS", "NAMESPACE", "PID", "ALIVE", "NETWORK", "SSHD"))
    for r in rows:
        sshd_txt = {True: "listening", False: "refused", None: "-"}[r["sshd"]]
        print("%-7s %-10s %-13s %-13s %-8s %-6s %-7s %s" % (
            r["node"], r["topology_name"], r["address"], r["namespace"], r["pid"],
            "yes" if r["alive"] else "NO", r["network"], sshd_txt))
    if lb is None:
        print("load balancer: none (up --no-product)")
    else:
        print("load balancer: haproxy pid %s %s, http://%s/, runtime API %s" % (
            lb["pid"], "running" if lb["alive"] else "NOT RUNNING", lb["bind"], lb["socket"]))
        if lb["servers"]:
            print("  backend %s: %s" % (lb["backend"], ", ".join(
                "%s %s" % kv for kv in lb["servers"].items())))
    return 0


# ---------------------------------------------------------------- failures

def fail(name, plugged):
    lab_dir = st.lab_dir()
    state = st.load_state(lab_dir)
    node, entry = resolve(state, name)
    netns.set_cable(entry["index"], node, plugged)
    log("%s: network %s" % (node, "restored" if plugged else "cut (packets dropped: timeouts)"))
    return 0


def crash(name):
    lab_dir = st.lab_dir()
    with st.LabLock():
        state = st.load_state(lab_dir)
        node, entry = resolve(state, name)
        if not hosts.alive(entry["pid"]):
            raise LabError("node %s is already down" % node)
        if not hosts.kill(entry["pid"]):
            raise LabError("node %s: PID 1 (%s) did not die" % (node, entry["pid"]))
    log("%s: crashed (PID 1 %s killed; every process of the host is gone)" % (node, entry["pid"]))
    return 0


def boot(name):
    """Restart a crashed host: sshd, and the Cassandra stand-in on its host; no gateway processes."""
    timer, lab_dir = Timer(), st.lab_dir()
    with st.LabLock():
        state = st.load_state(lab_dir)
        node, entry = resolve(state, name)
        if hosts.alive(entry["pid"]):
            raise LabError("node %s is running (PID 1 %s); 'labctl crash %s' first" % (node, entry["pid"], node))
        # the PID namespace may still be dying; wait until nothing is left in the host's netns
        wait_until(lambda: not netns.namespace_pids(entry["namespace"]), 10)
        entry["pid"] = hosts.start(node, entry["namespace"], st.host_dir(lab_dir, node),
                                   lab_dir / "hosts_file")
        st.save_state(lab_dir, state)
        if netns.cable_plugged(entry["index"]):
            sshd.require_ssh(lab_dir, node, entry["address"], lambda: hosts.alive(entry["pid"]))
        else:
            log("%s: network is cut ('labctl heal %s'); not waiting for ssh" % (node, node))
        lab = st.load_lab(lab_dir)
        if lab["cassandra"]["inventory_host"] == node and product.installer() is not None:
            start_cassandra(lab, state)
    log("%s: booted (PID 1 %s), took %.2f s" % (node, entry["pid"], timer.elapsed()))
    return 0


# ---------------------------------------------------------------- faults

def host_opt(name):
    lab_dir = st.lab_dir()
    node = resolve(st.load_state(lab_dir), name)[0]
    return node, st.host_dir(lab_dir, node) / "opt"


def fault(name, fault_name, pairs, clear):
    node, opt = host_opt(name)
    if clear:
        if pairs:
            raise LabError("fault --clear takes at most one fault name, got extra: %s" % " ".join(pairs))
        left = faults.clear(opt, fault_name)
    else:
        if not fault_name:
            raise LabError("fault %s: name a fault, or use --clear; valid faults: %s"
                           % (node, ", ".join(sorted(faults.CATALOGUE))))
        left = faults.switch_on(opt, fault_name, pairs)
    print(json.dumps(left, sort_keys=True))
    return 0


def list_faults(name):
    opt = host_opt(name)[1]
    print(json.dumps(faults.read(opt), indent=2, sort_keys=True))
    return 0


# ---------------------------------------------------------------- deploy

def deploy(group):
    """Deploy a new configuration to GROUP (its name or id), as Policy Studio or API Gateway
    Manager would: every host that runs an instance of the group gets it in its OLD
    groups/<group-id>/lab-config.json (upgrade_faq.md: "if you deploy a new configuration to a
    group of API Gateways, you must rerun export on all nodes that run instances in that group").
    Only the deployment's number and time change; what the upgrade checks read stays the same."""
    lab_dir = st.lab_dir()
    lab = st.load_lab(lab_dir)
    targets = [(h["inventory_name"], i["group_id"]) for h in lab["hosts"] for i in h.get("instances", [])
               if group in (i["group"], i["group_id"])]
    if not targets:
        groups = sorted(set("%s (%s)" % (i["group"], i["group_id"])
                            for h in lab["hosts"] for i in h.get("instances", [])))
        raise LabError("deploy: no group %r in this lab; groups: %s" % (group, ", ".join(groups)))
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    for node, gid in sorted(set(targets)):
        path = st.host_dir(lab_dir, node) / "opt" / lab["old_dir"][len("/opt/"):] / "groups" / gid / "lab-config.json"
        cfg = json.loads(path.read_text())
        cfg["deployment"] = int(cfg.get("deployment", 1)) + 1
        cfg["deployed"] = stamp
        tmp = path.with_name(path.name + ".deploying")
        write_file(tmp, json.dumps(cfg, indent=2, sort_keys=True) + "\n")
        os.replace(str(tmp), str(path))
        log("%s: deployed configuration %d to group %s" % (node, cfg["deployment"], gid))
    return 0


# ---------------------------------------------------------------- Cassandra port

def cassandra_port(action, port):
    """Close PORT of the Cassandra stand-in to the other hosts, or open it again
    (upgrade_steps_extcass.md Task 3 "Open the new Apache Cassandra client port in the firewall").
    The lab has no firewall tool (no nft/iptables on the machine): the stand-in of that port is
    restarted listening on 127.0.0.1 only (closed: connections from the other hosts, and to the
    host's own address, are refused) or on every address (open). Kept in lab.json
    ("cassandra_closed_ports"), so 'boot' keeps it; the other port is untouched."""
    lab_dir = st.lab_dir()
    with st.LabLock():
        state, lab = st.load_state(lab_dir), st.load_lab(lab_dir)
        node = lab["cassandra"]["inventory_host"]
        entry = state["hosts"][node]
        closed = set(product.closed_ports(lab))
        closed = closed | {port} if action == "close" else closed - {port}
        if closed:
            lab["cassandra_closed_ports"] = sorted(closed)
        else:
            lab.pop("cassandra_closed_ports", None)
        st.save_lab(lab_dir, lab)
        opt = st.host_dir(lab_dir, node) / "opt"
        if hosts.alive(entry["pid"]):
            product.stop_cassandra(lab, entry["pid"], opt, port)
            product.start_cassandra(lab, entry["pid"], opt, ports=[port])
    log("%s: Cassandra port %d %s" % (node, port, "closed to the other hosts (listens on "
                                      "127.0.0.1 only)" if action == "close" else "open"))
    return 0


# ---------------------------------------------------------------- shells

def ssh(name, command):
    lab_dir = st.lab_dir()
    node = resolve(st.load_state(lab_dir), name)[0]
    argv = sshd.ssh_argv(lab_dir, node, " ".join(command) if command else None)
    os.execvp(argv[0], argv)


def exec_in(name, argv):
    lab_dir = st.lab_dir()
    node, entry = resolve(st.load_state(lab_dir), name)
    if not argv:
        raise LabError("exec %s: give a command after --" % node)
    if not hosts.alive(entry["pid"]):
        raise LabError("node %s is down; 'labctl boot %s'" % (node, node))
    full = hosts.nsenter_argv(entry["pid"], argv)
    os.execvpe(full[0], full, HOST_ENV)


# ---------------------------------------------------------------- traffic

def lb_address(state):
    """(address, port) of the lab's load balancer frontend, or LabError when it has none."""
    lb = state.get("haproxy")
    if not lb:
        raise LabError("this lab has no load balancer (made with up --no-product?)")
    host, _sep, port = lb["bind"].rpartition(":")
    return host, int(port)


def traffic(rate, count, timeout, path, json_file=None, stop_file=None, started_file=None):
    """Bounded traffic through the load balancer; prints the result JSON (lablib/traffic.py).
    No lock: it runs beside playbooks and other labctl commands."""
    from . import traffic as tr
    host, port = lb_address(st.load_state(st.lab_dir()))
    try:
        run = tr.Traffic(host, port, rate=rate, count=count, timeout=timeout, path=path,
                         stop_file=stop_file, started_file=started_file)
    except ValueError as exc:
        raise LabError("traffic: %s" % exc)
    log("traffic: %d request(s) at %g/s to %s (at most %.1f s)" % (count, rate, run.url, run.bound()))
    try:
        result = run.run()
    except KeyboardInterrupt:
        run.stop()
        raise
    text = json.dumps(result, indent=2, sort_keys=True) + "\n"
    if json_file:
        tmp = "%s.tmp" % json_file
        write_file(tmp, text)
        os.replace(tmp, json_file)
    print(text, end="")
    log("traffic: sent %d, ok %d, failed %d, by version %s, outage %.2f s, mixed %.2f s" % (
        result["sent"], result["ok"], result["failed"], result["by_version"],
        result["outage_seconds"], result["mixed_seconds"]))
    return 0
