"""The domain topology: the JSON of rest_api.md "Use curl to call the Topology REST API"
(contract §3), stored in INSTALL/groups/topology.json and served by an ANM at /api/topology.

A node manager service tagged "internal_admin_nm": "true" is an Admin Node Manager (contract §3).
"""
import time
import uuid

from . import jsonfile

NM_GROUP_ID = "group-1"
NM_GROUP_NAME = "Node Manager Group"  # rest_api.md: the ANM sits in group-1
NM_PORT = 8090


def empty(product_version):
    return {"id": str(uuid.uuid4()), "version": 2, "timestamp": int(time.time() * 1000),
            "productVersion": product_version, "hosts": [],
            "groups": [{"id": NM_GROUP_ID, "name": NM_GROUP_NAME, "tags": {}, "services": []}],
            "uniqueIdCounters": {}, "fips": False, "services": []}


def load(path):
    return jsonfile.load(path)


def save(path, topo):
    refresh(topo)
    jsonfile.save(path, topo)


def refresh(topo):
    """Keep the derived parts (flat service list, counters, timestamp) in step with groups."""
    topo["services"] = [s for g in topo["groups"] for s in g["services"]]
    topo["timestamp"] = int(time.time() * 1000)
    counters = {"Host": len(topo["hosts"]) + 1, "Group": len(topo["groups"]) + 1,
                "NodeManager": 1 + sum(1 for s in topo["services"] if s["type"] == "nodemanager"),
                "Gateway": 1 + sum(1 for s in topo["services"] if s["type"] == "gateway")}
    topo["uniqueIdCounters"] = counters


def nm_service(host_id, host_name, number, admin):
    return {"id": "nodemanager-%s" % number, "name": "Node Manager on %s" % host_name,
            "type": "nodemanager", "scheme": "https", "hostID": host_id,
            "managementPort": NM_PORT, "tags": {"internal_admin_nm": "true"} if admin else {},
            "enabled": True}


def gw_service(inst, host_id):
    return {"id": inst["id"], "name": inst["name"], "type": "gateway", "scheme": "https",
            "hostID": host_id, "managementPort": inst.get("management_port", 8085),
            "tags": {}, "enabled": True}


def host_by_name(topo, name):
    for h in topo.get("hosts", []):
        if h["name"] == name:
            return h
    return None


def host_name(topo, host_id):
    for h in topo.get("hosts", []):
        if h["id"] == host_id:
            return h["name"]
    return None


def services_of(topo, host_id):
    """[(group, service)] for one host."""
    return [(g, s) for g in topo.get("groups", []) for s in g["services"] if s["hostID"] == host_id]


def anm_hosts(topo):
    """Host names that run an Admin Node Manager, in topology order."""
    ids = [s["hostID"] for g in topo.get("groups", []) for s in g["services"]
           if s["type"] == "nodemanager" and s.get("tags", {}).get("internal_admin_nm") == "true"]
    return [h["name"] for h in topo.get("hosts", []) if h["id"] in ids]


def gateway_groups(topo):
    return [g for g in topo.get("groups", []) if any(s["type"] == "gateway" for s in g["services"])]


def remove_host(topo, name):
    """Drop a host and every service on it (upgrade_script.md apply Tip). True if found."""
    host = host_by_name(topo, name)
    if host is None:
        return False
    topo["hosts"] = [h for h in topo["hosts"] if h is not host]
    for g in topo["groups"]:
        g["services"] = [s for s in g["services"] if s["hostID"] != host["id"]]
    topo["groups"] = [g for g in topo["groups"] if g["services"] or g["id"] == NM_GROUP_ID]
    refresh(topo)
    return True


def add_host(topo, host, entries):
    """Register a host and its services. entries: [{"group": {"id","name"}, "service": {...}}]."""
    remove_host(topo, host["name"])
    topo["hosts"].append({"id": host["id"], "name": host["name"]})
    for entry in entries:
        group = _group(topo, entry["group"])
        group["services"].append(entry["service"])
    refresh(topo)


def _group(topo, ref):
    for g in topo["groups"]:
        if g["id"] == ref["id"]:
            return g
    g = {"id": ref["id"], "name": ref["name"], "tags": {}, "services": []}
    topo["groups"].append(g)
    return g


def entries_for(topo, host_name_):
    """The registration entries of one host, taken from (old) topology."""
    host = host_by_name(topo, host_name_)
    return [{"group": {"id": g["id"], "name": g["name"]}, "service": dict(s)}
            for g, s in services_of(topo, host["id"])]


def build(lab, product_version):
    """OLD topology from the lab description (DESIGN.md "Lab description")."""
    topo = empty(product_version)
    for n, h in enumerate(lab["hosts"], 1):
        topo["hosts"].append({"id": h["host_id"], "name": h["topology_name"]})
        topo["groups"][0]["services"].append(
            nm_service(h["host_id"], h["topology_name"], n, h.get("anm")))
        for inst in h.get("instances", []):
            group = _group(topo, {"id": inst["group_id"], "name": inst["group"]})
            group["services"].append(gw_service(inst, h["host_id"]))
    refresh(topo)
    return topo
