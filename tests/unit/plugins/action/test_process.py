"""The process action: a long wait for the node's sysupgrade lock cut into slices, a line between them."""
from ansible_collections.apigw.sysupgrade.plugins.action import process as pa
from ansible_collections.apigw.sysupgrade.tests.unit.plugins.action.sliced_fakes import ScriptedNode, run_action

HOLDER = "pid 4242, sysupgrade apply since 2026-11-25T05:00:00Z"
LOCKED = {"failed": True, "failure_kind": "locked", "holder": HOLDER,
          "msg": "another sysupgrade run on this node still holds the lock L after 10 s (%s); nothing was "
                 "started or stopped. Wait for that run to end, then run this again." % HOLDER}
STOPPED = {"changed": True, "failed": False, "stopped": ["nodemanager"]}


def run(script, check_mode=False, **args):
    node = ScriptedNode("apigw.sysupgrade.process", "wait_for_sysupgrade", "locked", script)
    result = run_action(pa.ActionModule, node, dict({"install_dir": "/opt/new", "component": "all",
                                                     "state": "stopped"}, **args), check_mode=check_mode)
    return result, node


def test_without_a_lock_wait_the_module_runs_once_unchanged(shown):
    result, node = run([STOPPED])
    assert node.calls == [{"install_dir": "/opt/new", "component": "all", "state": "stopped"}]
    assert result["stopped"] == ["nodemanager"] and shown == []


def test_a_long_lock_wait_prints_a_line_between_slices_naming_the_holder(shown):
    result, node = run([LOCKED, LOCKED, STOPPED], wait_for_sysupgrade=3600)
    assert [c["wait_for_sysupgrade"] for c in node.calls] == [10, 10, 10]
    assert shown == [
        "node1: waiting for the sysupgrade run still going on here (%s) to end before starting or stopping "
        "processes: 0:00:10 so far, limit 1:00:00" % HOLDER,
        "node1: waiting for the sysupgrade run still going on here (%s) to end before starting or stopping "
        "processes: 0:00:20 so far, limit 1:00:00" % HOLDER]
    assert not result["failed"] and result["stopped"] == ["nodemanager"] and result["waited"] == 21


def test_at_the_limit_the_message_covers_the_whole_wait(shown):
    result, node = run([LOCKED] * 3, wait_for_sysupgrade=25)
    assert [c["wait_for_sysupgrade"] for c in node.calls] == [10, 10, 5]
    assert len(shown) == 2 and result["failed"] and result["failure_kind"] == "locked"
    assert result["msg"] == ("another sysupgrade run on this node (%s) still held its lock after 25 s "
                             "(wait_for_sysupgrade); nothing was started or stopped. Wait for that run to end, "
                             "then run this again." % HOLDER)


def test_any_other_failure_ends_the_wait_at_once(shown):
    failed = {"failed": True, "msg": "nodemanager -k failed", "rc": 1}
    result, node = run([failed], wait_for_sysupgrade=3600)
    assert len(node.calls) == 1 and shown == [] and result["msg"] == "nodemanager -k failed"


def test_check_mode_never_waits(shown):
    result, node = run([STOPPED], check_mode=True, wait_for_sysupgrade=3600)
    assert node.calls == [{"install_dir": "/opt/new", "component": "all", "state": "stopped",
                           "wait_for_sysupgrade": 3600}]
    assert shown == [] and not result["failed"]
