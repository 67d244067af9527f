"""apply's decisions: readiness from the parsed status, inputs proven before anything stops, what an
Admin Node Manager check means, verification, and which nodes serve nothing after a failure."""
import pytest

from ansible_collections.apigw.sysupgrade.plugins.filter.run_records import run_records
from ansible_collections.apigw.sysupgrade.plugins.filter.apply_gates import (
    anm_problem, apply_inputs, apply_readiness, apply_refusals, apply_verification, failure_advice,
    hosts_lost, stopped_without_service)

ALL = ["node1", "node2", "node3"]


def status(host, completed, errors=0, current="ignored wording"):
    return {"item": host, "completed": completed, "current_status": current,
            "logs": {"upgrade": {"path": "/x/upgrade.log", "counts": {"error": errors}}}}


def test_readiness_reads_the_completed_steps_not_the_wording():
    results = [status("node1", ["export", "upgrade", "apply"], current="Something Else Entirely"),
               status("node2", ["export", "upgrade"], current="whatever a release prints"),
               status("node3", ["export"], current="export complete")]
    r = apply_readiness(results, ALL)
    assert (r["applied"], r["ready"]) == (["node1"], ["node2"])
    assert r["reasons"] == {"node3": 'status is "export complete": the test upgrade (export and upgrade) has not completed'}


def test_readiness_refuses_errors_in_the_last_upgrade_log_and_unread_nodes():
    results = [status("node1", ["export", "upgrade"], errors=2),
               {"item": "node2", "failed": True, "msg": "sysupgrade not found"},
               {"item": "node3", "unreachable": True, "msg": "timed out"}]
    r = apply_readiness(results, ALL + ["node4"], reachable_hosts=ALL)
    assert r["ready"] == [] and r["unreachable"] == ["node4", "node3"]
    assert r["not_ready"] == [
        "node4: unreachable (no answer on its SSH port from the controller)",
        "node1: its last upgrade log /x/upgrade.log has 2 error(s)",
        "node2: cannot read its sysupgrade status (sysupgrade not found)",
        "node3: unreachable (timed out)"]
    assert list(r["reasons"]) == ["node1"]


def test_inputs_proven_pin_the_new_anm_only():
    login = {"certificate_sha256": "ab" * 32, "product_version": "7.7"}
    assert apply_inputs(login, {"unlocked": True}, "node1", True) == {"refusals": [], "warnings": [], "pin": "ab" * 32}
    assert apply_inputs(login, {"unlocked": True}, "node1", False)["pin"] is None


def test_a_refused_login_is_refused_before_anything_stops():
    login = {"failed": True, "failure_kind": "auth", "msg": "ANM at https://127.0.0.1:8090/api/topology: "
                                                            "user 'admin' was refused: HTTP 401 Unauthorized"}
    out = apply_inputs(login, {"unlocked": True}, "node1", False)
    assert out["refusals"] == [
        "The old Admin Node Manager on node1 refused the admin login: ANM at https://127.0.0.1:8090/api/topology: "
        "user 'admin' was refused: HTTP 401 Unauthorized; check apigw_admin_username and apigw_admin_password "
        "(vault the password)."]


def test_a_wrong_passphrase_names_the_variable():
    key = {"failed": True, "failure_kind": "passphrase",
           "msg": "The domain passphrase does not open the domain CA key store /opt/old/groups/certs/private/domain.p12"}
    out = apply_inputs({"product_version": "7.5.3"}, key, "node1", False)
    assert out["refusals"][0].startswith("The domain passphrase does not open the domain CA key store")
    assert "Set apigw_domain_passphrase" in out["refusals"][0]


def test_an_old_anm_already_stopped_is_a_warning_but_a_silent_new_one_refuses():
    down = {"failed": True, "failure_kind": "unavailable", "msg": "refused"}
    old = apply_inputs(down, {"unlocked": True}, "node1", False)
    assert old["refusals"] == [] and "Could not prove the admin login" in old["warnings"][0]
    new = apply_inputs(down, {"unlocked": True}, "node1", True)
    assert new["refusals"][0].startswith("The first Admin Node Manager node1 is applied, but its new Admin Node "
                                         "Manager does not answer")


def test_a_stopped_new_node_manager_refuses_naming_the_node_the_account_and_the_command():
    stopped = {"failed": True, "failure_kind": "stopped", "run_as": "axway", "node_manager": "stopped",
               "msg": "ANM at https://127.0.0.1:8090/api/topology: connection refused, and its Node Manager is not running"}
    out = apply_inputs(stopped, {"unlocked": True}, "node1", True, "/opt/Axway-7.7/apigateway")
    assert out["refusals"] == [
        "The first Admin Node Manager node1 is applied, but its new Node Manager is not running "
        "(nodemanager -s on node1), so no node can register with it. Start it on node1 as axway: "
        "/opt/Axway-7.7/apigateway/posix/bin/nodemanager -d, then rerun apply; apigw_anm_wait_timeout "
        "cannot help, nothing is starting."]
    assert out["pin"] is None


def test_skipped_checks_refuse_nothing():
    assert apply_inputs({"skipped": True}, {"skipped": True}, "node1", False) == {"refusals": [], "warnings": [], "pin": None}


def test_refusals_in_order_with_missing_variables_first():
    hostvars = {"node2": {"_apigw_inputs_spec": {"argument_errors": ["missing required arguments: apigw_domain_passphrase"]}}}
    readiness = {"not_ready": ["node3: status is ..."], "applied": []}
    inputs = {"refusals": ["login refused"]}
    out = apply_refusals(run_records(["node2"], hostvars), readiness, inputs,
                         {"first_anm_inventory_host": "node1", "first_anm_topology_host": "NodeA"},
                         command_prefix="ansible-playbook -i inv.yml ", limit="node2",
                         inventory_sources=["/x/inv.yml"])
    assert out[0] == ("node2: missing required arguments: apigw_domain_passphrase (set them in /x/inv.yml; "
                      "nothing was stopped)")
    assert out[1].startswith("Not every node of the domain is ready for apply") and \
        "ansible-playbook -i inv.yml apigw.sysupgrade.test_upgrade" in out[1]
    assert out[2].startswith("The first Admin Node Manager node1 (NodeA) has not been applied yet, and this run "
                             "(--limit node2)")
    assert out[3] == "login refused"


def test_no_refusal_when_all_is_well():
    assert apply_refusals(run_records(["node1"], {"node1": {}}), {"not_ready": [], "applied": []},
                          {"refusals": []}, {"first_anm_inventory_host": "node1"}) == []


URL = "https://NodeA:8090"


def test_anm_problem_first_lines():
    assert anm_problem({"product_version": "7.7.20240830"}, URL, "7.7", "node1") == ""
    assert anm_problem({"skipped": True}, URL, "7.7", "node1") == ""
    cert = anm_problem({"failed": True, "failure_kind": "certificate", "msg": "not the pinned one"}, URL, "7.7", "node1")
    assert cert.startswith("The first Admin Node Manager's certificate at https://NodeA:8090 was refused: not the pinned one.")
    assert "apigw_anm_ca_path" in cert and "apigw_anm_validate_certs: false" in cert and "not retried" in cert
    auth = anm_problem({"failed": True, "failure_kind": "auth", "msg": "HTTP 401"}, URL, "7.7", "node1")
    assert auth.startswith("The first Admin Node Manager at https://NodeA:8090 refused the admin login: HTTP 401")
    assert "does not answer" not in auth
    down = anm_problem({"failed": True, "failure_kind": "unavailable", "msg": "still not ready after 20 s"},
                       URL, "7.7", "node1")
    assert down.startswith("The first Admin Node Manager node1 does not answer at https://NodeA:8090")
    assert "apigw_anm_wait_timeout" in down
    old = anm_problem({"product_version": "7.5.3"}, URL, "7.7", "node1")
    assert old.startswith("The first Admin Node Manager at https://NodeA:8090 answers as version 7.5.3, not 7.7")
    lost = anm_problem({"unreachable": True, "msg": "ssh: timed out"}, URL, "7.7", "node1")
    assert lost.startswith("The node became unreachable")


def test_verification():
    ok = apply_verification({"changed": False}, {"product_version": "7.7", "hosts": [{"name": "NodeB"}]},
                            "NodeB", "/new", URL, "7.7", "node1")
    assert ok == {"status": "PASSED", "problems": []}
    bad = apply_verification({"changed": True, "started": ["nodemanager"]},
                             {"product_version": "7.7", "hosts": [{"name": "NodeA"}]}, "NodeB", "/new", URL, "7.7", "node1")
    assert bad["status"] == "FAILED"
    assert bad["problems"][0] == "new processes not running in /new: nodemanager"
    assert "NodeB is missing from the topology" in bad["problems"][1] and "--anm_host" in bad["problems"][1]
    lost = apply_verification({"unreachable": True, "msg": "gone"}, {"skipped": True}, "NodeB", "/new", URL, "7.7", "node1")
    assert lost["problems"] == ["the node became unreachable while checking its new processes: gone"]


def test_nodes_without_service_after_a_failure():
    hostvars = {"node1": {"__apigw_stop_old": {"changed": True}, "__apigw_verify": {"status": "PASSED"}},
                "node2": {"__apigw_stop_old": {"changed": True}, "__apigw_verify": {"status": "FAILED"}},
                "node3": {"__apigw_stop_old": {"changed": True}},
                "node4": {}}
    assert stopped_without_service(run_records(["node1", "node2", "node3", "node4"], hostvars), []) == ["node2", "node3"]
    assert stopped_without_service(run_records(["node3"], hostvars), ["node3"]) == []


def test_lost_hosts_and_advice():
    assert hosts_lost(run_records(["a", "b"], {"a": {"__apigw_node_unreachable": True}, "b": {}})) == ["a"]
    assert "apigw_domain_passphrase" in failure_advice("ERROR: Node Manager error: Failed to sign CSR for service. None")
    assert failure_advice("something undocumented") == ""


def test_results_registered_with_failed_when_false_still_count_as_failed():
    # failed_when: false clears `failed`; the module's msg / failure_kind still tell.
    login = {"failed": False, "failed_when_result": False, "failure_kind": "auth", "msg": "HTTP 401"}
    assert apply_inputs(login, {"failed": False, "unlocked": True}, "node1", False)["refusals"]
    key = {"failed": False, "failed_when_result": False, "failure_kind": "passphrase", "msg": "does not open"}
    assert apply_inputs({"product_version": "7.5.3"}, key, "node1", False)["refusals"]
    status = {"item": "node1", "failed": False, "failed_when_result": False, "msg": "sysupgrade not found"}
    assert apply_readiness([status], ["node1"])["not_ready"] == ["node1: cannot read its sysupgrade status (sysupgrade not found)"]
    procs = {"failed": False, "failed_when_result": False, "msg": "nodemanager not found"}
    assert apply_verification(procs, {"skipped": True}, "NodeA", "/new", URL, "7.7", "node1")["problems"] == [
        "cannot check the new processes in /new: nodemanager not found"]
    topo = {"failed": False, "failed_when_result": False, "failure_kind": "certificate", "msg": "not the pinned one"}
    assert anm_problem(topo, URL, "7.7", "node1").startswith("The first Admin Node Manager's certificate")


def test_a_node_that_cannot_trust_the_applied_first_anm_refuses_the_run():
    check = {"failure_kind": "certificate", "msg": "not the pinned one", "failed": False}
    hostvars = {"node2": {"_apigw_first_anm_check": check}, "node3": {"_apigw_first_anm_check": {"product_version": "7.7"}}}
    out = apply_refusals(run_records(["node2", "node3"], hostvars), {"not_ready": [], "applied": ["node1"]},
                         {"refusals": []}, {"first_anm_inventory_host": "node1"}, anm_url=URL, version="7.7")
    assert len(out) == 1
    assert out[0].startswith("node2: The first Admin Node Manager's certificate at https://NodeA:8090 was refused")
    assert out[0].endswith("Nothing was stopped.")


def test_an_unreadable_key_store_is_a_warning_not_a_refusal():
    key = {"failure_kind": "openssl", "msg": "openssl could not read the domain CA key store /x/domain.p12 (rc 1): bad"}
    out = apply_inputs({"product_version": "7.5.3"}, key, "node1", False)
    assert out["refusals"] == []
    assert out["warnings"] == ["Could not prove apigw_domain_passphrase before apply: openssl could not read the "
                               "domain CA key store /x/domain.p12 (rc 1): bad (on node1)."]


def test_refusals_end_with_the_drift_refusal():
    from ansible_collections.apigw.sysupgrade.plugins.filter.apply_gates import apply_refusals as refusals
    readiness = {"applied": [], "ready": ["node1"], "not_ready": [], "reasons": {}}
    domain = {"first_anm_inventory_host": "node1", "first_anm_topology_host": "NodeA"}
    hostvars = {"node1": {}}
    assert refusals(run_records(["node1"], hostvars), readiness, {}, domain) == []
    assert refusals(run_records(["node1"], hostvars), readiness, {}, domain, drift={"refusals": ["changed since export"]}) == [
        "changed since export"]


def test_a_node_failure_keeps_the_message_and_adds_the_vendors_remedy_when_documented():
    from ansible_collections.apigw.sysupgrade.plugins.filter.apply_gates import node_failure
    documented = "ERROR: Node Manager error: Failed to sign CSR for service. None"
    assert node_failure(documented) == documented + " " + failure_advice(documented)
    assert "apigw_domain_passphrase" in node_failure(documented)
    assert node_failure("something undocumented") == "something undocumented"
    assert node_failure(None) == "failed"


def test_the_stop_message_names_the_node_the_nodes_down_and_both_ways_on():
    from ansible_collections.apigw.sysupgrade.plugins.filter.apply_gates import apply_stop_message
    one = apply_stop_message("node3", "node3 became unreachable", ["node3"])
    assert one.startswith("Apply failed on node3: node3 became unreachable The old installation")
    assert "not running on node3: that node serves nothing now." in one
    many = apply_stop_message("node1", "boom", ["node1", "node2"], first_anm=True)
    assert many.startswith("Apply failed on node1 (the first Admin Node Manager): boom")
    assert "on node1, node2: these nodes serve nothing now." in many
    none = apply_stop_message("node2", "boom", [])
    assert "serve" not in none.split("boom")[1].split("To go on")[0]
    for text in (one, many, none):
        assert "rerun the same apply" in text and "apigw.sysupgrade.rollback" in text


def test_the_first_anm_is_read_in_the_installation_it_runs_now():
    from ansible_collections.apigw.sysupgrade.plugins.filter.apply_gates import first_anm_install
    [record] = run_records(["node1"], {"node1": {"apigw_old_install_dir": "/opt/old", "apigw_new_install_dir": "/opt/new"}})
    before = first_anm_install(record, {"applied": [], "ready": ["node1"]})
    after = first_anm_install(record, {"applied": ["node1"]})
    assert (before["applied"], before["install_dir"]) == (False, "/opt/old")
    assert (after["applied"], after["install_dir"]) == (True, "/opt/new")
    assert after["new_install_dir"] == "/opt/new" and after["old_install_dir"] == "/opt/old"


@pytest.mark.parametrize("validate, ca_path, pin, expected", [
    (True, "", "ab" * 32, "ab" * 32),  # the pin of the certificate the first ANM serves
    (True, "/etc/pki/ca.pem", "ab" * 32, ""),  # the operator's CA file wins
    (False, "", "ab" * 32, ""),  # no check: nothing to pin
    ("false", "", "ab" * 32, ""),  # as an AWX survey or -e sends it
    (True, "", None, ""),  # not read yet
])
def test_the_trust_of_a_call_to_the_first_anm(validate, ca_path, pin, expected):
    from ansible_collections.apigw.sysupgrade.plugins.filter.apply_gates import anm_trust_pin
    assert anm_trust_pin(validate, ca_path, pin) == expected
