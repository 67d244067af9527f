# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTPS calls to an Admin Node Manager (ANM), with the trust a real domain needs.

A real ANM serves a certificate signed by the domain's own CA (upgrade_script.md: the first ANM
"holds the domain CA private key and certificate"; rest_api.md calls it with ``curl --insecure``).
No system trust store holds that CA, so the default trust is a **pin**: the SHA-256 of the
certificate the ANM serves on its own node's loopback, read through the SSH connection Ansible
already authenticated. A caller elsewhere then accepts exactly that certificate and nothing else.
The other trusts are the usual ones: a CA file (``ca``), the system store (``system``), or none
(``none``, trusted networks only).

Every failure has a ``kind``, because the callers decide differently on each:
``certificate`` and ``auth`` can never heal by waiting, so they fail at once and are never retried;
``unavailable`` (refused, timed out, 502/503/504) is what an ANM that is still starting answers,
so only that one is waited for. The pin is checked before the request is sent, so credentials
never go to a server that is not the pinned one.

Standard library only: this runs on managed nodes (Python 3.6+).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib
import json
import socket
import ssl
import time

try:  # Python 3
    import http.client as http_client
    from urllib.parse import urlsplit
except ImportError:  # pragma: no cover - Python 2 is not supported on managed nodes
    raise

TRUSTS = ("pin", "ca", "system", "none")
CERTIFICATE, AUTH, UNAVAILABLE, HTTP, PROTOCOL = "certificate", "auth", "unavailable", "http", "protocol"
# Answers a starting (or restarting) ANM or a proxy in front of it may give; anything else is final.
RETRYABLE_STATUS = (502, 503, 504)
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class AnmError(Exception):
    """A call that did not return the answer; ``kind`` says whether waiting can help."""

    def __init__(self, kind, url, reason, certificate_sha256=None):
        Exception.__init__(self, "%s: %s" % (url, reason))
        self.kind = kind
        self.url = url
        self.reason = reason
        self.certificate_sha256 = certificate_sha256
        self.attempts = 0  # set by wait_for: how many requests were tried
        self.last_reason = reason  # set by wait_for: the last answer's own reason
        self.gave_up = None  # set by wait_for: why waiting was pointless (give_up)

    @property
    def retryable(self):
        return self.kind == UNAVAILABLE


def normalize_sha256(value):
    """'AB:CD:..' or 'abcd..' -> 'abcd..' (64 hex digits); raise ValueError otherwise."""
    text = (value or "").replace(":", "").strip().lower()
    if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
        raise ValueError("not a SHA-256 fingerprint (64 hex digits): %r" % value)
    return text


def certificate_sha256(der):
    return hashlib.sha256(der).hexdigest()


def split_url(url):
    """-> (host, port, path); raise ValueError for anything but an https URL with a host."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError("%r is not an https:// URL with a host name" % url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.hostname, parts.port or 443, path


def is_loopback_url(url):
    try:
        return split_url(url)[0] in LOOPBACK_HOSTS
    except ValueError:
        return False


def ssl_context(trust, ca_path=None):
    if trust not in TRUSTS:
        raise ValueError("trust must be one of %s, not %r" % (", ".join(TRUSTS), trust))
    if trust == "ca":
        if not ca_path:
            raise ValueError("trust 'ca' needs a CA file")
        return ssl.create_default_context(cafile=ca_path)
    if trust == "system":
        return ssl.create_default_context()
    # pin and none: the chain is not checked here; a pin compares the certificate itself below.
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def _is_certificate_failure(exc):
    # ssl.CertificateError: a host name mismatch (Python 3.6); on 3.7+ it is SSLCertVerificationError.
    if isinstance(exc, ssl.CertificateError):
        return True
    text = str(exc)
    return "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text


def _reason(exc):
    verify_message = getattr(exc, "verify_message", None)
    if verify_message:
        return "certificate verify failed: %s" % verify_message
    return str(exc) or exc.__class__.__name__


def _basic(username, password):
    raw = ("%s:%s" % (username, password)).encode("utf-8")
    return "Basic " + base64.b64encode(raw).decode("ascii")


def get_json(url, username, password, trust="system", ca_path=None, pin_sha256=None, timeout=30,
             connection_factory=None):
    """GET ``url`` with basic auth; return (parsed JSON, served certificate SHA-256).

    Raise AnmError with a kind (see the module docstring) and a reason that names what failed.
    """
    host, port, path = split_url(url)
    pin = normalize_sha256(pin_sha256) if trust == "pin" else None
    if trust == "pin" and not pin:
        raise ValueError("trust 'pin' needs a certificate fingerprint")
    factory = connection_factory or http_client.HTTPSConnection
    conn = factory(host, port, context=ssl_context(trust, ca_path), timeout=timeout)
    served = None
    try:
        try:
            conn.connect()
        except ssl.SSLError as exc:
            if _is_certificate_failure(exc):
                raise AnmError(CERTIFICATE, url, _reason(exc))
            raise AnmError(UNAVAILABLE, url, "TLS handshake failed: %s" % _reason(exc))
        except ssl.CertificateError as exc:  # a host name mismatch on Python 3.6 (a ValueError there)
            raise AnmError(CERTIFICATE, url, _reason(exc))
        except (socket.timeout, OSError) as exc:
            raise AnmError(UNAVAILABLE, url, _reason(exc))
        der = conn.sock.getpeercert(binary_form=True) if conn.sock is not None else None
        served = certificate_sha256(der) if der else None
        if pin is not None and served != pin:
            raise AnmError(CERTIFICATE, url,
                           "the server's certificate (SHA-256 %s) is not the pinned one (SHA-256 %s)"
                           % (served, pin), served)
        try:
            conn.request("GET", path, headers={"Accept": "application/json",
                                               "Authorization": _basic(username, password)})
            resp = conn.getresponse()
            body = resp.read()
        except (socket.timeout, OSError, http_client.HTTPException) as exc:
            raise AnmError(UNAVAILABLE, url, "no answer: %s" % _reason(exc), served)
    finally:
        conn.close()
    if resp.status in (401, 403):
        raise AnmError(AUTH, url, "user %r was refused: HTTP %s %s" % (username, resp.status, resp.reason),
                       served)
    if resp.status in RETRYABLE_STATUS:
        raise AnmError(UNAVAILABLE, url, "HTTP %s %s" % (resp.status, resp.reason), served)
    if resp.status != 200:
        raise AnmError(HTTP, url, "HTTP %s %s" % (resp.status, resp.reason), served)
    try:
        return json.loads(body.decode("utf-8")), served
    except (ValueError, UnicodeDecodeError) as exc:
        raise AnmError(PROTOCOL, url, "the answer is not JSON: %s" % exc, served)


def wait_for(call, url, timeout, accept, interval=2.0, clock=time.time, sleep=time.sleep, give_up=None):
    """Call ``call()`` until ``accept(answer)`` is None or the deadline passes.

    ``accept`` returns None for an answer that will do, or why it will not yet (a string): an ANM
    that answers as the old version is still starting. Only a retryable AnmError is waited out;
    any other propagates at once. Return (answer, attempts). At the deadline, raise AnmError
    (UNAVAILABLE) with the last reason and the number of attempts.

    ``give_up``, when given, is asked after each answer that will not do: None to go on waiting,
    or why waiting is pointless (a string, for example "its Node Manager is not running"). Then
    the AnmError (UNAVAILABLE) is raised at once, with ``gave_up`` set to that reason. Every
    AnmError raised here carries ``last_reason``, the last answer's own reason.
    """
    deadline = clock() + max(0, timeout)
    attempts, last = 0, "no attempt was made"
    while True:
        attempts += 1
        try:
            answer = call()
            why_not = accept(answer)
            if why_not is None:
                return answer, attempts
            last, served = why_not, answer[1] if isinstance(answer, tuple) else None
        except AnmError as exc:
            exc.attempts = attempts
            if not exc.retryable:
                raise
            last, served = exc.reason, exc.certificate_sha256
        pointless = give_up() if give_up else None
        if pointless:
            exc = AnmError(UNAVAILABLE, url, "%s, and %s" % (last, pointless), served)
            exc.attempts, exc.last_reason, exc.gave_up = attempts, last, pointless
            raise exc
        if clock() + interval > deadline:
            exc = AnmError(UNAVAILABLE, url, "still not ready after %d s and %d attempts: %s"
                           % (timeout, attempts, last), served)
            exc.attempts, exc.last_reason = attempts, last
            raise exc
        sleep(interval)
