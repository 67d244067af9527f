"""Issue 8: apply proves every input before anything stops, and trusts the domain's own certificate.

Each refusal is checked on the first line of its message, and on the state of the domain: the old
installation still runs everywhere. The certificate checks rest on the vendor's own words: a real
ANM serves a certificate of the domain's CA (upgrade_script.md: the first ANM "holds the domain CA
private key and certificate"; rest_api.md calls it with curl --insecure on 127.0.0.1:8090).
"""
import json
import re

import verify_helpers as vh
from scenario_fixtures import NEW, OLD

testinfra_hosts = ["node1", "node2", "node3"]

FAILED_TASK = re.compile(r'^fatal: \[[^\]]+\]: FAILED! => .*?"msg": "(.*?)"\}?\s*$', re.MULTILINE)


def failure_messages(output):
    """The msg of every failed task, in order, as ansible-playbook printed them."""
    return [json.loads('"%s"' % m) for m in FAILED_TASK.findall(output)]


def last_failure(step):
    messages = failure_messages(step["stdout"])
    assert messages, "no failed task in step %s" % step["step"]["name"]
    return messages[-1]


def test_a_wrong_password_is_refused_before_anything_stops(steps):
    msg = last_failure(steps["wrong_password"])
    assert msg.startswith("The old Admin Node Manager on node1 refused the admin login: ANM at "
                          "https://127.0.0.1:8090/api/topology: user 'admin' was refused: HTTP 401")
    assert "check apigw_admin_username and apigw_admin_password" in msg
    assert "Wrong-Pass-1" not in steps["wrong_password"]["stdout"]


def test_a_wrong_passphrase_is_refused_and_names_the_variable(steps):
    msg = last_failure(steps["wrong_passphrase"])
    assert msg.startswith("The domain passphrase does not open the domain CA key store "
                          "%s/groups/certs/private/domain.p12" % OLD)
    assert "Set apigw_domain_passphrase" in msg
    assert "Wrong-Phrase-1" not in steps["wrong_passphrase"]["stdout"]


def test_a_missing_variable_is_refused_naming_it_and_the_inventory(steps):
    msg = last_failure(steps["missing_passphrase"])
    assert msg.startswith("node1: missing required arguments: apigw_domain_passphrase (set them in ")
    assert "inventory_without_passphrase/inventory.yml; nothing was stopped)" in msg


def test_no_refusal_stopped_or_applied_anything(steps, lab):
    for node in ("node1", "node2", "node3"):
        assert steps["old_runs_%s" % node]["rc"] == 0  # nodemanager -s after the refusals: running
    for name in ("wrong_password", "wrong_passphrase", "missing_passphrase"):
        report = vh.Report(name)  # the summary ran before the refusal
        for node in ("node1", "node2", "node3"):
            assert [report.cell(node, p)["result"] for p in ("STOP-OLD", "APPLY")] == ["NOT RUN", "NOT RUN"]
    # One apply on each node in the whole scenario: node1's in the never-starts run, the others'
    # in the last run. No refused run, and not the forged-certificate run, applied anything.
    for node in ("node1", "node2", "node3"):
        assert len(vh.sysupgrade_calls(lab, node, "apply")) == 1


def test_an_inventory_without_group_apigw_fails_every_playbook(steps):
    for name in ("no_apigw_test_upgrade", "no_apigw_apply", "no_apigw_status"):
        msg = last_failure(steps[name])
        assert msg.startswith("The inventory %s has no host in group 'apigw'."
                              % steps[name]["step"]["inventory"])
        assert "Groups found: gateways" in msg


def test_a_first_anm_that_never_starts_times_out_naming_the_variable(steps):
    step = steps["apply_first_never_starts"]
    msg = last_failure(step)
    assert msg.startswith("Apply failed on node1 (the first Admin Node Manager): The first Admin Node Manager node1 "
                          "does not answer at https://127.0.0.1:8090 on node1")
    assert "still not ready after 20 s" in msg and "apigw_anm_wait_timeout" in msg
    # The domain is down, and the message says so.
    assert "The old installation is stopped and the new one is not running on node1, node2, node3" in msg
    report = vh.Report("apply_first_never_starts")
    assert report.cell("node1", "APPLY")["result"] == "PASSED"
    assert report.cell("node1", "VERIFY")["result"] == "FAILED"


def test_a_forged_certificate_is_refused_at_once_and_never_gets_the_password(steps):
    step = steps["forged_certificate"]
    msg = last_failure(step)
    # Refused by the gates, from node2 and node3, before anything stopped.
    assert msg.startswith("node2: The first Admin Node Manager's certificate at https://")
    assert "node3: The first Admin Node Manager's certificate" in msg and msg.endswith("Nothing was stopped.")
    assert "is not the pinned one" in msg and "not retried" in msg
    assert "apigw_anm_ca_path" in msg and "apigw_anm_validate_certs: false" in msg
    log = vh.REPO / "tests" / "output" / "molecule" / "apply_inputs" / "forger.log"
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert events[0]["name"] == "NodeA"
    assert [e for e in events if "request" in e] == []  # no request, so no credentials, ever reached it


def test_a_slow_first_anm_is_waited_for_and_the_rest_applies(steps, host):
    assert steps["apply_rest"]["rc"] == 0
    # the wait happened, and said when it ended (the action plugin topology_info)
    waited = re.findall(r"node\d: the Admin Node Manager at \S+ answered as 7\.7 after (\d+):(\d\d):(\d\d) and (\d+) attempts",
                        steps["apply_rest"]["stdout"])
    assert len(waited) == 1, waited
    assert int(waited[0][3]) > 1
    assert "Current status: system upgrade complete" in host.run(NEW + "/upgrade/bin/sysupgrade status").stdout
    assert host.run(NEW + "/posix/bin/nodemanager -s").rc == 0


def test_one_domain_with_every_host(lab):
    topology = vh.anm_topology(lab)
    assert topology["productVersion"].startswith("7.7")
    assert sorted(h["name"] for h in topology["hosts"]) == ["NodeA", "NodeB", "NodeC"]
