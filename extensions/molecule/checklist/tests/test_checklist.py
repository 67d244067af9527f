"""The vendor's manual steps around the upgrade (upgrade_steps_extcass.md), automated: the JDBC driver
before apply, then on each applied node the services, single sign-on files, QuickStart and jvm.xml,
each once, and the domain's content compared with what the export saw."""
import json
import stat

import verify_helpers as vh
from scenario_fixtures import NEW, OLD

testinfra_hosts = ["node1", "node2", "node3"]
NODES = ("node1", "node2", "node3")
SSO = ("service-provider.xml", "service-provider-apiportal.xml", "sso.jks", "trustStore.jks")


def test_the_jdbc_driver_went_to_the_new_installation_before_apply(host, steps):
    driver = host.file(NEW + "/upgrade/lib/mysql-connector-j-8.0.33.jar")
    assert driver.exists and driver.mode == 0o644
    # with it there, pre-flight has nothing to say about external databases
    assert "copy their JDBC drivers" not in steps["test_upgrade"]["stdout"]


def test_services_point_at_the_new_installation_originals_kept(host):
    scripts = host.run("ls /etc/init.d/vshell-* | grep -v '\\.apigw-sysupgrade\\.orig$'").stdout.split()
    assert scripts, "no vshell-* script on %s" % host.backend.get_hostname()
    for script in scripts:
        text = host.file(script).content_string
        assert 'VDISTDIR="%s"' % NEW in text and OLD not in text
        original = host.file(script + ".apigw-sysupgrade.orig")
        assert original.exists and 'VDISTDIR="%s"' % OLD in original.content_string
        assert original.mode == host.file(script).mode == 0o755


def test_quickstart_copied(host):
    assert host.file(NEW + "/webapps/quickstart/index.html").exists


def test_node3s_sso_files_copied_with_their_modes(lab):
    # only node3's instance has single sign-on files (the lab's vendor 3-node example)
    conf = "groups/group-3/instance-3/conf/"
    for name in SSO:
        old, new = vh.node_path(lab, "node3", OLD + "/" + conf + name), vh.node_path(lab, "node3", NEW + "/" + conf + name)
        assert new.is_file(), new
        assert stat.S_IMODE(new.stat().st_mode) == stat.S_IMODE(old.stat().st_mode), name
        assert new.read_bytes() == old.read_bytes(), name
    assert stat.S_IMODE(vh.node_path(lab, "node3", NEW + "/" + conf + "sso.jks").stat().st_mode) == 0o600


def test_jvm_heap_set_with_the_original_kept(host):
    jvm = host.file(NEW + "/system/conf/jvm.xml").content_string
    assert 'name="-Xmx1024"' in jvm and "${maxHeap}" not in jvm
    assert "${maxHeap}" in host.file(NEW + "/system/conf/jvm.xml.apigw-sysupgrade.orig").content_string


def test_each_after_upgrade_step_was_done_once_and_reported():
    for step, nodes in (("apply_first", ["node1"]), ("apply", ["node2", "node3"])):
        report = vh.Report(step)
        for node in nodes:
            assert report.cell(node, "POST-UPGRADE")["result"] == "PASSED"


def test_content_diff_is_the_version_alone_except_node3s_dropped_admin_user():
    content = vh.Report("apply").data["content"]
    assert content["compared_on"] == ["node2", "node3"]
    flagged = [(d["section"], d["item"], d["change"], d["value"], d["nodes"]) for d in content["flagged"]]
    assert flagged == [("admin users", "names", "removed", "operator1", ["node3"])]
    expected = [(d["item"], d["value"]) for d in content["differences"] if d["expected"] and not d.get("why")]
    assert expected == [("product version", "7.5.3 -> 7.7")]
    # node2 applied before node3: NodeC was not in the new domain yet, and that is said, not flagged
    pending = [(d["item"], d["value"], d["nodes"]) for d in content["differences"] if d.get("why")]
    assert ("hosts", "NodeC", ["node2"]) in pending
    assert any("quotas are reset" in note for note in content["notes"])
    first = vh.Report("apply_first").data["content"]
    assert first["compared_on"] == ["node1"] and first["flagged"] == []


def test_node3s_api_manager_content_was_compared(lab):
    # node3 runs the API Manager gateway (NodeC of the vendor's example)
    stored = json.loads(vh.node_path(lab, "node3", NEW + "/upgrade/apigw-sysupgrade/content-export.json").read_text())
    assert stored["api_manager"]["organizations"]["count"] > 0 and stored["api_manager"]["apis"]["count"] > 0
    assert stored["admin_users"] == ["admin", "operator1"]
    assert "Health Check" in stored["groups"]["group-3"]["policies"]


def test_the_summary_says_what_changed_and_warns_of_the_dropped_user(steps):
    out = steps["apply"]["stdout"]
    assert "node3 POST-UPGRADE warning [post-upgrade]: content admin users: names removed operator1" in out
    assert "node3: single sign-on file copied from the old installation: groups/group-3/instance-3/conf/sso.jks" in out
    assert "node2: service /etc/init.d/vshell-GatewayGroup-APIGateway2 now points at the new installation" in out
    changes = vh.Report("apply").data["post_upgrade_changes"]
    assert any(c.startswith("node2: jvm.xml -Xmx ${maxHeap} -> 1024") for c in changes), changes
    # the rerun changed nothing, so it lists no change
    assert vh.Report("apply_again").data["post_upgrade_changes"] == []


def test_a_rerun_changes_nothing(steps):
    recap = vh.recap(steps["apply_again"]["stdout"])
    assert all(recap[node]["changed"] == 0 and recap[node]["failed"] == 0 for node in NODES), recap
