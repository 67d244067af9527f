#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: apigw.sysupgrade developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: write_report
short_description: Write the upgrade report (HTML, Markdown, JSON, JUnit) on the controller
description:
  - Renders the report of a playbook run into a run folder on the controller.
  - The folder is created with mode 0700 and every file with mode 0600.
  - Files already in the folder (the nodes' logs, fetched there first) get the same modes, and
    every secret in them is masked too.
  - Every value in O(secrets) and in the variables named by O(secret_vars) is replaced by
    C(********) in every file.
  - Known sysupgrade messages get the remediation of the collection's issue catalogue.
version_added: 0.1.0
author:
  - apigw.sysupgrade developers (!UNKNOWN)
options:
  report:
    description:
      - The report, with keys C(generated), C(playbook), C(rows) and C(resume) (from the
        P(apigw.sysupgrade.phase_report#filter) filter), C(issues) (a list of dicts with
        C(host), C(phase), C(severity), C(check), C(message)) and C(logs), which maps C(host) to a
        dict of step to log path relative to O(dest), or is a list of dicts with C(host), C(step) and C(link).
    type: dict
    required: true
  dest:
    description:
      - The run folder. Defaults to C(apigw-reports/<UTC timestamp>) under the current directory.
    type: path
  secrets:
    description:
      - Secret values to mask in every file.
    type: list
    elements: str
    default: []
  secret_vars:
    description:
      - Names of variables whose values are secrets to mask. They are read from the task's
        variables on the controller, so the secrets never appear among the task's arguments.
    type: list
    elements: str
    default: [apigw_admin_password, apigw_domain_passphrase, apigw_cassandra_password]
attributes:
  action:
    support: full
    description: Runs on the controller.
  check_mode:
    support: none
    description: Files are written even in check mode.
  diff_mode:
    support: none
    description: No diff.
  platform:
    support: full
    platforms: posix
    description: The controller.
notes:
  - This is an action plugin; the module file only documents it.
"""

EXAMPLES = r"""
- name: Write the report
  apigw.sysupgrade.write_report:
    report: "{{ __apigw_report }}"
    dest: "apigw-reports/{{ now(utc=true, fmt='%Y%m%dT%H%M%SZ') }}"
    # apigw_admin_password, apigw_domain_passphrase and apigw_cassandra_password are masked by
    # default (secret_vars); name any other secret variable here.
    secret_vars: [apigw_admin_password, apigw_domain_passphrase, apigw_cassandra_password, my_ldap_password]
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
dest:
  description: Absolute path of the run folder.
  returned: success
  type: str
masked:
  description: Files already in the folder in which a secret was found and masked.
  returned: success
  type: list
  elements: str
files:
  description: Absolute path of each file written, by file name.
  returned: success
  type: dict
  sample: {"report.html": "/home/op/apigw-reports/20261125T050000Z/report.html"}
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    # Only reached when the action plugin is bypassed: the report must be written on the controller.
    module = AnsibleModule(argument_spec=dict(report=dict(type="dict", required=True),
                                              dest=dict(type="path"),
                                              secrets=dict(type="list", elements="str", default=[], no_log=True),
                                              # Names of variables, not their values.
                                              secret_vars=dict(type="list", elements="str", no_log=False,
                                                               default=["apigw_admin_password", "apigw_domain_passphrase",
                                                                        "apigw_cassandra_password"])))
    module.fail_json(msg="write_report is an action plugin and runs on the controller only")


if __name__ == "__main__":
    main()
