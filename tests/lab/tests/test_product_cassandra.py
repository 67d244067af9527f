"""A Cassandra that requires a login (labctl up --cassandra-auth; DESIGN.md "Cassandra login"):
upgrade_script.md --cass_username/--cass_password. A missing or wrong login fails `upgrade` with
an ERROR of the Cassandra check (ASSUMED wording); the right one passes; the inventory carries
the login (mode 0600); no password reaches a file, a log or the audit."""
import stat
import sys
from pathlib import Path

import pytest

import test_product_support as support

PRODUCT = Path(__file__).resolve().parent.parent / "product"
if str(PRODUCT) not in sys.path:
    sys.path.insert(0, str(PRODUCT))
from apigw_lab import cassandra_stub  # noqa: E402  (the stand-in's own client)

NODE = "node2"     # NodeB: Cassandra runs on NodeA, so upgrade reaches it over the network
MISSING = ("ERROR: Failed to log in to Apache Cassandra at NodeA:9042: the server requires "
           "authentication. Specify the Apache Cassandra user name and password with "
           "--cass_username and --cass_password.")


def wrong(user):
    who = "as user '%s'" % user if user is not None else "without a user name"
    return ("ERROR: Failed to log in to Apache Cassandra at NodeA:9042 %s: the user name or "
            "password is incorrect. Check --cass_username and --cass_password." % who)


@pytest.fixture(scope="module")
def auth_lab(lab_pool):
    """The session's shared lab, made with a Cassandra login (the pool swaps labs on demand)."""
    return support.Product(lab_pool.get("vendor-3-node", cassandra_auth=True))


def stub_login(lab, *creds):
    """The stand-in's own answer, asked from the controller (lab-internal protocol)."""
    return cassandra_stub.login(lab.address("node1"), 9042, *creds)


def test_login_is_in_the_inventory(auth_lab):
    lab = auth_lab.lab
    cass = lab.info["cassandra"]
    assert set(cass) == {"host", "port", "inventory_host", "username", "password"}
    assert cass["username"] and len(cass["password"]) >= 16
    assert stat.S_IMODE(lab.inventory_path.stat().st_mode) == 0o600
    yaml = pytest.importorskip("yaml")
    v = yaml.safe_load(lab.inventory_path.read_text())["all"]["children"]["apigw"]["vars"]
    assert (v["apigw_cassandra_username"], v["apigw_cassandra_password"]) == \
        (cass["username"], cass["password"])
    # the stand-in keeps a salted hash, never the password
    users = lab.opt("node1") / "apigw-lab" / "cassandra-users.json"
    assert stat.S_IMODE(users.stat().st_mode) == 0o600
    assert cass["password"] not in users.read_text()
    assert cass["username"] in users.read_text()


def test_upgrade_needs_the_cassandra_login(auth_lab):
    p, cass = auth_lab, auth_lab.lab.info["cassandra"]
    user, password = cass["username"], cass["password"]
    p.ok(p.export(NODE))
    cases = [((), MISSING),
             (("--cass_username", user, "--cass_password=not-the-password"), wrong(user)),
             (("--cass_username", "someone", "--cass_password=" + password), wrong("someone")),
             (("--cass_password=" + password,), wrong(None))]
    for extra, line in cases:
        r = p.upgrade(NODE, "--force", *extra)
        assert r.returncode == 1, extra
        log = p.log(NODE, "upgrade")
        assert "[Cassandra] : FAILED" in log and "[ERROR] messages from [Cassandra] :" in log
        assert line in log, (extra, log)
        assert "ERROR: [Cassandra] " + line[len("ERROR: "):] in r.stdout
        assert p.status(NODE) == "export complete"
    r = p.ok(p.upgrade(NODE, "--force", "--cass_username", user, "--cass_password=" + password))
    assert "completed successfully" in r.stdout
    assert "[Cassandra] : OK" in p.log(NODE, "upgrade")
    assert p.status(NODE) == "export and upgrade complete"
    # --no_cassandra does not talk to Cassandra (it fails on the API Manager's KPS instead)
    r = p.upgrade(NODE, "--force", "--no_cassandra")
    assert "Failed to log in to Apache Cassandra" not in p.log(NODE, "upgrade")
    # the password is in no file of the new installation, no log, no audit record
    texts = [(p.lab.opt(NODE) / "apigw-lab" / "audit.log").read_text()]
    out = p.new(NODE, "upgrade", "bin", "out")
    texts += [f.read_text(errors="replace") for f in out.rglob("*") if f.is_file()]
    assert not [t for t in texts if password in t or "not-the-password" in t]
    ends = [x for x in p.lab.audit(NODE) if x["event"] == "end" and "upgrade" in x["argv"]]
    assert ends[-2]["secrets"] == {"cass_password": "argv"}


def test_stand_in_answers_and_survives_a_reboot(auth_lab):
    lab, cass = auth_lab.lab, auth_lab.lab.info["cassandra"]
    assert stub_login(lab) == "AUTH-REQUIRED"
    assert stub_login(lab, cass["username"], "bad") == "AUTH-FAILED"
    assert stub_login(lab, cass["username"], cass["password"]) == "OK"
    lab.crash("node1")
    lab.boot("node1")            # boot restarts the stand-in, with its login
    try:
        assert stub_login(lab) == "AUTH-REQUIRED"
        assert stub_login(lab, cass["username"], cass["password"]) == "OK"
    finally:
        lab.start_processes("node1")
    # the auth file is named on the stand-in's command line; the password is not
    pid = int((lab.opt("node1") / "apigw-lab" / "cassandra.pid").read_text())
    cmd = lab.exec("node1", "cat", "/proc/%d/cmdline" % pid, check=True).stdout
    assert "--auth-file" in cmd and cass["password"] not in cmd


def test_without_the_option_no_login_is_needed(vendor3):
    """The default lab: any (or no) login passes, and the inventory has no Cassandra login."""
    assert "username" not in vendor3.info["cassandra"]
    assert "apigw_cassandra_username" not in vendor3.inventory_path.read_text()
    assert stub_login(vendor3) == "OK"
    assert stub_login(vendor3, "anyone", "anything") == "OK"
    assert not (vendor3.opt("node1") / "apigw-lab" / "cassandra-users.json").exists()
    assert vendor3.info["cassandra"] == {"host": "NodeA", "port": 9042, "inventory_host": "node1"}
