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
      - Verify the ANM's TLS certificate. ANMs normally use a certificate signed by the domain CA,
        so either give that CA in O(ca_path) or, only on a trusted network, set this to false.
    type: bool
    default: true
  ca_path:
    description: PEM file with the CA certificate(s) that signed the ANM's certificate.
    type: path
  timeout:
    description: Seconds to wait for the ANM to answer.
    type: int
    default: 30
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
  action_group:
    description: Use C(group/apigw.sysupgrade.sysupgrade) in C(module_defaults) to set defaults.
    support: full
    membership:
      - apigw.sysupgrade.sysupgrade
notes:
  - Errors (file missing, ANM unreachable, HTTP 401, not JSON, not a topology) fail the task with a
    message naming the file or URL.
  - The top-level C(services) list in the API answer repeats the groups' services; only the groups'
    lists are used.
seealso:
  - module: apigw.sysupgrade.process
"""

EXAMPLES = r"""
- name: Read the topology stored on this node and learn whether it is the first ANM
  apigw.sysupgrade.topology_info:
    install_dir: /opt/Axway-7.5.3/apigateway
  register: topo

- name: Pick the ANM every node's export and apply must name (--anm_host)
  ansible.builtin.set_fact:
    anm_host: "{{ topo.anm_hosts | first }}"

- name: Ask the Admin Node Manager itself, trusting the domain CA
  apigw.sysupgrade.topology_info:
    anm_host: NodeA
    username: admin
    password: "{{ vault_anm_password }}"
    ca_path: /etc/pki/apigw/domain-ca.pem
  delegate_to: localhost
  run_once: true
  register: anm_topo

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
"""

import os
import socket
import ssl

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native
from ansible.module_utils.urls import open_url

from ansible_collections.apigw.sysupgrade.plugins.module_utils.topology import (
    TopologyError, detect_local_host, first_anm_marker, is_first_anm, parse_topology_text,
    read_topology_file, topology_file)

from urllib.error import HTTPError, URLError

API_PATH = "/api/topology"


def topology_url(params):
    if params["anm_url"]:
        url = params["anm_url"].rstrip("/")
        return url if url.endswith(API_PATH) else url + API_PATH
    host = params["anm_host"]
    if ":" in host and not host.startswith("["):  # a bare IPv6 address needs brackets in a URL
        host = "[%s]" % host
    return "https://%s:%d%s" % (host, params["anm_port"], API_PATH)


def _http_failure(url, exc, username):
    if exc.code == 401:
        return "ANM at %s refused the credentials of user %r (HTTP 401 Unauthorized)" % (url, username)
    if exc.code == 403:
        return "ANM at %s denied user %r access to the topology (HTTP 403 Forbidden)" % (url, username)
    return "ANM at %s answered HTTP %s %s" % (url, exc.code, exc.reason)


def fetch_topology_text(params, url):
    """GET the topology; raise TopologyError with a message that names the URL."""
    try:
        response = open_url(url, method="GET", headers={"Accept": "application/json"},
                            url_username=params["username"], url_password=params["password"],
                            force_basic_auth=True, validate_certs=params["validate_certs"],
                            ca_path=params["ca_path"], timeout=params["timeout"])
        return response.read()
    except HTTPError as exc:  # before URLError: it is a subclass
        raise TopologyError(_http_failure(url, exc, params["username"]))
    except URLError as exc:
        reason = to_native(getattr(exc, "reason", exc))
        hint = ""
        if "CERTIFICATE_VERIFY_FAILED" in reason or "certificate" in reason.lower():
            hint = " (give the CA that signed the ANM certificate in ca_path, or validate_certs: false)"
        raise TopologyError("cannot reach ANM at %s: %s%s" % (url, reason, hint))
    except (socket.timeout, ssl.SSLError, OSError) as exc:
        raise TopologyError("cannot reach ANM at %s: %s" % (url, to_native(exc)))
    except Exception as exc:  # open_url also raises its own ConnectionError/SSLValidationError types
        raise TopologyError("cannot read topology from ANM at %s: %s" % (url, to_native(exc)))


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
        argument_spec=dict(
            install_dir=dict(type="path"),
            anm_url=dict(type="str"),
            anm_host=dict(type="str"),
            anm_port=dict(type="int", default=8090),
            username=dict(type="str"),
            password=dict(type="str", no_log=True),
            validate_certs=dict(type="bool", default=True),
            ca_path=dict(type="path"),
            timeout=dict(type="int", default=30),
            detect_local_host=dict(type="bool", default=True),
        ),
        required_one_of=[("install_dir", "anm_url", "anm_host")],
        mutually_exclusive=[("anm_url", "anm_host")],
        supports_check_mode=True,
    )
    params = module.params
    from_api = bool(params["anm_url"] or params["anm_host"])

    if params["install_dir"] and not os.path.isdir(params["install_dir"]):
        module.fail_json(msg="install_dir %s is not a folder on this node" % params["install_dir"])
    if from_api:
        source, where = "api", topology_url(params)
        if not params["username"] or params["password"] is None:
            module.fail_json(msg="username and password are required to read the topology from %s" % where)
    else:
        source, where = "file", topology_file(params["install_dir"])
    error = None
    try:
        if from_api:
            topology = parse_topology_text(fetch_topology_text(params, where), where)
        else:
            topology = read_topology_file(where)
    except TopologyError as exc:
        error = to_native(exc)
    if error:
        # Failing outside the except block: a clear message, not an "exception occurred" traceback.
        module.fail_json(msg=error)

    for warning in topology.pop("warnings"):
        module.warn(warning)
    result = dict(changed=False, source=source, topology_source=where)
    result.update(topology)
    result.update(local_facts(params, topology))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
