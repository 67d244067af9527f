"""Threaded HTTP(S) server base for the lab daemons (Python 3.6 has no ThreadingHTTPServer).

The TLS handshake is done in the request thread (do_handshake_on_connect=False on accept), so a
slow or broken client cannot block the accept loop.
"""
import json
import socketserver
from http.server import BaseHTTPRequestHandler, HTTPServer


class Server(socketserver.ThreadingMixIn, HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, handler, ssl_context=None, state=None):
        HTTPServer.__init__(self, addr, handler)
        self.ssl_context = ssl_context
        self.state = state

    def get_request(self):
        sock, addr = self.socket.accept()
        if self.ssl_context is not None:
            sock.settimeout(10)
            sock = self.ssl_context.wrap_socket(sock, server_side=True,
                                                do_handshake_on_connect=False)
        return sock, addr

    def finish_request(self, request, client_address):
        # Runs in the request's own thread (ThreadingMixIn).
        if self.ssl_context is not None:
            try:
                request.do_handshake()
            except (OSError, ValueError):
                return
        HTTPServer.finish_request(self, request, client_address)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def send_json(self, status, body):
        raw = json.dumps(body, indent=2).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        if status == 401:
            self.send_header("WWW-Authenticate", 'Basic realm="API Gateway"')
        self.end_headers()
        self.wfile.write(raw)

    def read_json(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw.decode("utf-8")) if raw else {}
        except ValueError:
            return None

    def log_message(self, fmt, *args):
        # Request lines only; never headers (they carry basic-auth credentials).
        BaseHTTPRequestHandler.log_message(self, fmt, *args)
