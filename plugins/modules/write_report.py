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
  - Every value in O(secrets) is replaced by C(********) in every file.
  - Known sysupgrade messages get the remediation of the collection's issue catalogue.
version_added: "1.0.0"
author:
  - apigw.sysupgrade developers (!UNKNOWN)
options:
  report:
    description:
      - The report, with keys C(generated), C(playbook), C(rows) and C(resume) (from the
        P(apigw.sysupgrade.phase_report#filter) filter), C(issues) (a list of dicts with
        C(host), C(phase), C(severity), C(check), C(message)) and C(logs) (C(host) to a dict of
        step to log path relative to O(dest)).
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
    report: "{{ apigw_report }}"
    secrets:
      - "{{ apigw_admin_password }}"
  delegate_to: localhost
  run_once: true
  no_log: false
"""

RETURN = r"""
dest:
  description: Absolute path of the run folder.
  returned: success
  type: str
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
                                              secrets=dict(type="list", elements="str", default=[], no_log=True)))
    module.fail_json(msg="write_report is an action plugin and runs on the controller only")


if __name__ == "__main__":
    main()
