"""Where the lab lives ($LAB_DIR) and what labctl remembers about it (state.json, lab.json).

state.json is labctl's own bookkeeping (addresses, namespaces, PIDs); lab.json is the lab
description shared with the product (DESIGN.md "Lab description"), mode 0600 (secrets).
"""
import fcntl
import json
import os
import re
from pathlib import Path

from .util import LabError, write_file

# APIGW_LAB_NAME (default "apigw") prefixes every kernel object, so that a second lab (labctl's
# own tests) can run beside the default one; DESIGN.md "labctl behaviour".
NAME = os.environ.get("APIGW_LAB_NAME", "apigw")
NAME_OK = re.fullmatch(r"[a-z][a-z0-9]{0,7}", NAME) is not None
BRIDGE = NAME + "br0"
NS_PREFIX = NAME + "-node"
VETH_PREFIX = NAME + "-v"         # host-side veth: apigw-v<i> (interface names max 15 chars)
MARKER = ".apigw-lab"            # proves a folder is a lab dir before down removes it
LOCK_PATH = "%s/%s-lab.lock" % ("/run/lock" if os.path.isdir("/run/lock") else "/tmp", NAME)
MAX_NODES = 60


def lab_dir():
    """$LAB_DIR: APIGW_LAB_DIR or /tmp/apigw-lab; refuses paths down could not safely remove."""
    if not NAME_OK:
        raise LabError("APIGW_LAB_NAME=%r: use 1-8 lower-case letters/digits, starting with a letter"
                       % NAME)
    path = Path(os.environ.get("APIGW_LAB_DIR", "/tmp/apigw-lab")).absolute()
    if len(path.parts) < 3 or str(path) in ("/opt", "/root", "/home", "/usr", "/var", "/etc"):
        raise LabError("APIGW_LAB_DIR=%s: too shallow; use a dedicated folder like /tmp/apigw-lab"
                       % path)
    return path


def subnet():
    """The /24 prefix (APIGW_LAB_SUBNET, default 10.77.0) as 'a.b.c'."""
    value = os.environ.get("APIGW_LAB_SUBNET", "10.77.0")
    if not re.fullmatch(r"(\d{1,3})\.(\d{1,3})\.(\d{1,3})", value) or \
            any(int(p) > 255 for p in value.split(".")):
        raise LabError("APIGW_LAB_SUBNET=%r: expected a /24 prefix like 10.77.0" % value)
    return value


def address(prefix, index):
    return "%s.%d" % (prefix, index)


def bridge_address(prefix):
    return "%s.254" % prefix


def ns_name(index):
    return "%s%d" % (NS_PREFIX, index)


def veth_name(index):
    return "%s%d" % (VETH_PREFIX, index)


def host_dir(root, node):
    """Per-host folder: opt, root, sshd_config, ssh_host_ed25519_key, pid, tls/."""
    return Path(root) / "hosts" / node


def state_path(root):
    return Path(root) / "state.json"


def load_state(root):
    path = state_path(root)
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise LabError("no lab at %s (no %s); run 'labctl up' first" % (root, path))


def save_state(root, state):
    write_file(state_path(root), json.dumps(state, indent=2) + "\n", 0o600)


def load_lab(root):
    path = Path(root) / "lab.json"
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise LabError("no lab description %s; run 'labctl up' first" % path)


def save_lab(root, lab):
    write_file(Path(root) / "lab.json", json.dumps(lab, indent=2) + "\n", 0o600)


def node_entry(state, node):
    """state['hosts'][node], or an error listing the lab's nodes."""
    hosts = state.get("hosts", {})
    if node not in hosts:
        raise LabError("unknown node %r; this lab has: %s" % (node, ", ".join(hosts) or "none"))
    return hosts[node]


class LabLock:
    """Serialises commands that change the lab (two 'up's at once would both see no lab)."""

    def __enter__(self):
        self.handle = open(LOCK_PATH, "a")
        fcntl.flock(self.handle, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()
