"""What the summary read from the nodes: each batch host's own register plus the delegated loop over
the nodes outside the play (apply --limit), gathered into one view."""
from ansible_collections.apigw.sysupgrade.plugins.filter.run_records import fetched_logs, host_results
from ansible_collections.apigw.sysupgrade.plugins.filter.summary_nodes import (
    completed_steps, report_logs, summary_statuses)

LOG = "/opt/Axway-7.7/apigateway/upgrade/bin/out/logs/%s.log"


def status(completed, **logs):
    return {"changed": False, "completed": completed,
            "logs": dict((step, {"path": LOG % step, "counts": {}}) for step in logs)}


def test_batch_hosts_and_delegated_nodes_are_gathered_and_unread_nodes_left_out():
    hostvars = {
        "node1": {"_own": status(["export", "upgrade", "apply"], export=1, upgrade=1, apply=1)},
        "node2": {"_own": {"skipped": True, "changed": False}},            # gone: not read
        "node3": {"_own": {"failed": True, "msg": "sysupgrade not found"}},  # read, but no status
    }
    other = {"results": [dict(status(["export", "upgrade"], export=1, upgrade=1), item="node4"),
                         {"item": "node5", "failed": True, "msg": "no status"}]}
    results = host_results(["node1", "node2", "node3"], hostvars, "_own", other)
    assert [r["item"] for r in results] == ["node1", "node3", "node4", "node5"]  # skipped node2 left out
    assert results[1] == {"item": "node3", "failed": True, "msg": "sysupgrade not found"}
    statuses = summary_statuses(results)
    assert sorted(statuses) == ["node1", "node4"]
    assert completed_steps(statuses) == {"node1": ["export", "upgrade", "apply"], "node4": ["export", "upgrade"]}


def test_no_delegated_loop_ran():
    hostvars = {"node1": {"_own": status(["export"], export=1)}}
    assert completed_steps(summary_statuses(host_results(["node1"], hostvars, "_own"))) == {"node1": ["export"]}
    loop_skipped = {"skipped": True, "results": []}
    assert completed_steps(summary_statuses(host_results(["node1"], hostvars, "_own", loop_skipped))) \
        == {"node1": ["export"]}


def test_report_logs_per_node_in_step_order_with_their_links():
    statuses = {"node2": {"completed": [], "logs": {"export": {"path": LOG % "export"}, "upgrade": None}},
                "node1": {"completed": [], "logs": {"upgrade": {"path": LOG % "upgrade"},
                                                    "apply": {"path": LOG % "apply"}}}}
    assert report_logs(statuses) == [
        {"host": "node1", "step": "apply", "path": LOG % "apply", "link": "logs/node1/apply.log"},
        {"host": "node1", "step": "upgrade", "path": LOG % "upgrade", "link": "logs/node1/upgrade.log"},
        {"host": "node2", "step": "export", "path": LOG % "export", "link": "logs/node2/export.log"},
    ]


def test_only_logs_that_arrived_are_listed():
    logs = report_logs({"node1": {"completed": [], "logs": {"export": {"path": LOG % "export"},
                                                            "upgrade": {"path": LOG % "upgrade"}}},
                        "node2": {"completed": [], "logs": {"export": {"path": LOG % "export"}}},
                        "node3": {"completed": [], "logs": {"export": {"path": LOG % "export"}}}})
    hostvars = {"node1": {"_fetched": {"results": [{"item": logs[1], "changed": False},
                                                   {"item": logs[0], "changed": False}]}},
                "node2": {"_fetched": {"results": [{"item": logs[2], "failed": True, "msg": "file not found"}]}}}
    other = {"results": [{"item": logs[3], "changed": False}]}
    assert fetched_logs(["node1", "node2"], hostvars, "_fetched", other) == [logs[0], logs[1], logs[3]]
    # a host whose fetch loop was skipped, or never registered, adds nothing
    assert fetched_logs(["node2", "node4"], {"node2": {"_fetched": {"skipped": True, "results": []}}},
                        "_fetched") == []
