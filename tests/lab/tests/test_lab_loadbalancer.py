"""The site's load balancer (Debian's HAProxy in the root namespace), the gateways' test API and
the traffic generator, on real lab hosts (DESIGN.md "Load balancer, test API and traffic").

Vendor basis: manage_operations.md "Shut down an API Gateway using zero downtime shutdown" (the
load balancer pings /healthchecklb and stops routing on a 503) and upgrade_zdu_overview.md (a
load balancer keeps traffic flowing while the nodes are upgraded one at a time).
"""
import http.client
import json
import os
import subprocess
import threading
import time

import pytest

import test_product_support as support
from lablib import haproxy
from lablib.testing import LABCTL
from lablib.traffic import MARGIN

OLD, NEW = "7.5.3", "7.7"


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out after %ss waiting for %s" % (timeout, what))


def stot(lab):
    return dict((n, s["stot"]) for n, s in lab.lb_servers().items())


def instance_cmd(lab, node, action, tree="old"):
    (inst,) = lab.host(node)["instances"]
    return lab.exec(node, "%s/posix/bin/startinstance" % lab.info["%s_dir" % tree], "-g",
                    inst["group"], "-n", inst["name"], action, timeout=60)


def all_up(lab):
    return all(s["status"] == "UP" and s["check_status"] == "L7OK"
               for s in lab.lb_servers().values())


# ------------------------------------------------------------------ shared vendor-3-node lab

def test_version_api_on_every_instance(vendor3):
    for h in vendor3.info["hosts"]:
        (inst,) = h["instances"]
        conn = http.client.HTTPConnection(h["address"], 8080, timeout=5)
        try:
            conn.request("GET", "/version")
            resp = conn.getresponse()
            body = resp.read()
        finally:
            conn.close()
        assert resp.status == 200
        assert resp.getheader("Content-Type") == "application/json"
        assert body == json.dumps({"version": OLD, "host": h["topology_name"],
                                   "instance": inst["name"]}).encode()
        assert b'"version": "7.5.3"' in body


def test_inventory_and_status_describe_the_load_balancer(vendor3):
    yaml = pytest.importorskip("yaml")
    group = yaml.safe_load(vendor3.inventory_path.read_text())["all"]["children"]["apigw"]
    for node in ("node1", "node2", "node3"):
        assert group["hosts"][node]["apigw_haproxy_servers"] == [node]
    v = group["vars"]
    assert v["apigw_haproxy_runtime_api"] == str(vendor3.lab_dir / "haproxy" / "admin.sock")
    assert v["apigw_haproxy_backend"] == "apigw"
    assert v["apigw_rolling_probe_path"] == "/version"
    assert v["apigw_rolling_probe_body"] == '"version": "7.7"'
    status = json.loads(vendor3.labctl("status", "--json").stdout)["haproxy"]
    assert status["alive"] and status["pid"] == vendor3.state["haproxy"]["pid"]
    assert status["bind"] == "%s:8080" % vendor3.lb_address[0]
    assert status["servers"] == {"node1": "UP", "node2": "UP", "node3": "UP"}
    cfg = (vendor3.lab_dir / "haproxy" / "haproxy.cfg").read_text()
    assert "retries 0" in cfg and "option redispatch" not in cfg
    assert "option httpchk GET /healthchecklb" in cfg


def test_haproxy_routes_to_every_node(vendor3):
    before = stot(vendor3)
    result = vendor3.traffic(rate=30, count=60).wait()
    assert (result["sent"], result["ok"], result["failed"]) == (60, 60, 0), result["failures"]
    assert result["by_version"] == {OLD: 60}
    assert result["mixed_seconds"] == 0 and result["outage_seconds"] == 0
    after = stot(vendor3)
    served = dict((n, after[n] - before[n]) for n in after)
    assert sorted(served) == ["node1", "node2", "node3"]
    assert all(count >= 15 for count in served.values()), served     # round robin: ~20 each
    assert sum(served.values()) == 60


def test_drained_node_gets_nothing_and_stops_without_a_lost_request(vendor3):
    """manage_operations.md zero downtime shutdown, driven from the load balancer: drain node1
    (runtime API), stop its instance while traffic flows: no request fails."""
    vendor3.lb_set_state("node1", "drain")
    try:
        assert vendor3.lb_servers()["node1"]["status"] == "DRAIN"
        before = stot(vendor3)
        run = vendor3.traffic(rate=20, count=60)
        time.sleep(1.0)
        stopped = instance_cmd(vendor3, "node1", "-k")
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr
        result = run.wait()
        after = stot(vendor3)
        assert (result["sent"], result["ok"], result["failed"]) == (60, 60, 0), result["failures"]
        assert after["node1"] == before["node1"]            # no new request reached node1
        assert after["node2"] > before["node2"] and after["node3"] > before["node3"]
        wait_for(lambda: vendor3.lb_servers()["node1"]["status"] == "DOWN", 10,
                 "HAProxy to see node1's instance down")
    finally:
        instance_cmd(vendor3, "node1", "-d")
        vendor3.lb_set_state("node1", "ready")
    wait_for(lambda: all_up(vendor3), 10, "every server up again")


def test_traffic_counts_add_up_and_it_stops_by_itself(vendor3, tmp_path):
    threads = threading.active_count()
    run = vendor3.traffic(rate=50, count=25)
    result = run.wait()
    assert result["ok"] + result["failed"] == result["sent"] == 25 == result["count"]
    assert result["duration"] <= run.bound() and result["end"] >= result["start"]
    assert threading.active_count() == threads                   # no thread left behind
    # the command: a path that fails everywhere (404), the result also in a file
    out = tmp_path / "traffic.json"
    t0 = time.monotonic()
    proc = vendor3.labctl("traffic", "--rate", "50", "--count", "25", "--timeout", "1",
                          "--path", "/nope", "--json", out, timeout=60)
    took = time.monotonic() - t0
    result = json.loads(proc.stdout)
    assert json.loads(out.read_text()) == result
    assert (result["sent"], result["ok"], result["failed"]) == (25, 0, 25)
    assert {f["error"] for f in result["failures"]} == {"HTTP 404"}
    assert result["outage_seconds"] == result["longest_outage_seconds"] == 0.5
    assert result["outages"] == [{"start": 0.0, "end": 0.5, "requests": 25}]
    assert result["by_version"] == {} and result["mixed_seconds"] == 0
    assert (result["rate"], result["count"], result["timeout"], result["path"]) == \
        (50.0, 25, 1.0, "/nope")
    assert result["stopped_by"] == "count"
    assert took < 25 / 50 + 1 + MARGIN + 5       # bounded (+ labctl's own start-up)


def test_traffic_runs_until_its_stop_file_and_says_when_it_started(vendor3, tmp_path):
    """--stop-file / --started-file: traffic that runs until the test says, never on a clock."""
    started, stop, out = tmp_path / "started", tmp_path / "stop", tmp_path / "traffic.json"
    proc = subprocess.Popen([str(LABCTL), "traffic", "--rate", "20", "--count", "6000", "--json", str(out),
                             "--stop-file", str(stop), "--started-file", str(started)],
                            env=dict(os.environ, APIGW_LAB_DIR=str(vendor3.lab_dir)),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, universal_newlines=True)
    try:
        wait_for(lambda: started.exists() or proc.poll() is not None, 30, "the first answer")
        assert started.exists() and proc.poll() is None  # answering, and not stopped by anything
        stop.touch()
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, proc.stderr.read()
    result = json.loads(out.read_text())
    assert result["stopped_by"] == "stop_file" and 0 < result["sent"] < 6000
    assert result["ok"] + result["failed"] == result["sent"] and result["failed"] == 0


# ------------------------------------------------------------------ labs of their own

def test_load_balancer_outlives_crash_and_boot_and_goes_with_down(lab_factory):
    lab = lab_factory("single")
    pid = lab.state["haproxy"]["pid"]
    assert haproxy.is_ours(pid, lab.lab_dir)
    lab.crash("node1")
    wait_for(lambda: lab.lb_servers()["node1"]["status"] == "DOWN", 10, "node1 down in HAProxy")
    lab.boot("node1")
    assert lab.state["haproxy"]["pid"] == pid and haproxy.is_ours(pid, lab.lab_dir)
    lab_dir = lab.lab_dir
    lab.down()
    assert not haproxy.is_ours(pid, lab_dir)
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = open("/proc/%s/cmdline" % entry, "rb").read().decode(errors="replace")
        except OSError:
            continue
        assert str(lab_dir) + "/" not in cmd, cmd


def test_zero_downtime_upgrade_node_by_node_behind_the_load_balancer(lab_factory):
    """upgrade_zdu_overview.md with the lab's HAProxy: each node in turn is drained, its old
    installation stopped, apply run (the other nodes' old installation still serving: DESIGN.md
    "apply and the old installation on other nodes"), and put back once its new instance passes
    the health check. Traffic flows all along: no request fails, both versions answer."""
    p = support.Product(lab_factory("vendor-3-node"))
    lab = p.lab
    for node in support.NODES:
        p.export_upgrade(node)
    run = lab.traffic(rate=20, count=2400)          # stopped below once every node is done
    try:
        time.sleep(1.0)
        for node in support.NODES:
            lab.lb_set_state(node, "drain")
            wait_for(lambda: lab.lb_servers()[node]["scur"] == 0, 10, "%s idle" % node)
            p.stop(node, "old")
            p.ok(p.apply(node))
            wait_for(lambda: lab.lb_servers()[node]["check_status"] == "L7OK" and
                     lab.lb_servers()[node]["status"] == "DRAIN", 15,
                     "%s's new instance to pass its health check" % node)
            lab.lb_set_state(node, "ready")
            time.sleep(1.0)
    finally:
        run.stop()
    result = run.wait()
    assert result["ok"] + result["failed"] == result["sent"]
    assert result["failed"] == 0, result["failures"]
    assert set(result["by_version"]) == {OLD, NEW}
    assert result["mixed_seconds"] > 0
    assert result["first_seen"][OLD] < result["first_seen"][NEW]
    assert result["last_seen"][OLD] < result["last_seen"][NEW]
    after = lab.traffic(rate=30, count=30).wait()
    assert after["by_version"] == {NEW: 30}
    assert host_count(p) == ["NodeA", "NodeB", "NodeC"]


def host_count(p):
    return support.host_names(p.topology("node1"))
