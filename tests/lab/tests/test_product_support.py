"""Helpers for the product suite (test_product_*.py): drive sysupgrade and the process commands on
real lab hosts over ssh, read results from the hosts' /opt on the controller, and read topologies
over HTTPS with the lab CA. No tests here.

Fixtures
  fresh     function scope: a new vendor-3-node lab with the OLD processes running (lab_factory)
  mod_lab   module scope: one vendor-3-node lab for a whole module, taken down at its end
"""
import http.client
import json
import re
import shlex
import ssl
import base64

import pytest

from lablib.testing import Lab

NODES = ("node1", "node2", "node3")   # vendor-3-node: NodeA (first ANM), NodeB (NM), NodeC (ANM)


class Product(object):
    def __init__(self, lab):
        self.lab = lab
        info = lab.info
        self.old_dir, self.new_dir = info["old_dir"], info["new_dir"]
        self.user, self.password = info["admin_username"], info["admin_password"]
        self.passphrase = info["domain_passphrase"]

    # ---- paths on the controller
    def opt_path(self, node, abs_path):
        return self.lab.opt(node) / abs_path[len("/opt/"):]

    def new(self, node, *rel):
        return self.opt_path(node, self.new_dir).joinpath(*rel)

    def old(self, node, *rel):
        return self.opt_path(node, self.old_dir).joinpath(*rel)

    def log(self, node, step, where="out/logs"):
        return self.new(node, "upgrade", "bin", where, step + ".log").read_text()

    # ---- commands
    def creds(self, passphrase=False, password=None):
        lines = [self.user, self.password if password is None else password]
        if passphrase:
            lines.append(self.passphrase)
        return "\n".join(lines) + "\n"

    def sysupgrade(self, node, *args, stdin="", timeout=120):
        cmd = "cd %s/upgrade/bin && ./sysupgrade %s" % (
            self.new_dir, " ".join(shlex.quote(a) for a in args))
        return self.lab.ssh(node, cmd, input=stdin, timeout=timeout)

    def export(self, node, *extra, anm_host="NodeA"):
        args = ["export", "--old_install_dir", self.old_dir] + (
            ["--anm_host", anm_host] if anm_host else []) + list(extra)
        return self.sysupgrade(node, *args, stdin=self.creds())

    def upgrade(self, node, *extra):
        return self.sysupgrade(node, "upgrade", "--cass_host", "NodeA", *extra)

    def apply(self, node, *extra, anm_host="NodeA", stdin=None):
        args = ["apply"] + (["--anm_host", anm_host] if anm_host else []) + list(extra)
        return self.sysupgrade(node, *args, stdin=self.creds(True) if stdin is None else stdin)

    def status(self, node):
        out = self.sysupgrade(node, "status").stdout
        return re.search(r"^Current status: (.*)$", out, re.M).group(1)

    def proc(self, node, tree, *args):
        """posix/bin command of the OLD or NEW tree on a node."""
        base = self.old_dir if tree == "old" else self.new_dir
        return self.lab.ssh(node, "%s/posix/bin/%s" % (
            base, " ".join(shlex.quote(a) for a in args)))

    def instances(self, node):
        return self.lab.host(node)["instances"]

    def stop(self, node, tree="old"):
        for i in self.instances(node):
            assert self.proc(node, tree, "startinstance", "-g", i["group"], "-n", i["name"],
                             "-k").returncode == 0
        assert self.proc(node, tree, "nodemanager", "-k").returncode == 0

    def start_old(self, node):
        assert self.proc(node, "old", "nodemanager", "-d").returncode == 0
        for i in self.instances(node):
            assert self.proc(node, "old", "startinstance", "-g", i["group"], "-n", i["name"],
                             "-d").returncode == 0

    def stop_old_everywhere(self):
        for node in NODES:
            self.stop(node, "old")

    def export_upgrade(self, node, anm_host="NodeA"):
        r = self.export(node, anm_host=anm_host)
        assert r.returncode == 0, r.stdout + r.stderr
        r = self.upgrade(node)
        assert r.returncode == 0, r.stdout + r.stderr

    def ok(self, proc):
        assert proc.returncode == 0, "exit %d\n%s%s" % (proc.returncode, proc.stdout, proc.stderr)
        return proc

    # ---- HTTPS, from the controller to a host's address (the certificate covers the IP)
    def get(self, node, path, auth=True, port=8090):
        ctx = ssl.create_default_context(cafile=str(self.lab.ca_path))
        conn = http.client.HTTPSConnection(self.lab.address(node), port, context=ctx, timeout=10)
        headers = {}
        if auth:
            user, pw = (self.user, self.password) if auth is True else auth
            headers["Authorization"] = "Basic " + base64.b64encode(
                ("%s:%s" % (user, pw)).encode()).decode()
        try:
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            return resp.status, json.loads(resp.read() or b"null")
        finally:
            conn.close()

    def topology(self, node):
        status, body = self.get(node, "/api/topology")
        assert status == 200, body
        return body["result"]


def host_names(topo):
    return sorted(h["name"] for h in topo["hosts"])


def gateway_names(topo):
    return sorted(s["name"] for g in topo["groups"] for s in g["services"]
                  if s["type"] == "gateway")


@pytest.fixture
def fresh(lab_factory):
    return Product(lab_factory("vendor-3-node"))


@pytest.fixture(scope="module")
def mod_lab(lab_pool):
    lab_pool.release()
    lab = Lab()
    lab.up("vendor-3-node")
    try:
        yield Product(lab)
    finally:
        lab.down()
