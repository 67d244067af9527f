"""Bounded traffic through the lab's load balancer (`labctl traffic`, `Lab.traffic()`).

GET http://<bridge address>:8080<path> at a fixed rate: a scheduler sends request i at
start + i/rate on a small thread pool (a slow request never delays the next ones), and stops by
itself after `count` requests. Each request has a hard deadline of `timeout` seconds (connect,
send and the whole answer), so the run always ends within count/rate + timeout + a small margin,
and every worker thread has ended when run() returns.

A request is **ok** on HTTP 200 within the deadline, **failed** on anything else: connection
error, timeout, or another status. The result (DESIGN.md "Load balancer, test API and traffic"):

  sent, ok, failed            requests issued / answered 200 / failed (ok + failed == sent)
  by_version                  {version: count} of ok answers, from the JSON body's "version"
                              ("unknown" when a 200 carries none, e.g. another --path)
  failures                    [{"t": seconds since start (the request's slot), "error": text}]
  first_seen, last_seen       {version: seconds since start} of its first / last ok answer (the
                              slot time of the request that got it)
  mixed_seconds               how long two versions answered side by side: the total time covered
                              by at least two versions' [first_seen, last_seen] spans (two
                              versions: their overlap), 0 if none
  outage_seconds              failed slots x 1/rate: each request stands for one slot of 1/rate s
                              of the timeline, so this is the time during which requests failed
  longest_outage_seconds      the longest run of consecutive failed slots, x 1/rate
  outages                     [{"start", "end", "requests"}] each run of consecutive failed slots
  max_send_delay              the largest lateness of a request behind its slot (scheduler health)
  start, end                  epoch seconds; duration (seconds)
  rate, count, timeout, path, url   the parameters
  stopped_by                  "count" (all count requests were scheduled) or "stop_file" (the
                              stop file appeared first: traffic that runs until the test says)
"""
import json
import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

DEFAULT_RATE = 20.0
DEFAULT_COUNT = 600
DEFAULT_TIMEOUT = 2.0
DEFAULT_PATH = "/version"
MAX_WORKERS = 64
MARGIN = 2.0       # seconds beyond count/rate + timeout that a run may take at most


class Deadline(Exception):
    pass


def get(host, port, path, timeout):
    """One HTTP/1.1 GET with Connection: close and a hard deadline for the whole exchange.
    Returns (status, body bytes); raises OSError / Deadline / ValueError."""
    deadline = time.monotonic() + timeout

    def left():
        rest = deadline - time.monotonic()
        if rest <= 0:
            raise Deadline("timeout after %gs" % timeout)
        return rest

    with socket.create_connection((host, port), timeout=left()) as sock:
        sock.settimeout(left())
        sock.sendall(("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: labctl-traffic\r\n"
                      "Connection: close\r\n\r\n" % (path, host, port)).encode())
        data = b""
        while True:
            sock.settimeout(left())
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                raise Deadline("timeout after %gs" % timeout)
            if not chunk:
                break
            data += chunk
            head, sep, body = data.partition(b"\r\n\r\n")
            if sep:
                length = content_length(head)
                if length is not None and len(body) >= length:
                    break
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        raise ValueError("incomplete answer (%d bytes)" % len(data) if data else "empty answer")
    status_line = head.split(b"\r\n", 1)[0].decode("latin-1")
    parts = status_line.split()
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise ValueError("bad status line %r" % status_line[:60])
    length = content_length(head)
    if length is not None and len(body) < length:
        raise ValueError("answer cut after %d of %d body bytes" % (len(body), length))
    return int(parts[1]), body


def content_length(head):
    for line in head.split(b"\r\n")[1:]:
        name, _sep, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            try:
                return int(value.strip())
            except ValueError:
                return None
    return None


def short_error(exc):
    if isinstance(exc, (Deadline, socket.timeout)):
        return "timeout"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ConnectionResetError):
        return "connection reset"
    text = str(exc) or type(exc).__name__
    return ("%s: %s" % (type(exc).__name__, text))[:120]


class Traffic:
    """One bounded run. run() blocks and returns the result dict; start() runs it in a background
    thread (wait() then returns the result); stop() ends the scheduling early (the requests
    already sent still finish)."""

    def __init__(self, host, port=8080, rate=DEFAULT_RATE, count=DEFAULT_COUNT,
                 timeout=DEFAULT_TIMEOUT, path=DEFAULT_PATH, stop_file=None, started_file=None):
        if rate <= 0 or count < 0 or timeout <= 0:
            raise ValueError("rate and timeout must be > 0, count >= 0")
        if not path.startswith("/"):
            raise ValueError("path must start with /: %r" % path)
        self.host, self.port, self.rate, self.count = host, int(port), float(rate), int(count)
        self.timeout, self.path = float(timeout), path
        self.url = "http://%s:%d%s" % (host, self.port, path)
        # stop_file: scheduling stops once it exists (count is then only the bound); started_file:
        # made once the first request has been answered, for a test that waits on that event.
        self.stop_file, self.started_file = stop_file, started_file
        self.stopped_by = "count"
        self.stopping = threading.Event()
        self.thread = None
        self.result = None
        self.error = None

    # ---- background use
    def start(self):
        def body():
            try:
                self.result = self.run()
            except BaseException as exc:   # reported by wait()
                self.error = exc
        self.thread = threading.Thread(target=body, name="lab-traffic", daemon=True)
        self.thread.start()
        return self

    def wait(self, timeout=None):
        """The result dict, once the run has ended (at most bound() seconds after start)."""
        self.thread.join(self.bound() + 5 if timeout is None else timeout)
        if self.thread.is_alive():
            raise TimeoutError("traffic run still going after its bound of %.1f s" % self.bound())
        if self.error is not None:
            raise self.error
        return self.result

    def done(self):
        return self.thread is not None and not self.thread.is_alive()

    def stop(self):
        self.stopping.set()

    def bound(self):
        """The longest a run can take (seconds)."""
        return self.count / self.rate + self.timeout + MARGIN

    # ---- the run
    def one(self, index, t0_mono):
        sent_at = time.monotonic()
        record = {"i": index, "slot": index / self.rate, "delay": sent_at - t0_mono - index / self.rate}
        try:
            status, body = get(self.host, self.port, self.path, self.timeout)
        except Exception as exc:
            record["error"] = short_error(exc)
            return record
        if status != 200:
            record["error"] = "HTTP %d" % status
            return record
        try:
            version = json.loads(body.decode("utf-8")).get("version")
        except (ValueError, AttributeError, UnicodeDecodeError):
            version = None
        record["version"] = str(version) if version is not None else "unknown"
        return record

    def answered(self, future):
        """A request's callback: the first answer (ok or failed) makes started_file."""
        if self.started_file and not os.path.exists(self.started_file):
            with open(self.started_file, "a"):
                pass

    def stop_requested(self):
        if self.stop_file and os.path.exists(self.stop_file):
            self.stopped_by = "stop_file"
            self.stopping.set()
        return self.stopping.is_set()

    def run(self):
        workers = max(2, min(MAX_WORKERS, int(self.rate * self.timeout) + 4))
        start_epoch, t0 = time.time(), time.monotonic()
        futures = []
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lab-traffic")
        try:
            for i in range(self.count):
                slot = t0 + i / self.rate
                while not self.stop_requested():
                    pause = slot - time.monotonic()
                    if pause <= 0:
                        break
                    self.stopping.wait(min(pause, 0.2))
                if self.stop_requested():
                    break
                futures.append(pool.submit(self.one, i, t0))
                futures[-1].add_done_callback(self.answered)
        finally:
            # each request ends within its deadline, so this returns within `timeout` s
            pool.shutdown(wait=True)
        records = [f.result() for f in futures]
        return summarize(records, self, start_epoch, time.time(), time.monotonic() - t0)


def summarize(records, run, start_epoch, end_epoch, duration):
    rate = run.rate
    ok = [r for r in records if "error" not in r]
    failed = [r for r in records if "error" in r]
    by_version, first, last = {}, {}, {}
    for r in sorted(ok, key=lambda r: r["i"]):
        v = r["version"]
        by_version[v] = by_version.get(v, 0) + 1
        first.setdefault(v, r["slot"])
        last[v] = r["slot"]
    outages, current = [], None
    failed_idx = sorted(r["i"] for r in failed)
    for i in failed_idx:
        if current is not None and i == current[1] + 1:
            current[1] = i
        else:
            current = [i, i]
            outages.append(current)
    spans = [{"start": round(a / rate, 3), "end": round((b + 1) / rate, 3),
              "requests": b - a + 1} for a, b in outages]
    return {
        "sent": len(records), "ok": len(ok), "failed": len(failed),
        "by_version": by_version,
        "failures": [{"t": round(r["slot"], 3), "error": r["error"]}
                     for r in sorted(failed, key=lambda r: r["i"])],
        "first_seen": dict((v, round(t, 3)) for v, t in first.items()),
        "last_seen": dict((v, round(t, 3)) for v, t in last.items()),
        "mixed_seconds": round(mixed_seconds([(first[v], last[v]) for v in first]), 3),
        "outage_seconds": round(len(failed) / rate, 3),
        "longest_outage_seconds": round(max([s["requests"] for s in spans] or [0]) / rate, 3),
        "outages": spans,
        "max_send_delay": round(max([r["delay"] for r in records] or [0.0]), 3),
        "start": round(start_epoch, 3), "end": round(end_epoch, 3),
        "duration": round(duration, 3),
        "rate": rate, "count": run.count, "stopped_by": run.stopped_by, "timeout": run.timeout, "path": run.path,
        "url": run.url,
    }


def mixed_seconds(spans):
    """Total length of the time covered by at least two of the [start, end] spans."""
    events = sorted([(a, 1) for a, _b in spans] + [(b, -1) for _a, b in spans],
                    key=lambda e: (e[0], -e[1]))
    total, depth, since = 0.0, 0, None
    for t, step in events:
        if depth >= 2 and since is not None:
            total += t - since
        depth += step
        since = t
    return total
