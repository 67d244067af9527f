# -*- coding: utf-8 -*-
# Copyright: apigw.sysupgrade developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ask, from the controller, which nodes answer on their SSH port: every node at once.

A task delegated to an unreachable host ends the whole play (ansible/ansible#35030), so the roles
delegate only to the nodes that answered here. A loop of ``wait_for`` delegated to localhost asked
them one after the other: about 0.3 s a node, 6 s on a 20-node domain, on every run. Here every
port is tried at the same time, in threads, and the task takes as long as the slowest node (at most
``timeout`` seconds).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
from concurrent.futures import ThreadPoolExecutor

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

ARGUMENT_SPEC = dict(
    hosts=dict(type="list", elements="str", required=True),
    timeout=dict(type="int", default=10),
)
# More threads than this only queue: a domain has tens of nodes, not thousands.
MAX_THREADS = 64


def port_answers(host, port, timeout):
    """None when a TCP connection to host:port opens within timeout seconds, else the reason."""
    try:
        connection = socket.create_connection((host, port), timeout=timeout)
    except (OSError, socket.timeout) as exc:
        return "%s:%s did not answer within %s s: %s" % (host, port, timeout, exc)
    connection.close()
    return None


def ssh_endpoint(name, hostvars):
    """Where Ansible connects to a host: ansible_host (else its name) and ansible_port (else 22)."""
    return {"name": name, "host": str(hostvars.get("ansible_host") or name),
            "port": int(hostvars.get("ansible_port") or 22)}


def check_nodes(nodes, timeout, answers=port_answers):
    """(reachable names in the given order, {unreachable name: reason})."""
    if not nodes:
        return [], {}
    with ThreadPoolExecutor(max_workers=min(len(nodes), MAX_THREADS)) as pool:
        reasons = list(pool.map(lambda node: answers(node["host"], node["port"], timeout), nodes))
    reachable = [node["name"] for node, reason in zip(nodes, reasons) if reason is None]
    unreachable = dict((node["name"], reason) for node, reason in zip(nodes, reasons) if reason is not None)
    return reachable, unreachable


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = self.validate_argument_spec(ARGUMENT_SPEC)[1]
        if args["timeout"] < 1:
            raise AnsibleActionFail("timeout must be at least 1 second, got %s" % args["timeout"])
        hostvars = (task_vars or {}).get("hostvars") or {}
        unknown = [name for name in args["hosts"] if name not in hostvars]
        if unknown:
            raise AnsibleActionFail("hosts: not in the inventory: %s" % ", ".join(unknown))
        reachable, unreachable = check_nodes([ssh_endpoint(name, hostvars[name]) for name in args["hosts"]],
                                             args["timeout"])
        # Not "unreachable": Ansible reads a true "unreachable" in a result as this host being unreachable.
        result.update(changed=False, reachable=reachable, silent=unreachable)
        return result
