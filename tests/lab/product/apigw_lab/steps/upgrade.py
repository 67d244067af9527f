"""sysupgrade upgrade (upgrade_script.md "upgrade command"): offline validation of the exported
data, then the upgraded data in out/upgrade. Every message is the text of upgrade_errors.md with
the lab's real paths filled in; checks fire from the real state of the trees where the lab can
model it, and from the fault switches otherwise (DESIGN.md "Fault catalogue")."""
import glob
import os
import re
import sys
import zipfile

from .. import cassandra_stub, entitystore, jsonfile, topology
from . import export
from . import upgrade_msgs as M
from .common import StepFailed

DEFAULT_HEAP_MB = 1024  # ASSUMED: the heap when jvm.xml keeps -Xmx${maxHeap}


def heap_mb(jvm_xml):
    try:
        text = open(jvm_xml).read()
    except (IOError, OSError):
        return DEFAULT_HEAP_MB
    best = None
    for num, unit in re.findall(r'-Xmx(\d+)([kKmMgG]?)"', text):
        mb = int(num) * {"g": 1024, "k": 1.0 / 1024}.get(unit.lower(), 1)
        best = mb if best is None else max(best, mb)
    return best if best is not None else DEFAULT_HEAP_MB


def memory(ctx):
    """upgrade_troubleshoot.md "Out of memory error when running upgrade"."""
    if not ctx.faults.on("large_config"):
        return
    need = int(ctx.faults.params("large_config").get("required_heap_mb", 2048))
    have = heap_mb(ctx.install.jvm_xml)
    ctx.log.trace("INFO", "Loading exported configuration (max heap %d MB)" % have)
    if have < need:
        lines = ['Exception in thread "main" java.lang.OutOfMemoryError: Java heap space',
                 "\tat java.util.Arrays.copyOf(Arrays.java:3332)",
                 "\tat com.vordel.upgrade.UpgradeConfig.load(UpgradeConfig.java:211)"]
        for line in lines:
            ctx.log.line(line)
            sys.stderr.write(line + "\n")
        raise StepFailed()


def anm_host_check(ctx, topo, given):
    hosts = [h["name"] for h in topo["hosts"]]
    anms = topology.anm_hosts(topo)
    errors = []
    if ctx.faults.on("anm_host_invalid"):
        errors.append(M.anm_invalid(ctx.faults.params("anm_host_invalid").get("host", "XXX"),
                                    anms))
    if ctx.faults.on("anm_host_not_anm"):
        others = [h for h in hosts if h not in anms] or ["nodec"]
        host = ctx.faults.params("anm_host_not_anm").get("host", others[0])
        errors.append(M.anm_not_anm(host, anms))
    if given is not None and given not in hosts:
        errors.append(M.anm_invalid(given, anms))
    elif given is not None and given not in anms:
        errors.append(M.anm_not_anm(given, anms))
    elif given is None and len(anms) > 1:
        errors.append(M.anm_required(anms))
    ctx.log.check("Topology", errors=errors)


def licence_text(ctx):
    text = ""
    for path in glob.glob(os.path.join(ctx.install.licenses, "*.lic")):
        text += open(path).read()
    return text


def licences(ctx, info):
    new_dir, lic = ctx.install.licenses, licence_text(ctx)
    errors = []
    if ctx.faults.on("license_missing") or not lic:
        errors.append(M.license_missing(os.path.join(info["old_install_dir"], "conf",
                                                     "licenses"), new_dir))
    elif ctx.faults.on("license_feature") or "feature=unrestricted" not in lic:
        errors.append(M.license_feature(new_dir))
    if ctx.faults.on("fips_license"):
        errors.append(M.fips(new_dir))
    ctx.log.check("License", errors=errors)
    return lic


def api_manager(ctx, topo, configs, lic):
    apim = [g for g in topo["groups"] if configs.get(g["id"], {}).get("api_manager")]
    warnings, errors = [], []
    if ctx.faults.on("apimgr_license") or (apim and "feature=apiportal" not in lic):
        warnings.append(M.apimgr_license(ctx.install.licenses))
    if ctx.faults.on("kps_duplicates"):
        g = (apim or topology.gateway_groups(topo) or [{"id": "group-2", "services": []}])[0]
        iid = ([s["id"] for s in g["services"] if s["type"] == "gateway"] or ["instance-1"])[0]
        errors.extend(M.kps_duplicates(ctx.outp("kps", "groups", g["id"], iid, "conf", "kps",
                                                "backup")))
    ctx.log.check("API Manager", warnings=warnings, errors=errors)


def simple_warnings(ctx, info):
    new, old = ctx.install, info["old_install_dir"]
    if ctx.faults.on("mcafee_license"):
        ctx.log.check("McAfee", warnings=[M.mcafee(new.root + "/")])
    rbac = []
    exported = ctx.export_dir("rbac", "conf", "acl.json")
    if ctx.faults.on("rbac_modified") or jsonfile.load(exported) != jsonfile.load(new.rbac_factory):
        rbac.append(M.rbac(new.rbac_factory, exported))
    ctx.log.check("RBAC", warnings=rbac)
    ctx.log.check("Ext Lib", warnings=corrupt_jars(ctx, old))
    urls = external_databases(ctx)
    jdbc = [M.jdbc(new.upgrade_lib, new.p("system", "conf", "sql", "upgrades"), urls)] if \
        urls else []
    ctx.log.check("External Databases", warnings=jdbc)
    ctx.log.check("ActiveMQ", warnings=activemq(ctx, old))


FAULT_DB_URL = "jdbc:mysql://127.0.0.1:3306/testdb"   # upgrade_errors.md's example


def exported_stores(ctx):
    """{group-id: PrimaryStore.xml path} exported from this node's old installation."""
    found = {}
    for path in sorted(glob.glob(ctx.export_dir("groups", "*", "conf", "*",
                                                entitystore.STORE_FILE))):
        found.setdefault(path.split(os.sep)[-4], path)
    return found


def external_databases(ctx):
    """The jdbc URLs of the DbConnection entities in the exported group entity stores (labctl up
    --external-db), plus the documented example with fault jdbc_drivers."""
    urls = []
    for path in exported_stores(ctx).values():
        try:
            urls += [u for u in entitystore.db_urls(path) if u not in urls]
        except Exception as e:   # a broken store is reported, not fatal here
            ctx.log.trace("DEBUG", "Entity store %s not read: %s" % (path, e))
    if ctx.faults.on("jdbc_drivers") and FAULT_DB_URL not in urls:
        urls.append(FAULT_DB_URL)
    return urls


def corrupt_jars(ctx, old):
    found = []
    for jar in sorted(glob.glob(ctx.export_dir("extlib", "*.jar"))):
        if not zipfile.is_zipfile(jar):
            found.append(os.path.join(old, "ext", "lib", os.path.basename(jar)))
    if ctx.faults.on("corrupt_jar"):
        name = ctx.faults.params("corrupt_jar").get("jar", "lab-corrupt.jar")
        found.append(os.path.join(old, "ext", "lib", name))
    return [M.corrupt_jar(p) for p in found]


def activemq(ctx, old):
    f, out = ctx.faults, []
    if f.on("activemq_not_set"):
        out.append(M.AMQ_NOT_SET)
    if f.on("activemq_missing"):
        out.append(M.amq_missing(f.params("activemq_missing").get(
            "dir", os.path.join(old, "groups", "group-2", "instance-1", "does-not-exist"))))
    if f.on("activemq_outside"):
        out.append(M.amq_outside(export.activemq_outside_dir(f),
                                 old, ctx.export_dir("activemq", "backup")))
    return out


def cassandra(ctx, topo, configs):
    a, errors = ctx.args, []
    if a.no_cassandra:
        for g in topology.gateway_groups(topo):
            cols = [c["name"] for c in configs.get(g["id"], {}).get("kps_collections", [])
                    if c.get("datasource") == "Cassandra"]
            if cols:
                errors.append(M.cassandra_kps(g["name"], cols))
        if ctx.faults.on("cassandra_kps") and not errors:
            g = (topology.gateway_groups(topo) or [{"name": "Default Group"}])[0]
            errors.append(M.cassandra_kps(g["name"], ["My Collection"]))
    else:
        errors.extend(cassandra_login(ctx))
    ctx.log.check("Cassandra", errors=errors)


def cassandra_login(ctx):
    """The Cassandra host goes into every group configuration with --cass_username and
    --cass_password (upgrade_script.md). ASSUMED: upgrade checks that login against the Cassandra
    host it was given; a Cassandra that does not answer is not checked here (apply checks that
    Cassandra runs). The password is never written anywhere."""
    a = ctx.args
    host, port = a.cass_host or "localhost", a.cass_port or 9042
    answer = cassandra_stub.login(host, port, a.cass_username, a.cass_password)
    ctx.log.trace("DEBUG", "Apache Cassandra login check at %s:%s: %s" % (
        host, port, answer or "no answer, not checked"))
    if answer == "AUTH-REQUIRED":
        return [M.cass_login_required(host, port)]
    if answer == "AUTH-FAILED":
        return [M.cass_login_failed(host, port, a.cass_username)]
    return []


def run(ctx):
    info = jsonfile.load(ctx.export_dir("export-info.json"))
    topo = jsonfile.load(ctx.export_dir("topology.json"))
    configs = dict((os.path.basename(os.path.dirname(p)), jsonfile.load(p)) for p in
                   glob.glob(ctx.export_dir("groups", "*", "lab-config.json")))
    os.makedirs(ctx.out) if not os.path.isdir(ctx.out) else None
    ctx.log.trace("DEBUG", "Exported from %s (API Gateway %s) on %s, groups: %s" % (
        info["old_install_dir"], info["old_version"], info["host"], sorted(configs)))
    memory(ctx)
    anm_host_check(ctx, topo, info.get("anm_host"))
    lic = licences(ctx, info)
    api_manager(ctx, topo, configs, lic)
    ctx.checkpoint()
    simple_warnings(ctx, info)
    cassandra(ctx, topo, configs)
    ctx.log.check("Certificates", info=[M.SSL_REGENERATED])
    for gid, cfg in configs.items():
        ctx.save(os.path.join("esgroups", "groups", gid, "lab-config.json"), cfg)
    for gid, path in exported_stores(ctx).items():
        # the upgraded group configuration: the same entities (policies, KPS collections,
        # database connections) in the new version's store
        rel = os.path.relpath(path, ctx.export_dir())
        export.copy(path, ctx.outp("esgroups", rel))
    a = ctx.args
    ctx.save("upgrade-info.json", {
        "no_cassandra": bool(a.no_cassandra),
        "cassandra": None if a.no_cassandra else {
            "host": a.cass_host or "localhost", "port": a.cass_port or 9042,
            "username": a.cass_username, "password_set": a.cass_password is not None},
        "external_databases": external_databases(ctx)})
    if ctx.log.errors:
        raise StepFailed()
