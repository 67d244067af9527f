#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: apigw.sysupgrade developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: reachable
short_description: Find, from the controller, which nodes answer on their SSH port, all at once
version_added: 0.2.0
description:
  - Opens a TCP connection to every node's SSH port at the same time, from the controller, and
    returns the nodes that answered within O(timeout) seconds and, for the others, why not.
  - The roles delegate to the domain's nodes only once they have answered here, because a task
    delegated to an unreachable host ends the whole play.
  - Runs on the controller (an action plugin); nothing is sent to the nodes.
options:
  hosts:
    description:
      - The inventory hosts to try, in the order the result lists them. Each is tried at its
        C(ansible_host) (else its inventory name) on its C(ansible_port) (else 22).
    type: list
    elements: str
    required: true
  timeout:
    description: Seconds to wait for each node's port, all nodes waiting at the same time.
    type: int
    default: 10
attributes:
  action:
    support: full
    description: Runs on the controller; nothing is sent to the nodes.
  check_mode:
    support: full
    description: Only connects and disconnects; nothing changes anywhere.
  diff_mode:
    support: none
    description: No diff.
  platform:
    support: full
    platforms: posix
    description: The controller.
notes:
  - This is an action plugin; the module file only documents it.
author:
  - apigw.sysupgrade developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Check which nodes answer on their SSH port
  apigw.sysupgrade.reachable:
    hosts: "{{ groups['apigw'] }}"
    timeout: 5
  delegate_to: localhost
  run_once: true
  register: ports
"""

RETURN = r"""
reachable:
  description: The hosts whose port answered, in the order of O(hosts).
  returned: always
  type: list
  elements: str
  sample: [node1]
silent:
  description: For each host whose port did not answer, why.
  returned: always
  type: dict
  sample: {node2: "10.0.0.2:2222 did not answer within 5 s: timed out"}
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    # Only reached when the action plugin is bypassed: the check runs on the controller.
    module = AnsibleModule(argument_spec=dict(
        hosts=dict(type="list", elements="str", required=True),
        timeout=dict(type="int", default=10)), supports_check_mode=True)
    module.fail_json(msg="apigw.sysupgrade.reachable runs on the controller; its action plugin was not used")


if __name__ == "__main__":
    main()
