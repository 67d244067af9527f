# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Drive the gateway's own process commands: ``posix/bin/nodemanager`` and ``posix/bin/startinstance``.

Contract section 2 / manage_operations.md: ``-d`` starts a daemon and returns once it runs, ``-k``
stops it and returns once it has stopped, ``-s`` exits 0 when running and 1 when not. Nothing
here trusts ``-d``/``-k`` alone: the state is always read back with ``-s``.

Every command runs under step_watchdog, the same watchdog as the sysupgrade steps: in its own
session and process group, with standard input on ``/dev/null`` and no terminal, and at the time
limit the whole process group is stopped (SIGTERM, SIGKILL after a grace period), so a child that
forked a helper holding the output pipes can neither keep the task waiting nor be left behind.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import shlex
import time

from ansible_collections.apigw.sysupgrade.plugins.module_utils import step_watchdog
from ansible_collections.apigw.sysupgrade.plugins.module_utils.topology import (
    TopologyError, gateway_names_by_id, read_topology_file, topology_file)

NODEMANAGER = "nodemanager"
STARTINSTANCE = "startinstance"
FLAGS = {"start": "-d", "stop": "-k", "status": "-s"}
# How often -s is asked again after -d/-k before calling the change a failure. The vendor says
# -d/-k return when done; the short grace only absorbs a pid file written a moment late.
SETTLE_TRIES = 5
SETTLE_DELAY = 1.0
# Seconds between SIGTERM and SIGKILL to the process group of a command stopped at its time limit.
KILL_GRACE_SECONDS = 5


class ProcessError(Exception):
    """A process command failed or did not reach the wanted state; ``details`` goes to fail_json."""

    def __init__(self, msg, **details):
        super(ProcessError, self).__init__(msg)
        self.msg = msg
        self.details = details


def bin_dir(install_dir):
    return os.path.join(install_dir, "posix", "bin")


def nodemanager_component():
    return {"kind": NODEMANAGER, "group": None, "name": None}


def instance_component(group, name):
    return {"kind": "instance", "group": group, "name": name}


def label(component):
    """Short text used in started/stopped/already lists: ``nodemanager`` or ``GROUP/NAME``."""
    if component["kind"] == NODEMANAGER:
        return NODEMANAGER
    return "%s/%s" % (component["group"], component["name"])


def command(install_dir, component, action):
    """Exact argument list for ``action`` (start, stop, status) on ``component``."""
    flag = FLAGS[action]
    if component["kind"] == NODEMANAGER:
        return [os.path.join(bin_dir(install_dir), NODEMANAGER), flag]
    return [os.path.join(bin_dir(install_dir), STARTINSTANCE),
            "-g", component["group"], "-n", component["name"], flag]


# ---- "startinstance" with no argument: the vendor's listing ----

# A listing line is the command name (maybe with a path or .sh) followed directly by options.
# The usage line ('usage:"startinstance [[-n ...') and prose never match.
_LISTING_LINE = re.compile(r"^\s*(?:\S*/)?startinstance(?:\.sh)?\s+(-.*)$")
# Fallback when shlex cannot split the line (an unbalanced quote).
_OPTION = re.compile(r"""-([gn])\s*(?:"([^"]*)"?|'([^']*)'?|(\S+))""")


def _options_from_tokens(tokens):
    found = {}
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok in ("-g", "-n") and i + 1 < len(tokens):
            found.setdefault(tok[1], tokens[i + 1])
            i += 2
            continue
        if len(tok) > 2 and tok[:2] in ("-g", "-n"):  # '-gGroup' written without a space
            found.setdefault(tok[1], tok[2:])
        i += 1
    return found


def _options_from_regex(args):
    found = {}
    for match in _OPTION.finditer(args):
        value = next(v for v in match.groups()[1:] if v is not None)
        found.setdefault(match.group(1), value)
    return found


def parse_instance_listing(text):
    """Return ``[{"group", "name"}]`` from ``startinstance`` output, in listed order, no duplicates."""
    instances = []
    seen = set()
    for line in (text or "").splitlines():
        match = _LISTING_LINE.match(line)
        if not match:
            continue
        args = match.group(1)
        try:
            options = _options_from_tokens(shlex.split(args))
        except ValueError:
            options = _options_from_regex(args)
        group, name = options.get("g"), options.get("n")
        if group and name and (group, name) not in seen:
            seen.add((group, name))
            instances.append({"group": group, "name": name})
    return instances


# ---- the fallback: instance folders named by id, mapped to names through topology.json ----

_GROUP_DIR = re.compile(r"^group-(\d+)$")
_INSTANCE_DIR = re.compile(r"^instance-(\d+)$")


def _numbered(folder, pattern):
    try:
        entries = os.listdir(folder)
    except OSError:
        return []
    found = [e for e in entries if pattern.match(e) and os.path.isdir(os.path.join(folder, e))]
    # Numeric order, so group-10 comes after group-2.
    return sorted(found, key=lambda e: int(pattern.match(e).group(1)))


def scan_instance_dirs(install_dir):
    """``[(group id, instance id)]`` for every instance folder of this node.

    An instance folder is ``groups/group-N/instance-M`` holding ``conf/service.xml`` (contract
    section 1); a folder without it is debris, not an instance the product could start.
    """
    groups = os.path.join(install_dir, "groups")
    return [(g, i) for g in _numbered(groups, _GROUP_DIR)
            for i in _numbered(os.path.join(groups, g), _INSTANCE_DIR)
            if os.path.isfile(os.path.join(groups, g, i, "conf", "service.xml"))]


def instances_from_files(install_dir, dirs=None):
    dirs = scan_instance_dirs(install_dir) if dirs is None else dirs
    if not dirs:
        return []
    path = topology_file(install_dir)
    try:
        index = gateway_names_by_id(read_topology_file(path))
    except TopologyError as exc:
        raise ProcessError("cannot name the instance folders %s: %s; list them in the instances option"
                           % (", ".join("%s/%s" % d for d in dirs), exc))
    unknown = ["%s/%s" % d for d in dirs if d not in index]
    if unknown:
        raise ProcessError("instance folders %s have no gateway entry in %s; list the instances in the "
                           "instances option" % (", ".join(unknown), path))
    return [{"group": index[d][0], "name": index[d][1]} for d in dirs]


def discover_instances(control, method):
    """Return (instances, how) for all instances of the installation.

    ``listing`` runs ``startinstance`` without arguments (the documented way). The vendor page
    also says that with a single instance on the host this same call *starts* it, so ``auto``
    never runs it when exactly one instance folder exists: it names that folder through
    ``groups/topology.json`` instead (``files``). ``auto`` also falls back to ``files`` when the
    listing gives nothing usable but instance folders exist.
    """
    install_dir = control.install_dir
    if method == "files":
        return instances_from_files(install_dir), "files"
    dirs = scan_instance_dirs(install_dir)
    if method == "auto" and len(dirs) == 1:
        return instances_from_files(install_dir, dirs), "files"
    listed = parse_instance_listing(control.listing())
    if listed or method == "listing" or not dirs:
        return listed, "listing"
    return instances_from_files(install_dir, dirs), "files"


# ---- running the commands ----

def detach_stdin():
    """Point this process's stdin at /dev/null so started daemons cannot hold the SSH session.

    The watchdog already gives every command ``/dev/null``; this also covers the watchdog itself,
    which run_command starts with our stdin when no data is sent.
    """
    null = os.open(os.devnull, os.O_RDONLY)
    try:
        os.dup2(null, 0)
    finally:
        if null != 0:
            os.close(null)


class ProcessControl(object):
    """Runs the process commands of one installation, with a time limit, and records them.

    ``commands`` lists every argument list run, in order; ``last`` holds ``cmd``, ``rc``,
    ``stdout`` and ``stderr`` of the last one (None before the first).
    """

    def __init__(self, module, install_dir, timeout, sleep=None, grace=KILL_GRACE_SECONDS, account=None):
        self.module = module
        # The installation's owner (install_owner.Account): every process command runs as it, so
        # the processes it starts are the owner's, never root's.
        self.account = account
        self.install_dir = install_dir
        self.timeout = timeout
        self.grace = grace
        self.sleep = sleep or time.sleep
        self.commands = []
        self.last = None

    def _run(self, argv):
        if not os.path.isfile(argv[0]):
            raise ProcessError("%s not found: is %s an API Gateway installation?"
                               % (argv[0], self.install_dir), cmd=list(argv))
        self.commands.append(list(argv))
        run = step_watchdog.run(self.module, argv, self.timeout, cwd=bin_dir(self.install_dir),
                                environ_update=step_watchdog.C_LOCALE, grace=self.grace,
                                account=self.account)
        rc, out, err = run["rc"], run["stdout"], run["stderr"]
        self.last = dict(cmd=list(argv), rc=rc, stdout=out, stderr=err)
        if run["timed_out"]:
            raise ProcessError("%s did not finish within %s seconds (timeout); its process group was stopped"
                               % (" ".join(argv), self.timeout), **self.last)
        return rc, out, err

    def listing(self):
        # The listing may come with a usage line and a non-zero exit; only its text matters.
        rc, out, err = self._run([os.path.join(bin_dir(self.install_dir), STARTINSTANCE)])
        return "%s\n%s" % (out, err)

    def is_running(self, component):
        argv = command(self.install_dir, component, "status")
        rc, out, err = self._run(argv)
        if rc not in (0, 1):
            raise ProcessError("cannot tell whether %s is running: %s exited %s"
                               % (label(component), " ".join(argv), rc),
                               cmd=argv, rc=rc, stdout=out, stderr=err)
        return rc == 0

    def change(self, component, running):
        """Start (running=True) or stop a component, then prove it with -s."""
        argv = command(self.install_dir, component, "start" if running else "stop")
        rc, out, err = self._run(argv)
        for attempt in range(SETTLE_TRIES):
            if self.is_running(component) == running:
                if rc != 0:
                    self.module.warn("%s exited %s but %s is %s" % (" ".join(argv), rc, label(component),
                                                                    "running" if running else "stopped"))
                return
            if attempt + 1 < SETTLE_TRIES:
                self.sleep(SETTLE_DELAY)
        raise ProcessError("%s did not %s %s: it exited %s and -s still reports it %s"
                           % (" ".join(argv), "start" if running else "stop", label(component), rc,
                              "stopped" if running else "running"),
                           cmd=argv, rc=rc, stdout=out, stderr=err)


def ensure(control, components, running, check_mode, report):
    """Bring every component to ``running``, in the given order, filling ``report`` as it goes.

    ``report`` is filled in place so that a failure part way still says what was already done.
    """
    for component in components:
        name = label(component)
        was_running = control.is_running(component)
        before = "running" if was_running else "stopped"
        entry = dict(component, label=name, before=before, after=before)
        report["components"].append(entry)
        if was_running == running:
            report["already"].append(name)
            continue
        if not check_mode:
            control.change(component, running)
        # In check mode "after" is what would be.
        entry["after"] = "running" if running else "stopped"
        report["started" if running else "stopped"].append(name)
    return report
