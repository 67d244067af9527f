# -*- coding: utf-8 -*-
"""A fake node for the pre-flight tests: both installations as folders, with real executables.

- ``posix/bin/nodemanager`` and ``posix/bin/startinstance`` are small shell scripts: ``-s`` exits 0
  when the component is listed in ``posix/bin/running`` (``nodemanager`` or ``GROUP/NAME``) and 1
  otherwise; anything else exits 99. Every call is appended to ``posix/bin/calls.log``, so a test
  can prove that only ``-s`` ran. ``posix/bin/status_rc`` replaces the exit code of ``-s``.
- ``upgrade/bin/sysupgrade`` prints ``upgrade/bin/status.txt`` (one of the documented texts,
  product contract §5) and exits with ``upgrade/bin/status_rc`` (0 when absent).

No Ansible here: ``SubprocessModule`` is the one thing of an AnsibleModule the checks need.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import socket
import stat
import subprocess

STATUS_TEXT = {
    "not started": "Current status: not started\nNext step: sysupgrade export\n",
    "export": "Current status: export complete\nNext step: sysupgrade upgrade\n",
    "upgrade": "Current status: export and upgrade complete\nNext step: sysupgrade apply\n",
    "apply": "Current status: system upgrade complete\n",
}

PROCESS_SCRIPT = r"""#!/bin/sh
here=$(dirname "$0")
echo "$(basename "$0") $*" >> "$here/calls.log"
case "$*" in
  *-s) ;;
  *) exit 99 ;;
esac
if [ -f "$here/status_rc" ]; then exit "$(cat "$here/status_rc")"; fi
if [ "$1" = "-s" ]; then who=nodemanager; else who="$2/$4"; fi
grep -qxF "$who" "$here/running" 2>/dev/null && exit 0
exit 1
"""

SYSUPGRADE_SCRIPT = r"""#!/bin/sh
here=$(dirname "$0")
echo "sysupgrade $*" >> "$here/calls.log"
[ -f "$here/sleep" ] && sleep "$(cat "$here/sleep")"
cat "$here/status.txt" 2>/dev/null
[ -f "$here/status_rc" ] && exit "$(cat "$here/status_rc")"
exit 0
"""

TOPOLOGY = {
    "productVersion": "7.5.3",
    "hosts": [{"id": "host-1", "name": "NodeA"}],
    "groups": [
        {"id": "group-1", "name": "Node Manager Group", "services": [
            {"id": "nodemanager-1", "name": "Node Manager on NodeA", "type": "nodemanager", "hostID": "host-1",
             "tags": {"internal_admin_nm": "true"}}]},
        {"id": "group-2", "name": "GatewayGroup", "services": [
            {"id": "instance-1", "name": "APIGateway1", "type": "gateway", "hostID": "host-1"}]},
    ],
}
OLD_COMPONENTS = ("nodemanager", "GatewayGroup/APIGateway1")


def write(path, text, mode=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as handle:
        handle.write(text)
    if mode is not None:
        os.chmod(path, mode)


def executable(path, text):
    write(path, text, stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)


class Node(object):
    """A healthy node: status "not started", old installation running, new one stopped and licensed."""

    def __init__(self, root):
        self.root = str(root)
        self.old = os.path.join(self.root, "Axway-7.5.3", "apigateway")
        self.new = os.path.join(self.root, "Axway-7.7", "apigateway")
        for install in (self.old, self.new):
            for tool in ("nodemanager", "startinstance"):
                executable(self.path(install, "posix/bin", tool), PROCESS_SCRIPT)
        write(self.path(self.old, "groups/topology.json"), json.dumps(TOPOLOGY))
        write(self.path(self.old, "groups/group-2/instance-1/conf/service.xml"), "<service/>\n")
        executable(self.sysupgrade, SYSUPGRADE_SCRIPT)
        write(self.path(self.new, "conf/licenses/apigw.lic"), "licence\n")
        os.makedirs(self.path(self.new, "upgrade/lib"))
        self.set_status("not started")
        self.set_running(self.old, *OLD_COMPONENTS)

    @staticmethod
    def path(install, *parts):
        return os.path.join(install, *parts)

    @property
    def sysupgrade(self):
        return self.path(self.new, "upgrade/bin/sysupgrade")

    def set_status(self, state, rc=0, text=None):
        body = text if text is not None else "System Upgrade Status\n---------------------\n" + STATUS_TEXT[state]
        write(self.path(self.new, "upgrade/bin/status.txt"), body)
        write(self.path(self.new, "upgrade/bin/status_rc"), "%d\n" % rc)

    def set_running(self, install, *components):
        write(self.path(install, "posix/bin/running"), "".join(c + "\n" for c in components))

    def set_status_rc(self, install, rc):
        """Make every ``-s`` of ``install`` exit ``rc`` (2: neither running nor stopped)."""
        write(self.path(install, "posix/bin/status_rc"), "%d\n" % rc)

    def process_calls(self, install):
        try:
            with open(self.path(install, "posix/bin/calls.log")) as handle:
                return handle.read().splitlines()
        except IOError:
            return []

    def params(self, port, **overrides):
        params = dict(old_install_dir=self.old, new_install_dir=self.new, cassandra_host="127.0.0.1",
                      cassandra_port=port, cassandra_connect_timeout=1, timeout=30)
        params.update(overrides)
        return params


class SubprocessModule(object):
    """What the checks need of an AnsibleModule: ``run_command`` (as step_watchdog calls it)."""

    def run_command(self, args, data=None, binary_data=False, cwd=None, environ_update=None,
                    expand_user_and_vars=True):
        env = dict(os.environ)
        env.update(environ_update or {})
        proc = subprocess.run(args, input=None if data is None else data + "\n",
                              stdin=subprocess.DEVNULL if data is None else None,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=env,
                              universal_newlines=True, check=False)
        return proc.returncode, proc.stdout, proc.stderr


def listening_socket():
    """A socket listening on 127.0.0.1 (the caller closes it): a reachable Cassandra port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(5)
    return sock


def closed_port():
    """A port of 127.0.0.1 that nothing listens on."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port
