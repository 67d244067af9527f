"""Network plumbing: one bridge in the root namespace, one namespace + veth per host.

No default route and no ip_forward anywhere: lab traffic stays on the bridge.
"""
import os
import re

from . import state as st
from .util import LabError, run


def ip(args, what, check=True, input=None):
    return run(["ip"] + args, check=check, input=input, what=what)


def existing_namespaces():
    """Lab namespaces that exist now (apigw-node<i>), whoever made them."""
    out = ip(["netns", "list"], "ip netns list").stdout
    names = [line.split()[0] for line in out.splitlines() if line.strip()]
    return [n for n in names if re.fullmatch(re.escape(st.NS_PREFIX) + r"\d+", n)]


def link_exists(name):
    return os.path.exists("/sys/class/net/%s" % name)


def lab_links():
    """Lab interfaces in the root namespace (bridge and host-side veths)."""
    return sorted(n for n in os.listdir("/sys/class/net")
                  if n == st.BRIDGE or re.fullmatch(re.escape(st.VETH_PREFIX) + r"\d+", n))


def subnet_in_use(prefix):
    """Interfaces of the root namespace that already have an address in prefix.0/24."""
    out = ip(["-o", "-4", "addr", "show"], "ip addr").stdout
    return sorted({line.split()[1] for line in out.splitlines()
                   if line.split()[3].startswith(prefix + ".")})


def create_bridge(prefix):
    if link_exists(st.BRIDGE):
        raise LabError("bridge %s already exists: a lab is up (try 'labctl down')" % st.BRIDGE)
    ip(["link", "add", st.BRIDGE, "type", "bridge"], "bridge %s" % st.BRIDGE)
    ip(["addr", "add", st.bridge_address(prefix) + "/24", "dev", st.BRIDGE], "bridge %s" % st.BRIDGE)
    ip(["link", "set", st.BRIDGE, "up"], "bridge %s" % st.BRIDGE)


def create_host_network(index, prefix, node):
    """Namespace apigw-node<i>: eth0 = 10.77.0.i/24 on the bridge, loopback up, no default route."""
    ns, veth = st.ns_name(index), st.veth_name(index)
    what = "node %s (namespace %s)" % (node, ns)
    ip(["netns", "add", ns], what)
    root_side = "link add %s type veth peer name eth0 netns %s\nlink set %s master %s up\n" % (
        veth, ns, veth, st.BRIDGE)
    ip(["-batch", "-"], what, input=root_side)
    inside = "addr add %s/24 dev eth0\nlink set eth0 up\nlink set lo up\n" % st.address(prefix, index)
    ip(["-n", ns, "-batch", "-"], what, input=inside)


def set_cable(index, node, plugged):
    """Pulled-cable semantics: the host-side veth goes down, so packets vanish (timeouts)."""
    ip(["link", "set", st.veth_name(index), "up" if plugged else "down"],
       "node %s (veth %s)" % (node, st.veth_name(index)))


def cable_plugged(index):
    """IFF_UP of the host-side veth, which is what fail/heal toggles."""
    try:
        with open("/sys/class/net/%s/flags" % st.veth_name(index)) as handle:
            return bool(int(handle.read(), 16) & 0x1)
    except FileNotFoundError:
        return False


def namespace_pids(ns):
    out = ip(["netns", "pids", ns], "namespace %s" % ns, check=False).stdout
    return [int(p) for p in out.split() if p.isdigit()]


def delete_namespace(ns):
    """Deleting the namespace also deletes its veth pair (the peer lives inside it)."""
    ip(["netns", "delete", ns], "namespace %s" % ns, check=False)


def delete_link(name):
    if link_exists(name):
        ip(["link", "delete", name], "interface %s" % name, check=False)


def run_netns_mounted():
    """Whether /run/netns is a mount point (ip netns add makes it one the first time)."""
    with open("/proc/self/mountinfo") as handle:
        return any(line.split()[4] == "/run/netns" for line in handle)
