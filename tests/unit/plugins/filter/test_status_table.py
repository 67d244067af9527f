"""The status playbook's table, from what the status module registered on each node."""
from ansible_collections.apigw.sysupgrade.plugins.filter.run_records import run_records
from ansible_collections.apigw.sysupgrade.plugins.filter.status_table import status_table


def test_every_kind_of_node():
    hostvars = {
        "node1": {"apigw_topology_host": "NodeA",
                  "__apigw_status": {"current_status": "system upgrade complete", "next_step": None}},
        "node2": {"apigw_topology_host": "NodeB",
                  "__apigw_status": {"current_status": "export complete", "next_step": "upgrade"}},
        "node3": {"apigw_topology_host": "NodeC", "__apigw_status": {"unreachable": True, "msg": "timed out"}},
        "node4": {"apigw_topology_host": "NodeD", "__apigw_status": {"failed": True, "msg": "sysupgrade not found"}},
        "node5": {"apigw_topology_host": "NodeE"},
    }
    assert status_table(run_records(sorted(hostvars), hostvars)) == [
        "NODE  | TOPOLOGY HOST | STATUS                       | NEXT STEP",
        "node1 | NodeA         | system upgrade complete      | -",
        "node2 | NodeB         | export complete              | upgrade",
        "node3 | NodeC         | UNREACHABLE                  |",
        "node4 | NodeD         | FAILED: sysupgrade not found |",
        "node5 | NodeE         | NOT RUN (outside --limit)    |",
    ]
