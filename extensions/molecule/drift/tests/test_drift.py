"""Issue 10: a backup before export (vendor Task 1) and the drift guard between export and apply
(vendor Task 3; upgrade_faq.md "What happens if you change the old API Gateway installation after
running export?")."""
import json
import re

import verify_helpers as vh
from scenario_fixtures import NEW, OLD

testinfra_hosts = ["node1", "node2", "node3"]

# The lab inventory's apigw_backup_dir; each node's backup is in a folder named after the node.
BACKUP_DIR = "/opt/apigw-backup/%s"
AMQ = "/opt/activemq/data"
FAILED_TASK = re.compile(r'^fatal: \[[^\]]+\]: FAILED! => .*?"msg": "(.*?)"\}?\s*$', re.MULTILINE)


def test_steps_ended_as_expected(steps):
    assert steps["apply_refused"]["rc"] == 2
    assert all(s["rc"] == 0 for name, s in steps.items() if name != "apply_refused"), \
        {name: s["rc"] for name, s in steps.items()}


def test_the_first_test_upgrade_backed_up_every_node_before_its_export(steps):
    out = steps["test_upgrade"]["stdout"]
    for node in ("node1", "node2", "node3"):
        assert re.search(r"ok: \[%s\] => \{\s+\"msg\": \"Backed up the old installation to %s/apigw-backup-\d{8}T\d{6}Z"
                         r"\.tar\.gz \([\d.]+ MiB, [\d.]+ s; manifest %s/apigw-backup.json\)\"" % (node, BACKUP_DIR % node, BACKUP_DIR % node),
                         out), node
    # the backup ran before the export
    assert out.index("TASK [apigw.sysupgrade.test_upgrade : Back up the old installation before export]") < \
        out.index("TASK [apigw.sysupgrade.test_upgrade : Start the export on every node at once")


def test_a_plain_rerun_takes_no_new_backup_and_keeps_the_fingerprint(steps):
    out = steps["test_upgrade_rerun"]["stdout"]
    assert "Backed up the old installation" not in out and "Reused the backup" not in out
    assert re.search(r"TASK \[apigw.sysupgrade.test_upgrade : Record the configuration the export saw\][^\n]*\n"
                     r"(skipping: \[node\d\][^\n]*\n)+", out)
    assert "changed since its export" not in out
    assert steps["fingerprint_after_rerun"]["stdout"] == steps["fingerprint_at_export"]["stdout"]


def test_apply_refuses_after_a_deployment_naming_the_file_and_the_group_s_nodes(steps):
    out = steps["apply_refused"]["stdout"]
    messages = [json.loads('"%s"' % m) for m in FAILED_TASK.findall(out)]
    assert messages, "no failed task"
    msg = messages[-1]
    assert msg.startswith("The old installation changed after export, which the vendor forbids once sysupgrade "
                          "has begun, and the change would not reach the new installation: "
                          "node1: groups/group-2/lab-config.json (modified); "
                          "node2: groups/group-2/lab-config.json (modified). "
                          "Export again on node1 (it runs an instance of group group-2), "
                          "node2 (it runs an instance of group group-2): ansible-playbook -i ")
    assert "apigw.sysupgrade.test_upgrade -e apigw_force=true --limit node1,node2 " in msg
    assert "node3" not in msg and msg.endswith("Nothing was stopped.")
    # refused before anything stopped: the old installation still served afterwards
    assert steps["old_runs_node1"]["rc"] == 0 and steps["old_runs_node3"]["rc"] == 0
    assert "TASK [apigw.sysupgrade.apply : Stop the old installation on every node of the domain]" not in out
    assert "TASK [apigw.sysupgrade.apply : Stop the old installation on every node of the domain]" in steps["apply"]["stdout"]


def test_the_rerun_after_the_fix_exports_again_where_the_configuration_changed_and_says_why(steps):
    out = steps["test_upgrade_after_fix"]["stdout"]
    recorded = out.split("Record the configuration the export saw]")[1].split("TASK")[0]
    for node in ("node1", "node2"):
        assert re.search(r"ok: \[%s\] => \{\s+\"msg\": \"Backed up the old installation to " % node, out), node
        assert re.search(r"changed: \[%s\]" % node, recorded), node
        assert "%s PREFLIGHT warning [preflight]: the old installation's configuration changed since its export " \
               "(groups/group-2/lab-config.json): export and upgrade run again, with --force" % node in out, node
        # the export ran again with --force, as the vendor requires for a rerun
        exports = vh.sysupgrade_calls(vh.lab(), node, "export")
        assert len(exports) == 2 and "--force" in exports[-1]["argv"] and "--force" not in exports[0]["argv"], exports
    # node3's configuration did not change: it was skipped, as a plain rerun skips it
    assert "skipping: [node3]" in recorded and "changed: [node3]" not in recorded
    assert "node3 PREFLIGHT warning [preflight]" not in out
    assert len(vh.sysupgrade_calls(vh.lab(), "node3", "export")) == 1
    assert steps["fingerprint_after_fix"]["stdout"] != steps["fingerprint_at_export"]["stdout"]
    apply_out = steps["apply"]["stdout"]
    assert "The old installation changed after export" not in apply_out
    assert vh.recap(apply_out)["node3"]["failed"] == 0


def test_the_new_version_changed_the_activemq_data_and_the_restore_brought_it_back(steps):
    assert steps["amq_after_apply"]["stdout"].strip() == "7.7"
    assert steps["amq_restored"]["stdout"] == steps["amq_before"]["stdout"]
    assert '"changed": true' in steps["restore_amq"]["stdout"]
    assert '"%s/lab-store-version"' % AMQ in steps["restore_amq"]["stdout"]
    assert '"changed": false' in steps["restore_again"]["stdout"]
    assert '"restored": []' in steps["restore_again"]["stdout"]


def test_each_node_keeps_one_complete_backup_whose_manifest_matches_the_archive(host):
    backup_dir = BACKUP_DIR % host.backend.get_hostname()
    manifest = json.loads(host.file(backup_dir + "/apigw-backup.json").content_string)
    archive = "%s/%s" % (backup_dir, manifest["archive"])
    assert host.run("sha256sum %s" % archive).stdout.split()[0] == manifest["checksum"]
    assert host.file(archive + ".sha256").content_string.split()[0] == manifest["checksum"]
    assert host.file(backup_dir).mode == 0o700 and host.file(archive).mode == 0o600
    assert sorted(host.file(backup_dir).listdir()) == sorted(
        ["apigw-backup.json", manifest["archive"], manifest["archive"] + ".sha256"])
    assert OLD + "/groups/topology.json" in manifest["files"]
    assert manifest["files"][AMQ + "/lab-store-version"]["sha256"] == \
        host.run("printf '7.5.3\\n' | sha256sum").stdout.split()[0]
    # the archive lists every file of the manifest
    listed = set("/" + n for n in host.run("tar -tzf %s" % archive).stdout.split())
    assert set(manifest["files"]) <= listed


def test_the_fingerprint_is_stored_beside_the_upgrade_tool_not_in_out(host):
    stored = host.file(NEW + "/upgrade/apigw-sysupgrade/export-fingerprint.json")
    assert stored.exists and stored.mode == 0o600
    files = json.loads(stored.content_string)["files"]
    assert "groups/topology.json" in files
    assert not [f for f in files if "/logs/" in f or f.startswith("logs/") or "/trace/" in f]


def test_apigw_anm_validate_certs_false_warns_once_and_every_node_applies(steps):
    out = steps["apply"]["stdout"]
    warning = ("WARNING: apigw_anm_validate_certs is false: the nodes accept any certificate from the first "
               "Admin Node Manager, and send it the admin password. Use this on a trusted network only.")
    assert out.count(warning) == 1, out.count(warning)
    recap = vh.recap(out)
    assert all(recap[node]["failed"] == 0 and recap[node]["unreachable"] == 0 for node in ("node1", "node2", "node3"))
    assert [len(vh.sysupgrade_calls(vh.lab(), node, "apply")) for node in ("node1", "node2", "node3")] == [1, 1, 1]
