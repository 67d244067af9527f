"""phase_report turns the roles' registered results into the per-node phase table."""
from ansible_collections.apigw.sysupgrade.plugins.filter.phase_report import phase_report


def step(changed=True, failed=False, warnings=0, errors=0, msg=""):
    return {"changed": changed, "failed": failed, "msg": msg,
            "counts": {"error": errors, "warning": warnings, "info": 0}}


HOSTVARS = {
    "node1": {"apigw_topology_host": "NodeA",
              "apigw_preflight": {"status": "PASSED", "problems": [], "notes": ["jdbc note"]},
              "apigw_export": step(warnings=1), "apigw_upgrade": step()},
    "node2": {"apigw_topology_host": "NodeB",
              "apigw_preflight": {"status": "PASSED", "problems": [], "notes": []},
              "apigw_export": step(), "apigw_upgrade": step(failed=True, errors=2, msg="upgrade failed"),
              "apigw_node_failed": True},
    "node3": {"apigw_topology_host": "NodeC",
              "apigw_preflight": {"status": "PASSED", "problems": [], "notes": []}},
}


def test_cells_follow_what_happened():
    report = phase_report(["node1", "node2", "node3"], HOSTVARS, gone_hosts=["node3"],
                          phases=["PREFLIGHT", "EXPORT", "UPGRADE"])
    rows = {r["host"]: r["phases"] for r in report["rows"]}
    assert rows["node1"]["PREFLIGHT"] == {"result": "PASSED", "warnings": 1, "errors": 0, "message": ""}
    assert rows["node1"]["EXPORT"]["result"] == "PASSED" and rows["node1"]["EXPORT"]["warnings"] == 1
    assert rows["node2"]["UPGRADE"] == {"result": "FAILED", "warnings": 0, "errors": 2, "message": "upgrade failed"}
    # node3 left the play without a recorded failure: unreachable during export.
    assert rows["node3"]["EXPORT"]["result"] == "UNREACHABLE"
    assert rows["node3"]["UPGRADE"]["result"] == "NOT RUN"


def test_resume_commands_name_the_playbook_and_host():
    report = phase_report(["node1", "node2", "node3"], HOSTVARS, gone_hosts=["node3"],
                          command_prefix="ansible-playbook -i inv.yml")
    assert report["resume"] == [
        {"host": "node2", "phase": "UPGRADE", "command": "ansible-playbook -i inv.yml apigw.sysupgrade.test_upgrade --limit node2"},
        {"host": "node3", "phase": "EXPORT", "command": "ansible-playbook -i inv.yml apigw.sysupgrade.test_upgrade --limit node3"},
    ]


def test_rerun_with_nothing_to_do_is_skipped_not_passed():
    hv = {"n": {"apigw_export": step(changed=False), "apigw_upgrade": {"skipped": True, "changed": False}}}
    report = phase_report(["n"], hv, phases=["EXPORT", "UPGRADE"])
    assert [report["rows"][0]["phases"][p]["result"] for p in ("EXPORT", "UPGRADE")] == ["SKIPPED", "SKIPPED"]


def test_table_has_a_row_per_node_and_a_column_per_phase():
    report = phase_report(["node1", "node2", "node3"], HOSTVARS, gone_hosts=["node3"])
    table = report["table"]
    header = [c.strip() for c in table[1].strip("|").split("|")]
    assert header == ["NODE", "PREFLIGHT", "EXPORT", "UPGRADE", "STOP-OLD", "APPLY", "VERIFY"]
    node2 = [c.strip() for c in table[4].strip("|").split("|")]
    assert node2[0] == "node2" and node2[3] == "FAILED W0 E2"
    assert len({len(line) for line in table}) == 1  # aligned
