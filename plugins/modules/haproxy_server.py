#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: haproxy_server
short_description: Drain, ready or read HAProxy servers through HAProxy's runtime API
version_added: 0.2.0
author:
  - apigw.sysupgrade developers (!UNKNOWN)
description:
  - Talks to HAProxy's runtime API (the C(stats socket) of HAProxy's global section, at
    C(level admin)) with the standard library only, so that the collection's load-balancer hook for
    HAProxy needs no other collection.
  - Reads each server's administrative state (C(ready), C(drain) or C(maint)), its operational
    state (C(RUNNING), C(STARTING), C(STOPPING), C(STOPPED)) and its current sessions.
  - Idempotent. C(set server BACKEND/SERVER state ...) is sent only to servers whose administrative
    state differs from O(state); RV(ignore:changed) is true only then.
  - The rolling apply of this collection calls it from its HAProxy hooks (role
    C(apigw.sysupgrade.lb_haproxy)) - C(drain) before a node is stopped, C(query) until the node has
    no session left, C(ready) once the node verified.
options:
  runtime_api:
    description:
      - Where HAProxy's runtime API listens, as seen from the host the task runs on (usually the
        load balancer, through C(delegate_to)).
      - A unix socket path (C(/run/haproxy/admin.sock)), or C(host:port) for a TCP socket
        (C(ipv4@host:port) is accepted too).
    type: str
    required: true
  backend:
    description: The backend that holds the servers.
    type: str
    required: true
  servers:
    description: The servers of O(backend) to act on or read. A name HAProxy does not know fails the task.
    type: list
    elements: str
    required: true
  state:
    description:
      - C(drain) - no new connections; the sessions it has go on until they end.
      - C(ready) - back in service (HAProxy's health checks still decide whether it is UP).
      - C(maint) - out of service at once.
      - C(query) - change nothing, read only.
    type: str
    default: query
    choices: [drain, ready, maint, query]
  wait_running:
    description:
      - With O(state=ready), wait until HAProxy's health checks report every server RUNNING, up to
        O(wait_timeout) seconds, so that traffic really flows to them when the task returns.
    type: bool
    default: false
  wait_timeout:
    description: Seconds O(wait_running) waits before the task fails.
    type: int
    default: 60
  timeout:
    description: Seconds one runtime API command may take.
    type: float
    default: 10
attributes:
  check_mode:
    description: Reads the servers and tells what would change; sends no C(set server).
    support: full
  diff_mode:
    description: No diff.
    support: none
  platform:
    description: Any host that reaches the runtime API.
    support: full
    platforms: posix
notes:
  - The socket must be at C(level admin) for C(set server); a lower level fails with HAProxy's own
    answer (C(Permission denied)) in the message.
seealso:
  - name: HAProxy management guide, runtime API
    description: The commands this module sends.
    link: https://docs.haproxy.org/2.6/management.html#9.3
"""

EXAMPLES = r"""
- name: Take node1 out of rotation before it is stopped
  apigw.sysupgrade.haproxy_server:
    runtime_api: /run/haproxy/admin.sock
    backend: apigw
    servers: [node1]
    state: drain
  delegate_to: lb1

- name: Read how many sessions node1 still has
  apigw.sysupgrade.haproxy_server:
    runtime_api: lb1.example.com:9999
    backend: apigw
    servers: [node1]
  delegate_to: localhost
  register: node1_lb

- name: Back in service, and wait until the health checks see it up
  apigw.sysupgrade.haproxy_server:
    runtime_api: /run/haproxy/admin.sock
    backend: apigw
    servers: [node1]
    state: ready
    wait_running: true
  delegate_to: lb1
"""

RETURN = r"""
servers:
  description: Each server of O(servers), as HAProxy reports it after the change (or now, in check mode).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The server's name.
      type: str
    admin_state:
      description: C(ready), C(drain) or C(maint).
      type: str
    op_state:
      description: C(RUNNING), C(STARTING), C(STOPPING) or C(STOPPED), as the health checks see it.
      type: str
    sessions:
      description: Its current sessions (C(scur) of C(show stat)).
      type: int
    status:
      description: The C(status) column of C(show stat), for example C(UP), C(DRAIN), C(DOWN), C(MAINT).
      type: str
  sample: [{"name": "node1", "admin_state": "drain", "op_state": "RUNNING", "sessions": 0, "status": "DRAIN"}]
sessions:
  description: The sum of the servers' current sessions.
  returned: always
  type: int
  sample: 0
changed_servers:
  description: The servers whose administrative state was (or, in check mode, would be) changed.
  returned: always
  type: list
  elements: str
  sample: [node1]
"""

import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.apigw.sysupgrade.plugins.module_utils import haproxy_runtime


def run(module):
    p = module.params
    address, backend, names = p["runtime_api"], p["backend"], p["servers"]
    before = haproxy_runtime.servers(address, backend, names, p["timeout"])
    wanted = p["state"]
    to_change = [s["name"] for s in before if wanted != "query" and s["admin_state"] != wanted]
    if module.check_mode or not to_change and not (wanted == "ready" and p["wait_running"]):
        return dict(changed=bool(to_change), servers=before, changed_servers=to_change,
                    sessions=sum(s["sessions"] for s in before))
    for name in to_change:
        haproxy_runtime.set_state(address, backend, name, wanted, p["timeout"])
    after = haproxy_runtime.servers(address, backend, names, p["timeout"])
    deadline = time.time() + p["wait_timeout"]
    while wanted == "ready" and p["wait_running"] and any(s["op_state"] != "RUNNING" for s in after):
        if time.time() >= deadline:
            module.fail_json(
                msg="HAProxy backend %s: %s not up after %d s of health checks (state ready); check the "
                    "node's health check URL and HAProxy's server lines" % (
                        backend, ", ".join("%s is %s/%s" % (s["name"], s["op_state"], s["status"])
                                           for s in after if s["op_state"] != "RUNNING"), p["wait_timeout"]),
                changed=bool(to_change), servers=after, changed_servers=to_change,
                sessions=sum(s["sessions"] for s in after))
        time.sleep(0.5)
        after = haproxy_runtime.servers(address, backend, names, p["timeout"])
    return dict(changed=bool(to_change), servers=after, changed_servers=to_change,
                sessions=sum(s["sessions"] for s in after))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            runtime_api=dict(type="str", required=True),
            backend=dict(type="str", required=True),
            servers=dict(type="list", elements="str", required=True),
            state=dict(type="str", default="query", choices=["drain", "ready", "maint", "query"]),
            wait_running=dict(type="bool", default=False),
            wait_timeout=dict(type="int", default=60),
            timeout=dict(type="float", default=10),
        ),
        supports_check_mode=True,
    )
    if not module.params["servers"]:
        module.fail_json(msg="servers: give at least one server of backend %s" % module.params["backend"])
    try:
        module.exit_json(**run(module))
    except haproxy_runtime.RuntimeApiError as exc:
        module.fail_json(msg=str(exc), changed=False, servers=[], changed_servers=[], sessions=0)


if __name__ == "__main__":
    main()
