# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read an API Gateway domain topology and put it in a shape playbooks can use.

The same structure comes from two places (product contract section 3): the Admin Node Manager's
``GET /api/topology`` (wrapped in ``{"result": ...}``) and ``groups/topology.json`` on every node.
This file only parses and normalises; fetching over HTTP lives in the module, so that this code
stays free of network and Ansible imports and runs on any managed node's Python (3.6+).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import socket

# Relative to an installation's apigateway folder (contract section 1, upgrade_faq.md).
TOPOLOGY_FILE = os.path.join("groups", "topology.json")
FIRST_ANM_MARKER = os.path.join("groups", "certs", "private", "domain.p12")

NODE_MANAGER_TYPE = "nodemanager"
GATEWAY_TYPE = "gateway"
ADMIN_NM_TAG = "internal_admin_nm"


class TopologyError(Exception):
    """The topology could not be read or does not have the documented shape."""


def topology_file(install_dir):
    return os.path.join(install_dir, TOPOLOGY_FILE)


def first_anm_marker(install_dir):
    return os.path.join(install_dir, FIRST_ANM_MARKER)


def is_first_anm(install_dir):
    # The FAQ's own test: only the first Admin Node Manager holds the domain CA key.
    return os.path.isfile(first_anm_marker(install_dir))


def _truthy_tag(value):
    # The API sends the tag as the string "true"; accept a JSON boolean too in case a release differs.
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() == "true"


def _text(value):
    return None if value is None else str(value)


def parse_topology_text(text, source):
    """Parse JSON text from ``source`` (a path or URL, used only in messages)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise TopologyError("%s is not UTF-8 text: %s" % (source, exc))
    if not text.strip():
        raise TopologyError("%s is empty, expected topology JSON" % source)
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise TopologyError("%s is not valid JSON: %s" % (source, exc))
    return normalise_topology(data, source)


def read_topology_file(path):
    try:
        with open(path, "rb") as handle:
            text = handle.read()
    except IOError as exc:  # IOError is OSError on Python 3; the name keeps the intent plain.
        raise TopologyError("cannot read topology file %s: %s" % (path, exc.strerror or exc))
    return parse_topology_text(text, path)


def _service(raw, group, host_names, source, warnings):
    if not isinstance(raw, dict) or not raw.get("id"):
        raise TopologyError("%s: group %r has a service without an id" % (source, group.get("name")))
    tags = raw.get("tags") if isinstance(raw.get("tags"), dict) else {}
    stype = _text(raw.get("type"))
    host_id = _text(raw.get("hostID"))
    if host_id not in host_names:
        warnings.append("%s: service %s refers to unknown host id %s" % (source, raw["id"], host_id))
    return {
        "id": _text(raw["id"]),
        "name": _text(raw.get("name")) or _text(raw["id"]),
        "type": stype,
        "group_id": _text(group.get("id")),
        "group_name": _text(group.get("name")) or _text(group.get("id")),
        "host_id": host_id,
        "host_name": host_names.get(host_id),
        "management_port": raw.get("managementPort"),
        "scheme": _text(raw.get("scheme")),
        "enabled": raw.get("enabled", True) is not False,
        "tags": tags,
        "admin_node_manager": stype == NODE_MANAGER_TYPE and _truthy_tag(tags.get(ADMIN_NM_TAG, "")),
    }


def normalise_topology(data, source="topology"):
    """Return hosts, groups, services, anm_hosts and product_version from raw topology data.

    Groups are the authority for services. The vendor's API sample also repeats every service in a
    top-level ``services`` list without its group; it is ignored so nothing is counted twice.
    """
    if isinstance(data, dict) and isinstance(data.get("result"), dict):
        data = data["result"]
    if not isinstance(data, dict) or not isinstance(data.get("hosts"), list) \
            or not isinstance(data.get("groups"), list):
        raise TopologyError("%s does not look like an API Gateway topology: expected an object with "
                            "'hosts' and 'groups' lists (optionally inside 'result')" % source)

    warnings = []
    hosts = []
    host_names = {}
    for raw in data["hosts"]:
        if not isinstance(raw, dict) or not raw.get("id"):
            raise TopologyError("%s: a host entry has no id" % source)
        host = {"id": _text(raw["id"]), "name": _text(raw.get("name")) or _text(raw["id"]),
                "node_manager": False, "admin_node_manager": False, "gateways": []}
        hosts.append(host)
        host_names[host["id"]] = host["name"]
    hosts_by_id = dict((h["id"], h) for h in hosts)

    groups = []
    services = []
    for raw_group in data["groups"]:
        if not isinstance(raw_group, dict) or not raw_group.get("id"):
            raise TopologyError("%s: a group entry has no id" % source)
        raw_services = raw_group.get("services")
        raw_services = [] if raw_services is None else raw_services
        if not isinstance(raw_services, list):
            raise TopologyError("%s: services of group %s is not a list" % (source, raw_group["id"]))
        group_services = [_service(s, raw_group, host_names, source, warnings) for s in raw_services]
        groups.append({"id": _text(raw_group["id"]),
                       "name": _text(raw_group.get("name")) or _text(raw_group["id"]),
                       "services": group_services})
        services.extend(group_services)

    for svc in services:
        host = hosts_by_id.get(svc["host_id"])
        if host is None:
            continue
        if svc["type"] == NODE_MANAGER_TYPE:
            host["node_manager"] = True
            host["admin_node_manager"] = host["admin_node_manager"] or svc["admin_node_manager"]
        elif svc["type"] == GATEWAY_TYPE:
            host["gateways"].append({"group": svc["group_name"], "name": svc["name"],
                                     "group_id": svc["group_id"], "id": svc["id"]})

    version = data.get("productVersion")
    return {
        "product_version": None if version is None else str(version),
        "hosts": hosts,
        "groups": groups,
        "services": services,
        "anm_hosts": [h["name"] for h in hosts if h["admin_node_manager"]],
        "node_manager_hosts": [h["name"] for h in hosts if h["node_manager"]],
        "warnings": warnings,
    }


def gateway_names_by_id(topology):
    """Map (group id, instance id) -> (group name, instance name): folders are named by id."""
    index = {}
    for svc in topology["services"]:
        if svc["type"] == GATEWAY_TYPE:
            index[(svc["group_id"], svc["id"])] = (svc["group_name"], svc["name"])
    return index


# ---- which topology host is this machine? (optional, best effort) ----

def _addresses(name, resolve):
    try:
        infos = resolve(name, None)
    except (socket.gaierror, socket.herror, UnicodeError, OSError):
        return []
    return sorted(set((info[0], info[4][0]) for info in infos))


def address_is_local(family, address):
    """True when this machine owns ``address``: binding to an address we do not own fails."""
    sock = None
    try:
        sock = socket.socket(family, socket.SOCK_DGRAM)
        sock.bind((address, 0))
        return True
    except (OSError, socket.error):
        return False
    finally:
        if sock is not None:
            sock.close()


def _is_loopback(address):
    return address.startswith("127.") or address == "::1"


def detect_local_host(host_names, hostname=None, fqdn=None, resolve=socket.getaddrinfo,
                      is_local=address_is_local):
    """Return (topology host name, method) for this machine, or (None, None) when unsure.

    1. ``hostname``: the machine's short name or FQDN equals a topology host name (case-insensitive;
       short names compared when only one side is qualified).
    2. ``address``: exactly one topology host name resolves to an address this machine can bind.
       Loopback answers are ignored unless the topology has a single host, since every machine
       owns 127.0.0.1.
    Anything ambiguous gives no answer rather than a guess.
    """
    hostname = socket.gethostname() if hostname is None else hostname
    fqdn = socket.getfqdn() if fqdn is None else fqdn
    mine = set(n.lower() for n in (hostname, fqdn) if n)
    exact = [h for h in host_names if h.lower() in mine]
    if len(exact) == 1:
        return exact[0], "hostname"
    my_short = set(n.split(".")[0] for n in mine)
    short = [h for h in host_names if h.lower().split(".")[0] in my_short]
    if not exact and len(short) == 1:
        return short[0], "hostname"

    by_address = []
    for name in host_names:
        for family, address in _addresses(name, resolve):
            if _is_loopback(address) and len(host_names) > 1:
                continue
            if is_local(family, address):
                by_address.append(name)
                break
    if len(by_address) == 1:
        return by_address[0], "address"
    return None, None
