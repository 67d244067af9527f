"""sysupgrade apply (upgrade_script.md "apply command"; contract §4 rules 4-7).

On the first Admin Node Manager it creates the new domain (topology + domain CA) and starts the
new processes. On later nodes it contacts the new first ANM named by --anm_host over HTTPS,
checks it runs 7.7, removes its own old entries (apply Tip), registers (CSR signed with the
domain key) and starts its processes. A later node whose --anm_host names itself becomes the
first ANM of a second domain (upgrade_troubleshoot.md "API Gateways missing from topology").

Certificates (upgrade_errors.md "SSL certificates for management traffic regenerated"; pki.py):
the first ANM opens the old domain's domain.p12 (exported from the old ANM) with the passphrase
given to apply, keeps it as NEW/groups/certs/private/domain.p12 (same CA, same passphrase) and
signs a new certificate for its own Node Manager; a later node makes a new key and CSR, which
the first ANM signs when the passphrase sent with the registration unlocks its domain.p12. A
passphrase that does not unlock it gives the documented "Failed to sign CSR" error.
"""
import glob
import os
import shutil
import tempfile

from .. import instances, jsonfile, net, paths, pki, process_cli, secrets_store, topology
from .. import entitystore
from . import upgrade_msgs as M
from .common import StepFailed
from . import export
from .export import DOMAIN_KEY

CSR = ("Node Manager error: Failed to sign CSR for service. None of the available Admin Node "
       "Managers have the domain private key, or were able to unlock it with provided "
       "passphrase.")  # upgrade_errors.md "Incorrect Admin Node Manager host"


def target_anm(ctx, topo, me):
    hosts, anms, given = [h["name"] for h in topo["hosts"]], topology.anm_hosts(topo), \
        ctx.args.anm_host
    if given is not None and given not in hosts:
        ctx.fail("Topology", M.anm_invalid(given, anms))
    if given is not None and given not in anms:
        ctx.fail("Topology", M.anm_not_anm(given, anms))
    if given is None and len(anms) > 1:
        ctx.fail("Topology", M.anm_required(anms))
    return given or anms[0]


def subject_alt_names(ctx, me):
    """upgrade_script.md --subj_alt_name / --sign_alg for the Node Manager's new certificate.
    ASSUMED: the given names are added to the defaults (the host's names and address), which the
    lab's own Node Manager calls need; an unusable value fails apply before it changes anything."""
    sans = pki.default_sans([me["name"], me.get("inventory_name")], me.get("address"))
    for value in ctx.args.subj_alt_name or []:
        try:
            entry = pki.parse_subj_alt_name(value)
        except ValueError as e:
            ctx.fail("Certificates", str(e))
        if entry not in sans:
            sans.append(entry)
    return sans


# upgrade_zdu_overview.md: the node-by-node (zero downtime) upgrade is for "upgrading from API
# Gateway 7.5.2 or later to 7.7 when Cassandra contains all the shared data".
ZDU_MIN_VERSION = (7, 5, 2)


def version_tuple(text):
    out = []
    for part in str(text).split("."):
        digits = "".join(c for c in part if c.isdigit())
        out.append(int(digits) if digits else 0)
    return tuple(out)


def zero_downtime(old_version, up):
    """True when the zero downtime upgrade's conditions hold (upgrade_zdu_overview.md): the old
    version is 7.5.2 or later and this node's upgrade kept the shared data in Cassandra (it ran
    without --no_cassandra; out/upgrade/upgrade-info.json)."""
    return version_tuple(old_version) >= ZDU_MIN_VERSION and not up.get("no_cassandra", False)


def old_processes(ctx, topo, old_version, old, up):
    """Rule 4, made consistent with the zero downtime upgrade (DESIGN.md "apply and the old
    installation on other nodes", ASSUMED): apply always refuses while an old process runs on
    THIS node (local pid files and the network probe of this host); it refuses for old
    processes on OTHER nodes (upgrade_script.md: "You must shut down the old API Gateway
    installation on all nodes before running apply on any node") only when the zero downtime
    upgrade's conditions do not hold (zero_downtime()), since upgrade_zdu_overview.md describes
    exactly that: the old installation stopped and apply run on one node at a time while the
    others keep serving. Probes: node managers on 8090, gateways on their management ports,
    trusting the old installation's domain CA certificate."""
    me = ctx.install.host_info()["name"]
    others_too = not zero_downtime(old_version, up)
    found = ["%s on this node" % p for p in process_cli.any_running(old)]
    for h in topo["hosts"]:
        if h["name"] != me and not others_too:
            continue
        probes = [("Node Manager", topology.NM_PORT)] + [
            ("API Gateway '%s'" % s["name"], s["managementPort"])
            for _group, s in topology.services_of(topo, h["id"]) if s["type"] == "gateway"]
        for label, port in probes:
            info = net.lab_info(old, h["name"], port)
            ctx.log.trace("DEBUG", "Probe %s:%d (%s): %s" % (h["name"], port, label, info))
            if info and info.get("productVersion") == old_version:
                found.append("%s on %s (%s:%d)" % (label, h["name"], h["name"], port))
    if found:
        # ASSUMED wording (upgrade_script.md: shut down the old installation on all nodes).
        ctx.fail("Processes", "API Gateway processes of the old installation are still running: "
                 "%s. Shut down the old installation on all nodes before running apply." %
                 "; ".join(sorted(set(found))))
    running = process_cli.any_running(ctx.install)
    if running:
        # upgrade_faq.md: "you are prompted to stop them before apply --force can succeed"
        ctx.fail("Processes", "The following processes of the new installation are running on "
                 "this node: %s. Stop them before running apply." % ", ".join(running))


def databases(ctx, up):
    dbs = up.get("external_databases") or []
    if ctx.args.skip_db_upgrade or not dbs:
        info = ["Skipping upgrade of KPS and OAuth tables in external databases."] \
            if ctx.args.skip_db_upgrade else ["No external databases to upgrade."]
        return ctx.log.check("Database Upgrade", info=info)
    if not glob.glob(os.path.join(ctx.install.upgrade_lib, "*.jar")):
        # ASSUMED wording: upgrade_errors.md "Third-party JDBC JARs" says apply needs them.
        ctx.fail("Database Upgrade", "No JDBC driver found in '%s' to upgrade OAuth/KPS tables in "
                 "%s. Copy the JDBC drivers there, or run 'sysupgrade apply' with argument "
                 "--skip_db_upgrade." % (ctx.install.upgrade_lib, dbs))
    ctx.log.check("Database Upgrade", info=["Upgraded OAuth/KPS tables in %s." % dbs])


def cassandra(ctx, up):
    """upgrade_steps_extcass.md: "ensure that Cassandra is already running" before apply.
    ASSUMED: apply fails when the Cassandra host chosen at upgrade does not answer."""
    c = up.get("cassandra")
    if not c:
        return ctx.log.check("Cassandra", info=["No Cassandra configured (--no_cassandra)."])
    if not net.port_open(c["host"], int(c["port"]), timeout=3):
        ctx.fail("Cassandra", "Unable to connect to Apache Cassandra at %s:%s. Cassandra must be "
                 "running before apply." % (c["host"], c["port"]))
    ctx.log.check("Cassandra", info=["Apache Cassandra at %s:%s is reachable." % (
        c["host"], c["port"])])


def first_anm(ctx, topo, me, sans):
    new = ctx.install
    if not secrets_store.check_login(new.users_file, ctx.creds["username"],
                                     ctx.creds["password"]):
        ctx.fail("Admin Node Manager", "Failed to log in to the Admin Node Manager as user '%s': "
                 "HTTP 401 Unauthorized. Check the user name and password." %
                 ctx.creds["username"])
    exported = ctx.export_dir(*DOMAIN_KEY)
    passphrase = ctx.creds["domain_passphrase"]
    try:
        ca = pki.unlock(exported, passphrase)   # real openssl; raises on a wrong passphrase
    except pki.PkiError as e:
        ctx.log.trace("DEBUG", "Domain CA key %s not opened: %s" % (exported, e))
        ctx.fail("Domain CA", CSR)
    if ctx.faults.on("csr_sign_failure"):
        ctx.fail("Domain CA", CSR)
    if os.path.isdir(new.groups):
        shutil.rmtree(new.groups)  # rule 7: a first-ANM apply starts a fresh domain
    private = os.path.dirname(new.domain_p12)
    os.makedirs(private)
    os.chmod(private, 0o700)
    shutil.copyfile(exported, new.domain_p12)
    os.chmod(new.domain_p12, 0o600)
    work = tempfile.mkdtemp(prefix="apigw-apply-")
    try:
        key, csr = pki.new_key_and_csr(work, me["name"], sans)
        try:
            cert = pki.sign(new.domain_p12, passphrase, csr, ctx.args.sign_alg)
        except pki.PkiError as e:
            ctx.log.trace("DEBUG", "CSR not signed: %s" % e)
            shutil.rmtree(new.groups, ignore_errors=True)   # no half-made domain is left
            ctx.fail("Domain CA", CSR)
        pki.install_node_certs(new, key, cert, ca)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ctx.log.check("Certificates", info=[
        "Generated the Node Manager certificate for %s, signed by the domain CA (%s)." % (
            me["name"], pki.digest(ctx.args.sign_alg))])
    domain = topology.empty(new.version())
    topology.add_host(domain, {"id": me["host_id"], "name": me["name"]},
                      topology.entries_for(topo, me["name"]))
    topology.save(new.topology_file, domain)
    ctx.log.check("Topology", info=["Created new domain with first Admin Node Manager on %s." %
                                    me["name"]])


def later_node(ctx, topo, me, target, sans):
    """Before it registers, the new installation holds no certificate: the calls to the new ANM
    trust the domain CA certificate of the old installation (the same domain CA)."""
    new, url = ctx.install, "https://%s:%d" % (target, topology.NM_PORT)
    trust = paths.Install(ctx.old_dir)
    info = net.lab_info(trust, target, topology.NM_PORT, timeout=5)
    if not info or info.get("productVersion") != new.version():
        # upgrade_script.md: apply "checks that the Admin Node Manager is running and is
        # version 7.7". ASSUMED wording.
        ctx.fail("Admin Node Manager", "The version %s Admin Node Manager on host '%s' (%s) is "
                 "not running%s. Run apply on the first Admin Node Manager first and keep it "
                 "running." % (new.version(), target, url, "" if not info else
                               " (found version %s)" % info.get("productVersion")))
    auth = (ctx.creds["username"], ctx.creds["password"])

    def call(path, body):
        return net.request(trust, target, topology.NM_PORT, path, "POST", auth, body, timeout=30)

    work = tempfile.mkdtemp(prefix="apigw-apply-")
    try:
        key, csr = pki.new_key_and_csr(work, me["name"], sans)
        try:
            status, body = call("/api/lab/unregister", {"host": me["name"]})
            if status == 200:
                status, body = call("/api/lab/register", {
                    "host": {"id": me["host_id"], "name": me["name"]},
                    "entries": topology.entries_for(topo, me["name"]),
                    "domain_passphrase": ctx.creds["domain_passphrase"],
                    "csr": csr, "sign_alg": ctx.args.sign_alg})
        except net.NetError as e:
            ctx.fail("Admin Node Manager", "Failed to connect to the Admin Node Manager at %s: %s"
                     % (url, e))
        if status == 401:
            ctx.fail("Admin Node Manager", "Failed to log in to the Admin Node Manager at %s as "
                     "user '%s': HTTP 401 Unauthorized. Check the user name and password." % (
                         url, ctx.creds["username"]))
        if status == 409 or ctx.faults.on("csr_sign_failure"):
            ctx.fail("Topology", CSR)
        if status != 200:
            ctx.fail("Admin Node Manager", "Unexpected answer from %s: HTTP %d (%s)"
                     % (url, status, body))
        if os.path.isdir(new.groups):
            shutil.rmtree(new.groups)
        pki.install_node_certs(new, key, body["certificate"], body["ca_certificate"])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ctx.log.check("Certificates", info=[
        "Node Manager certificate for %s signed by the domain CA on %s (%s)." % (
            me["name"], target, pki.digest(ctx.args.sign_alg))])
    topology.save(new.topology_file, body["result"])
    ctx.log.check("Topology", info=["Registered host %s with the Admin Node Manager at %s." % (
        me["name"], url)])


def local_files(ctx, topo, me):
    new = ctx.install
    host = topology.host_by_name(topo, me["name"])
    for g, s in topology.services_of(topo, host["id"]):
        if s["type"] == "gateway":
            old_inst = instances.find(paths.Install(ctx.old_dir), g["name"], s["name"]) or {}
            instances.write(new, {"name": s["name"], "id": s["id"], "group": g["name"],
                                  "group_id": g["id"], "management_port": s["managementPort"],
                                  "healthcheck_port": old_inst.get("healthcheck_port", 8080)})
    for jar in glob.glob(ctx.export_dir("extlib", "*.jar")):
        shutil.copyfile(jar, os.path.join(new.ext_lib, os.path.basename(jar)))
    jsonfile.save(new.p("conf", "lab-upgraded.json"), {"from": ctx.old_dir})
    group_configurations(ctx, topo, host)
    admin_users(ctx)
    take_over_activemq(ctx)


def group_configurations(ctx, topo, host):
    """The upgraded configuration of each group with an instance on this node: NEW
    groups/<group-id>/conf/<store id>/PrimaryStore.xml (config_files_reference.md "API Gateway
    group entity store") and the group's lab-config.json. SSO files are not migrated
    (upgrade_steps_extcass.md "Migrate single sign-on configuration files"), nor is QuickStart."""
    up = os.path.join(ctx.install.out, "upgrade", "esgroups")
    for gid in sorted(set(g["id"] for g, s in topology.services_of(topo, host["id"])
                          if s["type"] == "gateway")):
        cfg = jsonfile.load(os.path.join(up, "groups", gid, "lab-config.json"))
        if cfg is not None:
            jsonfile.save(ctx.install.p("groups", gid, "lab-config.json"), cfg)
        for store in glob.glob(os.path.join(up, "groups", gid, "conf", "*",
                                            entitystore.STORE_FILE)):
            with open(store) as f:
                entitystore.write(ctx.install.p(os.path.relpath(store, up)), f.read())


def admin_users(ctx):
    """The old installation's admin users into NEW conf/adminUsers.json (upgrade_steps_extcass.md
    Step 5 "view ... administrator users"). Fault drop_admin_user user=NAME: every user but NAME
    is migrated, and the log says nothing about it (a silent loss)."""
    exported = secrets_store.admin_users(ctx.export_dir("conf", "adminUsers.json"))
    if not exported:
        return
    drop = ctx.faults.params("drop_admin_user").get("user") if \
        ctx.faults.on("drop_admin_user") else None
    kept = [u for u in exported if drop is None or u.get("name") != drop]
    secrets_store.write_admin_users(ctx.install.users_file, ctx.install.version(), kept)


# What the new version writes into an ActiveMQ data directory it takes over (lab stand-in for the
# store's own format marker).
AMQ_STORE_VERSION = "lab-store-version"


def take_over_activemq(ctx):
    """upgrade_errors.md, "ActiveMQ directory not under API Gateway installation directory": "The
    new version system will use the same directory. When the new version API Gateway uses the data
    in this directory it may become unusable by the old system." The lab's new version rewrites the
    store's version marker there, so the old data really changes."""
    d = export.activemq_outside_dir(ctx.faults)
    if d and os.path.isdir(d):
        with open(os.path.join(d, AMQ_STORE_VERSION), "w") as f:
            f.write("%s\n" % ctx.install.version())


def start_processes(ctx):
    new, failed = ctx.install, []
    if process_cli.nodemanager(new, "-d") != 0:
        failed.append("Node Manager")
    for inst in instances.all_of(new):
        if process_cli.instance(new, inst, "-d") != 0:
            failed.append(inst["name"])
    if failed:
        ctx.fail("Start", "Failed to start: %s" % ", ".join(failed))
    ctx.log.check("Start", info=["Started Node Manager and %d API Gateway instance(s)." %
                                 len(instances.all_of(new))])


def run(ctx):
    new = ctx.install
    export_info = jsonfile.load(ctx.export_dir("export-info.json"))
    up = jsonfile.load(os.path.join(new.out, "upgrade", "upgrade-info.json"))
    topo = jsonfile.load(ctx.export_dir("topology.json"))
    ctx.old_dir = export_info["old_install_dir"]
    me = new.host_info()
    os.makedirs(ctx.out) if not os.path.isdir(ctx.out) else None
    target = target_anm(ctx, topo, me["name"])
    sans = subject_alt_names(ctx, me)
    old_processes(ctx, topo, export_info["old_version"], paths.Install(ctx.old_dir), up)
    databases(ctx, up)
    cassandra(ctx, up)
    ctx.checkpoint()
    if target == me["name"]:
        first_anm(ctx, topo, me, sans)
    else:
        later_node(ctx, topo, me, target, sans)
    local_files(ctx, topo, me)
    start_processes(ctx)
    ctx.save("apply-info.json", {"anm_host": ctx.args.anm_host, "first_anm": target == me["name"],
                                 "sign_alg": ctx.args.sign_alg or "sha256",
                                 "subj_alt_name": ctx.args.subj_alt_name or []})
    if ctx.log.errors:
        raise StepFailed()
