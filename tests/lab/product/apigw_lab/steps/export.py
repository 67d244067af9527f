"""sysupgrade export (upgrade_script.md "export command"; contract §4 rules 2, 6).

Contacts the old Admin Node Manager over HTTPS with the admin credentials, pulls the topology,
group configurations and group consistency, and copies local files of the old installation into
out/export. Fails as documented when the old ANM is down or refuses the login; an unreachable
remote Node Manager makes its group inconsistent (upgrade_troubleshoot.md "Group inconsistency
errors").
"""
import base64
import glob
import os
import shutil

from .. import entitystore, instances, net, paths, pki, process_cli, topology
from .common import StepFailed

CHECK_ANM = "Admin Node Manager"
DOMAIN_KEY = ("certs", "domain.p12")   # under out/export


def choose_anm(anm_host, anms, me):
    """The old ANM to contact. A valid --anm_host wins; otherwise the local ANM, else the first.
    A wrong --anm_host is reported by `upgrade` (upgrade_errors.md "Admin Node Manager host
    name is invalid" is an upgrade-step error), so export still uses a real ANM here."""
    if anm_host in anms:
        return anm_host
    if me in anms:
        return me
    return anms[0] if anms else None


def contact(ctx, old, host):
    """The old ANM over HTTPS, trusting the old installation's domain CA certificate (the new
    installation has no certificates before apply)."""
    url = "https://%s:%d" % (host, topology.NM_PORT)
    auth = (ctx.creds["username"], ctx.creds["password"])
    try:
        status, body = net.request(old, host, topology.NM_PORT, "/api/topology", auth=auth)
        if status == 200:
            status, data = net.request(old, host, topology.NM_PORT, "/api/lab/export", auth=auth,
                                       timeout=30)
    except net.NetError as e:
        # ASSUMED wording: the docs only say the old installation must be running.
        ctx.fail(CHECK_ANM, "Failed to connect to the Admin Node Manager at %s: %s. The old API "
                 "Gateway installation must be running to export its data." % (url, e))
    if status == 401:
        ctx.fail(CHECK_ANM, "Failed to log in to the Admin Node Manager at %s as user '%s': "
                 "HTTP 401 Unauthorized. Check the user name and password." % (
                     url, ctx.creds["username"]))
    if status != 200:
        ctx.fail(CHECK_ANM, "Unexpected answer from the Admin Node Manager at %s: HTTP %d" % (
            url, status))
    version, old_version = body["result"]["productVersion"], ctx.old_version
    if version != old_version:
        # upgrade_errors.md: old and new Node Managers cannot talk to each other (certificates
        # are regenerated); ASSUMED wording. Seen when apply already ran on that ANM's node
        # (upgrade_troubleshoot.md "Apply was run before export was run on all nodes").
        ctx.fail(CHECK_ANM, "The Admin Node Manager at %s is version %s, not the version of the "
                 "old installation (%s). Start the old installation's processes on that node and "
                 "rerun export." % (url, version, old_version))
    ctx.log.check(CHECK_ANM, info=["Connected to Admin Node Manager at %s (API Gateway %s)." % (
        url, version)])
    return data


def check_groups(ctx, data, me):
    """Fault inconsistent_group: the group named by param `group`, else this node's group."""
    bad = list(data["inconsistent"])
    if ctx.faults.on("inconsistent_group"):
        groups = topology.gateway_groups(data["topology"])
        name = ctx.faults.params("inconsistent_group").get("group")
        local = [x for x in groups if any(s["hostID"] == me["host_id"] for s in x["services"])]
        g = [x for x in groups if x["name"] == name] or local[:1] or groups[:1]
        if g and g[0]["id"] not in [b["id"] for b in bad]:
            bad.append({"id": g[0]["id"], "name": g[0]["name"]})
    # upgrade_errors.md "Inconsistent groups"
    ctx.log.check("Group Consistency", errors=[
        "Group '%s' (%s) is inconsistent. Upgrade requires all groups to be consistent." % (
            b["name"], b["id"]) for b in bad])


def copy(src, dest):
    if os.path.isdir(src):
        shutil.copytree(src, dest)
    elif os.path.isfile(src):
        if not os.path.isdir(os.path.dirname(dest)):
            os.makedirs(os.path.dirname(dest))
        shutil.copyfile(src, dest)


def system_config(ctx, old):
    """upgrade_errors.md "Check for customizations to jvm.xml and service.xml", verbatim."""
    local = instances.all_of(old)
    info = ["Not migrating the following instance-specific service.xml files:"]
    info += [i["service_xml"] for i in local]
    info += ["If you have modified any of these files, you should copy your changes to the new "
             "system after upgrade is complete.",
             "Not migrating apigateway/system/conf/jvm.xml. This is specific to the old Gateway "
             "version - a new jvm.xml will be present on the new system. If you have customized "
             "this file, you should manually copy your modifications to the new system."]
    sysconfig = ctx.outp("sysconfig")
    found = sorted(glob.glob(old.p("groups", "group-*", "instance-*", "conf", "jvm.xml")))
    if ctx.faults.on("instance_jvm_xml") and not found:
        ref = local[0] if local else {"group_id": "group-2", "id": "instance-1"}
        found = [old.p("groups", ref["group_id"], ref["id"], "conf", "jvm.xml")]
    for path in found:
        rel = os.path.relpath(path, old.root)
        dest = os.path.join(sysconfig, rel)
        copy(path, dest)
        if not os.path.exists(dest):
            if not os.path.isdir(os.path.dirname(dest)):
                os.makedirs(os.path.dirname(dest))
            with open(dest, "w") as f:
                f.write("<ConfigurationFragment/>\n")
    warnings = []
    if found:
        warnings.append("\n".join(
            ["Migrating the following instance-specific jvm.xml files from the old system:"]
            + ["    " + p for p in found]
            + ["    These jvm.xml files are not part of the standard Gateway installation, and "
               "must have been added for customization. Please review these files and verify "
               "that they are still needed on the new system. If not, they should be removed "
               "from '%s' before proceeding with upgrade." % sysconfig]))
    ctx.log.check("System Config", info=info, warnings=warnings)


def copy_local(ctx, old):
    copy(old.jvm_xml, ctx.outp("sysconfig", "system", "conf", "jvm.xml"))
    copy(old.acl, ctx.outp("rbac", "conf", "acl.json"))
    copy(old.ext_lib, ctx.outp("extlib"))
    copy(old.licenses, ctx.outp("licenses"))
    # ASSUMED: the admin user store (config_files_reference.md "Admin users") and the deployed
    # configuration of each group with an instance on this node (the group entity store) are
    # taken from the node's own old installation; apply writes them into NEW.
    copy(old.users_file, ctx.outp("conf", "adminUsers.json"))
    if os.path.isfile(ctx.outp("conf", "adminUsers.json")):
        os.chmod(ctx.outp("conf", "adminUsers.json"), 0o600)
    for gid in sorted(set(i["group_id"] for i in instances.all_of(old))):
        store = entitystore.find(old, gid)
        if store:
            copy(store, ctx.outp(os.path.relpath(store, old.root)))


AMQ_DEFAULT_OUTSIDE = "/opt/activemq/data"   # fault activemq_outside's default dir (upgrade.py)


def activemq_outside_dir(faults):
    """The old installation's ActiveMQ data directory outside the installation (fault
    activemq_outside), or None."""
    if not faults.on("activemq_outside"):
        return None
    return faults.params("activemq_outside").get("dir", AMQ_DEFAULT_OUTSIDE)


def backup_activemq(ctx):
    """upgrade_errors.md: "Sysupgrade will keep a backup of the ActiveMQ data in
    '.../upgrade/bin/out/export/activemq/backup'" when the directory is outside the installation."""
    d = activemq_outside_dir(ctx.faults)
    if d and os.path.isdir(d):
        copy(d, ctx.outp("activemq", "backup"))


def save_domain_key(ctx, b64):
    """The old domain's domain.p12 as the old ANM handed it over (still encrypted with the domain
    passphrase; DESIGN.md: out/export/certs/domain.p12, 0600, on nodes that run an ANM). apply on
    the first ANM of the new domain opens it."""
    if b64:
        pki.write_file(ctx.outp(*DOMAIN_KEY), base64.b64decode(b64), 0o600)


def run(ctx):
    a, new = ctx.args, ctx.install
    old = paths.Install(a.old_install_dir)
    if not old.is_install() or not os.path.exists(old.topology_file):
        ctx.fail("Export", "'%s' is not a valid API Gateway installation directory." %
                 a.old_install_dir)  # ASSUMED wording
    running = process_cli.any_running(new)
    if running:
        # upgrade_faq.md: before export, processes in the new installation must be stopped.
        ctx.fail("Processes", "The following processes of the new installation are running on "
                 "this node: %s. Stop them before running export." % ", ".join(running))
    me = new.host_info()
    ctx.old_version = old.version()
    anms = topology.anm_hosts(topology.load(old.topology_file))
    data = contact(ctx, old, choose_anm(a.anm_host, anms, me["name"]))
    ctx.checkpoint()
    check_groups(ctx, data, me)
    ctx.save("topology.json", data["topology"])
    for gid, cfg in data["configs"].items():
        ctx.save(os.path.join("groups", gid, "lab-config.json"), cfg)
    system_config(ctx, old)
    copy_local(ctx, old)
    backup_activemq(ctx)
    if me["name"] in anms:   # only an ANM node can become the first ANM of the new domain
        save_domain_key(ctx, data.get("domain_key"))
    ctx.save("export-info.json", {
        "old_install_dir": old.root, "old_version": old.version(), "host": me["name"],
        "host_id": me["host_id"], "anm_host": a.anm_host,
        "anm_used": choose_anm(a.anm_host, anms, me["name"]),
        "domain_key": os.path.isfile(ctx.outp(*DOMAIN_KEY))})
    if ctx.log.errors:
        raise StepFailed()
