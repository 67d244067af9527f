"""Topologies: which host runs which node manager and gateways (DESIGN.md "Lab description")."""
import secrets

from . import state as st
from .util import LabError

OLD_VERSION, NEW_VERSION = "7.5.3", "7.7"
OLD_DIR = "/opt/Axway-%s/apigateway" % OLD_VERSION
NEW_DIR = "/opt/Axway-%s/apigateway" % NEW_VERSION
CASSANDRA_PORT = 9042
MANAGEMENT_PORT, HEALTHCHECK_PORT = 8085, 8080
NAMES = ("single", "vendor-3-node", "N-node")
DEFAULT_N = 5

# Vendor sample (upgrade_steps_extcass.md "Sample multi-node upgrade topology"):
# (topology name, runs an ANM, [(group, instance, API Manager)])
VENDOR_3 = [
    ("NodeA", True, [("GatewayGroup", "APIGateway1", False)]),
    ("NodeB", False, [("GatewayGroup", "APIGateway2", False)]),
    ("NodeC", True, [("GatewayManagerGroup", "APIManagerGateway", True)]),
]


def layout(topology, nodes):
    """[(topology name or None, anm, instances)] per host, in node order."""
    if topology == "single":
        return [(None, True, [("GatewayGroup", "APIGateway1", False)])]
    if topology == "vendor-3-node":
        return VENDOR_3
    if topology == "N-node":
        n = DEFAULT_N if nodes is None else nodes
        if not 1 <= n <= st.MAX_NODES:
            raise LabError("--nodes %s: N-node needs 1..%d hosts" % (n, st.MAX_NODES))
        return [(None, i <= 2, [("GatewayGroup", "APIGateway%d" % i, False)])
                for i in range(1, n + 1)]
    raise LabError("--topology %s: unknown; choose one of %s" % (topology, ", ".join(NAMES)))


APIMANAGER_USER = "apiadmin"
EXTERNAL_DB_URL = "jdbc:mysql://127.0.0.1:3306/testdb"   # upgrade_errors.md's example


def build(topology, nodes, prefix, cassandra_auth=False, external_db=False, duplicate_jar=False):
    """The lab description dict (lab.json), with fresh random admin password and passphrase;
    with cassandra_auth, a fresh Cassandra user name and password the stand-in requires. A
    topology with an API Manager instance gets an API Manager administrator (apiadmin, random
    password). external_db: a DbConnection in the first gateway group's entity store;
    duplicate_jar: OLD ext/lib holds a third-party jar that NEW system/lib also ships."""
    if nodes is not None and topology != "N-node":
        raise LabError("--nodes %s: only valid with --topology N-node" % nodes)
    group_ids, instance_no, hosts = {}, 0, []
    for index, (tname, anm, instances) in enumerate(layout(topology, nodes), start=1):
        node = "node%d" % index
        entry = {"inventory_name": node, "topology_name": tname or node,
                 "host_id": "host-%d" % index, "address": st.address(prefix, index),
                 "anm": anm, "first_anm": index == 1 and anm, "instances": []}
        for group, name, api_manager in instances:
            # group-1 is left to the node managers' group, as in the DESIGN.md example
            group_ids.setdefault(group, "group-%d" % (len(group_ids) + 2))
            instance_no += 1
            entry["instances"].append({
                "group": group, "group_id": group_ids[group], "name": name,
                "id": "instance-%d" % instance_no, "api_manager": api_manager,
                "management_port": MANAGEMENT_PORT, "healthcheck_port": HEALTHCHECK_PORT})
        hosts.append(entry)
    cassandra = {"host": hosts[0]["topology_name"], "port": CASSANDRA_PORT,
                 "inventory_host": hosts[0]["inventory_name"]}
    if cassandra_auth:
        cassandra["username"] = "cass_%s" % secrets.token_hex(4)
        cassandra["password"] = secrets.token_urlsafe(18)
    lab = {
        "topology": topology,
        "old_version": OLD_VERSION, "new_version": NEW_VERSION,
        "old_dir": OLD_DIR, "new_dir": NEW_DIR,
        "admin_username": "admin",
        "admin_password": secrets.token_urlsafe(18),
        "domain_passphrase": secrets.token_urlsafe(18),
        "cassandra": cassandra,
        "hosts": hosts,
    }
    if any(i["api_manager"] for h in hosts for i in h["instances"]):
        lab["apimanager"] = {"username": APIMANAGER_USER, "password": secrets.token_urlsafe(18),
                             "port": 8075}
    if external_db:
        first = hosts[0]["instances"][0] if hosts[0]["instances"] else None
        if first is None:
            raise LabError("--external-db: the first host runs no gateway group")
        lab["external_db"] = {"group": first["group"], "group_id": first["group_id"],
                              "url": EXTERNAL_DB_URL}
    if duplicate_jar:
        lab["duplicate_jar"] = True
    return lab
