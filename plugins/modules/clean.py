#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: clean
short_description: Run C(sysupgrade clean) on an API Gateway node
version_added: 0.1.0
description:
  - Resets the new installation so that sysupgrade can start again; moves C(upgrade/bin/out) to a
    backup, removes the new C(groups) folder and restores the Node Manager's original C(conf),
    C(system/conf) and C(ext/lib) (product contract §4 rule 9).
  - Skipped with C(changed=false) when there is nothing to clean, that is when all of these hold
    (checked before running, also in check mode)
  - 1. C(sysupgrade status) says C(not started);
  - 2. C(upgrade/bin/out) does not exist, or holds nothing but clean's own log folder;
  - 3. the new C(groups) folder does not exist or is empty (only apply creates it).
  - Succeeds when the status is C(not started) afterwards and the log has no errors.
extends_documentation_fragment:
  - apigw.sysupgrade.sysupgrade
  - apigw.sysupgrade.sysupgrade.owner
  - apigw.sysupgrade.sysupgrade.step
  - apigw.sysupgrade.sysupgrade.tracelevel
  - apigw.sysupgrade.sysupgrade.attributes
  - apigw.sysupgrade.group_options
notes:
  - Running clean on the first Admin Node Manager also wipes the new topology and domain CA; every
    other node must then rerun apply (product contract §4 rule 7).
seealso:
  - module: apigw.sysupgrade.status
author:
  - apigw.sysupgrade developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Start the upgrade of this node again from scratch
  apigw.sysupgrade.clean:
    new_install_dir: /opt/Axway-7.7/apigateway
  register: cleaned

- name: Show what clean found to clean
  ansible.builtin.debug:
    var: cleaned.clean_leftovers
"""

RETURN = r"""
run_as:
  description: The account that ran the product commands (the installation's owner, see O(install_owner)).
  returned: always
  type: str
  sample: axway
clean_leftovers:
  description: What clean found to clean before running (see the description); empty when only the status required it.
  returned: when the options were valid
  type: list
  elements: str
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

STEP = "clean"


def main():
    run_step_module(STEP)


if __name__ == "__main__":
    main()
