"""The (Admin) Node Manager's HTTPS API on port 8090 (contract §2-§3, rest_api.md).

Public (documented) endpoint:
  GET /api/topology            basic auth; ANM only; {"result": <topology>} (rest_api.md)
Lab-internal endpoints (DESIGN.md "Processes"; the real product's are not documented):
  GET  /api/lab/info           no auth: {"productVersion", "role", "host", "first_anm"}
  GET  /api/lab/export         basic auth, ANM: what sysupgrade export pulls from the old ANM
  POST /api/lab/unregister     basic auth, ANM: {"host": name} drop a host's entries (apply Tip)
  GET  /api/lab/domain-key     basic auth, ANM: {"domain_key": base64 of this node's own
                               domain.p12, or null} (no forwarding)
  POST /api/lab/register       basic auth, ANM: {"host", "entries", "domain_passphrase", "csr",
                               "sign_alg"}: unlock domain.p12 with the passphrase and sign the
                               node's CSR with the domain CA (real openssl, pki.py), add the node
                               to the topology; answers {"result", "certificate", "ca_certificate"}
An ANM without the domain key passes register/unregister (and, for export, the domain key) on to
an ANM of its domain that has it (when one answers), as the real ANMs share the domain; otherwise
the CSR cannot be signed.
The topology is read from INSTALL/groups/topology.json on each request and written back on
change, so it survives restarts and `clean` really removes it.
"""
import base64
import os
import threading

from . import jsonfile, net, pki, secrets_store, topology
from .httpserve import Handler

LOCK = threading.Lock()


class NodeState(object):
    def __init__(self, install):
        self.install = install
        self.info = install.host_info()

    def topo(self):
        return topology.load(self.install.topology_file)

    def is_admin(self, topo=None):
        topo = topo if topo is not None else self.topo()
        return bool(topo) and self.info["name"] in topology.anm_hosts(topo)

    def login(self, header):
        if not header or not header.startswith("Basic "):
            return False
        try:
            user, _sep, pw = base64.b64decode(header[6:]).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return secrets_store.check_login(self.install.users_file, user, pw)


class NMHandler(Handler):
    def st(self):
        return self.server.state

    def guard(self):
        """ANM and logged in, else answer and return None."""
        topo = self.st().topo()
        if topo is None:
            self.send_json(503, {"error": "topology not available"})
            return None
        if not self.st().is_admin(topo):
            self.send_json(403, {"error": "not an Admin Node Manager"})  # ASSUMED
            return None
        if not self.st().login(self.headers.get("Authorization")):
            self.send_json(401, {"error": "Unauthorized"})
            return None
        return topo

    GUARDED_GET = ("/api/topology", "/api/lab/export", "/api/lab/domain-key")

    def do_GET(self):
        if self.path == "/api/lab/info":
            return self.send_json(200, self.lab_info())
        topo = self.guard() if self.path in self.GUARDED_GET else None
        if topo is None:
            if self.path not in self.GUARDED_GET:
                self.send_json(404, {"error": "Not found"})
            return
        if self.path == "/api/topology":
            return self.send_json(200, {"result": topo})
        if self.path == "/api/lab/domain-key":
            return self.send_json(200, {"domain_key": self.own_domain_key()})
        return self.send_json(200, self.export_data(topo))

    def do_POST(self):
        if self.path not in ("/api/lab/register", "/api/lab/unregister"):
            return self.send_json(404, {"error": "Not found"})
        if self.guard() is None:
            return
        body = self.read_json()
        if not isinstance(body, dict) or "host" not in body:
            return self.send_json(400, {"error": "bad request"})
        if self.path == "/api/lab/unregister":
            return self.unregister(body)
        return self.register(body)

    def lab_info(self):
        st = self.st()
        return {"productVersion": st.info["productVersion"], "host": st.info["name"],
                "role": "admin" if st.is_admin() else "nodemanager",
                "first_anm": os.path.exists(st.install.domain_p12)}

    def export_data(self, topo):
        inst = self.st().install
        configs = {}
        for g in topology.gateway_groups(topo):
            configs[g["id"]] = jsonfile.load(inst.p("groups", g["id"], "lab-config.json"), {})
        return {"topology": topo, "inconsistent": self.inconsistent(topo), "configs": configs,
                "domain_key": self.domain_key(topo)}

    def own_domain_key(self):
        """base64 of this node's domain.p12 (encrypted with the domain passphrase), or None."""
        try:
            with open(self.st().install.domain_p12, "rb") as f:
                return base64.b64encode(f.read()).decode("ascii")
        except (IOError, OSError):
            return None

    def domain_key(self, topo):
        """The domain's key for export: this node's, else the one of the ANM of this domain that
        holds it (asked with the caller's own credentials), else None."""
        own = self.own_domain_key()
        if own is not None:
            return own
        peer = self.first_anm_peer(topo)
        if peer is None:
            return None
        try:
            status, answer = net.request(self.st().install, peer, topology.NM_PORT,
                                         "/api/lab/domain-key", auth=self.caller(), timeout=10)
        except net.NetError:
            return None
        return answer.get("domain_key") if status == 200 and isinstance(answer, dict) else None

    def caller(self):
        """(user, password) of this request's basic auth (already checked by guard())."""
        user, _sep, pw = base64.b64decode(self.headers["Authorization"][6:]).decode(
            "utf-8").partition(":")
        return user, pw

    def inconsistent(self, topo):
        """troubleshoot "Group inconsistency errors": a group whose remote Node Manager is down
        cannot be checked, so the ANM reports it inconsistent."""
        bad, version = [], self.st().info["productVersion"]
        for g in topology.gateway_groups(topo):
            for host_id in sorted(set(s["hostID"] for s in g["services"])):
                name = topology.host_name(topo, host_id)
                info = net.lab_info(self.st().install, name, topology.NM_PORT)
                if not info or info.get("productVersion") != version:
                    bad.append({"id": g["id"], "name": g["name"]})
                    break
        return bad

    def first_anm_peer(self, topo):
        """Another ANM of this domain that holds the domain key and runs our version, or None.
        upgrade_errors.md: the CSR fails only when "None of the available Admin Node Managers
        have the domain private key" - an ANM without the key asks the others."""
        st = self.st()
        for name in topology.anm_hosts(topo):
            if name == st.info["name"]:
                continue
            info = net.lab_info(st.install, name, topology.NM_PORT)
            if info and info.get("first_anm") and \
                    info.get("productVersion") == st.info["productVersion"]:
                return name
        return None

    def forward(self, peer, body):
        """Pass the call to the first ANM with the caller's own credentials; keep its answer as
        this node's copy of the domain topology."""
        try:
            status, answer = net.request(self.st().install, peer, topology.NM_PORT, self.path,
                                         "POST", self.caller(), body, timeout=30)
        except net.NetError as e:
            return self.send_json(502, {"error": "forward to %s failed: %s" % (peer, e)})
        if status == 200 and isinstance(answer, dict) and "result" in answer:
            with LOCK:
                topology.save(self.st().install.topology_file, answer["result"])
        return self.send_json(status, answer)

    def unregister(self, body):
        topo = self.st().topo()
        if not os.path.exists(self.st().install.domain_p12):
            peer = self.first_anm_peer(topo)
            if peer:
                return self.forward(peer, body)
        with LOCK:
            topo = self.st().topo()
            found = topology.remove_host(topo, body["host"])
            if found:
                topology.save(self.st().install.topology_file, topo)
        return self.send_json(200, {"removed": found, "result": topo})

    def register(self, body):
        inst = self.st().install
        if not os.path.exists(inst.domain_p12):
            peer = self.first_anm_peer(self.st().topo())
            if peer:
                return self.forward(peer, body)
        try:
            # real openssl: the passphrase unlocks domain.p12 or the signing fails
            cert = pki.sign(inst.domain_p12, body.get("domain_passphrase"), body.get("csr") or "",
                            body.get("sign_alg"))
            ca = pki.unlock(inst.domain_p12, body.get("domain_passphrase"))
        except pki.PkiError as e:
            self.log_message("CSR for %s not signed: %s", body["host"].get("name"), e)
            # upgrade_errors.md "Incorrect Admin Node Manager host"
            return self.send_json(409, {"error": "csr", "message": (
                "Node Manager error: Failed to sign CSR for service. None of the available "
                "Admin Node Managers have the domain private key, or were able to unlock it "
                "with provided passphrase.")})
        with LOCK:
            topo = self.st().topo()
            topology.add_host(topo, body["host"], body.get("entries", []))
            topology.save(inst.topology_file, topo)
        return self.send_json(200, {"result": topo, "certificate": cert, "ca_certificate": ca})
