"""The domain PKI with the real openssl tool (DESIGN.md "Domain CA and certificates").

The first Admin Node Manager holds the domain CA private key and certificate in
groups/certs/private/domain.p12 (upgrade_faq.md "Which is the first Admin Node Manager?",
upgrade_script.md "apply command"), a real PKCS#12 file encrypted with the domain passphrase.
Every Node Manager serves HTTPS with its own key and a certificate signed by that CA.

The passphrase only ever reaches openssl on its standard input (``-passin stdin``): never in an
argument (visible in the process list), never in the environment, never in a file.
"""
import ipaddress
import os
import re
import shutil
import subprocess
import tempfile

# ASSUMED (the docs do not say): the lab's topology certificates are EC P-256 and last a year.
DAYS = 365
SUBJECT_O = "apigw lab"
# upgrade_script.md "--sign_alg": sha1, sha256, sha384, sha512; default sha256.
DEFAULT_DIGEST = "sha256"
# ASSUMED: this machine's OpenSSL (security level 2) refuses certificates signed with SHA-1, so
# the lab signs with SHA-256 when sha1 is asked for (apply-info.json keeps what was asked).
WEAK = {"sha1": "sha256"}
EXTENSIONS = ("basicConstraints=critical,CA:FALSE\n"
              "keyUsage=critical,digitalSignature\n"
              "extendedKeyUsage=serverAuth,clientAuth\n")
SAN_TYPES = {"dns": "DNS", "ip": "IP", "email": "email", "uri": "URI"}
CERT_RE = re.compile(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", re.S)


class PkiError(Exception):
    """openssl refused: wrong passphrase, no such file, bad request."""


def openssl_path():
    return shutil.which("openssl") or "/usr/bin/openssl"


def run(args, passphrase=None):
    """openssl ARGS; the passphrase (if any) is the first line of its standard input."""
    proc = subprocess.Popen([openssl_path()] + list(args), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True, close_fds=True)
    out, err = proc.communicate(None if passphrase is None else passphrase + "\n", timeout=60)
    if proc.returncode != 0:
        lines = (err or out or "").strip().splitlines()
        raise PkiError(lines[-1] if lines else "openssl failed")
    return out


def first_cert(pem_text):
    found = CERT_RE.search(pem_text or "")
    if not found:
        raise PkiError("no certificate found")
    return found.group(0) + "\n"


def unlock(p12, passphrase):
    """The domain CA certificate (PEM) from domain.p12, or PkiError when the passphrase does
    not open it (or there is no such file)."""
    if passphrase is None or not os.path.isfile(p12):
        raise PkiError("no domain key")
    return first_cert(run(["pkcs12", "-in", p12, "-nokeys", "-passin", "stdin"], passphrase))


def digest(sign_alg):
    alg = (sign_alg or DEFAULT_DIGEST).lower()
    return WEAK.get(alg, alg)


def parse_subj_alt_name(value):
    """'DNS.0=node1.example.com' (upgrade_script.md --subj_alt_name) -> 'DNS:node1.example.com'.
    ASSUMED: types DNS, IP, email, URI (any case), index optional; raises ValueError naming the
    problem otherwise."""
    key, sep, val = (value or "").partition("=")
    kind = SAN_TYPES.get(key.split(".", 1)[0].strip().lower())
    if not sep or kind is None or not val.strip() or "," in val:
        raise ValueError("Invalid subject alternative name '%s'. Use TYPE.N=VALUE, where TYPE is "
                         "DNS, IP, email or URI (for example DNS.0=node1.example.com)." % value)
    val = val.strip()
    if kind == "IP":
        try:
            ipaddress.ip_address(val)
        except ValueError:
            raise ValueError("Invalid subject alternative name '%s': '%s' is not an IP address."
                             % (value, val))
    return "%s:%s" % (kind, val)


def default_sans(names, address):
    """upgrade_script.md: "Defaults to values suitable for the local host": the host's names and
    its address."""
    out = []
    for n in names:
        if n and "DNS:%s" % n not in out:
            out.append("DNS:%s" % n)
    return out + (["IP:%s" % address] if address else [])


def new_key_and_csr(workdir, common_name, sans):
    """A new EC P-256 key (0600) and a CSR for it in workdir; returns (key_path, csr_pem)."""
    key, csr = os.path.join(workdir, "topology-key.pem"), os.path.join(workdir, "topology.csr")
    run(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", key, "-out", csr, "-subj", "/O=%s/CN=%s" % (SUBJECT_O, common_name),
         "-addext", "subjectAltName=%s" % ",".join(sans)])
    os.chmod(key, 0o600)
    with open(csr) as f:
        return key, f.read()


def sign(p12, passphrase, csr_pem, sign_alg=None):
    """Sign a CSR with the domain CA kept in domain.p12, unlocked with passphrase (real openssl:
    a wrong passphrase raises PkiError). The subject alternative names of the request are kept;
    the lab sets the other extensions itself (never CA:TRUE)."""
    if passphrase is None or not os.path.isfile(p12):
        raise PkiError("no domain key")
    work = tempfile.mkdtemp(prefix="apigw-csr-")
    try:
        csr, ext = os.path.join(work, "request.csr"), os.path.join(work, "ext.cnf")
        with open(csr, "w") as f:
            f.write(csr_pem)
        with open(ext, "w") as f:
            f.write(EXTENSIONS)
        out = run(["x509", "-req", "-in", csr, "-CA", p12, "-CAkey", p12, "-passin", "stdin",
                   "-days", str(DAYS), "-" + digest(sign_alg), "-copy_extensions", "copy",
                   "-extfile", ext], passphrase)
        return first_cert(out)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def write_file(path, data, mode):
    d = os.path.dirname(path)
    if not os.path.isdir(d):
        os.makedirs(d)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    fd = os.open(path, flags, mode)
    with os.fdopen(fd, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    os.chmod(path, mode)


def install_node_certs(install, key_path, cert_pem, ca_pem):
    """Store a Node Manager's key, certificate and the domain CA certificate where the
    installation keeps them (paths.Install, DESIGN.md: ASSUMED names)."""
    private = os.path.dirname(install.topology_key)
    if not os.path.isdir(private):
        os.makedirs(private)
    os.chmod(private, 0o700)
    with open(key_path) as f:
        write_file(install.topology_key, f.read(), 0o600)
    write_file(install.topology_cert, cert_pem, 0o644)
    write_file(install.domain_cert, ca_pem, 0o644)
