"""A real HTTPS server on 127.0.0.1 and real certificates, for the ANM client's trust tests.

Certificates come from the openssl command, as a domain's do: a domain CA and the ANM's
certificate it signed (names: NodeA, localhost, 127.0.0.1); a forged CA with a certificate for
the same names; a certificate of the domain CA for another host name (NodeB only). The server
answers like an ANM's topology API, and a test can change what it answers, which certificate it
serves, and whether it answers at all yet.
"""
import base64
import json
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer


def _openssl(*args):
    subprocess.run(("openssl",) + args, check=True, capture_output=True)


def make_ca(folder, name):
    key, cert = folder / (name + "-ca.key"), folder / (name + "-ca.pem")
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=%s domain CA" % name,
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign")
    return cert, key


def make_cert(folder, name, ca, san):
    key, cert = folder / (name + ".key"), folder / (name + ".pem")
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=%s" % name,
             "-CA", str(ca[0]), "-CAkey", str(ca[1]), "-addext", "subjectAltName=%s" % san,
             "-addext", "basicConstraints=critical,CA:FALSE")
    return cert, key


class Pki(object):
    """The certificates of one test domain and of a forger."""

    def __init__(self, folder):
        self.domain_ca = make_ca(folder, "domain")
        self.forged_ca = make_ca(folder, "forged")
        same_names = "DNS:NodeA,DNS:localhost,IP:127.0.0.1"
        self.anm = make_cert(folder, "anm", self.domain_ca, same_names)
        self.forged = make_cert(folder, "forged-anm", self.forged_ca, same_names)
        self.other_host = make_cert(folder, "nodeb", self.domain_ca, "DNS:NodeB")

    @property
    def ca_path(self):
        return str(self.domain_ca[0])


def der_sha256(cert_path):
    import hashlib
    der = ssl.PEM_cert_to_DER_cert(cert_path.read_text())
    return hashlib.sha256(der).hexdigest()


class FakeAnm(object):
    """Settable answers: ``status``, ``body`` (dict), ``cert`` (a (cert, key) pair); ``requests``
    records (path, user) of every request that reached the handler."""

    USER, PASSWORD = "admin", "s3cret-Pass"

    def __init__(self, cert):
        self.cert = cert
        self.status = 200
        self.body = {"result": {"productVersion": "7.7", "hosts": [{"id": "host-1", "name": "NodeA"}],
                                "groups": []}}
        self.requests = []
        self.answers_left_before_ready = 0  # this many requests get 503 first (a starting ANM)
        self._server = None

    def _context(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(str(self.cert[0]), str(self.cert[1]))
        return ctx

    def start(self):
        anm = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                auth = self.headers.get("Authorization", "")
                user, _colon, password = base64.b64decode(auth[6:]).decode().partition(":") if auth else ("", "", "")
                anm.requests.append((self.path, user))
                if anm.answers_left_before_ready > 0:
                    anm.answers_left_before_ready -= 1
                    return self._send(503, {"error": "starting"})
                if (user, password) != (anm.USER, anm.PASSWORD):
                    return self._send(401, {"error": "Unauthorized"})
                return self._send(anm.status, anm.body)

            def _send(self, status, body):
                raw = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self._server = HTTPServer(("127.0.0.1", 0), Handler)
        context = self._context
        raw_socket = self._server.socket

        # Wrap each accepted connection with the certificate in force at that moment, so a test
        # can swap certificates without restarting the server.
        def get_request():
            conn, addr = raw_socket.accept()
            return context().wrap_socket(conn, server_side=True), addr
        self._server.get_request = get_request
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    @property
    def port(self):
        return self._server.server_address[1]

    def url(self, host="127.0.0.1", path="/api/topology"):
        return "https://%s:%d%s" % (host, self.port, path)

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
