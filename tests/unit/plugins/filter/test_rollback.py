"""The rollback ledger (what rolling back still takes, per node) and a node's rollback result."""
from ansible_collections.apigw.sysupgrade.plugins.filter.run_records import run_records
from ansible_collections.apigw.sysupgrade.plugins.filter.rollback import (
    rollback_ledger, rollback_limit_refusal, rollback_restore_paths, rollback_result, rollback_warning)

AMQ = ("[ActiveMQ] The absolute ActiveMQ directory '/data/amq' is NOT a directory under the old version install "
       "directory '/opt/Axway-7.5.3/apigateway'. The new version system will use the same directory.")
DB = ("[External Databases] OAuth/KPS tables must be upgraded in the following external databases: "
      "[u'jdbc:mysql://127.0.0.1:3306/testdb']. You should copy the required JDBC drivers to ...")
NO_CASS = {"apigw_no_cassandra": True}


def status(host, completed, warnings=(), apply_log=False):
    return {"item": host, "completed": list(completed),
            "logs": {"upgrade": {"path": "/x/upgrade.log", "warnings": list(warnings)},
                     "apply": {"path": "/x/apply.log"} if apply_log else None}}


def test_not_applied_is_a_plain_restart_whatever_the_upgrade_found():
    ledger = rollback_ledger(run_records(["node1"], {"node1": {}}), [status("node1", ["export", "upgrade"], [AMQ, DB])])
    assert ledger["node1"]["state"] == "RESTART" and ledger["node1"]["restores"] == []
    assert ledger["node1"]["applied"] is False


def test_applied_without_anything_outside_the_installation_is_a_plain_restart():
    ledger = rollback_ledger(run_records(["node1"], {"node1": NO_CASS}), [status("node1", ["export", "upgrade", "apply"])])
    assert ledger["node1"]["state"] == "RESTART" and ledger["node1"]["applied"] is True


def test_activemq_outside_the_installation_is_restored_by_the_rollback_from_the_backup():
    ledger = rollback_ledger(run_records(["node2"], {"node2": NO_CASS}), [status("node2", ["export", "upgrade", "apply"], [AMQ])])
    [restore] = ledger["node2"]["restores"]
    assert (ledger["node2"]["state"], restore["kind"], restore["paths"], restore["by_rollback"]) == \
        ("RESTORE", "activemq", ["/data/amq"], True)
    assert rollback_restore_paths(ledger["node2"]) == ["/data/amq"]


def test_activemq_is_not_restored_by_the_rollback_when_backup_is_off():
    hv = {"node2": dict(NO_CASS, apigw_backup=False)}
    ledger = rollback_ledger(run_records(["node2"], hv), [status("node2", ["export", "upgrade", "apply"], [AMQ])])
    assert ledger["node2"]["state"] == "RESTORE" and rollback_restore_paths(ledger["node2"]) == []


def test_external_databases_need_a_restore_after_an_apply_that_upgraded_them_even_a_failed_one():
    # apply upgrades the databases first: a failed apply (its log, no "apply" completed) counts.
    ledger = rollback_ledger(run_records(["node1"], {"node1": NO_CASS}), [status("node1", ["export", "upgrade"], [DB], apply_log=True)])
    [restore] = ledger["node1"]["restores"]
    assert restore["kind"] == "database" and not restore["by_rollback"]
    assert "jdbc:mysql://127.0.0.1:3306/testdb" in restore["message"]


def test_external_databases_left_alone_with_skip_db_upgrade():
    hv = {"node1": dict(NO_CASS, apigw_skip_db_upgrade="true")}
    ledger = rollback_ledger(run_records(["node1"], hv), [status("node1", ["export", "upgrade", "apply"], [DB])])
    assert ledger["node1"]["state"] == "RESTART"


def test_cassandra_receives_data_during_apply_unless_no_cassandra():
    hv = {"node1": {"apigw_cassandra_host": "cass1", "apigw_cassandra_port": 9142}}
    ledger = rollback_ledger(run_records(["node1"], hv), [status("node1", ["export", "upgrade", "apply"])])
    [restore] = ledger["node1"]["restores"]
    assert restore["kind"] == "cassandra" and "cass1:9142" in restore["message"]


def test_an_unread_node_is_unknown_not_a_plain_restart():
    ledger = rollback_ledger(run_records(["node1", "node2", "node3"], {"node1": {}, "node2": {}, "node3": {}}),
                             [{"item": "node1", "unreachable": True, "msg": "timed out"},
                              {"item": "node2", "failed": True, "msg": "sysupgrade not found"}])
    assert [ledger[h]["state"] for h in ("node1", "node2", "node3")] == ["UNKNOWN"] * 3
    assert "timed out" in ledger["node1"]["message"]


def test_the_gate_names_the_point_of_no_return_only_where_this_apply_crosses_it():
    statuses = [status("node1", ["export", "upgrade", "apply"], [AMQ]),
                status("node2", ["export", "upgrade"], [AMQ]),
                status("node3", ["export", "upgrade"])]
    hv = dict((h, NO_CASS) for h in ("node1", "node2", "node3"))
    hosts = ["node1", "node2", "node3"]
    now = rollback_ledger(run_records(hosts, hv), statuses)
    planned = rollback_ledger(run_records(hosts, hv), statuses, planned=hosts)
    lines = rollback_warning(now, planned, hosts)
    assert len(lines) == 1 and lines[0].startswith("Point of no return on node2: ")
    assert "/data/amq" in lines[0]


def test_the_ledger_accepts_a_dict_of_results():
    ledger = rollback_ledger(run_records(["node1"], {"node1": {}}), {"node1": status("node1", [])})
    assert ledger["node1"]["state"] == "RESTART"


def test_a_rollback_that_changed_something_passed():
    out = rollback_result({"stop_new": {"changed": True}, "restore": {"skipped": True},
                           "start_old": {"changed": True}, "clean": {"skipped": True}})
    assert out == {"status": "PASSED", "changed": True, "changes": ["stop_new", "start_old"],
                   "problems": [], "notes": []}


def test_a_second_rollback_changed_nothing():
    out = rollback_result({"stop_new": {"changed": False}, "start_old": {"changed": False}})
    assert (out["status"], out["changed"]) == ("SKIPPED", False)


def test_a_failed_start_or_verification_fails_the_rollback_and_says_what_is_left_by_hand():
    ledger = {"restores": [{"kind": "cassandra", "by_rollback": False, "message": "restore Cassandra"}]}
    out = rollback_result({"start_old": {"failed": True, "msg": "nodemanager did not start"}},
                          ["the old ANM answers as 7.7"], ledger)
    assert out["status"] == "FAILED"
    assert out["problems"] == ["start old: nodemanager did not start", "the old ANM answers as 7.7"]
    assert out["notes"] == ["still to do by hand: restore Cassandra"]


def verify(processes=None, anm=None, health=None):
    from ansible_collections.apigw.sysupgrade.plugins.filter.rollback import rollback_verification
    anm = anm if anm is not None else {"product_version": "7.5.3", "hosts": [{"name": "NodeA"}, {"name": "NodeB"}]}
    return rollback_verification(processes or {"changed": False}, anm, health or {"results": []}, "/opt/old",
                                 "https://NodeA:8090", "7.5.3", ["NodeA", "NodeB"], "NodeB")


def test_the_old_domain_verifies():
    assert verify(health={"results": [{"status": 200, "url": "http://127.0.0.1:8080/healthchecklb"}]}) == []


def test_the_new_anm_still_answering_is_not_a_rollback():
    problems = verify(anm={"product_version": "7.7", "hosts": [{"name": "NodeA"}, {"name": "NodeB"}]})
    assert problems == ["the first Admin Node Manager at https://NodeA:8090 answers as version 7.7, "
                        "not the old installation's 7.5.3"]


def test_a_host_missing_from_the_old_topology_processes_down_and_a_sick_gateway_are_named():
    problems = verify(processes={"changed": True, "started": ["nodemanager"]},
                      anm={"product_version": "7.5.3", "hosts": [{"name": "NodeA"}]},
                      health={"results": [{"status": 503, "url": "http://127.0.0.1:8080/healthchecklb", "msg": "drain"},
                                          {"skipped": True}]})
    assert problems == ["old processes not running in /opt/old: nodemanager",
                        "the old topology at https://NodeA:8090 lacks NodeB (hosts: NodeA)",
                        "http://127.0.0.1:8080/healthchecklb on NodeB answers 503: drain"]


def test_an_anm_that_does_not_answer_or_was_not_asked():
    assert verify(anm={"failed": True, "failure_kind": "unavailable", "msg": "refused"}) == [
        "the old first Admin Node Manager at https://NodeA:8090 does not answer from this node: refused"]
    assert "was not asked" in verify(anm={"skipped": True})[0]


def test_limit_without_an_applied_first_anm_is_refused_with_the_command():
    applied = {"completed": ["export", "upgrade", "apply"]}
    reason = rollback_limit_refusal(["node3"], "node1", applied, "ansible-playbook -i inv.yml ")
    assert "first Admin Node Manager, node1, runs the new installation" in reason
    assert reason.endswith("ansible-playbook -i inv.yml apigw.sysupgrade.rollback --limit node1,node3")


def test_limit_is_fine_when_the_first_anm_is_in_the_run_or_not_applied():
    applied = {"completed": ["export", "upgrade", "apply"]}
    assert rollback_limit_refusal(["node1", "node3"], "node1", applied) == ""
    assert rollback_limit_refusal(["node3"], "node1", {"completed": ["export", "upgrade"]}) == ""
    assert rollback_limit_refusal(["node3"], "node1", {"skipped": True}) == ""
