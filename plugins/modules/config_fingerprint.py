#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: config_fingerprint
short_description: Record the old installation's configuration at export, and tell what changed since
version_added: 0.2.0
description:
  - The vendor forbids changing the old installation once sysupgrade has begun - no topology change, no
    deployment, no change to the admin user store or to API Manager's configuration - and a change made
    after export only reaches the new installation if export runs again on the nodes concerned
    (upgrade_steps_extcass.md, "Task 3 - Do not change the old API Gateway installation";
    upgrade_faq.md, "What happens if you change the old API Gateway installation after running
    export?").
  - The fingerprint is a SHA-256 of every file of the old installation's C(groups/topology.json),
    C(groups/certs/), C(groups/<group>/) (deployed configurations and instance configuration) and
    C(conf/) (Node Manager configuration, admin user store), never of logs, traces, events or the
    traffic monitoring database. API Manager data kept in Cassandra is not covered.
  - O(state=present) computes it and stores it in O(path) (changed when it differs from the one stored).
  - O(state=compared) computes it, reads the stored one and returns the differences. It never writes.
options:
  old_install_dir:
    description: The old installation's C(apigateway) folder. A group option.
    type: path
    required: true
  new_install_dir:
    description:
      - The new installation's C(apigateway) folder. A group option. The default O(path) is under it.
    type: path
  path:
    description:
      - Where the fingerprint is stored. Default C(NEW/upgrade/apigw-sysupgrade/export-fingerprint.json),
        beside the upgrade tool but outside C(upgrade/bin/out), which C(export --force) and C(clean)
        clear, so that only a new export replaces it.
      - One of O(path) and O(new_install_dir) is required.
    type: path
  state:
    description:
      - C(present) - compute and store.
      - C(compared) - compute and compare with the stored one.
    type: str
    choices: [present, compared]
    default: present
attributes:
  check_mode:
    description: With O(state=present), says whether the stored fingerprint would change and writes nothing.
    support: full
  diff_mode:
    description: No diff is shown; RV(drift) lists the changed files.
    support: none
  platform:
    description: Target OS family.
    support: full
    platforms: posix
extends_documentation_fragment:
  - apigw.sysupgrade.group_options
seealso:
  - module: apigw.sysupgrade.export
  - module: apigw.sysupgrade.backup
author:
  - apigw.sysupgrade developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Record the configuration the export saw
  apigw.sysupgrade.config_fingerprint:
    old_install_dir: /opt/Axway-7.5.3/apigateway
    new_install_dir: /opt/Axway-7.7/apigateway

- name: Before apply, tell what changed since
  apigw.sysupgrade.config_fingerprint:
    old_install_dir: /opt/Axway-7.5.3/apigateway
    new_install_dir: /opt/Axway-7.7/apigateway
    state: compared
  register: drift
"""

RETURN = r"""
path:
  description: Where the fingerprint is stored.
  returned: always
  type: str
  sample: /opt/Axway-7.7/apigateway/upgrade/apigw-sysupgrade/export-fingerprint.json
fingerprint:
  description: The fingerprint of the configuration now.
  returned: always
  type: str
files_count:
  description: How many files it covers.
  returned: always
  type: int
stored:
  description: Whether a stored fingerprint was found (before this run, with O(state=present)).
  returned: always
  type: bool
stored_fingerprint:
  description: The stored fingerprint, or an empty string.
  returned: always
  type: str
stored_at:
  description: When the stored fingerprint was taken (UTC), or an empty string.
  returned: always
  type: str
drift:
  description:
    - The files that differ from the stored fingerprint, each with C(path) (relative to the old
      C(apigateway) folder), C(change) (C(added), C(removed) or C(modified)) and C(group) (the group id
      for a file under C(groups/<group>/), else null). Empty when nothing is stored.
  returned: always
  type: list
  elements: dict
group_fingerprints:
  description:
    - Each group id with the fingerprint of its deployed configuration on this node (the files of
      C(groups/<group>/) outside its instances' C(instance-*) folders). Every node that runs an instance
      of a group must have the same one (upgrade_errors.md, "Inconsistent groups").
  returned: always
  type: dict
  sample: {group-2: 5d41402abc4b2a76b9719d911017c592...}
group_hosts:
  description: Each group id of the old topology (C(groups/topology.json)) with the topology hosts that run an instance of it.
  returned: always
  type: dict
  sample: {group-2: [NodeA, NodeB]}
"""

import os
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.apigw.sysupgrade.plugins.module_utils import config_fingerprint as fp
from ansible_collections.apigw.sysupgrade.plugins.module_utils import group_options, json_store, topology

STORE = fp.STORE


def group_hosts(old_install_dir):
    """{group id: [topology host names running an instance of it]} from the node's topology copy."""
    try:
        topo = topology.read_topology_file(topology.topology_file(old_install_dir))
    except (topology.TopologyError, IOError, OSError, ValueError):
        return {}
    out = {}
    for svc in topo["services"]:
        if svc["type"] == topology.GATEWAY_TYPE and svc.get("host_name"):
            out.setdefault(svc["group_id"], [])
            if svc["host_name"] not in out[svc["group_id"]]:
                out[svc["group_id"]].append(svc["host_name"])
    return out


def main():
    module = AnsibleModule(
        argument_spec=group_options.with_group_options(dict(
            old_install_dir=dict(type="path", required=True),
            path=dict(type="path"),
            state=dict(type="str", choices=["present", "compared"], default="present"),
        )),
        required_one_of=[("path", "new_install_dir")],
        supports_check_mode=True,
    )
    p = module.params
    old = p["old_install_dir"]
    path = p["path"] or os.path.join(p["new_install_dir"], STORE)
    if not os.path.isdir(old):
        module.fail_json(msg="old_install_dir: %s is not a directory (expected the OLD apigateway folder)" % old)
    now = fp.fingerprint(old)
    stored = fp.read_stored(path)
    result = dict(path=path, fingerprint=now["fingerprint"], files_count=len(now["files"]),
                  stored=stored is not None,
                  stored_fingerprint=(stored or {}).get("fingerprint", ""),
                  stored_at=(stored or {}).get("taken", ""),
                  drift=[], group_hosts=group_hosts(old), group_fingerprints=fp.group_fingerprints(now["files"]))
    if stored is not None:
        result["drift"] = [dict(d, group=fp.group_of(d["path"])) for d in fp.differences(stored["files"], now["files"])]
    if p["state"] == "compared":
        module.exit_json(changed=False, **result)
    changed = stored is None or stored.get("fingerprint") != now["fingerprint"] \
        or stored.get("old_install_dir") != old
    if changed and not module.check_mode:
        try:
            json_store.write_json(path, dict(now, old_install_dir=old,
                                             taken=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())))
        except (IOError, OSError) as e:
            module.fail_json(msg="path: cannot store the fingerprint in %s: %s" % (path, e), **result)
    module.exit_json(changed=changed, **result)


if __name__ == "__main__":
    main()
