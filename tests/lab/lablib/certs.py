"""The lab CA and per-host TLS certificates (openssl), for the node managers' HTTPS."""
from .util import run


def make_ca(lab_dir):
    """$LAB_DIR/ca.pem (published) and ca.key (0600, never leaves the controller)."""
    key, cert = lab_dir / "ca.key", lab_dir / "ca.pem"
    run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "30",
         "-subj", "/O=apigw lab/CN=apigw lab CA",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign"], what="openssl lab CA %s" % cert)
    key.chmod(0o600)
    return cert, key


def make_host_cert(lab_dir, hdir, names, address):
    """hosts/<node>/tls/{cert,key}.pem signed by the lab CA, SAN = every name + the address.

    Returns the tls dict handed to install_host(): {"ca", "cert", "key"} PEM paths.
    """
    tls = hdir / "tls"
    tls.mkdir(parents=True, exist_ok=True)
    key, cert = tls / "key.pem", tls / "cert.pem"
    san = ",".join(["DNS:%s" % n for n in names] + ["IP:%s" % address])
    run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "30",
         "-CA", str(lab_dir / "ca.pem"), "-CAkey", str(lab_dir / "ca.key"),
         "-subj", "/O=apigw lab/CN=%s" % names[0],
         "-addext", "subjectAltName=%s" % san,
         "-addext", "basicConstraints=critical,CA:FALSE",
         "-addext", "extendedKeyUsage=serverAuth,clientAuth"], what="openssl cert for %s" % names[0])
    key.chmod(0o600)
    return {"ca": str(lab_dir / "ca.pem"), "cert": str(cert), "key": str(key)}
