"""HTTPS client for the lab's management traffic (node managers on 8090, gateway management
ports). A client trusts the domain CA certificate of the installation it is given
(INSTALL/groups/certs/domaincert.pem) and checks host names, so a wrong or unresolvable
--anm_host fails as it would on a real network. Servers present the installation's own
certificate (groups/certs/topology-cert.pem, key in groups/certs/private/topology-key.pem)."""
import base64
import json
import os
import socket
import ssl

try:
    import http.client as httplib
except ImportError:  # pragma: no cover - Python 2 is not supported, kept for clarity
    raise


class NetError(Exception):
    pass


def client_context(install):
    """Trust the domain CA certificate this installation holds. Without one (a NEW tree before
    apply) nothing of the lab verifies: every call fails with a certificate error."""
    if os.path.isfile(install.domain_cert):
        return ssl.create_default_context(cafile=install.domain_cert)
    return ssl.create_default_context()


def server_context(install):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(install.topology_cert, install.topology_key)
    return ctx


def basic(username, password):
    raw = ("%s:%s" % (username, password)).encode("utf-8")
    return "Basic " + base64.b64encode(raw).decode("ascii")


def request(install, host, port, path, method="GET", auth=None, body=None, timeout=5.0):
    """Return (status, json-or-None). Raise NetError when no HTTP answer came back."""
    headers = {"Accept": "application/json"}
    if auth:
        headers["Authorization"] = basic(*auth)
    data = None
    if body is not None:
        data = json.dumps(body).encode("utf-8")
        headers["Content-Type"] = "application/json"
    conn = httplib.HTTPSConnection(host, port, context=client_context(install), timeout=timeout)
    try:
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        raw = resp.read()
    except (socket.error, ssl.SSLError, ssl.CertificateError, httplib.HTTPException) as e:
        raise NetError(_reason(e))
    finally:
        conn.close()
    try:
        parsed = json.loads(raw.decode("utf-8")) if raw else None
    except ValueError:
        parsed = None
    return resp.status, parsed


def _reason(e):
    if isinstance(e, socket.gaierror):
        return "Unknown host (%s)" % e.args[-1]
    if isinstance(e, ConnectionRefusedError):
        return "Connection refused"
    if isinstance(e, socket.timeout):
        return "Connection timed out"
    return str(e) or e.__class__.__name__


def lab_info(install, host, port, timeout=2.0):
    """GET /api/lab/info (lab only, no auth). None when nothing answers."""
    try:
        status, body = request(install, host, port, "/api/lab/info", timeout=timeout)
    except NetError:
        return None
    return body if status == 200 and isinstance(body, dict) else None


def port_open(host, port, timeout=1.0):
    try:
        s = socket.create_connection((host, port), timeout=timeout)
    except (socket.error, OSError):
        return False
    s.close()
    return True
