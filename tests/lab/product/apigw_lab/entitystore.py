"""A group's deployed configuration as an entity store (config_files_reference.md "API Gateway
group entity store": apigateway/groups/group-id/conf).

Path (ASSUMED layout, the pages only name the folder): INSTALL/groups/<group-id>/conf/<store id>/
PrimaryStore.xml, where <store id> is a UUID fixed per group (the same on every host of the group
and, after apply, in NEW). Shape (ASSUMED, the pages show none; the vendor's own files use this
namespace and these element names):

  <entityStoreData xmlns="http://www.vordel.com/2005/06/24/entityStore">
    <entity type="FilterCircuit" entityPKValue="Health Check">
      <fval name="name"><value>Health Check</value></fval>
    </entity>
    <entity type="KPSCollection" entityPKValue="API Portal">
      <fval name="name"><value>API Portal</value></fval>
      <fval name="dataSource"><value>Cassandra</value></fval>
    </entity>
    <entity type="DbConnection" entityPKValue="OAuth Database">     (labctl up --external-db)
      <fval name="name"><value>OAuth Database</value></fval>
      <fval name="url"><value>jdbc:mysql://127.0.0.1:3306/testdb</value></fval>
    </entity>
  </entityStoreData>

The KPS collections are the ones the group's lab-config.json lists (install.group_config), so the
two never disagree. Python 3.6, stdlib only.
"""
import glob
import os
import uuid
import xml.etree.ElementTree as ET

NS = "http://www.vordel.com/2005/06/24/entityStore"
STORE_FILE = "PrimaryStore.xml"
# upgrade_errors.md "Third-party JDBC JARs": the example database URL of the documented warning
DEFAULT_DB_URL = "jdbc:mysql://127.0.0.1:3306/testdb"
DB_NAME = "OAuth Database"

COMMON_POLICIES = ["Health Check", "Version API"]
# per group something distinct (by group name; other groups get "<group> Policy")
GROUP_POLICIES = {
    "GatewayGroup": ["Customer Orders API", "OAuth 2.0 Token"],
    "GatewayManagerGroup": ["API Manager Protection Policy", "API Broker"],
}


def store_id(group_id):
    """The folder name of the group's entity store: a UUID fixed per group."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "apigw-lab:entity-store:%s" % group_id))


def store_path(install, group_id):
    return install.p("groups", group_id, "conf", store_id(group_id), STORE_FILE)


def find(install, group_id):
    """The group's PrimaryStore.xml in this installation (any store folder), or None."""
    found = sorted(glob.glob(install.p("groups", group_id, "conf", "*", STORE_FILE)))
    return found[0] if found else None


def policies(group_name):
    return COMMON_POLICIES + GROUP_POLICIES.get(group_name, ["%s Policy" % group_name])


def _entity(parent, etype, name, fields=()):
    e = ET.SubElement(parent, "{%s}entity" % NS, {"type": etype, "entityPKValue": name})
    for key, value in [("name", name)] + list(fields):
        fv = ET.SubElement(e, "{%s}fval" % NS, {"name": key})
        ET.SubElement(fv, "{%s}value" % NS).text = value
    return e


def build(config, db_urls=()):
    """XML text of a group's entity store from its lab-config.json dict."""
    ET.register_namespace("", NS)
    root = ET.Element("{%s}entityStoreData" % NS)
    for name in policies(config["name"]):
        _entity(root, "FilterCircuit", name)
    for kps in config.get("kps_collections", []):
        _entity(root, "KPSCollection", kps["name"], [("dataSource", kps.get("datasource", ""))])
    for index, url in enumerate(db_urls):
        _entity(root, "DbConnection", DB_NAME if index == 0 else "%s %d" % (DB_NAME, index + 1),
                [("url", url)])
    _indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root).decode("utf-8") + "\n"


def _indent(elem, level=0):
    pad = "\n" + "  " * level
    if len(elem):
        elem.text = pad + "  "
        for child in elem:
            _indent(child, level + 1)
        child.tail = pad
    if level and not (elem.tail or "").strip():
        elem.tail = elem.tail or pad


def write(path, text):
    d = os.path.dirname(path)
    if not os.path.isdir(d):
        os.makedirs(d)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o644)


def entities(path):
    """[(type, name, {fval name: value})] of a PrimaryStore.xml."""
    out = []
    for e in ET.parse(path).getroot().iter("{%s}entity" % NS):
        fields = {}
        for fv in e.findall("{%s}fval" % NS):
            v = fv.find("{%s}value" % NS)
            fields[fv.get("name")] = v.text if v is not None else None
        out.append((e.get("type"), e.get("entityPKValue"), fields))
    return out


def db_urls(path):
    """The jdbc URLs of the store's DbConnection entities (upgrade_errors.md: the external
    databases whose OAuth/KPS tables apply upgrades)."""
    return [f.get("url") for t, _n, f in entities(path) if t == "DbConnection" and f.get("url")]
