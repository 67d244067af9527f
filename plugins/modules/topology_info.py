#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: topology_info
short_description: Read an API Gateway domain topology from a node or from an Admin Node Manager
version_added: 0.1.0
author:
  - apigw.sysupgrade developers (!UNKNOWN)
description:
  - Reads the topology of an API Gateway domain (hosts, groups, and the node manager and gateway
    services on them) from one of two sources.
  - "From a node: the installation's C(groups/topology.json), when only O(install_dir) is given."
  - "From an Admin Node Manager (ANM): C(GET /api/topology) over HTTPS with basic authentication,
    when O(anm_url) or O(anm_host) is given."
  - Tells which hosts run an Admin Node Manager (a C(nodemanager) service tagged
    C(internal_admin_nm=true)) and the product version.
  - When O(install_dir) is given, also tells whether this node is the B(first) Admin Node Manager,
    that is whether it holds C(groups/certs/private/domain.p12) (the vendor's upgrade FAQ).
  - Never changes anything; RV(ignore:changed) is always false.
options:
  install_dir:
    description:
      - The installation's C(apigateway) folder on the managed node, for example
        C(/opt/Axway-7.5.3/apigateway).
      - Without O(anm_url) and O(anm_host), the topology is read from C(groups/topology.json) in it.
      - With either of them, the topology comes from the ANM and this folder only answers
        RV(is_first_anm) and RV(local_host).
    type: path
  anm_url:
    description:
      - Base URL of an Admin Node Manager, for example C(https://NodeA:8090).
        C(/api/topology) is added unless the URL already ends with it.
      - Mutually exclusive with O(anm_host).
    type: str
  anm_host:
    description:
      - Host name of an Admin Node Manager; the URL becomes C(https://ANM_HOST:ANM_PORT/api/topology).
    type: str
  alternate_urls:
    description:
      - Other base URLs of the same Admin Node Manager, tried in order when the one before does not
        answer at all (connection refused, timed out, no route). For example the node's own host
        name after C(https://127.0.0.1:8090), for an Admin Node Manager that does not listen on the
        loopback. An answer of any kind (a certificate, HTTP 401, HTTP 503) ends the search.
      - RV(topology_source) says which URL answered.
    type: list
    elements: str
    default: []
  anm_port:
    description: HTTPS port of the Admin Node Manager, used with O(anm_host).
    type: int
    default: 8090
  username:
    description: Domain (ANM) user name. Required when the topology is read from an ANM.
    type: str
  password:
    description: Password of O(username). Required when the topology is read from an ANM.
    type: str
  validate_certs:
    description:
      - Verify the ANM's TLS certificate.
      - A real ANM serves a certificate signed by the domain's own CA, which no system trust store
        holds. Give O(pin_sha256) (what the role does), or that CA in O(ca_path), or, only on a
        trusted network, set this to false.
      - Ignored when O(pin_sha256) is given.
      - A certificate that does not verify fails the task at once, also while waiting
        (O(wait_timeout)), since waiting never makes a certificate valid.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file on the managed node with the CA certificate(s) that signed the ANM's certificate.
        The host name in the URL must match the certificate.
    type: path
  pin_sha256:
    description:
      - Accept exactly the certificate with this SHA-256 fingerprint (64 hex digits, colons
        allowed) and no other, whatever signed it. The chain and the host name are not checked.
      - The pin is compared before the request is sent, so the credentials never reach a server
        that does not hold the pinned certificate.
      - Take it from RV(certificate_sha256) of a call made on the ANM's own node to its loopback
        (C(https://127.0.0.1:8090), as the vendor's REST API page does), where the SSH connection
        Ansible authenticated vouches for the machine.
    type: str
  timeout:
    description: Seconds to wait for the ANM to answer one request.
    type: int
    default: 30
  wait_for_version:
    description:
      - With O(wait_timeout), keep asking until the ANM answers with a C(productVersion) that
        starts with this value (an ANM that still answers as the old version is not ready).
    type: str
  wait_timeout:
    description:
      - Seconds to keep asking while the ANM does not answer yet (connection refused, timed out,
        HTTP 502/503/504) or, with O(wait_for_version), answers as another version. C(0) asks once.
      - A certificate that does not verify, refused credentials (HTTP 401/403) and any other
        answer fail at once, never retried.
    type: int
    default: 0
  node_manager_dir:
    description:
      - An installation's C(apigateway) folder on this node whose Node Manager serves O(anm_url)
        here, for example the new installation on the applied first Admin Node Manager.
      - "While the ANM does not answer, ask that Node Manager's state (C(posix/bin/nodemanager -s),
        run as the installation's owner, see O(install_owner)) after each attempt. When it is not
        running, waiting cannot help: the task fails at once with RV(failure_kind=stopped) and
        RV(node_manager=stopped), instead of waiting out O(wait_timeout). When it runs (it is
        still starting), the wait goes on."
    type: path
  detect_local_host:
    description:
      - With O(install_dir), try to tell which topology host this machine is (RV(local_host)).
      - "Best effort and never fatal: first the machine's host name or FQDN is compared with the
        topology host names, then each topology host name is resolved and the one address this
        machine owns (it can bind to it) wins. When nothing or more than one host matches, the
        answer is null. Nothing product specific or lab specific is read."
    type: bool
    default: true
attributes:
  action:
    description:
      - The action plugin of the same name runs the module and, while it waits (O(wait_timeout)
        over 10 seconds), prints a progress line on the controller every 10 seconds at most, saying
        what it waits for, on which node, for how long so far, and the limit.
    support: full
  check_mode:
    description: Can run in check mode and return the same information.
    support: full
  diff_mode:
    description: Nothing is changed, so there is no diff.
    support: none
  platform:
    description: Target OS family.
    support: full
    platforms: posix
notes:
  - Errors (file missing, ANM unreachable, HTTP 401, not JSON, not a topology) fail the task with a
    message naming the file or URL.
  - The top-level C(services) list in the API answer repeats the groups' services; only the groups'
    lists are used.
seealso:
  - module: apigw.sysupgrade.process
extends_documentation_fragment:
  - apigw.sysupgrade.sysupgrade.owner
  - apigw.sysupgrade.group_options
"""

EXAMPLES = r"""
- name: Read the topology stored on this node and learn whether it is the first ANM
  apigw.sysupgrade.topology_info:
    install_dir: /opt/Axway-7.5.3/apigateway
  register: topo

- name: Pick the ANM every node's export and apply must name (--anm_host)
  ansible.builtin.set_fact:
    anm_host: "{{ topo.anm_hosts | first }}"

- name: On the ANM's own node, read its certificate and topology over the loopback
  apigw.sysupgrade.topology_info:
    anm_url: https://127.0.0.1:8090
    username: admin
    password: "{{ vault_anm_password }}"
    validate_certs: false  # the connection never leaves this node, which SSH authenticated
    wait_for_version: "7.7"
    wait_timeout: 300
  register: anm_local
  delegate_to: node1
  run_once: true

- name: From another node, accept only that certificate
  apigw.sysupgrade.topology_info:
    anm_host: NodeA
    username: admin
    password: "{{ vault_anm_password }}"
    pin_sha256: "{{ anm_local.certificate_sha256 }}"
  register: anm_topo

- name: Or trust the domain CA from a file on the node
  apigw.sysupgrade.topology_info:
    anm_host: NodeA
    username: admin
    password: "{{ vault_anm_password }}"
    ca_path: /etc/pki/apigw/domain-ca.pem

- name: Same from a full URL, without certificate checks (trusted network only)
  apigw.sysupgrade.topology_info:
    anm_url: https://NodeA:8090
    username: admin
    password: "{{ vault_anm_password }}"
    validate_certs: false
"""

RETURN = r"""
source:
  description: Where the topology came from.
  returned: always
  type: str
  sample: file
topology_source:
  description: The file path or URL that was read.
  returned: always
  type: str
  sample: /opt/Axway-7.5.3/apigateway/groups/topology.json
product_version:
  description: The topology's C(productVersion), null when absent.
  returned: always
  type: str
  sample: "7.5.3"
hosts:
  description: Hosts of the domain, in topology order.
  returned: always
  type: list
  elements: dict
  contains:
    id: {description: Host id, type: str, sample: host-1}
    name: {description: Host name as the topology knows it (what C(--anm_host) expects), type: str, sample: NodeA}
    node_manager: {description: A node manager runs on the host, type: bool}
    admin_node_manager: {description: An Admin Node Manager runs on the host, type: bool}
    gateways:
      description: Gateway instances on the host (group name, instance name and their ids).
      type: list
      elements: dict
      sample: [{group: GatewayGroup, name: APIGateway1, group_id: group-2, id: instance-1}]
groups:
  description: Groups with their services (each service as in RV(services)).
  returned: always
  type: list
  elements: dict
  sample: [{id: group-2, name: GatewayGroup, services: []}]
services:
  description: Every node manager and gateway service, flattened.
  returned: always
  type: list
  elements: dict
  contains:
    id: {description: Service id, type: str, sample: instance-1}
    name: {description: Service name, type: str}
    type: {description: C(nodemanager) or C(gateway), type: str}
    group_id: {description: Id of the service's group, type: str}
    group_name: {description: Name of the service's group, type: str}
    host_id: {description: Id of the host running it, type: str}
    host_name: {description: Name of that host (null if the id is unknown), type: str}
    management_port: {description: Management port, type: int, sample: 8085}
    scheme: {description: Management scheme, type: str, sample: https}
    enabled: {description: Whether the service is enabled, type: bool}
    tags: {description: The service's tags, type: dict}
    admin_node_manager: {description: The service is an Admin Node Manager, type: bool}
anm_hosts:
  description: Names of the hosts that run an Admin Node Manager, in topology order.
  returned: always
  type: list
  elements: str
  sample: [NodeA, NodeC]
node_manager_hosts:
  description: Names of the hosts that run any node manager (admin or not).
  returned: always
  type: list
  elements: str
  sample: [NodeA, NodeB, NodeC]
is_first_anm:
  description:
    - Whether C(INSTALL_DIR/groups/certs/private/domain.p12) exists, the vendor's mark of the first
      Admin Node Manager. Null when O(install_dir) is not given.
  returned: always
  type: bool
  sample: true
first_anm_marker:
  description: The path checked for RV(is_first_anm); null without O(install_dir).
  returned: always
  type: str
  sample: /opt/Axway-7.5.3/apigateway/groups/certs/private/domain.p12
local_host:
  description: The topology host name of this machine, or null when not determinable (see O(detect_local_host)).
  returned: always
  type: str
  sample: NodeA
local_host_method:
  description: How RV(local_host) was found, C(hostname) or C(address); null when not found.
  returned: always
  type: str
  sample: address
local_is_anm:
  description: Whether RV(local_host) runs an Admin Node Manager; null when RV(local_host) is null.
  returned: always
  type: bool
certificate_sha256:
  description:
    - SHA-256 of the certificate the ANM served (64 lower-case hex digits), for O(pin_sha256).
      Null when the topology came from the file. Also returned when the task fails after the TLS
      handshake, for example on a pin mismatch.
  returned: always
  type: str
  sample: 3f2a9c0e5b7d41a8c6e2f0b9d8a7c6e5f4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9
trust:
  description: How the ANM's certificate was checked, C(pin), C(ca), C(system) or C(none); null for the file.
  returned: always
  type: str
  sample: pin
attempts:
  description: Requests made to the ANM (more than one only while waiting, see O(wait_timeout)).
  returned: always
  type: int
  sample: 1
waited:
  description:
    - Seconds the whole call took on the controller, its wait for the ANM included (the action
      plugin of the same name measures it). When the ANM answered after more than one attempt, the
      run also printed how long it waited.
  returned: always
  type: float
  sample: 14.2
failure_kind:
  description:
    - On failure only, what failed, so that a playbook can tell the cases apart. C(certificate)
      (the certificate does not verify or is not the pinned one), C(auth) (HTTP 401/403),
      C(unavailable) (no answer, or not ready within O(wait_timeout)), C(stopped) (no answer,
      and the Node Manager of O(node_manager_dir) is not running), C(http) (another HTTP
      status), C(protocol) (not JSON, or not a topology), C(file) (the topology file).
  returned: failure
  type: str
  sample: certificate
node_manager:
  description:
    - The state of the Node Manager of O(node_manager_dir) after the last attempt the ANM did not
      answer, C(running) or C(stopped); null when it was not asked (no O(node_manager_dir), or the
      ANM answered at once).
  returned: always
  type: str
  sample: stopped
last_reason:
  description: On failure only, why the last attempt did not do (without the wait's own summary).
  returned: failure
  type: str
  sample: "connection refused"
run_as:
  description:
    - The account that asked the Node Manager's state (the owner of O(node_manager_dir)); null
      when it was not asked.
  returned: always
  type: str
  sample: axway
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.apigw.sysupgrade.plugins.module_utils import group_options, install_owner
from ansible_collections.apigw.sysupgrade.plugins.module_utils.anm_client import (
    PROTOCOL, UNAVAILABLE, AnmError, get_json, normalize_sha256, wait_for)
from ansible_collections.apigw.sysupgrade.plugins.module_utils.processes import (
    ProcessControl, ProcessError, nodemanager_component)
from ansible_collections.apigw.sysupgrade.plugins.module_utils.topology import (
    TopologyError, detect_local_host, first_anm_marker, is_first_anm, normalise_topology,
    read_topology_file, topology_file)


API_PATH = "/api/topology"


def topology_url(params):
    if params["anm_url"]:
        return with_api_path(params["anm_url"])
    host = params["anm_host"]
    if ":" in host and not host.startswith("["):  # a bare IPv6 address needs brackets in a URL
        host = "[%s]" % host
    return "https://%s:%d%s" % (host, params["anm_port"], API_PATH)


def trust_of(params):
    """The trust the options ask for: a pin beats a CA file, which beats the system store."""
    if params["pin_sha256"]:
        return "pin"
    if not params["validate_certs"]:
        return "none"
    return "ca" if params["ca_path"] else "system"


def with_api_path(url):
    url = url.rstrip("/")
    return url if url.endswith(API_PATH) else url + API_PATH


STOPPED = "stopped"
# Seconds one `nodemanager -s` may take.
STATUS_TIMEOUT = 60


class NodeManagerWatch(object):
    """Asks the Node Manager of ``install_dir`` whether it runs (``nodemanager -s``, as the owner),
    for wait_for's ``give_up``: waiting for an ANM whose Node Manager is not running is pointless."""

    def __init__(self, module, install_dir):
        self.account = install_owner.for_module(module, install_dir)
        self.control = ProcessControl(module, install_dir, STATUS_TIMEOUT, account=self.account)
        self.install_dir = install_dir
        self.state = None

    def give_up(self):
        try:
            running = self.control.is_running(nodemanager_component())
        except ProcessError as exc:
            # Cannot tell: go on waiting; the wait's own limit still ends it.
            self.state = None
            self.control.module.warn("could not ask the Node Manager's state: %s" % exc.msg)
            return None
        self.state = "running" if running else STOPPED
        if running:
            return None
        return "its Node Manager is not running (%s -s reports it stopped)" % os.path.join(
            self.install_dir, "posix", "bin", "nodemanager")


def fetch_topology(params, url, trust, watch=None):
    """-> (topology, certificate_sha256, attempts, the URL that answered); raise AnmError with a kind."""
    urls = [url] + [with_api_path(u) for u in params["alternate_urls"] or []]
    answered = [url]

    def ask(one):
        data, served = get_json(one, params["username"], params["password"], trust=trust,
                                ca_path=params["ca_path"], pin_sha256=params["pin_sha256"],
                                timeout=params["timeout"])
        try:
            return normalise_topology(data, one), served
        except TopologyError as exc:
            raise AnmError(PROTOCOL, one, to_native(exc), served)

    def call():
        for index, one in enumerate(urls):
            try:
                answer = ask(one)
                answered[0] = one
                return answer
            except AnmError as exc:
                # Only silence moves on to the next URL: whatever answered is that ANM's answer.
                if index + 1 == len(urls) or not (exc.kind == UNAVAILABLE and exc.certificate_sha256 is None):
                    raise
        raise AssertionError("not reached")

    wanted = params["wait_for_version"]

    def accept(answer):
        version = answer[0].get("product_version") or ""
        if wanted and not str(version).startswith(wanted):
            return "it answers as version %s, not %s" % (version or "unknown", wanted)
        return None

    (topology, served), attempts = wait_for(call, url, params["wait_timeout"], accept,
                                            give_up=watch.give_up if watch else None)
    return topology, served, attempts, answered[0]


def local_facts(params, topology):
    install_dir = params["install_dir"]
    facts = {"is_first_anm": None, "first_anm_marker": None, "local_host": None,
             "local_host_method": None, "local_is_anm": None}
    if not install_dir:
        return facts
    facts["is_first_anm"] = is_first_anm(install_dir)
    facts["first_anm_marker"] = first_anm_marker(install_dir)
    if params["detect_local_host"]:
        name, method = detect_local_host([h["name"] for h in topology["hosts"]])
        if name:
            facts.update(local_host=name, local_host_method=method,
                         local_is_anm=name in topology["anm_hosts"])
    return facts


def main():
    module = AnsibleModule(
        argument_spec=group_options.with_group_options(dict(
            install_dir=dict(type="path"),
            anm_url=dict(type="str"),
            anm_host=dict(type="str"),
            alternate_urls=dict(type="list", elements="str", default=[]),
            anm_port=dict(type="int", default=8090),
            username=dict(type="str"),
            password=dict(type="str", no_log=True),
            validate_certs=dict(type="bool", default=True),
            ca_path=dict(type="path"),
            pin_sha256=dict(type="str"),
            timeout=dict(type="int", default=30),
            wait_for_version=dict(type="str"),
            wait_timeout=dict(type="int", default=0),
            detect_local_host=dict(type="bool", default=True),
            node_manager_dir=dict(type="path"),
        )),
        required_one_of=[("install_dir", "anm_url", "anm_host")],
        mutually_exclusive=[("anm_url", "anm_host")],
        supports_check_mode=True,
    )
    params = module.params
    from_api = bool(params["anm_url"] or params["anm_host"])

    if params["install_dir"] and not os.path.isdir(params["install_dir"]):
        module.fail_json(msg="install_dir %s is not a folder on this node" % params["install_dir"])
    if params["wait_timeout"] < 0:
        module.fail_json(msg="wait_timeout must be 0 or a positive number of seconds, not %s" % params["wait_timeout"])
    if params["pin_sha256"]:
        try:
            params["pin_sha256"] = normalize_sha256(params["pin_sha256"])
        except ValueError as exc:
            module.fail_json(msg="pin_sha256: %s" % to_native(exc))
    if params["node_manager_dir"] and not os.path.isdir(params["node_manager_dir"]):
        module.fail_json(msg="node_manager_dir %s is not a folder on this node" % params["node_manager_dir"])
    result = dict(changed=False, certificate_sha256=None, trust=None, attempts=0, node_manager=None,
                  run_as=None)
    watch = NodeManagerWatch(module, params["node_manager_dir"]) if params["node_manager_dir"] else None
    if from_api:
        source, where = "api", topology_url(params)
        result["trust"] = trust_of(params)
        if not params["username"] or params["password"] is None:
            module.fail_json(msg="username and password are required to read the topology from %s" % where)
    else:
        source, where = "file", topology_file(params["install_dir"])
    result.update(source=source, topology_source=where)
    failure = None
    try:
        if from_api:
            topology, result["certificate_sha256"], result["attempts"], answered = fetch_topology(
                params, where, result["trust"], watch)
            result["topology_source"] = answered
        else:
            topology = read_topology_file(where)
    except AnmError as exc:
        failure = dict(msg="ANM at %s: %s" % (exc.url, exc.reason),
                       failure_kind=STOPPED if exc.gave_up else exc.kind,
                       certificate_sha256=exc.certificate_sha256, attempts=exc.attempts,
                       last_reason=exc.last_reason)
    except TopologyError as exc:
        failure = dict(msg=to_native(exc), failure_kind="file")
    if watch:
        result.update(node_manager=watch.state, run_as=watch.account.name if watch.account else None)
    if failure:
        # Failing outside the except block: a clear message, not an "exception occurred" traceback.
        result.update(failure)
        module.fail_json(**result)

    for warning in topology.pop("warnings"):
        module.warn(warning)
    result.update(topology)
    result.update(local_facts(params, topology))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
