"""The lab's domain CA and the OLD Node Managers' certificates (openssl), made at every `up`.

The domain CA (one per lab) is what the product keeps in the first Admin Node Manager's
groups/certs/private/domain.p12 (upgrade_faq.md "Which is the first Admin Node Manager?"): a real
PKCS#12 with the CA key and certificate, encrypted with the lab's domain passphrase (default
AES-256-CBC/PBKDF2 export, which OpenSSL 3 opens without -legacy). The passphrase reaches openssl
on its standard input only, never as an argument.

$LAB_DIR/ca.pem and ca.key (0600) stay on the controller for the lab's own tests and harnesses
(Lab.ca_path); nothing the collection is told names them (DESIGN.md "Domain CA and
certificates").
"""
from .util import run

SUBJECT_O = "apigw lab"


def make_ca(lab_dir):
    """$LAB_DIR/ca.pem and ca.key (0600, never copied to a host as a file of its own)."""
    key, cert = lab_dir / "ca.key", lab_dir / "ca.pem"
    run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "30",
         "-subj", "/O=%s/CN=apigw lab domain CA" % SUBJECT_O,
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign"], what="openssl domain CA %s" % cert)
    key.chmod(0o600)
    return cert, key


def make_domain_p12(lab_dir, passphrase):
    """$LAB_DIR/domain.p12 (0600): the domain CA key and certificate, encrypted with the domain
    passphrase, given to openssl on stdin. install_host() copies it to the first ANM."""
    p12 = lab_dir / "domain.p12"
    run(["openssl", "pkcs12", "-export", "-in", str(lab_dir / "ca.pem"),
         "-inkey", str(lab_dir / "ca.key"), "-name", "domain", "-passout", "stdin",
         "-out", str(p12)], input=passphrase + "\n", what="openssl pkcs12 %s" % p12)
    p12.chmod(0o600)
    return p12


def make_host_cert(lab_dir, hdir, names, address):
    """hosts/<node>/tls/{cert,key}.pem signed by the domain CA, SAN = every name + the address.

    Returns the tls dict handed to install_host(): {"ca", "cert", "key"} PEM paths.
    """
    tls = hdir / "tls"
    tls.mkdir(parents=True, exist_ok=True)
    key, cert = tls / "key.pem", tls / "cert.pem"
    san = ",".join(["DNS:%s" % n for n in names] + ["IP:%s" % address])
    run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "30",
         "-CA", str(lab_dir / "ca.pem"), "-CAkey", str(lab_dir / "ca.key"),
         "-subj", "/O=%s/CN=%s" % (SUBJECT_O, names[0]),
         "-addext", "subjectAltName=%s" % san,
         "-addext", "basicConstraints=critical,CA:FALSE",
         "-addext", "keyUsage=critical,digitalSignature",
         "-addext", "extendedKeyUsage=serverAuth,clientAuth"], what="openssl cert for %s" % names[0])
    key.chmod(0o600)
    return {"ca": str(lab_dir / "ca.pem"), "cert": str(cert), "key": str(key)}
