# -*- coding: utf-8 -*-
"""Put a lab node's API Gateway installations in a known state (over ssh, not through the
collection), so each integration test starts from the same place.

    node = LabNode(lab, "node1")
    node.reset()          # faults cleared, NEW stopped, sysupgrade clean, OLD running
    node.stop_old()       # before apply (contract §4 rule 4)
    node.status()         # "not started" ... as printed by sysupgrade status
    node.audit()          # the lab's audit log lines for this node (DESIGN.md "Audit log")
"""
import os
import re
import shlex


class LabNode:
    def __init__(self, lab, node):
        self.lab = lab
        self.node = node
        info = lab.info
        self.old_dir, self.new_dir = info["old_dir"], info["new_dir"]

    def ssh(self, command, timeout=120):
        return self.lab.ssh(self.node, command, timeout=timeout)

    def _posix(self, tree, *args):
        base = self.old_dir if tree == "old" else self.new_dir
        return self.ssh("%s/posix/bin/%s" % (base, " ".join(shlex.quote(a) for a in args)))

    def _instances(self):
        return self.lab.host(self.node)["instances"]

    def stop(self, tree):
        for i in self._instances():
            if self._posix(tree, "startinstance", "-g", i["group"], "-n", i["name"], "-s").returncode == 0:
                self._posix(tree, "startinstance", "-g", i["group"], "-n", i["name"], "-k")
        if self._posix(tree, "nodemanager", "-s").returncode == 0:
            self._posix(tree, "nodemanager", "-k")

    def start(self, tree):
        if self._posix(tree, "nodemanager", "-s").returncode != 0:
            assert self._posix(tree, "nodemanager", "-d").returncode == 0
        for i in self._instances():
            if self._posix(tree, "startinstance", "-g", i["group"], "-n", i["name"], "-s").returncode != 0:
                assert self._posix(tree, "startinstance", "-g", i["group"], "-n", i["name"], "-d").returncode == 0

    def stop_old(self):
        self.stop("old")

    def sysupgrade(self, *args):
        return self.ssh("cd %s/upgrade/bin && ./sysupgrade %s </dev/null"
                        % (self.new_dir, " ".join(shlex.quote(a) for a in args)))

    def status(self):
        match = re.search(r"^Current status: (.*)$", self.sysupgrade("status").stdout, re.M)
        return match.group(1) if match else None

    def reset(self):
        """Back to the start of an upgrade: no faults, NEW stopped and cleaned, OLD running."""
        self.lab.clear_faults(self.node)
        self.stop("new")
        if self.needs_clean():
            proc = self.sysupgrade("clean")
            assert proc.returncode == 0, proc.stdout + proc.stderr
        self.start("old")
        assert self.status() == "not started"

    def new_path(self, *rel):
        """A path of the NEW installation, seen from the controller (the host's /opt)."""
        return os.path.join(str(self.lab.opt(self.node)), self.new_dir[len("/opt/"):], *rel)

    def needs_clean(self):
        out = self.new_path("upgrade", "bin", "out")
        groups = self.new_path("groups")
        leftovers = os.path.isdir(out) and any(e not in ("logs", "log") for e in os.listdir(out))
        return leftovers or (os.path.isdir(groups) and bool(os.listdir(groups))) or self.status() != "not started"

    def audit(self):
        return self.lab.audit(self.node)

    def audit_calls(self, since=0, command=None):
        """The "end" (or unfinished "start") records of sysupgrade calls after index ``since``."""
        records = self.audit()[since:]
        ended = set(r["id"] for r in records if r.get("event") == "end")
        calls = [r for r in records if r.get("event") == "end" or (r.get("event") == "start" and r["id"] not in ended)]
        if command:
            calls = [r for r in calls if len(r["argv"]) > 1 and r["argv"][1] == command]
        return calls
