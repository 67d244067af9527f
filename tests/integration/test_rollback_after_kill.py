# -*- coding: utf-8 -*-
"""rollback.yml converges after the controller died at any point of an apply.

The controller's ``ansible-playbook`` (its whole process group: workers and ssh clients) is killed
with SIGKILL at three points of an apply on the vendor 3-node lab: right after the old installation
stopped everywhere, before the first Admin Node Manager's apply; during that apply (held half way
by the lab fault ``hold``, so that the ``sysupgrade apply`` job goes on on node1 after the controller
died, until the rollback says it waits for it); and mid-way through the other nodes (during node3's apply, node2 applied). Each time,
rollback.yml must bring back one old domain of three that serves, and a second rollback must
change nothing.
"""
import base64
import json
import os
import signal
import ssl
import subprocess
import time
import urllib.request

import pytest

from lab_ansible import VENV_BIN

NODES = ("node1", "node2", "node3")


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting for " + what
        time.sleep(0.2)


def apply_started(lab, node):
    return any(r["event"] == "start" and r["argv"][1] == "apply" for r in lab.audit(node))


def old_topology(lab):
    """The first Admin Node Manager's topology over HTTPS, trusting the lab's domain CA."""
    info = lab.info
    request = urllib.request.Request("https://%s:8090/api/topology" % lab.address("node1"))
    token = base64.b64encode(("%s:%s" % (info["admin_username"], info["admin_password"])).encode()).decode()
    request.add_header("Authorization", "Basic " + token)
    context = ssl.create_default_context(cafile=str(lab.ca_path))
    with urllib.request.build_opener(urllib.request.HTTPSHandler(context=context)).open(request, timeout=10) as answer:
        return json.loads(answer.read().decode())["result"]


def healthcheck(lab, node):
    with urllib.request.build_opener().open("http://%s:8080/healthchecklb" % lab.address(node), timeout=10) as answer:
        return answer.status


# (name, slow node, output line or audit event after which the controller dies)
POINTS = [
    ("before_first_anm", None, "Report what was stopped"),
    ("during_first_anm", "node1", None),
    ("midway_through_others", "node3", None),
]


@pytest.mark.parametrize("point, slow_node, marker", POINTS, ids=[p[0] for p in POINTS])
def test_rollback_converges_after_the_controller_died_during_apply(
        lab_factory, ansible_on, tmp_path, point, slow_node, marker):
    lab = lab_factory("vendor-3-node")
    runner = ansible_on(lab)
    reports = {"apigw_report_dir": str(tmp_path / "reports")}
    prepared = runner.playbook("apigw.sysupgrade.test_upgrade", extra_vars=reports)
    assert prepared.rc == 0, prepared

    if slow_node:
        # Its apply is held half way (lab fault hold) until the rollback says it waits for it.
        lab.fault(slow_node, "hold", step="apply")
    log_path = tmp_path / "killed-apply.log"
    argv = [str(VENV_BIN / "ansible-playbook"), "apigw.sysupgrade.apply", "-e", "apigw_apply_confirmed=true",
            "-e", "apigw_report_dir=%s" % reports["apigw_report_dir"]]
    with open(str(log_path), "w") as output:
        controller = subprocess.Popen(argv, env=runner.env(), cwd=str(tmp_path), stdout=output,
                                      stderr=subprocess.STDOUT, start_new_session=True)
        try:
            if marker:
                wait_for(lambda: marker in log_path.read_text(), 300, marker)
            else:
                wait_for(lambda: apply_started(lab, slow_node), 300, slow_node + "'s apply to start")
        finally:
            os.killpg(controller.pid, signal.SIGKILL)
            controller.wait()
    if slow_node:
        # The node's sysupgrade apply outlives the controller; the rollback must wait for it.
        assert [r["event"] for r in lab.audit(slow_node) if r["argv"][1] == "apply"] == ["start"]

    started = time.monotonic()
    rollback_vars = dict(reports, apigw_rollback_confirmed=True)
    if slow_node:
        # The rollback waits for the node's sysupgrade lock, and says so every 10 s (the process
        # action plugin); the held apply is let go only once it does.
        rollback = runner.playbook_releasing(
            "apigw.sysupgrade.rollback", rollback_vars, cwd=tmp_path,
            seen="%s: waiting for the sysupgrade run still going on here (pid " % slow_node,
            release=lambda: lab.clear_faults(slow_node, "hold"))
        assert "sysupgrade apply since " in rollback.stdout  # the line names the step it waits for
    else:
        rollback = runner.playbook("apigw.sysupgrade.rollback", extra_vars=rollback_vars)
    took = time.monotonic() - started
    assert rollback.rc == 0, rollback.output[-6000:]
    print("%s: rollback took %.1f s" % (point, took))

    for node in NODES:
        assert lab.ssh(node, lab.info["old_dir"] + "/posix/bin/nodemanager -s").returncode == 0, node
        assert lab.ssh(node, lab.info["new_dir"] + "/posix/bin/nodemanager -s").returncode == 1, node
        assert healthcheck(lab, node) == 200
    topology = old_topology(lab)
    assert topology["productVersion"] == "7.5.3"
    assert sorted(h["name"] for h in topology["hosts"]) == ["NodeA", "NodeB", "NodeC"]
    if slow_node:
        # The apply the controller left running ended before the new processes were stopped.
        events = [r["event"] for r in lab.audit(slow_node) if r["argv"][1] == "apply"]
        assert events == ["start", "end"]

    again = runner.playbook("apigw.sysupgrade.rollback", extra_vars=dict(reports, apigw_rollback_confirmed=True))
    assert again.rc == 0, again.output[-6000:]
    assert "Nothing changed: the old installation already ran and verified" in again.stdout
    assert all(r["result"].get("changed") is False for r in again.results if r["host"] in NODES
               and r["status"] != "skipped"), [r["task"] for r in again.results if r["result"].get("changed")]
