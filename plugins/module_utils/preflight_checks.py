# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every pre-flight check of one node, in one pass: the engine of module ``apigw.sysupgrade.preflight``.

What is checked, and why (vendor checklist, upgrade_steps_extcass.md "Before you upgrade", and the
product contract):

- ``sysupgrade status`` (contract §5), read as the structured ``completed`` list of status_parser:
  a node whose ``completed`` holds ``apply`` is applied, nothing will run there, and nothing more is
  checked. Export will run when ``force`` is set or export has not completed.
- The old installation: the folder, ``posix/bin/nodemanager`` (contract §2) and
  ``groups/topology.json`` (contract §1); its processes must run when export will run (export talks
  to them, rule 2).
- The new installation: the folder, ``posix/bin/nodemanager``, an executable
  ``upgrade/bin/sysupgrade``, a licence ``conf/licenses/*.lic`` (vendor error reference), no
  ``groups`` folder while the status is "not started" (a leftover: clean removes it, rule 9), no
  process running ("Do not start any Node Managers or API Gateways in the new installation"), and
  free space on its file system.
- Who runs the product (install_owner): the owner of the old installation (or ``install_owner``)
  must also own the new one, and the connection must be root or that account; otherwise nothing
  else runs. The backup folder must be one the connecting account can create and write.
- Cassandra reachable over TCP, unless the domain uses none.
- A note when the old configuration names JDBC URLs and ``NEW/upgrade/lib`` holds no driver (vendor
  error reference, "Third-party JDBC JARs").

A folder that is missing or is not an installation (no ``posix/bin/nodemanager``) is reported once,
and every check that needs it is skipped: a wrong ``new_install_dir`` is one problem, not a
licence, a disk and a status problem besides.

Nothing here imports Ansible: ``module`` only needs ``run_command`` (what step_watchdog calls), so
the checks run, and are tested, with any object that has it. Process states are read with ``-s``
only (ReadOnlyProcessControl): pre-flight never starts, stops or lists anything.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import shutil
import socket
import time

from ansible_collections.apigw.sysupgrade.plugins.module_utils import (
    config_fingerprint, install_owner, install_paths, status_parser)
from ansible_collections.apigw.sysupgrade.plugins.module_utils.processes import (
    ProcessControl, ProcessError, discover_instances, ensure, instance_component, nodemanager_component)
from ansible_collections.apigw.sysupgrade.plugins.module_utils.sysupgrade_runner import (
    STATUS_TIMEOUT_SECONDS, SysupgradeRunner)
from ansible_collections.apigw.sysupgrade.plugins.module_utils.topology import is_first_anm, topology_file

PROBLEM = "problem"
NOTE = "note"
PASSED, FAILED, SKIPPED = "PASSED", "FAILED", "SKIPPED"

MIB = 1024 * 1024
# The role's former `find` of the old configuration: these files, smaller than 10 MB, naming a JDBC URL.
JDBC_SUFFIXES = (".xml", ".json", ".props")
JDBC_MAX_BYTES = 10 * MIB
JDBC_MARKER = b"jdbc:"
# upgrade_steps_extcass.md: 7.7's Datastax client talks to Cassandra on 9042 (native protocol); the
# Hector client of earlier versions used 9160 (Thrift). From 7.5.1 on, every Cassandra host is
# switched to 9042, which must be open on the firewall.
CASSANDRA_NEW_CLIENT_PORT = 9042
CASSANDRA_OLD_CLIENT_PORT = 9160
# A jar's artifact name without its version: commons-codec-1.15.jar -> commons-codec.
JAR_ARTIFACT = re.compile(r"^(?P<name>.+?)[-_]v?\d[\w.\-]*\.jar$")
# Between two TCP connection attempts to Cassandra (a refused port is retried until the timeout).
CONNECT_RETRY_SECONDS = 0.5

# The module's options and their defaults (the module's argument spec uses the same values).
DEFAULTS = dict(
    force=False,
    min_free_disk_mb=2048,
    cassandra_host=None,
    cassandra_port=9042,
    no_cassandra=False,
    cassandra_connect_timeout=5,
    timeout=60,
    variable_names=None,
    install_owner="",
    backup_dir=None,
)
# What is skipped when a folder is missing or not an installation (named in the one problem).
NEW_DEPENDENT = "sysupgrade, status, licence, processes, disk space, upgrade/lib"
OLD_DEPENDENT = "topology, processes, external databases"
# The options a finding may name, so the ones ``variable_names`` may rename.
OPTIONS = ("old_install_dir", "new_install_dir", "force", "min_free_disk_mb", "cassandra_host",
           "cassandra_port", "no_cassandra", "cassandra_connect_timeout", "timeout", "install_owner", "backup_dir")


def option_error(params):
    """An error text for invalid option values, or None. Names options as ``variable_names`` says."""
    names = params.get("variable_names") or {}
    unknown = sorted(set(names) - set(OPTIONS))
    if unknown:
        return "variable_names: unknown option(s) %s; known: %s" % (", ".join(unknown), ", ".join(OPTIONS))
    for option, name in names.items():
        if not isinstance(name, str) or not name.strip():
            return "variable_names: the name for %s must be a non-empty string, got %r" % (option, name)
    for option in ("old_install_dir", "new_install_dir"):
        if not params.get(option):
            return "%s is required" % names.get(option, option)
    if params.get("min_free_disk_mb", 0) < 0:
        return "%s must be 0 or more, got %s" % (names.get("min_free_disk_mb", "min_free_disk_mb"),
                                                 params["min_free_disk_mb"])
    for option in ("cassandra_connect_timeout", "timeout"):
        if params.get(option) is not None and params[option] <= 0:
            return "%s must be a positive number of seconds, got %s" % (names.get(option, option), params[option])
    port = params.get("cassandra_port")
    if port is not None and not 0 < port < 65536:
        return "%s must be a TCP port (1-65535), got %s" % (names.get("cassandra_port", "cassandra_port"), port)
    return None


class ReadOnlyProcessControl(ProcessControl):
    """ProcessControl that only asks ``-s``: starting, stopping and the listing (which the vendor
    says starts a lone instance) are refused."""

    def change(self, component, running):
        raise ProcessError("pre-flight never starts or stops a process")

    def listing(self):
        raise ProcessError("pre-flight never runs startinstance without arguments")


def licence_files(new_install_dir):
    """``NEW/conf/licenses/*.lic`` files (not hidden), sorted."""
    folder = os.path.join(new_install_dir, "conf", "licenses")
    try:
        entries = os.listdir(folder)
    except OSError:
        return []
    return sorted(os.path.join(folder, e) for e in entries
                  if e.endswith(".lic") and not e.startswith(".") and os.path.isfile(os.path.join(folder, e)))


def jdbc_jars(lib_dir):
    try:
        entries = os.listdir(lib_dir)
    except OSError:
        return []
    return sorted(e for e in entries if e.endswith(".jar") and os.path.isfile(os.path.join(lib_dir, e)))


def _names_jdbc(path):
    try:
        if os.path.getsize(path) >= JDBC_MAX_BYTES:
            return False
        with open(path, "rb") as handle:
            return JDBC_MARKER in handle.read()
    except (IOError, OSError):
        return False  # unreadable: as find, skip it


def find_jdbc_config(groups_dir):
    """The first file (in sorted walk order) under ``groups_dir`` that names a JDBC URL, or None."""
    for root, dirs, files in os.walk(groups_dir):
        dirs.sort()
        for name in sorted(files):
            if name.startswith(".") or not name.endswith(JDBC_SUFFIXES):
                continue
            path = os.path.join(root, name)
            if os.path.isfile(path) and _names_jdbc(path):
                return path
    return None


def jar_files(folder, recursive=False):
    """Relative paths of the ``*.jar`` files in ``folder`` (sorted; [] when it is missing)."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        found.extend(os.path.relpath(os.path.join(root, f), folder) for f in files if f.endswith(".jar"))
        if not recursive:
            break
    return sorted(found)


def jar_artifact(path):
    name = os.path.basename(path)
    match = JAR_ARTIFACT.match(name)
    return (match.group("name") if match else name[:-len(".jar")]).lower()


def duplicate_jars(ext_lib_jars, system_lib_jars):
    """[(ext/lib jar, system/lib jar)]: each third-party jar of the old ext/lib that the new system/lib
    already has, under the same name or as the same artifact in another version."""
    by_artifact = {}
    for jar in system_lib_jars:
        by_artifact.setdefault(jar_artifact(jar), []).append(jar)
    out = []
    for jar in ext_lib_jars:
        for other in by_artifact.get(jar_artifact(jar), []):
            out.append((jar, other))
    return out


def tcp_connect_error(host, port, timeout, sleep=time.sleep, clock=time.time):
    """None when a TCP connection to host:port opens within ``timeout`` seconds, else the last error
    text. A refused connection is retried until then, like ansible.builtin.wait_for."""
    deadline = clock() + timeout
    while True:
        try:
            sock = socket.create_connection((host, port), timeout=max(deadline - clock(), 0.1))
        except (OSError, UnicodeError, ValueError, OverflowError) as exc:
            error = str(exc) or exc.__class__.__name__
        else:
            sock.close()
            return None
        remaining = deadline - clock()
        if remaining <= 0:
            return error
        sleep(min(CONNECT_RETRY_SECONDS, remaining))


class Preflight(object):
    """One node's checks. ``run()`` returns the module's result (without ``changed``)."""

    def __init__(self, module, params):
        self.module = module
        self.params = dict(DEFAULTS)
        self.params.update((k, v) for k, v in params.items() if v is not None or k not in DEFAULTS)
        self.variable_names = dict(self.params.get("variable_names") or {})
        self.findings = []
        self.commands = []
        self.last = None
        self.account = None  # the installation's owner, once check_accounts found it
        self.old_files = None  # {path: sha256} of the old configuration, once export_drift hashed it

    # ---- findings ----

    def name(self, option):
        """How messages call an option: its inventory variable when ``variable_names`` says so."""
        return self.variable_names.get(option, option)

    def _add(self, severity, check, message, path, option):
        self.findings.append(dict(check=check, severity=severity, message=message, path=path, option=option))

    def problem(self, check, message, path=None, option=None):
        self._add(PROBLEM, check, message, path, option)

    def note(self, check, message, path=None, option=None):
        self._add(NOTE, check, message, path, option)

    def _record(self, commands, last):
        self.commands.extend(list(c) for c in commands)
        if last is not None:
            self.last = dict(cmd=list(last["cmd"]), rc=last["rc"], stdout=last["stdout"], stderr=last["stderr"])

    # ---- the checks ----

    def run(self):
        p = self.params
        old, new = p["old_install_dir"], p["new_install_dir"]
        accounts = self.check_accounts(old, new)
        if accounts["refused"]:
            # No product command may run as the wrong account: nothing else is checked.
            facts = dict(sysupgrade_status="unknown", completed=[], applied=False, will_export=True,
                         will_upgrade=True, free_mb=None, ext_lib_jars=[], group_fingerprints={},
                         rerun_forced=False, drift=[])
            facts.update(accounts["facts"])
            return self.result(facts)
        # A folder that is missing or not an installation is one problem; nothing that needs it runs.
        new_ok = self.check_installation(new, "new_install_dir", NEW_DEPENDENT)
        status = self.read_status(new) if new_ok and self.check_sysupgrade(new) else None
        completed = list(status["completed"]) if status else []
        applied = "apply" in completed
        # The rerun after a fix: an old configuration that changed since its export is exported and
        # upgraded again (with --force, which the vendor requires for a rerun), unless the node is
        # applied already.
        drift = self.export_drift(old, new) if "export" in completed and not p["force"] and new_ok else []
        rerun = bool(drift) and not applied
        # Nothing runs again on an applied node (forcing one is refused); otherwise a step runs when
        # forced, when it has not completed, when the configuration changed since export, or
        # (upgrade) when export runs again before it.
        will_export = not applied and (bool(p["force"]) or "export" not in completed or rerun)
        will_upgrade = not applied and (will_export or "upgrade" not in completed)
        facts = dict(sysupgrade_status=status_parser.describe(status), completed=completed,
                     applied=applied, will_export=will_export, will_upgrade=will_upgrade, free_mb=None,
                     ext_lib_jars=[], group_fingerprints={}, rerun_forced=rerun,
                     drift=[d["path"] for d in drift])
        facts.update(accounts["facts"])
        if drift:
            self.weigh_drift(old, drift, applied)
        if applied:  # nothing will run on this node
            return self.result(facts)
        if will_export:
            self.check_backup_dir()

        old_ok = self.check_installation(old, "old_install_dir", OLD_DEPENDENT)
        old_topology = old_ok and self.check_old_topology(old)
        if new_ok:
            self.check_licence(new)
            self.check_leftover_groups(new, status)
        if will_export and old_ok:
            self.check_old_processes(old, old_topology)
        if new_ok:
            self.check_new_processes(new)
            facts["free_mb"] = self.check_disk(new)
        self.check_cassandra()
        if old_ok and new_ok:
            self.check_jdbc_drivers(old, new)
            facts["ext_lib_jars"] = self.check_ext_lib(old, new)
        if old_ok:
            # Only groups/ counts for the group digests: hashing conf/ too would be work thrown away,
            # unless the drift check hashed the whole configuration already.
            files = self.old_files if self.old_files is not None else \
                config_fingerprint.fingerprint(old, tops=("groups",))["files"]
            facts["group_fingerprints"] = config_fingerprint.group_fingerprints(files)
        return self.result(facts)

    def export_drift(self, old, new):
        """[{path, change}] of the old configuration against the fingerprint its export took
        (config_fingerprint.STORE); [] when there is none to compare with."""
        stored = config_fingerprint.read_stored(os.path.join(new, config_fingerprint.STORE))
        if stored is None or stored.get("old_install_dir", old) != old or not os.path.isdir(old):
            return []
        self.old_files = config_fingerprint.fingerprint(old)["files"]
        return config_fingerprint.differences(stored["files"], self.old_files)

    def weigh_drift(self, old, drift, applied):
        """Say why the steps run again, or refuse where exporting again would undo applies."""
        paths = ", ".join(d["path"] for d in drift[:5]) + (" and %d more" % (len(drift) - 5) if len(drift) > 5 else "")
        if not applied:
            self.note("rerun", "the old installation's configuration changed since its export (%s): export "
                               "and upgrade run again, with --force (the vendor's rerun)" % paths)
        elif is_first_anm(old):
            # upgrade_faq.md: a new export of the first Admin Node Manager cleans the new topology,
            # and every other node must apply again.
            self.problem("rerun", "the old installation's configuration changed since its export (%s), and this "
                                  "node is the applied first Admin Node Manager: exporting it again would clean "
                                  "the new domain's topology, and every node would have to apply again "
                                  "(upgrade_faq.md). Nothing was exported. Make the change in the new "
                                  "installation instead, or clean every node (clean.yml) and start again" % paths,
                         path=old, option="old_install_dir")
        else:
            self.note("rerun", "the old installation's configuration changed since its export (%s), but this node "
                               "is applied: the change is not in the new installation; make it there, or clean "
                               "this node (clean.yml) and run test_upgrade and apply on it again" % paths)

    def result(self, facts):
        problems = [f["message"] for f in self.findings if f["severity"] == PROBLEM]
        notes = [f["message"] for f in self.findings if f["severity"] == NOTE]
        state = FAILED if problems else (SKIPPED if facts["applied"] else PASSED)
        result = dict(facts, status=state, problems=problems, notes=notes, findings=list(self.findings),
                      commands=list(self.commands))
        if self.last is not None:
            result.update(self.last)
        return result

    def check_accounts(self, old, new):
        """Who runs the product, and whether this connection can act as it (install_owner).

        Returns {refused, facts}: ``refused`` when no product command may run (the owner is unknown,
        the new installation belongs to someone else, or the connection is neither root nor the
        owner); ``facts`` run_as, connected_as and run_as_mode (same, drop)."""
        connected = install_owner.connection()
        facts = dict(run_as=None, connected_as=connected.name, run_as_mode=None)
        override = (self.params.get("install_owner") or "").strip()
        try:
            account = install_owner.resolve(old, override) if (override or os.path.isdir(old)) else None
        except install_owner.OwnerError as exc:
            self.problem("install_owner", "%s; set %s to the account that runs the gateway, or leave it empty to use "
                         "the owner of %s" % (str(exc).replace(install_owner.OPTION, self.name("install_owner")),
                                              self.name("install_owner"), self.name("old_install_dir")),
                         old, "install_owner")
            return dict(refused=True, facts=facts)
        if account is None:
            return dict(refused=False, facts=facts)  # the missing old folder is reported on its own
        facts["run_as"] = account.name
        refused = False
        # Both trees must be the account's: every module reads the owner of the folder it works in,
        # so this check is what makes them all agree with install_owner.
        for option, folder in (("old_install_dir", old), ("new_install_dir", new)):
            if not os.path.isdir(folder) or (option == "old_install_dir" and not override):
                continue
            owner = install_owner.of_path(folder)
            if owner.uid != account.uid:
                source = ("%s=%s" % (self.name("install_owner"), override)) if override else (
                    "the owner of %s %s" % (self.name("old_install_dir"), old))
                self.problem("%s_owner" % option.split("_", 1)[0],
                             "%s %s belongs to %s, but the product runs as %s (%s): give the installation to %s "
                             "before anything runs (chown -R %s: %s)"
                             % (self.name(option), folder, owner.name, account.name, source, account.name,
                                account.name, folder), folder, option)
                refused = True
        mode = install_owner.how(account)
        if mode == install_owner.REFUSE:
            message = "%s (%s)" % (install_owner.refusal(account, connected), self.name("install_owner"))
            self.problem("install_owner", message, old, "install_owner")
            refused = True
        else:
            facts["run_as_mode"] = mode
        self.account = account
        return dict(refused=refused, facts=facts)

    def check_backup_dir(self):
        """The backup before export (vendor Task 1) is written by the connecting account: it must be
        able to create and write ``backup_dir``. Not checked when no folder is given."""
        folder = self.params.get("backup_dir")
        if not folder:
            return
        existing = install_owner.nearest_existing(folder)
        if os.path.isdir(existing) and os.access(existing, os.W_OK | os.X_OK):
            return
        connected = install_owner.connection()
        home = os.path.join(connected.home, "apigw-backups")
        what = "write to" if existing == folder else "create %s in" % folder
        self.problem("backup_dir", "%s %s: the connecting account %s cannot %s %s; the backup before export needs "
                     "it. Become root (ansible_become: true), or set %s to a folder %s can write, for example %s"
                     % (self.name("backup_dir"), folder, connected.name, what, existing, self.name("backup_dir"),
                        connected.name, home), folder, "backup_dir")

    def check_sysupgrade(self, new):
        tool = install_paths.sysupgrade_path(new)
        if not os.path.isfile(tool):
            self.problem("sysupgrade", "%s is missing: %s %s is not a new installation with the upgrade tool "
                         "(sysupgrade status was not read)" % (tool, self.name("new_install_dir"), new),
                         tool, "new_install_dir")
            return False
        if not os.access(tool, os.X_OK):
            self.problem("sysupgrade", "%s is not executable by the connecting user (sysupgrade status was not read)"
                         % tool, tool, "new_install_dir")
            return False
        return True

    def read_status(self, new):
        """The parsed status, or None (a problem) when it cannot be read or understood."""
        runner = SysupgradeRunner(self.module, new, self.params["timeout"], account=self.account)
        status, run = runner.status()
        self._record([run["cmd"]], run)
        shown = " ".join(run["cmd"])
        if run["timed_out"]:
            self.problem("status", "cannot read the sysupgrade status: %s did not answer within %s seconds and was "
                         "stopped" % (shown, min(self.params["timeout"], STATUS_TIMEOUT_SECONDS)),
                         install_paths.sysupgrade_path(new), "timeout")
            return None
        if run["rc"] != 0 or not status["known"]:
            output = (run["stderr"] or run["stdout"] or "no output").strip()[:300]
            self.problem("status", "cannot read the sysupgrade status: %s exited %s%s: %s"
                         % (shown, run["rc"], "" if run["rc"] else " with output not understood", output),
                         install_paths.sysupgrade_path(new), "new_install_dir")
            return None
        return status

    def check_installation(self, install_dir, option, dependent):
        """The folder exists and is an installation (``posix/bin/nodemanager``, contract §2); else
        one problem naming ``option``, and False: the caller skips every check that needs it."""
        which = option.split("_")[0]
        if not os.path.isdir(install_dir):
            self.problem(option, "%s %s is not a folder on this node; nothing that needs the %s installation was "
                         "checked (%s)" % (self.name(option), install_dir, which, dependent), install_dir, option)
            return False
        marker = os.path.join(install_dir, "posix", "bin", "nodemanager")
        if not os.path.isfile(marker):
            self.problem("%s_nodemanager" % which, "%s %s is not an API Gateway installation (no posix/bin/nodemanager); "
                         "nothing that needs the %s installation was checked (%s)"
                         % (self.name(option), install_dir, which, dependent), marker, option)
            return False
        return True

    def check_old_topology(self, old):
        topology = topology_file(old)
        if os.path.isfile(topology):
            return True
        self.problem("old_topology", "%s %s has no groups/topology.json: not a configured domain"
                     % (self.name("old_install_dir"), old), topology, "old_install_dir")
        return False

    def check_licence(self, new):
        if licence_files(new):
            return
        folder = os.path.join(new, "conf", "licenses")
        self.problem("licence", "no licence (*.lic) in %s: upgrade fails without a valid licence (vendor error "
                     "reference)" % folder, folder, "new_install_dir")

    def check_leftover_groups(self, new, status):
        """NEW/groups while the status is "not started": apply creates it, so an earlier attempt left it."""
        groups = install_paths.groups_dir(new)
        if status is None or status["completed"] or not os.path.exists(groups):
            return
        self.problem("new_groups", "%s exists although sysupgrade has not started: a leftover of an earlier "
                     "attempt; run clean.yml on this host first" % groups, groups, "new_install_dir")

    def _process_states(self, install_dir, running, topology_known):
        """(report, error): ``ensure`` in check mode over the Node Manager and the instance folders."""
        control = ReadOnlyProcessControl(self.module, install_dir, self.params["timeout"], account=self.account)
        report = dict(started=[], stopped=[], already=[], components=[])
        error = None
        try:
            instances = []
            if topology_known:
                found, _how = discover_instances(control, "files")
                instances = [instance_component(i["group"], i["name"]) for i in found]
            ensure(control, [nodemanager_component()] + instances, running, True, report)
        except ProcessError as exc:
            error = exc.msg
        self._record(control.commands, control.last)
        return report, error

    def check_old_processes(self, old, topology_known):
        # Without topology.json the instance folders cannot be named: only the Node Manager is asked
        # (the missing file is already reported).
        report, error = self._process_states(old, True, topology_known)
        if error:
            self.problem("old_processes", "cannot tell whether the old installation runs in %s (export needs it "
                         "running): %s" % (old, error), old, "old_install_dir")
        elif report["started"]:
            self.problem("old_processes", "the old installation must be running for export; not running in %s: %s"
                         % (old, ", ".join(report["started"])), old, "old_install_dir")

    def check_new_processes(self, new):
        # Instance folders exist there only when a leftover groups folder does (reported on its own);
        # without its topology.json they cannot be named, and only the Node Manager is asked.
        report, error = self._process_states(new, False, os.path.isfile(topology_file(new)))
        if error:
            self.problem("new_processes", "cannot check the new installation processes in %s: %s" % (new, error),
                         new, "new_install_dir")
        elif report["stopped"]:
            self.problem("new_processes", "processes of the new installation run in %s (%s): sysupgrade requires "
                         "none before apply" % (new, ", ".join(report["stopped"])), new, "new_install_dir")

    def check_disk(self, new):
        """Free MiB on the new installation's file system (None when it cannot be measured)."""
        wanted = self.params["min_free_disk_mb"]
        try:
            free_mb = int(shutil.disk_usage(new).free // MIB)
        except OSError as exc:
            self.problem("disk_space", "cannot measure free space of %s: %s" % (new, exc), new, "new_install_dir")
            return None
        if free_mb < wanted:
            self.problem("disk_space", "only %s MiB free for %s, %s asks for %s"
                         % (free_mb, new, self.name("min_free_disk_mb"), wanted), new, "min_free_disk_mb")
        return free_mb

    def check_cassandra(self):
        p = self.params
        if p["no_cassandra"]:
            return
        host = p["cassandra_host"]
        if not host:
            self.problem("cassandra", "%s is not set: set it, or %s: true"
                         % (self.name("cassandra_host"), self.name("no_cassandra")), None, "cassandra_host")
            return
        port, timeout = p["cassandra_port"], p["cassandra_connect_timeout"]
        error = tcp_connect_error(host, port, timeout)
        if error is not None:
            hint = ""
            if port == CASSANDRA_NEW_CLIENT_PORT and tcp_connect_error(host, CASSANDRA_OLD_CLIENT_PORT, 1) is None:
                hint = (" The old client port %d answers, so %d is most likely closed on a firewall: 7.7 talks to "
                        "Cassandra on %d, and \"You must open the port 9042 on your firewall\" "
                        "(upgrade_steps_extcass.md)." % (CASSANDRA_OLD_CLIENT_PORT, port, port))
            self.problem("cassandra", "Cassandra is not reachable from this node at %s:%s within %s s (%s / %s): %s; "
                         "apply needs it running.%s"
                         % (host, port, timeout, self.name("cassandra_host"), self.name("cassandra_port"), error, hint),
                         None, "cassandra_host")
            return
        if port == CASSANDRA_OLD_CLIENT_PORT:
            # The old installation's Thrift port answers; 7.7 will use the native port.
            error = tcp_connect_error(host, CASSANDRA_NEW_CLIENT_PORT, timeout)
            if error is not None:
                self.problem("cassandra", "Cassandra answers at %s:%s but not on the new client port %s (%s): 7.7's "
                             "client uses %s, and from 7.5.1 on every Cassandra host is switched to it; open it on "
                             "the firewall, or keep %s by following \"Configure a different Apache Cassandra client "
                             "port\" after the upgrade (upgrade_steps_extcass.md)"
                             % (host, port, CASSANDRA_NEW_CLIENT_PORT, error, CASSANDRA_NEW_CLIENT_PORT, port),
                             None, "cassandra_port")

    def check_jdbc_drivers(self, old, new):
        lib = os.path.join(new, "upgrade", "lib")
        if jdbc_jars(lib):
            return
        config = find_jdbc_config(install_paths.groups_dir(old))
        if config is None:
            return
        self.note("jdbc_drivers", "the old installation uses external databases (%s): copy their JDBC drivers to "
                  "%s before apply, or run apply with skip_db_upgrade after upgrading the OAuth/KPS tables "
                  "yourself (vendor error reference, \"Third-party JDBC JARs\")" % (config, lib),
                  lib, "new_install_dir")

    def check_ext_lib(self, old, new):
        """upgrade_steps_extcass.md, Task 4: third-party JARs of the old ext/lib must not already be in
        the new installation's system/lib. Returns the old ext/lib jars."""
        ext_lib = os.path.join(old, "ext", "lib")
        system_lib = os.path.join(new, "system", "lib")
        jars = jar_files(ext_lib)
        for jar, other in duplicate_jars(jars, jar_files(system_lib, recursive=True)):
            self.note("ext_lib", "%s in the old ext/lib is already in the new installation as %s: keep one (the "
                      "vendor: confirm that third-party JARs are not already present under apigateway/system/lib, "
                      "upgrade_steps_extcass.md Task 4)" % (os.path.join(ext_lib, jar), os.path.join(system_lib, other)),
                      os.path.join(ext_lib, jar), "old_install_dir")
        return jars


def run_checks(module, params):
    """The module's result for ``params`` (module options); ``module`` needs only ``run_command``."""
    return Preflight(module, params).run()
