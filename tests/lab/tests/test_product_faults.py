"""The fault catalogue (DESIGN.md "Fault catalogue"; upgrade_errors.md texts with the lab's real
paths), the troubleshooting cases (upgrade_troubleshoot.md) and the generic faults, on one shared
vendor-3-node lab. Faults are switched with labctl and always cleared again (try/finally)."""
import re
import threading
import time

import pytest

import test_product_support as support
mod_lab = support.mod_lab  # the fixture, shared with the other product modules

NODE = "node3"          # NodeC: an ANM with the API Manager group (GatewayManagerGroup)
NEW, OLD = "/opt/Axway-7.7/apigateway", "/opt/Axway-7.5.3/apigateway"

CATALOGUE = [
    # fault, step, severity, check, expected line in the log
    ("instance_jvm_xml", "export", "WARNING", "System Config",
     "WARN: Migrating the following instance-specific jvm.xml files from the old system:"),
    ("inconsistent_group", "export", "ERROR", "Group Consistency",
     "ERROR: Group 'GatewayManagerGroup' (group-3) is inconsistent. Upgrade requires all groups "
     "to be consistent."),
    ("anm_host_invalid", "upgrade", "ERROR", "Topology",
     "ERROR: Host 'XXX' is not a valid host in the topology. Retry with --anm_host <hostname>, "
     "where hostname is one of: 'NodeA', 'NodeC'"),
    ("anm_host_not_anm", "upgrade", "ERROR", "Topology",
     "ERROR: Host 'NodeB' does not have an Admin Node Manager. Retry with a valid --anm_host "
     "<hostname> parameter, where where hostname is one of: 'NodeA', 'NodeC'"),
    ("apimgr_license", "upgrade", "WARNING", "API Manager",
     "WARN: A LicenseException ('feature \"apiportal\" not licensed') occurred while checking "
     "for a API Manager license in directory '%s/conf/licenses'." % NEW),
    ("mcafee_license", "upgrade", "WARNING", "McAfee",
     "WARN: A LicenseException ('feature \"mcafee\" not licensed') occurred while checking for a "
     "McAfee License '%s/'. Please contact support to acquire a new license. Place the new "
     "license in directory '%s/'." % (NEW, NEW)),
    ("rbac_modified", "upgrade", "WARNING", "RBAC",
     "WARN: Differences between original file (%s/upgrade/scripts/rbac/factory/acl6.json) and "
     "active file (%s/upgrade/bin/out/export/rbac/conf/acl.json) must be manually merged into "
     "apigateway/conf/acl.json on new system." % (NEW, NEW)),
    ("corrupt_jar", "upgrade", "WARNING", "Ext Lib",
     "WARN: The JAR file '%s/ext/lib/lab-corrupt.jar' is corrupt" % OLD),
    ("jdbc_drivers", "upgrade", "WARNING", "External Databases",
     "WARN: OAuth/KPS tables must be upgraded in the following external databases: "
     "[u'jdbc:mysql://127.0.0.1:3306/testdb']. You should copy the required JDBC drivers to "
     "'%s/upgrade/lib', so that 'sysupgrade apply' can perform the database upgrades." % NEW),
    ("activemq_not_set", "upgrade", "WARNING", "ActiveMQ",
     "WARN: The ActiveMQ directory is not configured correctly, it is set to '', sysupgrade will "
     "NOT export the data."),
    ("activemq_missing", "upgrade", "WARNING", "ActiveMQ",
     "does not exist, sysupgrade will NOT export the data."),
    ("activemq_outside", "upgrade", "WARNING", "ActiveMQ",
     "is NOT a directory under the old version install directory '%s'." % OLD),
    ("license_missing", "upgrade", "ERROR", "License",
     "ERROR: A LicenseException ('License not found in %s/conf/licenses') occurred while "
     "checking licenses in directory '%s/conf/licenses'." % (OLD, NEW)),
    ("license_feature", "upgrade", "ERROR", "License",
     "ERROR: A LicenseException ('feature \"unrestricted\" not licensed') occurred while "
     "checking for a server license in directory '%s/conf/licenses'." % NEW),
    ("kps_duplicates", "upgrade", "ERROR", "API Manager",
     "ERROR: Found duplicate 'apiadmin' users in KPS table: %s/upgrade/bin/out/upgrade/kps/"
     "groups/group-3/instance-3/conf/kps/backup/sysexport_api_portal_portaluserstoreldap_json"
     % NEW),
    ("fips_license", "upgrade", "ERROR", "License",
     "ERROR: A LicenseException ('feature \"FIPS\" not licensed') occurred while checking for a "
     "FIPS license in directory '%s/conf/licenses'." % NEW),
    ("cassandra_kps", "upgrade", "ERROR", "Cassandra",
     "ERROR: Group 'GatewayManagerGroup' contains KPS collections with Cassandra data source: "
     "['API Portal']. Either run sysupgrade without '--no_cassandra' option"),
]


def ensure_exported(p):
    if p.status(NODE) == "not started":
        p.ok(p.export(NODE))


def run_step(p, step, fault):
    if step == "export":
        return p.export(NODE, "--force")
    ensure_exported(p)
    extra = ["--no_cassandra"] if fault == "cassandra_kps" else []
    return p.upgrade(NODE, "--force", *extra)


@pytest.mark.parametrize("fault,step,severity,check,line", CATALOGUE,
                         ids=[c[0] for c in CATALOGUE])
def test_catalogue_fault(mod_lab, fault, step, severity, check, line):
    p = mod_lab
    p.lab.fault(NODE, fault)
    try:
        r = run_step(p, step, fault)
    finally:
        p.lab.clear_faults(NODE)
    log = p.log(NODE, step)
    assert "[%s] messages from [%s] :" % (severity, check) in log, log
    assert line in log, log
    if severity == "ERROR":
        assert r.returncode == 1 and "[%s] : FAILED" % check in log
        assert p.status(NODE) == ("not started" if step == "export" else "export complete")
    else:
        assert r.returncode == 0 and "[%s] : OK" % check in log
        assert p.status(NODE) == ("export complete" if step == "export"
                                  else "export and upgrade complete")
    # the same step without the fault is clean again (the fault, not the lab, caused it)
    r = run_step(p, step, None)
    assert r.returncode == 0 and "[%s] messages from [%s]" % (severity, check) not in \
        p.log(NODE, step)


def test_kps_duplicates_three_error_lines(mod_lab):
    p = mod_lab
    ensure_exported(p)
    p.lab.fault(NODE, "kps_duplicates")
    try:
        p.upgrade(NODE, "--force")
    finally:
        p.lab.clear_faults(NODE)
    log = p.log(NODE, "upgrade")
    block = log.split("[ERROR] messages from [API Manager] :\n")[1].splitlines()[:3]
    assert [b.split(":")[0] for b in block] == ["ERROR"] * 3
    assert "Found duplicate 'Community' organizations in KPS table" in block[1]
    assert block[2] == ("ERROR: There is a KPS configuration problem on the old system. This "
                        "must be resolved before upgrade can proceed. Please contact Axway "
                        "support for assistance.")


def test_no_cassandra_fails_naturally_on_api_manager_config(mod_lab):
    """No fault switched on: the API Manager group really has a Cassandra-backed KPS."""
    p = mod_lab
    ensure_exported(p)
    r = p.upgrade(NODE, "--force", "--no_cassandra")
    assert r.returncode == 1
    assert "Group 'GatewayManagerGroup' contains KPS collections with Cassandra data source: " \
        "['API Portal']" in p.log(NODE, "upgrade")
    p.ok(p.upgrade(NODE, "--force"))


def test_anm_host_checked_by_upgrade(mod_lab):
    """upgrade_errors.md "Admin Node Manager host name is invalid", from real --anm_host values."""
    p = mod_lab
    cases = [("XXX", "ERROR: Host 'XXX' is not a valid host in the topology."),
             ("NodeB", "ERROR: Host 'NodeB' does not have an Admin Node Manager."),
             (None, "more than one Admin Node Manager")]
    try:
        for anm_host, line in cases:
            p.ok(p.export(NODE, "--force", anm_host=anm_host))
            r = p.upgrade(NODE)
            assert r.returncode == 1 and line in p.log(NODE, "upgrade"), anm_host
    finally:
        p.ok(p.export(NODE, "--force"))


def test_out_of_memory_until_xmx_raised(mod_lab):
    """upgrade_troubleshoot.md "Out of memory error when running upgrade"."""
    p = mod_lab
    ensure_exported(p)
    jvm = p.new(NODE, "system", "conf", "jvm.xml")
    original = jvm.read_text()
    p.lab.fault(NODE, "large_config", required_heap_mb=2048)
    try:
        r = p.upgrade(NODE, "--force")
        assert r.returncode == 1
        assert "java.lang.OutOfMemoryError: Java heap space" in r.stderr
        assert "java.lang.OutOfMemoryError: Java heap space" in p.log(NODE, "upgrade")
        assert p.status(NODE) == "export complete"
        jvm.write_text(original.replace("-Xmx${maxHeap}", "-Xmx1024"))
        assert p.upgrade(NODE).returncode == 1
        jvm.write_text(original.replace("-Xmx${maxHeap}", "-Xmx2048"))
        p.ok(p.upgrade(NODE))
        assert p.status(NODE) == "export and upgrade complete"
    finally:
        jvm.write_text(original)
        p.lab.clear_faults(NODE)


def test_slow(mod_lab):
    p = mod_lab
    ensure_exported(p)
    p.lab.fault(NODE, "slow", step="upgrade", seconds=3)
    try:
        t0 = time.monotonic()
        p.ok(p.upgrade(NODE, "--force"))
        assert time.monotonic() - t0 >= 3
        t0 = time.monotonic()
        p.ok(p.sysupgrade(NODE, "status"))
        assert time.monotonic() - t0 < 3            # only the named step is slow
    finally:
        p.lab.clear_faults(NODE)


def test_hold_waits_until_the_fault_is_cleared(mod_lab):
    """Fault `hold`: the step waits half way for as long as the test wants, then finishes as usual."""
    p = mod_lab
    ensure_exported(p)
    p.lab.fault(NODE, "hold", step="upgrade")

    def upgrades():
        return [r for r in p.lab.audit(NODE) if r["argv"][1:2] == ["upgrade"]]
    before = len(upgrades())
    result = {}
    runner = threading.Thread(target=lambda: result.update(proc=p.upgrade(NODE, "--force")))
    runner.start()
    try:
        deadline = time.monotonic() + 60
        while len(upgrades()) == before and time.monotonic() < deadline:
            time.sleep(0.2)
        held = upgrades()[before:]
        assert [r["event"] for r in held] == ["start"], held  # started, and held: not ended
        assert runner.is_alive()
        assert p.sysupgrade(NODE, "status").returncode == 0  # other calls are not held
    finally:
        p.lab.clear_faults(NODE)
        runner.join(120)
    assert not runner.is_alive()
    p.ok(result["proc"])
    assert [r for r in p.lab.audit(NODE) if r["argv"][1:2] == ["upgrade"]][-1]["event"] == "end"


def test_crash_leaves_partial_log_and_no_status_change(mod_lab):
    p = mod_lab
    ensure_exported(p)
    p.lab.fault(NODE, "crash", step="upgrade")
    try:
        r = p.upgrade(NODE, "--force")
    finally:
        p.lab.clear_faults(NODE)
    # SIGKILL: ssh reports the remote signal as 255 (or 137 through a shell), never 0 or 1
    assert r.returncode in (137, 255)
    log = p.log(NODE, "upgrade")
    assert "sysupgrade upgrade started" in log and "[License] : OK" in log
    assert "sysupgrade upgrade completed" not in log and "[Cassandra]" not in log
    assert p.status(NODE) == "export complete"
    assert p.new(NODE, "upgrade", "bin", "out", "upgrade").is_dir()       # partial output
    records = p.lab.audit(NODE)
    last = [x for x in records if x["event"] == "start" and "upgrade" in x["argv"]][-1]
    assert not [x for x in records if x["event"] == "end" and x["id"] == last["id"]]  # no end
    p.ok(p.upgrade(NODE))


def test_prompt_waits_for_an_answer(mod_lab):
    p = mod_lab
    ensure_exported(p)
    p.lab.fault(NODE, "prompt", step="upgrade")
    try:
        r = p.sysupgrade(NODE, "upgrade", "--force", "--cass_host", "NodeA", stdin="n\n")
        assert r.returncode == 1 and "[y/N]" in r.stdout
        assert "ERROR: Operation cancelled by user." in p.log(NODE, "upgrade")
        r = p.sysupgrade(NODE, "upgrade", "--force", "--cass_host", "NodeA", stdin="y\n")
        assert r.returncode == 0
    finally:
        p.lab.clear_faults(NODE)


def test_exit_code_lies(mod_lab):
    p = mod_lab
    ensure_exported(p)
    p.lab.fault(NODE, "exit_code_lies")
    p.lab.fault(NODE, "license_missing")
    try:
        r = p.upgrade(NODE, "--force")
    finally:
        p.lab.clear_faults(NODE)
    assert r.returncode == 0
    assert "[ERROR] messages from [License] :" in p.log(NODE, "upgrade")
    assert p.status(NODE) == "export complete"
    p.ok(p.upgrade(NODE))


def test_log_location(mod_lab):
    p = mod_lab
    ensure_exported(p)
    default = p.new(NODE, "upgrade", "bin", "out", "logs", "upgrade.log")
    if default.exists():
        default.unlink()
    p.lab.fault(NODE, "log_location", dir="out/log")
    try:
        p.ok(p.upgrade(NODE, "--force"))
    finally:
        p.lab.clear_faults(NODE)
    assert not default.exists()
    assert "sysupgrade upgrade completed" in p.log(NODE, "upgrade", where="out/log")
    assert re.search(r"out/log/upgrade\.log", p.sysupgrade(NODE, "status").stdout) is None


def test_csr_sign_failure_on_apply(mod_lab):
    """Last in the module: it stops the old installation everywhere."""
    p = mod_lab
    p.export_upgrade("node1") if p.status("node1") == "not started" else None
    if p.status(NODE) != "export and upgrade complete":
        p.ok(p.upgrade(NODE, "--force"))
    p.stop_old_everywhere()
    p.lab.fault("node1", "csr_sign_failure")
    try:
        r = p.apply("node1")
    finally:
        p.lab.clear_faults("node1")
    assert r.returncode == 1
    log = p.log("node1", "apply")
    assert ("ERROR: Node Manager error: Failed to sign CSR for service. None of the available "
            "Admin Node Managers have the domain private key, or were able to unlock it with "
            "provided passphrase.") in log
    assert p.status("node1") == "export and upgrade complete"
    p.ok(p.apply("node1"))
    p.ok(p.apply(NODE))
    assert sorted(h["name"] for h in p.topology("node1")["hosts"]) == ["NodeA", "NodeC"]
