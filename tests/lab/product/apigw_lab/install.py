"""Build one lab host's installations (called by labctl on the controller; starts nothing).

install_host(opt_root, lab, inventory_name, tls) writes under opt_root (the host's private /opt):
  OLD  <old_dir>  7.5.3 tree with groups/topology.json, instance service.xml, the Node Manager's
                  certificate and key and the domain CA certificate in groups/certs/, and the
                  domain CA key and certificate in groups/certs/private/domain.p12 on the first
                  ANM (contract §1, upgrade_faq.md "Which is the first Admin Node Manager?")
  NEW  <new_dir>  7.7 tree, no groups (upgrade_steps_extcass.md: "Do not create or start any Node
                  Managers, groups, or API Gateways in the new installation"), so no certificates
                  either (apply makes them), with upgrade/bin, upgrade/lib and the factory RBAC
                  file
  apigw-lab/      faults.json (absent = no faults) and audit.log go here; on the Cassandra host of
                  a lab with a Cassandra login, cassandra-users.json (salted hash)
tls: PEM paths labctl made with openssl: {"ca": domain CA certificate, "cert", "key": this host's
Node Manager certificate and key, "domain_p12": the domain CA PKCS#12 (first ANM only)}.
"""
import os
import shutil
import zipfile

from . import instances, jsonfile, paths, secrets_store, topology

CASSANDRA_USERS = "cassandra-users.json"   # in /opt/apigw-lab of the Cassandra host
PKG_DIR = os.path.dirname(os.path.abspath(__file__))
BIN_DIR = os.path.join(os.path.dirname(PKG_DIR), "bin")

JVM_XML = """<?xml version="1.0" encoding="UTF-8"?>
<!-- System-wide JVM settings (apigw lab stand-in). upgrade_troubleshoot.md: raise -Xmx here
     when upgrade runs out of memory. -->
<ConfigurationFragment>
  <VMArg name="-Xms64m"/>
  <if property="maxHeap">
  <VMArg name="-Xmx${maxHeap}"/>
  </if>
  <VMArg name="-XX:+HeapDumpOnOutOfMemoryError"/>
</ConfigurationFragment>
"""

ACL = {"version": "6", "roles": {
    "API Server Administrator": ["mgmt", "mgmt_modify", "deploy", "dashboard", "logs", "traffic"],
    "API Server Operator": ["mgmt", "dashboard", "logs", "traffic"],
    "Deployer": ["mgmt", "deploy"],
    "KPS Administrator": ["mgmt", "kps"]}}

LICENSE = """# apigw lab licence (fake): features the upgrade checks look for (upgrade_errors.md)
product=API Gateway
version={version}
feature=unrestricted
feature=apiportal
feature=mcafee
expires=2099-12-31
"""


def _host(lab, inventory_name):
    for h in lab["hosts"]:
        if h["inventory_name"] == inventory_name:
            return h
    raise KeyError("host %s not in lab description" % inventory_name)


def _under(opt_root, abs_dir):
    if not abs_dir.startswith("/opt/"):
        raise ValueError("%s is not under /opt" % abs_dir)
    return os.path.join(opt_root, abs_dir[len("/opt/"):])


def _write(path, text, mode=0o644):
    d = os.path.dirname(path)
    if not os.path.isdir(d):
        os.makedirs(d)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def _tls_path(tls, key):
    for k in (key, key + "_cert", key + "_pem"):
        if k in tls:
            return tls[k]
    raise KeyError("tls has no %s" % key)


def _copy_code(inst, launchers):
    lib = inst.lib_dir
    if os.path.isdir(lib):
        shutil.rmtree(lib)
    shutil.copytree(PKG_DIR, os.path.join(lib, "apigw_lab"),
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for dest_dir, names in launchers:
        if not os.path.isdir(dest_dir):
            os.makedirs(dest_dir)
        for name in names:
            # the launcher is a shell wrapper that runs <name>.py next to it (DESIGN.md)
            for fname, mode in ((name, 0o755), (name + ".py", 0o644)):
                dest = os.path.join(dest_dir, fname)
                shutil.copyfile(os.path.join(BIN_DIR, fname), dest)
                os.chmod(dest, mode)


def _jar(path, entries):
    with zipfile.ZipFile(path, "w") as z:
        for name, data in entries:
            z.writestr(name, data)


def _copy(src, dest, mode):
    d = os.path.dirname(dest)
    if not os.path.isdir(d):
        os.makedirs(d)
    shutil.copyfile(src, dest)
    os.chmod(dest, mode)


def _certs(inst, host, tls):
    """OLD: the Node Manager's certificate and key and the domain CA certificate (groups/certs,
    ASSUMED names), and on the first ANM the domain CA PKCS#12 (upgrade_faq.md)."""
    _copy(_tls_path(tls, "ca"), inst.domain_cert, 0o644)
    _copy(_tls_path(tls, "cert"), inst.topology_cert, 0o644)
    _copy(_tls_path(tls, "key"), inst.topology_key, 0o600)
    if host.get("first_anm"):
        if not tls.get("domain_p12"):
            raise KeyError("tls has no domain_p12 for the first Admin Node Manager")
        _copy(tls["domain_p12"], inst.domain_p12, 0o600)
    os.chmod(os.path.dirname(inst.topology_key), 0o700)


def _common(inst, lab, host, version):
    os.makedirs(inst.root) if not os.path.isdir(inst.root) else None
    jsonfile.save(inst.host_file, {"name": host["topology_name"], "host_id": host["host_id"],
                                   "inventory_name": host["inventory_name"],
                                   "address": host["address"], "productVersion": version})
    _write(inst.jvm_xml, JVM_XML)
    jsonfile.save(inst.acl, ACL)
    _write(os.path.join(inst.licenses, "lab.lic"), LICENSE.format(version=version))
    secrets_store.write_users(inst.users_file, lab["admin_username"], lab["admin_password"])
    for d in (inst.ext_lib, inst.pid_dir, inst.p("logs", "trace")):
        if not os.path.isdir(d):
            os.makedirs(d)


def group_config(group_id, group_name, api_manager):
    """The part of a group's deployed configuration the upgrade checks read. An API Manager
    group keeps its KPS in Cassandra (upgrade_errors.md "Check for Apache Cassandra-backed
    collections")."""
    kps = [{"name": "Lab File Collection", "datasource": "File"}]
    if api_manager:
        kps.append({"name": "API Portal", "datasource": "Cassandra"})
    return {"id": group_id, "name": group_name, "api_manager": bool(api_manager),
            "kps_collections": kps, "activemq_dir": "conf/activemq-data"}


def build_old(inst, lab, host, tls):
    _common(inst, lab, host, lab["old_version"])
    _copy_code(inst, [(inst.p("posix", "bin"), ["nodemanager", "startinstance"])])
    topo = topology.build(lab, lab["old_version"])
    topology.save(inst.topology_file, topo)
    for h in lab["hosts"]:
        for i in h.get("instances", []):
            jsonfile.save(inst.p("groups", i["group_id"], "lab-config.json"),
                          group_config(i["group_id"], i["group"], i.get("api_manager")))
    for i in host.get("instances", []):
        instances.write(inst, dict(i, management_port=i.get("management_port", 8085),
                                   healthcheck_port=i.get("healthcheck_port", 8080)))
    _jar(os.path.join(inst.ext_lib, "lab-custom-filter.jar"),
         [("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n"), ("lab/Filter.class", "x")])
    _certs(inst, host, tls)


def build_new(inst, lab, host, tls):
    _common(inst, lab, host, lab["new_version"])
    _copy_code(inst, [(inst.p("posix", "bin"), ["nodemanager", "startinstance"]),
                      (inst.upgrade_bin, ["sysupgrade"])])
    jsonfile.save(inst.rbac_factory, ACL)
    for d in (inst.upgrade_lib, inst.p("system", "conf", "sql", "upgrades")):
        if not os.path.isdir(d):
            os.makedirs(d)


def install_host(opt_root, lab, inventory_name, tls):
    """Write OLD, NEW and apigw-lab/ for one host. Idempotent: trees are rebuilt from scratch."""
    host = _host(lab, inventory_name)
    for abs_dir, builder in ((lab["old_dir"], build_old), (lab["new_dir"], build_new)):
        root = _under(opt_root, abs_dir)
        if os.path.isdir(root):
            shutil.rmtree(root)
        builder(paths.Install(root), lab, host, tls)
    lab_dir = os.path.join(opt_root, "apigw-lab")
    if not os.path.isdir(lab_dir):
        os.makedirs(lab_dir)
    cass = lab.get("cassandra") or {}
    if cass.get("inventory_host") == inventory_name and cass.get("username"):
        # the Cassandra stand-in's users (cassandra_stub --auth-file): salted hash, never the
        # password (labctl up --cassandra-auth)
        secrets_store.write_users(os.path.join(lab_dir, CASSANDRA_USERS), cass["username"],
                                  cass["password"])
    return {"old": _under(opt_root, lab["old_dir"]), "new": _under(opt_root, lab["new_dir"])}
