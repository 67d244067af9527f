"""The topology_info action: a long wait for an ANM cut into slices, a progress line between them."""
import pytest

from ansible_collections.apigw.sysupgrade.plugins.action import topology_info as ti
from ansible_collections.apigw.sysupgrade.tests.unit.plugins.action.sliced_fakes import ScriptedNode, run_action

URL = "https://127.0.0.1:8090"
SILENT = {"failed": True, "failure_kind": "unavailable", "attempts": 5, "node_manager": "running",
          "last_reason": "connection refused", "topology_source": URL + "/api/topology",
          "msg": "ANM at %s/api/topology: still not ready after 10 s and 5 attempts: connection refused" % URL}


def run(script, delegate_to="node1", **args):
    node = ScriptedNode("apigw.sysupgrade.topology_info", "wait_timeout", "unavailable", script)
    result = run_action(ti.ActionModule, node, dict({"anm_url": URL, "username": "admin", "password": "pw"}, **args),
                        delegate_to=delegate_to, inventory_hostname="node2")
    return result, node


def test_a_short_wait_is_one_run_of_the_module_unchanged(shown):
    result, node = run([SILENT], wait_timeout=10)
    assert node.calls == [{"anm_url": URL, "username": "admin", "password": "pw", "wait_timeout": 10}]
    assert result["msg"] == SILENT["msg"] and shown == []
    assert result["waited"] == 10


def test_a_short_wait_that_ends_in_an_answer_says_how_long_it_took(shown):
    result, node = run([dict(SILENT, failed=False, failure_kind=None, attempts=3)], wait_timeout=10)
    assert len(node.calls) == 1 and not result["failed"]
    assert shown == ["node1: the Admin Node Manager at %s answered after 0:00:01 and 3 attempts" % URL]


def test_an_answer_at_the_first_attempt_prints_nothing(shown):
    result, _node = run([dict(SILENT, failed=False, failure_kind=None, attempts=1)], wait_timeout=300)
    assert shown == [] and result["attempts"] == 1 and result["waited"] == 1


def test_a_long_wait_prints_a_line_between_slices_and_sums_the_attempts(shown):
    result, node = run([SILENT, SILENT, dict(SILENT, failed=False, failure_kind=None, attempts=2)],
                       wait_timeout=300, wait_for_version="7.7")
    assert [c["wait_timeout"] for c in node.calls] == [10, 10, 10]
    assert shown == [
        "node1: waiting for the Admin Node Manager at %s to answer as 7.7: 0:00:10 so far, limit 0:05:00 "
        "(its Node Manager runs; last: connection refused)" % URL,
        "node1: waiting for the Admin Node Manager at %s to answer as 7.7: 0:00:20 so far, limit 0:05:00 "
        "(its Node Manager runs; last: connection refused)" % URL,
        "node1: the Admin Node Manager at %s answered as 7.7 after 0:00:21 and 12 attempts" % URL]
    assert not result["failed"] and result["attempts"] == 12 and result["waited"] == 21


def test_at_the_limit_the_message_is_the_whole_waits(shown):
    result, node = run([SILENT] * 3, wait_timeout=25)
    assert [c["wait_timeout"] for c in node.calls] == [10, 10, 5]  # the last slice is what is left
    assert len(shown) == 2
    assert result["failed"] and result["attempts"] == 15
    assert result["msg"] == ("ANM at %s/api/topology: still not ready after 25 s and 15 attempts: "
                             "connection refused" % URL)


@pytest.mark.parametrize("end", [
    {"failed": True, "failure_kind": "stopped", "node_manager": "stopped", "msg": "stopped"},
    {"failed": True, "failure_kind": "certificate", "msg": "not the pinned one"},
    {"failed": True, "failure_kind": "auth", "msg": "refused"},
    {"unreachable": True, "msg": "ssh: connect to host"},
])
def test_what_waiting_cannot_mend_ends_the_wait_at_once(shown, end):
    result, node = run([end], wait_timeout=300)
    assert len(node.calls) == 1 and shown == []
    assert result["msg"] == end["msg"]


def test_go_on_waiting_only_for_an_unavailable_anm_before_the_limit():
    assert ti.go_on_waiting(SILENT, 1)
    assert not ti.go_on_waiting(SILENT, 0)
    assert not ti.go_on_waiting(dict(SILENT, failure_kind="stopped"), 100)
    assert not ti.go_on_waiting({"failed": False}, 100)
