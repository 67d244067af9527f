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
                  a lab with a Cassandra login, cassandra-users.json (salted hash); on a host that
                  runs an API Manager instance, apimanager/{data,users}.json (apimanager.py)
install_services(initd_dir, lab, inventory_name) writes the host's /etc/init.d service scripts
(upgrade_steps_extcass.md "Upgrade services") into the folder labctl bind-mounts on the host's
/etc/init.d.
tls: PEM paths labctl made with openssl: {"ca": domain CA certificate, "cert", "key": this host's
Node Manager certificate and key, "domain_p12": the domain CA PKCS#12 (first ANM only)}.
"""
import os
import shutil
import zipfile

import binascii
import hashlib
import secrets

from . import apimanager, entitystore, instances, jsonfile, paths, secrets_store, topology

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


# Vendor jars in system/lib (names ASSUMED). NEW's never duplicate a jar of OLD ext/lib, unless
# labctl up --duplicate-jar puts DUPLICATE_JAR (the same artefact as NEW's httpclient, another
# version) into OLD ext/lib (upgrade_steps_extcass.md Task 4 "Check that ext/lib customizations
# in the old installation are compatible").
SYSTEM_JARS = {"old": ["commons-codec-1.10.jar", "jackson-databind-2.9.10.jar",
                       "vordel-core-7.5.3.jar"],
               "new": ["commons-codec-1.14.jar", "jackson-databind-2.10.3.jar",
                       "httpclient-4.5.13.jar", "vordel-core-7.7.0.jar"]}
DUPLICATE_JAR = "httpclient-4.5.2.jar"


def _system_jars(inst, which):
    if not os.path.isdir(inst.p("system", "lib")):
        os.makedirs(inst.p("system", "lib"))
    for name in SYSTEM_JARS[which]:
        manifest = "Manifest-Version: 1.0\nImplementation-Title: %s\n" % name
        _jar(inst.p("system", "lib", name), [("META-INF/MANIFEST.MF", manifest)])


def _admin_users(inst, lab, version, old):
    """conf/adminUsers.json (config_files_reference.md "Admin users"). The installer of NEW was
    given the same admin credentials (upgrade_steps_extcass.md Step 1); OLD also has an operator
    whose random password nobody needs (DESIGN.md)."""
    records = [secrets_store.admin_record(1, lab["admin_username"], lab["admin_password"],
                                          secrets_store.ADMIN_ROLES)]
    if old:
        records.append(secrets_store.admin_record(2, OPERATOR, secrets.token_urlsafe(18),
                                                  secrets_store.OPERATOR_ROLES))
    secrets_store.write_admin_users(inst.users_file, version, records)


OPERATOR = "operator1"

SSO_XML = """<?xml version="1.0" encoding="UTF-8"?>
<!-- {what} (apigw lab): upgrade_steps_extcass.md "Migrate single sign-on configuration files" -->
<ServiceProvider entityID="https://{host}:{port}/{path}" xmlns="urn:oasis:names:tc:SAML:2.0:metadata">
  <AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
      Location="https://{host}:{port}/{path}/sso/SAML2/POST"/>
  <KeyStore file="sso.jks" alias="sso"/>
  <TrustStore file="trustStore.jks"/>
</ServiceProvider>
"""


def _binary(path, seed):
    """A file that looks like a Java keystore (JKS magic, then bytes), mode 0600."""
    data = binascii.unhexlify("feedfeed00000002") + hashlib.sha256(seed.encode()).digest() * 24
    d = os.path.dirname(path)
    if not os.path.isdir(d):
        os.makedirs(d)
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, 0o600)


def _sso(inst, host, i):
    """SSO files of an API Manager instance (upgrade_steps_extcass.md "Migrate single sign-on
    configuration files"): OLD groups/<group-id>/<instance-id>/conf/; sysupgrade does not migrate
    them."""
    conf = inst.p("groups", i["group_id"], i["id"], "conf")
    _write(os.path.join(conf, "service-provider.xml"), SSO_XML.format(
        what="API Manager SSO", host=host["topology_name"], port=8075, path="api/portal"))
    _write(os.path.join(conf, "service-provider-apiportal.xml"), SSO_XML.format(
        what="API Portal SSO", host=host["topology_name"], port=443, path="apiportal"))
    _binary(os.path.join(conf, "sso.jks"), "sso:" + i["id"])
    _binary(os.path.join(conf, "trustStore.jks"), "trust:" + i["id"])


QUICKSTART = {
    "index.html": "<html><head><title>API Gateway QuickStart</title></head>\n"
                  "<body><h1>QuickStart tutorial</h1><p>Stock quote sample.</p></body></html>\n",
    "README.txt": "API Gateway QuickStart tutorial web application.\n",
    "WEB-INF/web.xml": '<?xml version="1.0" encoding="UTF-8"?>\n<web-app><display-name>QuickStart'
                       '</display-name></web-app>\n',
    "scripts/stockquote.js": "function quote(symbol) { return symbol + ': 42.00'; }\n",
}


def _quickstart(inst):
    """OLD webapps/quickstart (upgrade_steps_extcass.md "Migrate the QuickStart tutorial"; the
    new installation never has it: the installer's QuickStart component is not selected)."""
    for rel, text in QUICKSTART.items():
        _write(inst.p("webapps", "quickstart", *rel.split("/")), text)


def external_db_urls(lab, group_id):
    """labctl up --external-db: the jdbc URLs of the group's DbConnection entities."""
    ext = lab.get("external_db") or {}
    return [ext.get("url") or entitystore.DEFAULT_DB_URL] if ext.get("group_id") == group_id \
        else []


def build_old(inst, lab, host, tls):
    _common(inst, lab, host, lab["old_version"])
    _admin_users(inst, lab, lab["old_version"], old=True)
    _system_jars(inst, "old")
    _quickstart(inst)
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
        # the group's deployed configuration (config_files_reference.md "API Gateway group
        # entity store"), on each host that runs an instance of the group
        cfg = group_config(i["group_id"], i["group"], i.get("api_manager"))
        entitystore.write(entitystore.store_path(inst, i["group_id"]), entitystore.build(
            cfg, external_db_urls(lab, i["group_id"])))
        if i.get("api_manager"):
            _sso(inst, host, i)
    _jar(os.path.join(inst.ext_lib, "lab-custom-filter.jar"),
         [("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n"), ("lab/Filter.class", "x")])
    if lab.get("duplicate_jar"):
        _jar(os.path.join(inst.ext_lib, DUPLICATE_JAR),
             [("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nImplementation-Title: httpclient\n"
               "Implementation-Version: 4.5.2\n")])
    _certs(inst, host, tls)


def build_new(inst, lab, host, tls):
    _common(inst, lab, host, lab["new_version"])
    _admin_users(inst, lab, lab["new_version"], old=False)
    _system_jars(inst, "new")
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
    if any(i.get("api_manager") for i in host.get("instances", [])) and lab.get("apimanager"):
        apimanager.install_data(os.path.join(lab_dir, apimanager.DATA_DIR), lab["apimanager"])
    return {"old": _under(opt_root, lab["old_dir"]), "new": _under(opt_root, lab["new_dir"])}


# ---------------------------------------------------------------- /etc/init.d

SERVICE = """#!/bin/sh
#
# {name}: Axway {what}
#
### BEGIN INIT INFO
# Provides:          {name}
# Required-Start:    $network $remote_fs
# Required-Stop:     $network $remote_fs
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: {what}
### END INIT INFO

VDISTDIR="{vdistdir}"
{vinstdir}
case "$1" in
  start)
    {start}
    ;;
  stop)
    {stop}
    ;;
  status)
    {status}
    ;;
  restart)
    "$0" stop
    "$0" start
    ;;
  *)
    echo "Usage: $0 {{start|stop|status|restart}}"
    exit 1
    ;;
esac
exit $?
"""


def service_name(*parts):
    """vshell-<parts joined by dashes>, spaces as dashes (upgrade_steps_extcass.md "Upgrade
    services": vshell-Node-Manager-on-XUbuntu02, vshell-Default-Group-Gateway1)."""
    return "vshell-" + "-".join(p.replace(" ", "-") for p in parts)


def services(lab, inventory_name):
    """{file name: script text} of the host's service scripts, pointing at the OLD installation
    (the services of the old installation; the user updates them after apply)."""
    host, old = _host(lab, inventory_name), lab["old_dir"]
    nm = service_name("Node Manager on", host["topology_name"])
    out = {nm: SERVICE.format(
        name=nm, what="API Gateway Node Manager", vdistdir=old, vinstdir="",
        start='"$VDISTDIR/posix/bin/nodemanager" -d',
        stop='"$VDISTDIR/posix/bin/nodemanager" -k',
        status='"$VDISTDIR/posix/bin/nodemanager" -s')}
    for i in host.get("instances", []):
        name = service_name(i["group"], i["name"])
        args = '-g "%s" -n "%s"' % (i["group"], i["name"])
        out[name] = SERVICE.format(
            name=name, what="API Gateway instance %s in group %s" % (i["name"], i["group"]),
            vdistdir=old, vinstdir='VINSTDIR="%s/groups/%s/%s"' % (old, i["group_id"], i["id"]),
            start='"$VDISTDIR/posix/bin/startinstance" %s -d' % args,
            stop='"$VDISTDIR/posix/bin/startinstance" %s -k' % args,
            status='"$VDISTDIR/posix/bin/startinstance" %s -s' % args)
    return out


def install_services(initd_dir, lab, inventory_name):
    """Write the host's service scripts (mode 0755) into initd_dir, which labctl bind-mounts on
    the host's /etc/init.d; earlier vshell-* scripts there are replaced."""
    if not os.path.isdir(initd_dir):
        os.makedirs(initd_dir)
    for name in os.listdir(initd_dir):
        if name.startswith("vshell-"):
            os.unlink(os.path.join(initd_dir, name))
    for name, text in services(lab, inventory_name).items():
        _write(os.path.join(initd_dir, name), text, 0o755)
    return sorted(services(lab, inventory_name))
