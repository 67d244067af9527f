"""sysupgrade on one node of a real lab: step order, --force and its clearing, status texts,
clean, credentials on stdin and the audit log (upgrade_script.md; contract §4 rules 1, 3, 7, 8, 9;
contract §5; DESIGN.md "Audit log")."""
import json
import re
import time

import test_product_support as support
fresh = support.fresh  # the fixture, shared with the other product modules

STATUS = {  # upgrade_script.md "status command", verbatim
    "none": "System Upgrade Status\n---------------------\nCurrent status: not started\n"
            "Next step: sysupgrade export\n",
    "export": "System Upgrade Status\n---------------------\nCurrent status: export complete\n"
              "Next step: sysupgrade upgrade\n",
    "upgrade": "System Upgrade Status\n---------------------\n"
               "Current status: export and upgrade complete\nNext step: sysupgrade apply\n",
    "apply": "System Upgrade Status\n---------------------\n"
             "Current status: system upgrade complete\n",
}


def test_order_status_texts_and_force(fresh):
    p = fresh
    assert p.sysupgrade("node1", "status").stdout == STATUS["none"]
    # rule 1: nothing runs before its predecessor succeeded
    r = p.upgrade("node1")
    assert r.returncode == 1 and "You must run 'sysupgrade export' successfully" in r.stdout
    r = p.apply("node1")
    assert r.returncode == 1 and "You must run 'sysupgrade upgrade' successfully" in r.stdout
    assert not p.new("node1", "upgrade", "bin", "out", "logs", "upgrade.log").exists()

    p.ok(p.export("node1"))
    assert p.sysupgrade("node1", "status").stdout == STATUS["export"]
    log_before = p.log("node1", "export")
    # rule 3: rerun needs --force; the refusal leaves the previous log alone
    r = p.export("node1")
    assert r.returncode == 1 and "--force" in r.stdout
    assert p.log("node1", "export") == log_before

    p.ok(p.upgrade("node1"))
    assert p.sysupgrade("node1", "status").stdout == STATUS["upgrade"]
    r = p.upgrade("node1")
    assert r.returncode == 1 and "--force" in r.stdout

    p.stop_old_everywhere()
    p.ok(p.apply("node1"))
    assert p.sysupgrade("node1", "status").stdout == STATUS["apply"]
    assert p.new("node1", "groups", "certs", "private", "domain.p12").exists()
    topo = p.topology("node1")
    assert topo["productVersion"] == "7.7" and [h["name"] for h in topo["hosts"]] == ["NodeA"]
    r = p.apply("node1")
    assert r.returncode == 1 and "--force" in r.stdout

    # upgrade --force clears upgrade and apply output; on the first ANM also the new topology
    # and domain CA (rules 3 and 7)
    p.stop("node1", "new")
    p.ok(p.upgrade("node1", "--force"))
    assert p.status("node1") == "export and upgrade complete"
    assert not p.new("node1", "upgrade", "bin", "out", "apply").exists()
    assert not p.new("node1", "groups").exists()

    # export --force clears everything first, then runs export: with the old ANM down it fails,
    # so nothing is left (upgrade_faq.md "Why would you run clean?" note)
    r = p.export("node1", "--force")
    assert r.returncode == 1
    assert p.status("node1") == "not started"
    for step in ("export", "upgrade", "apply"):
        assert not p.new("node1", "upgrade", "bin", "out", step, ".sysupgrade-success").exists()


def test_apply_force_only_clears_apply(fresh):
    p = fresh
    p.export_upgrade("node1")
    p.stop_old_everywhere()
    p.ok(p.apply("node1"))
    # upgrade_faq.md: new processes must be stopped first; the refusal wipes nothing
    r = p.apply("node1", "--force")
    assert r.returncode == 1 and "processes of the new installation are running" in r.stdout
    assert p.new("node1", "groups", "certs", "private", "domain.p12").exists()
    assert p.status("node1") == "system upgrade complete"
    p.stop("node1", "new")
    r = p.ok(p.apply("node1", "--force"))
    assert "completed" in r.stdout
    assert p.status("node1") == "system upgrade complete"
    assert p.new("node1", "upgrade", "bin", "out", "export", "export-info.json").exists()
    assert p.proc("node1", "new", "nodemanager", "-s").returncode == 0


def test_clean_backups_and_reset(fresh):
    p = fresh
    p.export_upgrade("node1")
    p.stop_old_everywhere()
    p.ok(p.apply("node1"))
    p.stop("node1", "new")
    jvm = p.new("node1", "system", "conf", "jvm.xml")
    jvm.write_text(jvm.read_text().replace("-Xmx${maxHeap}", "-Xmx4096"))
    extra_licence = p.new("node1", "conf", "licenses", "extra.lic")
    extra_licence.write_text("feature=unrestricted\n")
    p.new("node1", "conf", "custom.txt").write_text("changed after install\n")

    r = p.ok(p.sysupgrade("node1", "clean"))
    assert "clean completed" in r.stdout
    assert p.sysupgrade("node1", "status").stdout == STATUS["none"]
    backup = p.new("node1", "upgrade_backup")
    names = sorted(x.name for x in backup.iterdir())
    for fixed in ("original_nm_conf", "original_nm_systemconf", "original_nm_extlib"):
        assert fixed in names
    for prefix in ("old-nm_conf-", "old-nm_systemconf-", "old-nm_extlib-", "out-"):
        assert any(n.startswith(prefix) for n in names), (prefix, names)
    old_conf = [backup / n for n in names if n.startswith("old-nm_conf-")][0]
    assert (old_conf / "custom.txt").exists()
    assert not p.new("node1", "groups").exists()       # rule 9; domain CA gone (rule 7)
    assert "-Xmx${maxHeap}" in jvm.read_text()          # system/conf restored
    assert not p.new("node1", "conf", "custom.txt").exists()
    assert extra_licence.exists()                       # "existing conf/licenses is retained"
    out_backup = [backup / n for n in names if n.startswith("out-")][0]
    assert (out_backup / "apply" / ".sysupgrade-success").exists()
    # a clean node runs export again without --force (upgrade_script.md "clean")
    p.start_old("node1")
    p.start_old("node2")
    p.start_old("node3")
    p.ok(p.export("node1"))


def test_clean_twice_in_one_second_keeps_both_backups(fresh):
    """Backups are named to the second (upgrade_script.md "clean command"); a second clean in the
    same second used to crash (FileExistsError on old-nm_extlib-<date>_<time>). Decoy folders of an
    "earlier clean" for every second the two cleans may run in make the collision certain."""
    p = fresh
    backup = p.new("node1", "upgrade_backup")
    backup.mkdir(exist_ok=True)
    now = time.time()
    decoys = {"old-nm_extlib-" + time.strftime("%Y%m%d_%H%M%S", time.localtime(now + s))
              for s in range(-1, 60)}
    for name in decoys:
        (backup / name).mkdir()
    cmd = "cd %s/upgrade/bin && ./sysupgrade clean && ./sysupgrade clean" % p.new_dir
    r = p.lab.ssh("node1", cmd, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.count("sysupgrade clean completed") == 2, r.stdout
    names = sorted(x.name for x in backup.iterdir() if x.name not in decoys)
    shape = r"-\d{8}_\d{6}-\d+$"   # <date>_<time>-N: each clean dodged the decoy of its second
    for prefix, inner in (("old-nm_conf", "conf"), ("old-nm_systemconf", "conf"),
                          ("old-nm_extlib", "lib")):
        mine = [n for n in names if n.startswith(prefix + "-")]
        assert len(mine) == 2 and all(re.match(re.escape(prefix) + shape, n) for n in mine), names
        for n in mine:   # two whole backups, not one moved into the other
            assert (backup / n).is_dir() and not (backup / n / inner).exists()

    def stamps(prefix):
        return sorted(n[len(prefix):] for n in names if n.startswith(prefix))
    assert stamps("old-nm_conf-") == stamps("old-nm_systemconf-") == stamps("old-nm_extlib-")
    assert len(set(stamps("old-nm_conf-"))) == 2
    assert [n for n in names if n.startswith("out-")], names     # the first clean's out/logs
    assert p.sysupgrade("node1", "status").stdout == STATUS["none"]


def _audit_end(p, node):
    return [r for r in p.lab.audit(node) if r["event"] == "end"][-1]


def _files_text(root):
    return "".join(f.read_text(errors="replace") for f in root.rglob("*") if f.is_file())


def test_credentials_on_stdin_and_audit(fresh):
    p = fresh
    r = p.ok(p.export("node2"))
    end = _audit_end(p, "node2")
    assert end["secrets"] == {"username": "stdin", "password": "stdin"}
    assert end["exit"] == 0 and end["argv"][:2] == ["sysupgrade", "export"]
    starts = [x for x in p.lab.audit("node2") if x["event"] == "start"]
    assert starts[-1]["id"] == end["id"]
    audit_text = (p.lab.opt("node2") / "apigw-lab" / "audit.log").read_text()
    out_text = _files_text(p.new("node2", "upgrade", "bin", "out"))
    assert p.password not in audit_text + out_text + r.stdout + r.stderr

    # a wrong password is a refused login (HTTP 401 from the old ANM)
    r = p.sysupgrade("node2", "export", "--force", "--old_install_dir", p.old_dir,
                     "--anm_host", "NodeA", stdin=p.creds(password="wrong-password"))
    assert r.returncode == 1
    log = p.log("node2", "export")
    assert "[ERROR] messages from [Admin Node Manager] :" in log
    assert "HTTP 401 Unauthorized" in log
    assert p.status("node2") == "not started"

    # EOF before the password: clear failure, no wait
    r = p.sysupgrade("node2", "export", "--old_install_dir", p.old_dir, "--anm_host", "NodeA",
                     stdin=p.user + "\n", timeout=20)
    assert r.returncode == 1
    assert "No value supplied for password (use --password)" in r.stdout
    assert _audit_end(p, "node2")["secrets"] == {"username": "stdin", "password": "absent"}


def test_audit_masks_argv_secrets(fresh):
    p = fresh
    # --opt=value form: the lab's random password may start with "-", which argparse would take
    # for an option in the two-word form (as a real argparse-based tool would)
    p.ok(p.sysupgrade("node3", "export", "--old_install_dir", p.old_dir, "--anm_host", "NodeA",
                      "--username", p.user, "--password=" + p.password))
    p.ok(p.sysupgrade("node3", "upgrade", "--cass_host", "NodeA",
                      "--cass_password=cass-secret-value"))
    r = p.sysupgrade("node3", "export", "--force", "--old_install_dir", p.old_dir, "--anm_host",
                     "NodeA", "--username", p.user, "--password", "wrong-secret-value")
    assert r.returncode == 1 and "HTTP 401 Unauthorized" in p.log("node3", "export")
    records = p.lab.audit("node3")
    text = json.dumps(records)
    for secret in (p.password, "cass-secret-value", "wrong-secret-value"):
        assert secret not in text
    ends = [r for r in records if r["event"] == "end" and "export" in r["argv"]]
    assert "--password=********" in ends[0]["argv"]
    assert ends[0]["secrets"] == {"username": "argv", "password": "argv"}
    assert ends[1]["argv"][ends[1]["argv"].index("--password") + 1] == "********"
    upgrade_end = [r for r in records if r["event"] == "end" and "upgrade" in r["argv"]][-1]
    assert "--cass_password=********" in upgrade_end["argv"]
    assert upgrade_end["secrets"] == {"cass_password": "argv"}
    for f in p.new("node3", "upgrade", "bin", "out").rglob("*"):
        if f.is_file():
            content = f.read_text(errors="replace")
            assert "cass-secret-value" not in content and "wrong-secret-value" not in content


def test_usage_errors_and_help(fresh):
    p = fresh
    r = p.sysupgrade("node1", "export", "--bogus")
    assert r.returncode == 2 and "usage:" in r.stderr
    r = p.sysupgrade("node1", "export", "--help")
    assert r.returncode == 0
    for opt in ("--old_install_dir", "--anm_host", "--force", "--username", "--password"):
        assert opt in r.stdout
    r = p.sysupgrade("node1", "apply", "--help")
    for opt in ("--domain_passphrase", "--sign_alg", "--subj_alt_name", "--skip_db_upgrade",
                "--tracelevel"):
        assert opt in r.stdout
    r = p.sysupgrade("node1", "upgrade", "--tracelevel", "LOUD")
    assert r.returncode == 2


def test_single_node_upgrade_with_defaults(lab_factory):
    """upgrade_steps_extcass.md single-node example: no --anm_host, Cassandra on localhost."""
    p = support.Product(lab_factory("single"))
    p.ok(p.export("node1", anm_host=None))
    p.ok(p.sysupgrade("node1", "upgrade"))
    p.stop("node1", "old")
    p.ok(p.apply("node1", anm_host=None))
    assert p.sysupgrade("node1", "status").stdout == STATUS["apply"]
    topo = p.topology("node1")
    assert topo["productVersion"] == "7.7" and [h["name"] for h in topo["hosts"]] == ["node1"]
    assert p.proc("node1", "new", "startinstance", "-g", "GatewayGroup", "-n", "APIGateway1",
                  "-s").returncode == 0


def test_tracelevel(fresh):
    p = fresh
    p.ok(p.export("node1"))
    p.ok(p.upgrade("node1"))
    assert " DEBUG " not in p.log("node1", "upgrade")
    p.ok(p.upgrade("node1", "--force", "--tracelevel", "DEBUG"))
    log = p.log("node1", "upgrade")
    assert " DEBUG Exported from %s" % p.old_dir in log
    assert " VERBOSE Arguments: sysupgrade upgrade --cass_host NodeA --force" in log


def test_activemq_outside_the_installation_is_backed_up_by_export_and_changed_by_apply(lab_factory):
    """upgrade_errors.md, "ActiveMQ directory not under API Gateway installation directory": export
    keeps a copy in out/export/activemq/backup, and the new version uses the same directory, whose
    data may become unusable by the old one: the lab's apply really changes it."""
    lab = lab_factory("single")
    p = support.Product(lab)
    amq = "/opt/activemq/data"
    p.ok(lab.ssh("node1", "mkdir -p %s/kahadb && echo 7.5.3 > %s/lab-store-version && "
                          "echo journal > %s/kahadb/db-1.log" % (amq, amq, amq)))
    lab.fault("node1", "activemq_outside", dir=amq)
    p.ok(p.export("node1", anm_host=None))
    backup = p.new("node1", "upgrade", "bin", "out", "export", "activemq", "backup")
    assert (backup / "lab-store-version").read_text() == "7.5.3\n"
    p.ok(p.sysupgrade("node1", "upgrade"))
    assert "is NOT a directory under the old version install directory" in p.log("node1", "upgrade")
    p.stop("node1", "old")
    p.ok(p.apply("node1", anm_host=None))
    data = p.opt_path("node1", amq)
    assert (data / "lab-store-version").read_text() == "7.7\n"
    assert (data / "kahadb" / "db-1.log").read_text() == "journal\n"


def test_deploy_changes_the_group_configuration_on_the_hosts_running_it(lab_factory):
    """labctl deploy GROUP: the group's configuration changes on every host that runs an instance
    of it, and nowhere else (upgrade_faq.md: those are the nodes that must export again)."""
    lab = lab_factory("vendor-3-node")
    p = support.Product(lab)

    def config(node):
        return json.loads(p.old(node, "groups", "group-2", "lab-config.json").read_text())

    before = {n: config(n) for n in ("node1", "node2", "node3")}
    lab.deploy("GatewayGroup")
    for node in ("node1", "node2"):
        after = config(node)
        assert after["deployment"] == before[node].get("deployment", 1) + 1 and after["deployed"]
        assert {k: v for k, v in after.items() if k not in ("deployment", "deployed")} == before[node]
    assert config("node3") == before["node3"]
    r = lab.labctl("deploy", "NoSuchGroup", check=False)
    assert r.returncode == 1 and "deploy: no group 'NoSuchGroup' in this lab; groups: " in r.stderr
