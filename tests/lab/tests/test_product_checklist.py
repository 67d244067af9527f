"""What the vendor's manual before/after-upgrade steps need, on real vendor-3-node labs
(upgrade_steps_extcass.md "Before you upgrade", "After you upgrade", Step 6; config_files_reference.md;
upgrade_troubleshoot.md; DESIGN.md "Manual checklist items"): private /etc/init.d with vshell-*
service scripts, SSO files, QuickStart, group entity stores, admin users (fault drop_admin_user),
external databases and JDBC drivers, a duplicated third-party jar, Cassandra's ports, the API
Manager REST API on 8075, and jvm.xml's shape. Each item in OLD and NEW, before and after apply."""
import base64
import http.client
import json
import os
import ssl
import stat
import xml.etree.ElementTree as ET

import pytest

from lablib.testing import Lab
from test_product_support import NODES, Product

NS = "{http://www.vordel.com/2005/06/24/entityStore}"
APIM = "/api/portal/v1.3/"
KINDS = ("organizations", "applications", "proxies")


@pytest.fixture(scope="module")
def lab12(lab_pool):
    """One default vendor-3-node lab for the module; the machine's /etc/init.d listed before."""
    lab_pool.release()
    machine_initd = listing("/etc/init.d")
    lab = Lab()
    lab.up("vendor-3-node")
    try:
        p = Product(lab)
        p.machine_initd = machine_initd
        yield p
    finally:
        lab.down()


def listing(folder):
    return sorted((n, os.lstat(os.path.join(folder, n)).st_mtime_ns) for n in os.listdir(folder))


def initd(p, node):
    return p.lab.lab_dir / "hosts" / node / "init.d"


def store_entities(path):
    root = ET.parse(str(path)).getroot()
    assert root.tag == NS + "entityStoreData"
    out = []
    for e in root.iter(NS + "entity"):
        fields = {f.get("name"): f.find(NS + "value").text for f in e.findall(NS + "fval")}
        out.append((e.get("type"), e.get("entityPKValue"), fields))
    return out


def stores(tree_root, gid):
    return sorted(tree_root.joinpath("groups", gid, "conf").glob("*/PrimaryStore.xml"))


def apim_get(p, path, auth=True, node="node3"):
    ctx = ssl.create_default_context(cafile=str(p.lab.ca_path))
    conn = http.client.HTTPSConnection(p.lab.address(node), 8075, context=ctx, timeout=10)
    headers = {}
    if auth:
        cfg = p.lab.info["apimanager"]
        user, pw = (cfg["username"], cfg["password"]) if auth is True else auth
        headers["Authorization"] = "Basic " + base64.b64encode(
            ("%s:%s" % (user, pw)).encode()).decode()
    try:
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read() or b"null")
    finally:
        conn.close()


def apim_lists(p):
    out = {}
    for kind in KINDS:
        status, body = apim_get(p, APIM + kind)
        assert status == 200, body
        out[kind] = body
    return out


def connects(p, src, host, port):
    """A TCP connection from inside host src to host:port (2 s)."""
    r = p.lab.ssh(src, "python3 -c \"import socket; socket.create_connection(('%s', %d), 2)"
                       ".close()\"" % (host, port))
    return r.returncode == 0


# ---------------------------------------------------------------- before any step

def test_private_init_d_with_vendor_service_scripts(lab12):
    p = lab12
    assert listing("/etc/init.d") == p.machine_initd      # the machine's own is untouched
    assert not [n for n, _m in listing("/etc/init.d") if n.startswith("vshell-")]
    expected = {"node1": ["vshell-GatewayGroup-APIGateway1", "vshell-Node-Manager-on-NodeA"],
                "node2": ["vshell-GatewayGroup-APIGateway2", "vshell-Node-Manager-on-NodeB"],
                "node3": ["vshell-GatewayManagerGroup-APIManagerGateway",
                          "vshell-Node-Manager-on-NodeC"]}
    for node in NODES:
        seen = p.lab.ssh(node, "ls /etc/init.d", check=True).stdout.split()
        assert seen == expected[node], (node, seen)
        for name in seen:
            mode = stat.S_IMODE(os.stat(str(initd(p, node) / name)).st_mode)
            assert mode == 0o755, (node, name, oct(mode))
    nm = p.lab.ssh("node1", "cat /etc/init.d/vshell-Node-Manager-on-NodeA", check=True).stdout
    assert nm.startswith("#!/bin/sh\n")
    assert 'VDISTDIR="%s"' % p.old_dir in nm and "VINSTDIR" not in nm
    assert '"$VDISTDIR/posix/bin/nodemanager" -d' in nm
    gw = (initd(p, "node3") / "vshell-GatewayManagerGroup-APIManagerGateway").read_text()
    assert 'VDISTDIR="%s"' % p.old_dir in gw
    assert 'VINSTDIR="%s/groups/group-3/instance-3"' % p.old_dir in gw
    assert '"$VDISTDIR/posix/bin/startinstance" -g "GatewayManagerGroup" -n ' \
           '"APIManagerGateway" -d' in gw
    # private: a file made in node1's /etc/init.d lands in node1's folder only
    p.lab.ssh("node1", "touch /etc/init.d/lab12-probe", check=True)
    try:
        assert (initd(p, "node1") / "lab12-probe").exists()
        assert p.lab.ssh("node2", "test -e /etc/init.d/lab12-probe").returncode == 1
        assert not os.path.exists("/etc/init.d/lab12-probe")
    finally:
        (initd(p, "node1") / "lab12-probe").unlink()
    assert p.lab.ssh("node2", "findmnt -n -o TARGET /etc/init.d", check=True).stdout.strip() \
        == "/etc/init.d"


def test_old_and_new_trees_before_upgrade(lab12):
    p = lab12
    # SSO files on the API Manager instance only (NodeC's APIManagerGateway)
    conf = p.old("node3", "groups", "group-3", "instance-3", "conf")
    for name, mode in (("service-provider.xml", 0o644), ("service-provider-apiportal.xml", 0o644),
                       ("sso.jks", 0o600), ("trustStore.jks", 0o600)):
        assert stat.S_IMODE((conf / name).stat().st_mode) == mode, name
    assert (conf / "sso.jks").read_bytes()[:4] == b"\xfe\xed\xfe\xed"
    ET.parse(str(conf / "service-provider.xml"))
    for node, gid, iid in (("node1", "group-2", "instance-1"), ("node2", "group-2", "instance-2")):
        assert not p.old(node, "groups", gid, iid, "conf", "sso.jks").exists()
    for node in NODES:
        # QuickStart in OLD only
        assert p.old(node, "webapps", "quickstart", "index.html").is_file()
        assert not p.new(node, "webapps", "quickstart").exists()
        # admin users: OLD admin + operator1, NEW (installer) admin only; names without secrets
        old_users = json.loads(p.old(node, "conf", "adminUsers.json").read_text())
        assert [u["name"] for u in old_users["adminUsers"]] == ["admin", "operator1"]
        assert p.password not in p.old(node, "conf", "adminUsers.json").read_text()
        new_users = json.loads(p.new(node, "conf", "adminUsers.json").read_text())
        assert [u["name"] for u in new_users["adminUsers"]] == ["admin"]
        assert not p.old(node, "conf", "lab-admin-users.json").exists()
        # no third-party jar of OLD ext/lib is in NEW system/lib (no --duplicate-jar)
        ext = {j.name for j in p.old(node, "ext", "lib").glob("*.jar")}
        system = {j.name for j in p.new(node, "system", "lib").glob("*.jar")}
        assert system and not ext & system
        assert not {n.rsplit("-", 1)[0] for n in ext} & {n.rsplit("-", 1)[0] for n in system}
        # jvm.xml in the vendor's shape, editable with an XML library (troubleshoot)
        root = ET.parse(str(p.new(node, "system", "conf", "jvm.xml"))).getroot()
        args = [(v.get("name"), parent.tag) for parent in root.iter() for v in parent
                if v.tag == "VMArg"]
        assert ("-Xmx${maxHeap}", "if") in args
    # entity stores: one per group on each host running it, none in NEW before apply
    for node, gid, group_policy, kps in (
            ("node1", "group-2", "Customer Orders API", ["Lab File Collection"]),
            ("node2", "group-2", "Customer Orders API", ["Lab File Collection"]),
            ("node3", "group-3", "API Manager Protection Policy",
             ["Lab File Collection", "API Portal"])):
        found = stores(p.old(node), gid)
        assert len(found) == 1, found
        ents = store_entities(found[0])
        policies = [n for t, n, _f in ents if t == "FilterCircuit"]
        assert {"Health Check", "Version API", group_policy} <= set(policies)
        assert [n for t, n, _f in ents if t == "KPSCollection"] == kps
        assert not [e for e in ents if e[0] == "DbConnection"]
        config = json.loads(p.old(node, "groups", gid, "lab-config.json").read_text())
        assert [c["name"] for c in config["kps_collections"]] == kps
        assert not p.new(node, "groups").exists()
    assert stores(p.old("node1"), "group-2")[0].relative_to(p.old("node1")) == \
        stores(p.old("node2"), "group-2")[0].relative_to(p.old("node2"))


def test_api_manager_rest_api_on_8075(lab12):
    p = lab12
    lists = apim_lists(p)
    assert len(lists["organizations"]) >= 2 and len(lists["applications"]) >= 2
    assert len(lists["proxies"]) >= 2
    orgs = {o["id"] for o in lists["organizations"]}
    assert all(o["name"] for o in lists["organizations"])
    assert all(a["organizationId"] in orgs for a in lists["applications"])
    assert all(x["organizationId"] in orgs and x["path"].startswith("/")
               for x in lists["proxies"])
    assert apim_get(p, APIM + "organizations", auth=False)[0] == 401
    assert apim_get(p, APIM + "organizations", auth=("apiadmin", "wrong"))[0] == 401
    assert apim_get(p, APIM + "organizations", auth=(p.user, p.password))[0] == 401
    inv = p.lab.inventory_path.read_text()
    cfg = p.lab.info["apimanager"]
    assert 'apigw_apimanager_username: "apiadmin"' in inv
    assert "apigw_apimanager_password: %s" % json.dumps(cfg["password"]) in inv
    for node in NODES:   # the password is on no host, only its salted hash
        for path in p.lab.opt(node).joinpath("apigw-lab").rglob("*"):
            if path.is_file():
                assert cfg["password"] not in path.read_text(errors="replace"), path


def test_cassandra_9042_closed_to_other_hosts_while_9160_answers(lab12):
    p = lab12
    assert connects(p, "node2", "NodeA", 9042) and connects(p, "node2", "NodeA", 9160)
    p.lab.cassandra_port("close")
    try:
        assert not connects(p, "node2", "NodeA", 9042)
        assert not connects(p, "node3", "NodeA", 9042)
        assert connects(p, "node2", "NodeA", 9160)
        assert connects(p, "node1", "127.0.0.1", 9042)
        assert p.lab.info["cassandra_closed_ports"] == [9042]
        p.lab.crash("node1")
        p.lab.boot("node1")              # a reboot keeps the port closed
        try:
            assert not connects(p, "node2", "NodeA", 9042)
            assert connects(p, "node2", "NodeA", 9160)
        finally:
            p.lab.start_processes("node1")
    finally:
        p.lab.cassandra_port("open")
    assert connects(p, "node2", "NodeA", 9042) and connects(p, "node2", "NodeA", 9160)
    assert "cassandra_closed_ports" not in p.lab.info
    assert p.lab.info["cassandra"] == {"host": "NodeA", "port": 9042, "inventory_host": "node1"}


# ---------------------------------------------------------------- the upgrade, then after

def test_upgrade_carries_content_and_leaves_manual_items(lab12):
    p = lab12
    before = apim_lists(p)
    old_stores = {(node, gid): store_entities(stores(p.old(node), gid)[0]) for node, gid in
                  (("node1", "group-2"), ("node2", "group-2"), ("node3", "group-3"))}
    services = {node: {f.name: f.read_text() for f in initd(p, node).iterdir()} for node in NODES}
    for node in NODES:
        p.export_upgrade(node)
    p.stop_old_everywhere()
    p.lab.fault("node2", "drop_admin_user", user="operator1")
    try:
        for node in NODES:
            p.ok(p.apply(node))
    finally:
        p.lab.clear_faults("node2")
    for node in NODES:
        assert p.status(node) == "system upgrade complete"
    # the API Manager of the new installation answers the same data
    assert apim_lists(p) == before
    assert apim_get(p, APIM + "applications", auth=False)[0] == 401
    for (node, gid), ents in old_stores.items():
        found = stores(p.new(node), gid)
        assert len(found) == 1 and store_entities(found[0]) == ents, node
        assert found[0].relative_to(p.new(node)) == \
            stores(p.old(node), gid)[0].relative_to(p.old(node))
    # SSO files: the instance's conf exists in NEW, without them; QuickStart stays behind
    conf = p.new("node3", "groups", "group-3", "instance-3", "conf")
    assert (conf / "service.xml").is_file()
    for name in ("service-provider.xml", "service-provider-apiportal.xml", "sso.jks",
                 "trustStore.jks"):
        assert not (conf / name).exists(), name
        assert p.old("node3", "groups", "group-3", "instance-3", "conf", name).exists()
    for node in NODES:
        assert not p.new(node, "webapps", "quickstart").exists()
        # the service scripts are the user's job: apply changed none of them
        assert {f.name: f.read_text() for f in initd(p, node).iterdir()} == services[node]
    # admin users: every one, except operator1 on node2 (fault drop_admin_user), and silently
    for node, names in (("node1", ["admin", "operator1"]), ("node2", ["admin"]),
                        ("node3", ["admin", "operator1"])):
        users = json.loads(p.new(node, "conf", "adminUsers.json").read_text())
        assert [u["name"] for u in users["adminUsers"]] == names, node
        assert users["productVersion"] == "7.7"
    assert "operator1" not in p.log("node2", "apply")
    assert "[ERROR]" not in p.log("node2", "apply") and "[WARNING]" not in p.log("node2", "apply")
    old_ops = [u for u in json.loads(p.old("node1", "conf", "adminUsers.json").read_text())[
        "adminUsers"] if u["name"] == "operator1"]
    new_ops = [u for u in json.loads(p.new("node1", "conf", "adminUsers.json").read_text())[
        "adminUsers"] if u["name"] == "operator1"]
    assert old_ops == new_ops      # migrated with its password (hash) and roles
    assert p.topology("node1")["productVersion"] == "7.7"   # the admin still logs in
