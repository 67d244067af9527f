#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: upgrade
short_description: Run C(sysupgrade upgrade) on an API Gateway node
version_added: 0.1.0
description:
  - Validates the exported data and converts it for the new version into C(upgrade/bin/out/upgrade),
    the second sysupgrade step. Offline; the old installation may keep running.
  - Fails before running when export has not succeeded on this node.
  - Skipped with C(changed=false) when upgrade already succeeded on this node, unless O(force=true).
options:
  cass_host:
    description:
      - Address of the Apache Cassandra node that receives data during apply (C(--cass_host)).
        The tool defaults to C(localhost).
    type: str
  cass_port:
    description:
      - Apache Cassandra client port (C(--cass_port)). The tool defaults to the Cassandra default port (9042).
    type: int
  cass_username:
    description:
      - Apache Cassandra user name (C(--cass_username)).
    type: str
  cass_password:
    description:
      - Apache Cassandra password (C(--cass_password)).
      - B(Vendor limitation:) sysupgrade has no prompt for this value, so it can only be passed on
        its command line, where other local users can see it in the process list while upgrade runs.
        The module masks it in every returned field, message and warning. Prefer a Cassandra account
        whose password can be changed after the upgrade.
    type: str
  no_cassandra:
    description:
      - Do not add a Cassandra host to the group configurations (C(--no_cassandra)); the tool then
        fails when a Cassandra-backed KPS collection exists.
      - Cannot be combined with the C(cass_*) options.
    type: bool
    default: false
extends_documentation_fragment:
  - apigw.sysupgrade.sysupgrade
  - apigw.sysupgrade.sysupgrade.owner
  - apigw.sysupgrade.sysupgrade.step
  - apigw.sysupgrade.sysupgrade.force
  - apigw.sysupgrade.sysupgrade.tracelevel
  - apigw.sysupgrade.sysupgrade.attributes
  - apigw.sysupgrade.group_options
notes:
  - Rerunning upgrade with O(force=true) clears the upgrade and apply output of this node; on the
    first Admin Node Manager it also wipes the new topology and domain CA.
  - Very large configurations may need more Java heap (C(java.lang.OutOfMemoryError) is reported as
    an error of check C(java)); see the vendor's troubleshooting page.
seealso:
  - module: apigw.sysupgrade.export
  - module: apigw.sysupgrade.apply
author:
  - apigw.sysupgrade developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Upgrade the exported data (local Cassandra)
  apigw.sysupgrade.upgrade:
    new_install_dir: /opt/Axway-7.7/apigateway

- name: Upgrade for a remote Cassandra, verbose log
  apigw.sysupgrade.upgrade:
    new_install_dir: /opt/Axway-7.7/apigateway
    cass_host: cassandra1.example.com
    cass_port: 9042
    cass_username: cassandra
    cass_password: "{{ cassandra_password }}"
    tracelevel: VERBOSE

- name: Upgrade without Cassandra
  apigw.sysupgrade.upgrade:
    new_install_dir: /opt/Axway-7.7/apigateway
    no_cassandra: true
"""

RETURN = r"""
run_as:
  description: The account that ran the product commands (the installation's owner, see O(install_owner)).
  returned: always
  type: str
  sample: axway
msg:
  description:
    - What happened, in one line.
    - On failure it names the step, the first errors with their check names, why the step counts as failed, and the log path.
  returned: always
  type: str
  sample: >-
    sysupgrade upgrade failed: [API Manager] Found duplicate 'apiadmin' users in KPS table: ...
    Why: exit code 1; 1 error(s) in its log. Log: /opt/Axway-7.7/apigateway/upgrade/bin/out/logs/upgrade.log
step:
  description: The sysupgrade command this module drives.
  returned: always
  type: str
  sample: upgrade
cmd:
  description:
    - The sysupgrade command (that ran, or would run in check mode) as an argument list; secret values
      are replaced by C(********).
  returned: when the options were valid
  type: list
  elements: str
  sample: [/opt/Axway-7.7/apigateway/upgrade/bin/sysupgrade, upgrade, --tracelevel, INFO]
status_before:
  description: C(sysupgrade status) before the step (keys current_status, next_step, completed, known, raw).
  returned: when the options were valid
  type: dict
  sample: {"current_status": "export complete", "next_step": "upgrade", "completed": ["export"], "known": true, "raw": "..."}
status_after:
  description: C(sysupgrade status) after the step (same keys as RV(status_before)); equal to it when nothing ran.
  returned: when the module got past the status check
  type: dict
rc:
  description: Exit status of sysupgrade (C(124) when stopped at the time limit).
  returned: when the step ran
  type: int
stdout:
  description: Full standard output of sysupgrade, secrets masked.
  returned: when the step ran
  type: str
stderr:
  description: Full standard error of sysupgrade, secrets masked.
  returned: when the step ran
  type: str
duration:
  description: Seconds the step ran.
  returned: when the step ran
  type: float
  sample: 42.7
timed_out:
  description: Whether the step was stopped at O(timeout).
  returned: when the step ran
  type: bool
answered_on_stdin:
  description: Names (never values) of the prompts answered on standard input, in order.
  returned: when the step ran
  type: list
  elements: str
  sample: [password]
log_path:
  description: The step log read after the run (newest of the documented locations written by this run), or null.
  returned: when the step ran
  type: str
  sample: /opt/Axway-7.7/apigateway/upgrade/bin/out/logs/upgrade.log
log_searched:
  description: The locations looked at when no log written by this run was found.
  returned: when the step ran and no log was found
  type: list
  elements: str
log_tail:
  description: The last 40 lines of the log (each cut at 500 characters).
  returned: when the step ran
  type: list
  elements: str
issues:
  description:
    - Findings of the log, in log order; at most O(max_issues) per severity.
    - A finding is one message block (for example the three C(ERROR:) lines of the KPS duplicates check are one finding).
  returned: when the step ran
  type: list
  elements: dict
  contains:
    severity:
      description: C(error), C(warning) or C(info).
      type: str
    check:
      description: The check named by the log section, C(sysupgrade) for messages outside a section, C(java) for Java exceptions.
      type: str
    message:
      description: The message text, continuation lines joined with newlines (cut at 2000 characters).
      type: str
    line:
      description: Line number of the message in the log.
      type: int
  sample:
    - severity: warning
      check: System Config
      message: "Migrating the following instance-specific jvm.xml files from the old system:\n/opt/..."
      line: 7
errors:
  description: The error findings as C([check] message) texts (at most O(max_issues)).
  returned: when the step ran
  type: list
  elements: str
counts:
  description: Number of findings per severity in the whole log (not limited by O(max_issues)).
  returned: when the step ran
  type: dict
  sample: {"error": 0, "warning": 2, "info": 1}
issues_truncated:
  description: Whether some findings were only counted because of O(max_issues).
  returned: when a log was parsed
  type: bool
status_cmd:
  description: The C(sysupgrade status) argument list, when status could not be read before the step (nothing ran then).
  returned: when the status before the step could not be read
  type: list
  elements: str
status_rc:
  description: Exit status of that C(sysupgrade status) call.
  returned: when the status before the step could not be read
  type: int
status_stdout:
  description: Standard output of that C(sysupgrade status) call.
  returned: when the status before the step could not be read
  type: str
status_stderr:
  description: Standard error of that C(sysupgrade status) call.
  returned: when the status before the step could not be read
  type: str
failure_reasons:
  description:
    - Why the step counts as failed (time limit, exit code, errors in the log, status not advanced).
    - When the tool asked a question on standard input that the module does not answer (it then reads end
      of file), the first reason quotes the question and names the option that answers it.
  returned: on failure after the step ran
  type: list
  elements: str
warnings:
  description:
    - Ansible's standard warnings; each warning of the log appears as C(sysupgrade STEP [check] message).
    - A step that succeeded although it asked a question on standard input (it read end of file and went
      on) also warns, quoting the question.
  returned: when the log had warnings
  type: list
  elements: str
"""

from ansible_collections.apigw.sysupgrade.plugins.module_utils.step_module import run_step_module

STEP = "upgrade"


def main():
    run_step_module(STEP)


if __name__ == "__main__":
    main()
