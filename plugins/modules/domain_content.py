#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: domain_content
short_description: Snapshot what an API Gateway domain holds, for a before and after comparison
version_added: 0.2.0
author:
  - apigw.sysupgrade developers (!UNKNOWN)
description:
  - Reads, from one installation's files (config_files_reference.md) - the topology (hosts, groups and
    their instances, C(groups/topology.json)), the admin users' B(names) (C(conf/adminUsers.json); no
    credential is ever read into the result), and for each group the names of the policies and of the KPS
    collections in its deployed entity store (C(groups/<group>/conf/**/*.xml)).
  - With O(api_manager_url), also API Manager's organisations, applications and APIs (counts and names)
    through its REST API, with basic authentication. A refused connection means that no API Manager runs
    there (C(api_manager) null in RV(content), nothing unread); a refused login fails at once.
  - These are the checks the vendor's guide leaves to the operator after the upgrade
    (upgrade_steps_extcass.md, "Verify the multi-node upgrade"). The filter
    P(apigw.sysupgrade.content_diff#filter) compares two snapshots.
  - With O(store), the snapshot is also written to that file on the node (mode 0600), for a later run to
    compare with; RV(ignore:changed) is true when the stored snapshot changed.
  - What could not be read is listed in RV(unread), never silently left out.
options:
  install_dir:
    description: The installation's C(apigateway) folder (the old one before apply, the new one after).
    type: path
    required: true
  api_manager_url:
    description:
      - API Manager's base URL, for example C(https://127.0.0.1:8075) on the node that runs it. Empty skips
        API Manager.
    type: str
    default: ""
  api_manager_username:
    description: An API Manager administrator.
    type: str
    default: ""
  api_manager_password:
    description: Its password.
    type: str
    default: ""
  validate_certs:
    description:
      - Check API Manager's certificate. The collection calls it on its own node's loopback, whose identity the
        SSH connection proved, and turns this off there.
    type: bool
    default: true
  timeout:
    description: Seconds for each API Manager call.
    type: int
    default: 15
  store:
    description: A file on the node to write the snapshot to (JSON, 0600); its folder is created.
    type: path
attributes:
  check_mode:
    description: Reads everything; writes no O(store) file.
    support: full
  diff_mode:
    description: No diff.
    support: none
  platform:
    description: Target OS family.
    support: full
    platforms: posix
seealso:
  - module: apigw.sysupgrade.config_fingerprint
"""

EXAMPLES = r"""
- name: Snapshot the old domain at export, on the first Admin Node Manager
  apigw.sysupgrade.domain_content:
    install_dir: /opt/Axway-7.5.3/apigateway
    store: /opt/Axway-7.7/apigateway/upgrade/apigw-sysupgrade/content-export.json

- name: API Manager's content, on the node that runs it
  apigw.sysupgrade.domain_content:
    install_dir: /opt/Axway-7.7/apigateway
    api_manager_url: https://127.0.0.1:8075
    api_manager_username: apiadmin
    api_manager_password: "{{ vault_apimanager_password }}"
    validate_certs: false
"""

RETURN = r"""
content:
  description:
    - C(topology) ({product_version, hosts, groups - {group name - [instance on host]}}), C(admin_users) (names),
      C(groups) ({group id - {policies, kps_collections}}), C(api_manager) ({organizations, applications, apis -
      {count, names}}, or null when not asked), C(unread) and C(taken) (UTC).
  returned: always
  type: dict
unread:
  description: What could not be read, each with the file or URL and why.
  returned: always
  type: list
  elements: str
stored:
  description: The file written with O(store), or an empty string.
  returned: always
  type: str
"""

import json
import os
import time

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.urls import open_url
from ansible_collections.apigw.sysupgrade.plugins.module_utils import domain_content, json_store


def api_getter(module):
    p = module.params
    base = p["api_manager_url"].rstrip("/")

    def get_json(path):
        answer = open_url(base + path, method="GET", headers={"Accept": "application/json"},
                          url_username=p["api_manager_username"], url_password=p["api_manager_password"],
                          force_basic_auth=True, validate_certs=p["validate_certs"], timeout=p["timeout"])
        try:
            return json.loads(answer.read().decode("utf-8"))
        finally:
            answer.close()
    return get_json


def main():
    module = AnsibleModule(
        argument_spec=dict(
            install_dir=dict(type="path", required=True),
            api_manager_url=dict(type="str", default=""),
            api_manager_username=dict(type="str", default=""),
            api_manager_password=dict(type="str", default="", no_log=True),
            validate_certs=dict(type="bool", default=True),
            timeout=dict(type="int", default=15),
            store=dict(type="path"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    if not os.path.isdir(p["install_dir"]):
        module.fail_json(msg="install_dir: %s is not a directory (expected an apigateway folder)" % p["install_dir"])
    content = domain_content.snapshot(p["install_dir"])
    content["api_manager"] = None
    if p["api_manager_url"]:
        try:
            content["api_manager"] = domain_content.api_manager_content(api_getter(module))
        except HTTPError as e:
            if e.code in (401, 403):
                # A refused login cannot heal by waiting: fail at once, naming what to fix.
                module.fail_json(msg="api_manager_username / api_manager_password: API Manager at %s refused the "
                                     "login (HTTP %d)" % (p["api_manager_url"], e.code), unread=content["unread"])
            content["unread"].append("API Manager %s: HTTP %d" % (p["api_manager_url"], e.code))
        except (URLError, ValueError, OSError) as e:
            reason = getattr(e, "reason", e)
            # Nothing listens there: this node runs no API Manager (the role asks every node).
            if not isinstance(reason, ConnectionRefusedError):
                content["unread"].append("API Manager %s: %s" % (p["api_manager_url"], reason))
    changed, stored = False, ""
    if p["store"]:
        before = json_store.read_json(p["store"])
        compare = dict(before or {}, taken=None)
        changed = before is None or compare != dict(content, taken=None)
        stored = p["store"]
    content["taken"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    if changed and not module.check_mode:
        try:
            json_store.write_json(p["store"], content)
        except (IOError, OSError) as e:
            module.fail_json(msg="store: cannot write %s: %s" % (p["store"], e))
    module.exit_json(changed=changed, content=content, unread=content["unread"], stored=stored)


if __name__ == "__main__":
    main()
