# -*- coding: utf-8 -*-
# Copyright: apigw.sysupgrade developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small client of HAProxy's runtime API (the "stats socket" at admin level), standard library only.

One command per connection: HAProxy answers and closes the connection when the client does not ask
for the interactive prompt. The commands used are documented in HAProxy's management guide
("Unix Socket commands"): ``show servers state <backend>``, ``show stat`` and
``set server <backend>/<server> state ready|drain|maint``.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket

# srv_admin_state bits (HAProxy's SRV_ADMF_*): forced maintenance, inherited maintenance, maintenance
# from configuration, forced drain, inherited drain, maintenance because of a failed address
# resolution, maintenance because the hostname is being resolved.
ADMIN_MAINT_BITS = 0x01 | 0x02 | 0x04 | 0x20 | 0x40
ADMIN_DRAIN_BITS = 0x08 | 0x10
# srv_op_state values (SRV_ST_*).
OP_STATES = {0: "STOPPED", 1: "STARTING", 2: "RUNNING", 3: "STOPPING"}


class RuntimeApiError(Exception):
    """The runtime API could not be reached, or refused a command (the text says which)."""


def parse_address(address):
    """-> (family, target) for a unix socket path or ``host:port`` / ``ipv4@host:port``."""
    address = str(address or "").strip()
    if not address:
        raise RuntimeApiError("no runtime API address given")
    if address.startswith("unix@"):
        return socket.AF_UNIX, address[len("unix@"):]
    if address.startswith("/"):
        return socket.AF_UNIX, address
    if address.startswith("ipv4@"):
        address = address[len("ipv4@"):]
    host, sep, port = address.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise RuntimeApiError("runtime API address %r is neither a socket path nor host:port" % address)
    return socket.AF_INET, (host, int(port))


def send(address, command, timeout=10.0):
    """Send one command and return HAProxy's whole answer as text."""
    family, target = parse_address(address)
    conn = socket.socket(family, socket.SOCK_STREAM)
    conn.settimeout(timeout)
    try:
        try:
            conn.connect(target)
            conn.sendall((command + "\n").encode("utf-8"))
            chunks = []
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except (OSError, socket.timeout) as exc:
            raise RuntimeApiError("HAProxy runtime API %s: %s" % (address, exc))
    finally:
        conn.close()
    return b"".join(chunks).decode("utf-8", "replace")


def parse_servers_state(text):
    """``show servers state`` -> {(backend, server): {op_state, admin_state, address}}.

    The first line is the format version, the second the header ("# be_id be_name srv_id ..."),
    then one line per server with space-separated fields in the header's order.
    """
    lines = [line for line in text.splitlines() if line.strip()]
    header = None
    out = {}
    for line in lines:
        if line.startswith("#"):
            header = line.lstrip("#").split()
            continue
        if header is None:
            continue  # the format version line
        fields = dict(zip(header, line.split()))
        if "be_name" not in fields or "srv_name" not in fields:
            continue
        out[(fields["be_name"], fields["srv_name"])] = {
            "op_state": OP_STATES.get(int(fields.get("srv_op_state", "0")), "UNKNOWN"),
            "admin_state": _admin_state(int(fields.get("srv_admin_state", "0"))),
            "address": fields.get("srv_addr", ""),
        }
    return out


def _admin_state(bits):
    if bits & ADMIN_MAINT_BITS:
        return "maint"
    if bits & ADMIN_DRAIN_BITS:
        return "drain"
    return "ready"


def parse_stat(text):
    """``show stat`` (CSV, header line starting with "# ") -> {(proxy, server): {scur, status}}."""
    header = None
    out = {}
    for line in text.splitlines():
        if line.startswith("# "):
            header = line[2:].split(",")
            continue
        if header is None or not line.strip():
            continue
        row = dict(zip(header, line.split(",")))
        sessions = row.get("scur", "")
        out[(row.get("pxname", ""), row.get("svname", ""))] = {
            "sessions": int(sessions) if sessions.isdigit() else 0,
            "status": row.get("status", ""),
        }
    return out


def check_answer(command, answer):
    """``set server`` answers nothing on success, and a sentence on failure."""
    text = answer.strip()
    if text:
        raise RuntimeApiError("HAProxy refused %r: %s" % (command, text))


def servers(address, backend, names, timeout=10.0):
    """-> [{name, admin_state, op_state, sessions, status}] for NAMES of BACKEND, in their order.

    A name HAProxy does not know fails with a message that names it and the backend's servers.
    """
    state = parse_servers_state(send(address, "show servers state %s" % backend, timeout))
    stat = parse_stat(send(address, "show stat", timeout))
    known = sorted(s for (b, s) in state if b == backend)
    missing = [n for n in names if (backend, n) not in state]
    if missing:
        raise RuntimeApiError("HAProxy backend %r has no server %s (it has: %s)" % (
            backend, ", ".join(missing), ", ".join(known) or "none; is the backend name right?"))
    out = []
    for name in names:
        row = dict(state[(backend, name)], name=name)
        row.update(stat.get((backend, name), {"sessions": 0, "status": ""}))
        out.append(row)
    return out


def set_state(address, backend, name, state, timeout=10.0):
    command = "set server %s/%s state %s" % (backend, name, state)
    check_answer(command, send(address, command, timeout))
