"""Threaded HTTP(S) server base for the lab daemons (Python 3.6 has no ThreadingHTTPServer).

The TLS handshake is done in the request thread (do_handshake_on_connect=False on accept), so a
slow or broken client cannot block the accept loop. One thread per connection; the server counts
the requests being answered so that a stopping daemon can let them finish (wait_idle) instead of
cutting responses in the middle when the process exits.
"""
import json
import socketserver
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer


class Server(socketserver.ThreadingMixIn, HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128    # listen backlog (socketserver's default of 5 drops SYNs under load)

    def __init__(self, addr, handler, ssl_context=None, state=None):
        self.ssl_context = ssl_context
        self.state = state
        self.active = 0
        self.idle = threading.Condition()
        HTTPServer.__init__(self, addr, handler)

    def process_request(self, request, client_address):
        # counted before the thread starts, so wait_idle() never misses a starting request
        with self.idle:
            self.active += 1
        try:
            socketserver.ThreadingMixIn.process_request(self, request, client_address)
        except BaseException:
            with self.idle:
                self.active -= 1
                self.idle.notify_all()
            raise

    def process_request_thread(self, request, client_address):
        try:
            socketserver.ThreadingMixIn.process_request_thread(self, request, client_address)
        finally:
            with self.idle:
                self.active -= 1
                self.idle.notify_all()

    def stop_accepting(self):
        """After shutdown(): serve the connections the kernel already accepted (the listen
        backlog) instead of resetting them, then close the listening socket."""
        try:
            self.socket.setblocking(False)
            while True:
                try:
                    request, client_address = self.get_request()
                except (BlockingIOError, InterruptedError):
                    break
                if self.ssl_context is None:
                    request.setblocking(True)
                self.process_request(request, client_address)
        except OSError:
            pass
        self.server_close()

    def wait_idle(self, timeout):
        """Wait (at most timeout s) until no connection is being served; True when idle."""
        deadline = time.time() + timeout
        with self.idle:
            while self.active > 0:
                left = deadline - time.time()
                if left <= 0:
                    return False
                self.idle.wait(left)
        return True

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
        self.send_raw(status, json.dumps(body, indent=2).encode("utf-8"))

    def send_raw(self, status, raw, content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
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
