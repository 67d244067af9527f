"""A forger for the certificate checks: an HTTPS server that claims to be an Admin Node Manager.

    forged_anm.py BIND_ADDRESS PORT NAME STOP_FILE LOG_FILE

It makes a CA of its own (not the domain's) and a certificate for NAME (the first Admin Node
Manager's host name) with openssl, answers every request as an ANM would, and records each
request it gets in LOG_FILE, one JSON line each, with whether credentials came with it. The
collection must refuse it before sending anything, so the scenario's checks expect LOG_FILE to
list handshakes only. It serves until STOP_FILE exists (the scenario makes it once the step it
serves has ended), and never longer than LIMIT seconds: test equipment never outlives its test.
The scenario binds it to the lab bridge's address, so its traffic stays on this machine.
"""
import json
import os
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer


def make_certificate(folder, name):
    def openssl(*args):
        subprocess.run(("openssl",) + args, check=True, capture_output=True)
    ca_key, ca_pem = os.path.join(folder, "ca.key"), os.path.join(folder, "ca.pem")
    key, pem = os.path.join(folder, "key.pem"), os.path.join(folder, "cert.pem")
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", ca_key, "-out", ca_pem, "-days", "1", "-subj", "/CN=forged domain CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign")
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", pem, "-days", "1", "-subj", "/CN=%s" % name,
            "-CA", ca_pem, "-CAkey", ca_key, "-addext", "subjectAltName=DNS:%s" % name)
    return pem, key


# The longest the forger serves when nobody stops it (seconds).
LIMIT = 600


def stop_when(stop_file, server):
    """Shut ``server`` down once ``stop_file`` exists, or after LIMIT seconds."""
    deadline = time.monotonic() + LIMIT
    while not os.path.exists(stop_file) and time.monotonic() < deadline:
        time.sleep(0.2)
    server.shutdown()


def main(bind, port, name, stop_file, log_file):
    folder = tempfile.mkdtemp(prefix="forged-anm-")
    cert, key = make_certificate(folder, name)
    lock = threading.Lock()

    def record(event):
        with lock, open(log_file, "a") as log:
            log.write(json.dumps(event) + "\n")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            record({"request": self.path, "credentials": "Authorization" in self.headers})
            body = json.dumps({"result": {"productVersion": "7.7", "hosts": [], "groups": []}}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = HTTPServer((bind, int(port)), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    record({"listening": "%s:%s" % (bind, port), "name": name})
    threading.Thread(target=stop_when, args=(stop_file, server), daemon=True).start()
    started = time.monotonic()
    server.serve_forever(poll_interval=0.2)
    record({"stopped_after_s": round(time.monotonic() - started, 1)})


if __name__ == "__main__":
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    main(*sys.argv[1:])
