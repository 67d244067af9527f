"""The domain CA and the Node Managers' certificates (DESIGN.md "Domain CA and certificates";
upgrade_faq.md "Which is the first Admin Node Manager?", upgrade_script.md "apply command",
upgrade_errors.md "SSL certificates for management traffic regenerated"): domain.p12 is a real
PKCS#12 that opens with the domain passphrase only; every served certificate verifies against the
CA inside it and against no other CA; apply regenerates the certificates of the new installation;
the inventory tells the collection nothing about certificates."""
import re
import socket
import ssl
import subprocess
import threading
from pathlib import Path

import pytest

import test_product_support as support
from test_product_support import NODES

fresh = support.fresh  # the fixture, shared with the other product modules

P12 = ("groups", "certs", "private", "domain.p12")
CSR_TEXT = ("ERROR: Node Manager error: Failed to sign CSR for service. None of the available "
            "Admin Node Managers have the domain private key, or were able to unlock it with "
            "provided passphrase.")


def openssl(*args, stdin=None):
    """openssl on the controller; a passphrase only ever goes on stdin."""
    return subprocess.run(["openssl"] + list(args), input=stdin, capture_output=True, text=True,
                          check=False, timeout=30)


def ca_from_p12(p12, passphrase, dest):
    """The CA certificate inside domain.p12, opened with the passphrase (as an operator would)."""
    r = openssl("pkcs12", "-in", str(p12), "-nokeys", "-passin", "stdin", stdin=passphrase + "\n")
    assert r.returncode == 0, r.stderr
    pem = re.search(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", r.stdout, re.S)
    dest.write_text(pem.group(0) + "\n")
    return dest


def other_ca(tmp_path):
    key, cert = tmp_path / "other.key", tmp_path / "other.pem"
    r = openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2",
                "-subj", "/O=apigw lab/CN=apigw lab domain CA",
                "-addext", "basicConstraints=critical,CA:TRUE")
    assert r.returncode == 0, r.stderr
    return cert


def served_cert(address, cafile, port=8090):
    """The DER certificate served at address:port, verified against cafile (raises if not)."""
    ctx = ssl.create_default_context(cafile=str(cafile))
    with socket.create_connection((address, port), timeout=5) as sock:
        with ctx.wrap_socket(sock, server_hostname=address) as tls:
            return tls.getpeercert(binary_form=True)


def cert_text(der):
    r = subprocess.run(["openssl", "x509", "-inform", "DER", "-noout", "-text"], input=der,
                       capture_output=True, check=True, timeout=30)
    return r.stdout.decode()


def assert_trust(lab, node, ca, wrong):
    der = served_cert(lab.address(node), ca)
    with pytest.raises(ssl.SSLCertVerificationError):
        served_cert(lab.address(node), wrong)
    return der


# ------------------------------------------------------------------ OLD installation

def test_domain_p12_is_a_real_pkcs12(vendor3):
    p = support.Product(vendor3)
    p12 = p.old("node1", *P12)
    assert p12.stat().st_mode & 0o777 == 0o600
    assert p12.read_bytes()[:1] == b"\x30"                 # DER, not the old JSON stand-in
    ok = openssl("pkcs12", "-noout", "-passin", "stdin", "-in", str(p12), stdin=p.passphrase + "\n")
    assert ok.returncode == 0, ok.stderr                   # OpenSSL 3 defaults, no -legacy
    bad = openssl("pkcs12", "-noout", "-passin", "stdin", "-in", str(p12),
                  stdin=p.passphrase + "x\n")
    assert bad.returncode != 0
    # the CA key and the CA certificate, both inside
    both = openssl("pkcs12", "-in", str(p12), "-nodes", "-passin", "stdin",
                   stdin=p.passphrase + "\n")
    assert "PRIVATE KEY-----" in both.stdout and "BEGIN CERTIFICATE" in both.stdout
    info = openssl("pkcs12", "-info", "-noout", "-in", str(p12), "-passin", "stdin",
                   stdin=p.passphrase + "\n")
    assert "PBKDF2" in info.stderr + info.stdout and "AES-256-CBC" in info.stderr + info.stdout
    ca_text = openssl("x509", "-noout", "-text", stdin=both.stdout).stdout
    assert "CA:TRUE" in ca_text
    # only the first ANM holds it (upgrade_faq.md)
    for node in ("node2", "node3"):
        assert not p.old(node, *P12).exists()


def test_installations_keep_certificates_in_groups_certs(vendor3):
    p = support.Product(vendor3)
    for node in NODES:
        certs = p.old(node, "groups", "certs")
        for name, mode in (("domaincert.pem", 0o644), ("topology-cert.pem", 0o644),
                           ("private/topology-key.pem", 0o600)):
            assert (certs / name).stat().st_mode & 0o777 == mode, (node, name)
        assert (certs / "private").stat().st_mode & 0o777 == 0o700
        # NEW has no groups, so no certificates, before apply
        assert not p.new(node, "groups").exists()
        for tree in (p.old(node), p.new(node)):
            assert not list(tree.rglob("lab-tls")), tree
            assert not (tree / "system" / "conf" / "lab-tls").exists()


def test_old_served_certificates_verify_against_the_ca_in_domain_p12(vendor3, tmp_path):
    p = support.Product(vendor3)
    ca = ca_from_p12(p.old("node1", *P12), p.passphrase, tmp_path / "domain-ca.pem")
    assert ca.read_text() == p.old("node2", "groups", "certs", "domaincert.pem").read_text()
    wrong = other_ca(tmp_path)
    for node in NODES:
        der = assert_trust(vendor3, node, ca, wrong)
        text = cert_text(der)
        for name in (vendor3.topology_name(node), node, "IP Address:" + vendor3.address(node)):
            assert name in text, (node, name)
    # the gateways' management ports too
    served_cert(vendor3.address("node2"), ca, 8085)
    with pytest.raises(ssl.SSLCertVerificationError):
        served_cert(vendor3.address("node2"), wrong, 8085)


def test_inventory_tells_nothing_about_certificates(vendor3):
    text = vendor3.inventory_path.read_text()
    for needle in ("lab-tls", "ca.pem", "ca_path", "validate_certs", ".pem", "domain.p12",
                   "certs", str(vendor3.lab_dir) + "/ca"):
        assert needle not in text, needle
    yaml = pytest.importorskip("yaml")
    group = yaml.safe_load(text)["all"]["children"]["apigw"]
    names = set(group["vars"]) | {k for h in group["hosts"].values() for k in h}
    assert not {n for n in names if "ca" in n.split("_") or "cert" in n or "tls" in n}, names
    assert "apigw_anm_ca_path" not in names


# ------------------------------------------------------------------ apply regenerates them

class ArgvWatch(object):
    """Samples every process's argv and environment on the machine (lab hosts' processes are
    visible from the controller) while it runs; `seen` lists the ones that carry the secret."""

    def __init__(self, secret):
        self.secret, self.seen, self.samples = secret.encode(), [], 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop.is_set():
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit():
                    continue
                for what in ("cmdline", "environ"):
                    try:
                        data = (entry / what).read_bytes()
                    except OSError:
                        continue
                    if self.secret in data:
                        self.seen.append((entry.name, what, data[:200]))
            self.samples += 1
            self.stop.wait(0.01)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(10)


def test_apply_regenerates_certificates_signed_by_the_domain_ca(fresh, tmp_path):
    p, lab = fresh, fresh.lab
    wrong = other_ca(tmp_path)
    old_ca = ca_from_p12(p.old("node1", *P12), p.passphrase, tmp_path / "old-ca.pem")
    old_der = {n: served_cert(lab.address(n), old_ca) for n in NODES}
    for node in NODES:
        p.export_upgrade(node)
    # only ANM nodes keep the exported (still encrypted) domain key
    assert [p.new(n, "upgrade", "bin", "out", "export", "certs", "domain.p12").exists()
            for n in NODES] == [True, False, True]
    p.stop_old_everywhere()
    with ArgvWatch(p.passphrase) as watch:
        p.ok(p.apply("node1", "--sign_alg", "sha384", "--subj_alt_name", "DNS.0=anm.example.com",
                     "--subj_alt_name", "IP.0=192.0.2.7"))
        p.ok(p.apply("node2"))
        p.ok(p.apply("node3"))
    assert watch.samples > 0 and watch.seen == []     # never in an argv or an environment

    new_p12 = p.new("node1", *P12)
    assert new_p12.stat().st_mode & 0o777 == 0o600
    assert openssl("pkcs12", "-noout", "-passin", "stdin", "-in", str(new_p12),
                   stdin=p.passphrase + "\n").returncode == 0
    assert openssl("pkcs12", "-noout", "-passin", "stdin", "-in", str(new_p12),
                   stdin="wrong\n").returncode != 0
    new_ca = ca_from_p12(new_p12, p.passphrase, tmp_path / "new-ca.pem")
    assert new_ca.read_text() == old_ca.read_text()          # same domain CA
    for node in ("node2", "node3"):
        assert not p.new(node, *P12).exists()                # still only on the first ANM
    for node in NODES:
        der = assert_trust(lab, node, new_ca, wrong)
        assert der != old_der[node]                          # regenerated
        certs = p.new(node, "groups", "certs")
        assert (certs / "private" / "topology-key.pem").stat().st_mode & 0o777 == 0o600
        assert (certs / "domaincert.pem").read_text() == new_ca.read_text()
        pem = subprocess.run(["openssl", "x509", "-inform", "DER"], input=der,
                             capture_output=True, check=True).stdout.decode()
        assert pem == (certs / "topology-cert.pem").read_text()    # the one it stored
        text = cert_text(der)
        assert "DNS:%s" % lab.topology_name(node) in text and "CA:FALSE" in text
        if node == "node1":   # --sign_alg and --subj_alt_name of the first ANM's apply
            assert "ecdsa-with-SHA384" in text
            assert "DNS:anm.example.com" in text and "IP Address:192.0.2.7" in text
        else:
            assert "ecdsa-with-SHA256" in text and "anm.example.com" not in text
        assert "Certificates] : OK" in p.log(node, "apply")
    # secrets reach no file of the new installation, no log, no audit record
    for node in NODES:
        audit = (lab.opt(node) / "apigw-lab" / "audit.log").read_text()
        texts = [audit] + [f.read_text(errors="replace") for f in p.new(node).rglob("*")
                           if f.is_file() and f.suffix in (".log", ".json", ".pem", ".xml")]
        assert not [t for t in texts if p.passphrase in t or p.password in t]


def test_first_anm_apply_with_a_wrong_passphrase_fails_as_documented(fresh):
    p = fresh
    p.export_upgrade("node1")
    p.stop_old_everywhere()
    r = p.apply("node1", stdin="%s\n%s\nnot-the-passphrase\n" % (p.user, p.password))
    assert r.returncode == 1
    log = p.log("node1", "apply")
    assert "[ERROR] messages from [Domain CA] :" in log and CSR_TEXT in log
    assert not p.new("node1", "groups").exists()
    assert p.status("node1") == "export and upgrade complete"
    assert p.proc("node1", "new", "nodemanager", "-s").returncode == 1
    # an unusable --subj_alt_name is refused before anything changes (ASSUMED wording)
    r = p.apply("node1", "--subj_alt_name", "IP.0=10.4.6.7.3")
    assert r.returncode == 1
    assert ("ERROR: Invalid subject alternative name 'IP.0=10.4.6.7.3': '10.4.6.7.3' is not an "
            "IP address.") in p.log("node1", "apply")
    p.ok(p.apply("node1"))
    assert p.new("node1", *P12).exists()
