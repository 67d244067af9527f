#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: apply
short_description: Run C(sysupgrade apply) on an API Gateway node
version_added: 0.1.0
description:
  - Applies the upgraded data to the new installation, then creates and starts its Node Manager and
    gateway instances; the last sysupgrade step.
  - Every old-installation process on every node must be stopped, export must have run on all nodes,
    and the first apply of the domain must run on an Admin Node Manager node (product contract §4
    rules 4 and 5). This module checks only what one node can see (status); orchestration belongs
    to the playbooks and roles.
  - Fails before running when upgrade has not succeeded on this node.
  - Skipped with C(changed=false) when apply already succeeded on this node, unless O(force=true).
options:
  domain_passphrase:
    description:
      - Passphrase of the domain CA private key.
      - Never put on the command line; written to standard input after the password (the order in
        which sysupgrade prompts). Masked in every output.
    type: str
    required: true
  sign_alg:
    description:
      - Signing algorithm of the topology SSL certificates (C(--sign_alg)). The tool defaults to C(sha256).
    type: str
    choices: [sha1, sha256, sha384, sha512]
  subj_alt_name:
    description:
      - Subject alternative names for the Node Manager certificate, one C(--subj_alt_name) per item,
        for example C(DNS.0=node1.example.com) or C(IP.0=10.4.6.7).
    type: list
    elements: str
  skip_db_upgrade:
    description:
      - Skip the upgrade of KPS and OAuth tables in external databases (C(--skip_db_upgrade)); only
        when a database administrator has already upgraded them.
    type: bool
    default: false
extends_documentation_fragment:
  - apigw.sysupgrade.sysupgrade
  - apigw.sysupgrade.sysupgrade.owner
  - apigw.sysupgrade.sysupgrade.step
  - apigw.sysupgrade.sysupgrade.credentials
  - apigw.sysupgrade.sysupgrade.force
  - apigw.sysupgrade.sysupgrade.tracelevel
  - apigw.sysupgrade.sysupgrade.attributes
  - apigw.sysupgrade.group_options
notes:
  - Rerunning apply with O(force=true) on the first Admin Node Manager wipes the new topology and
    domain CA; every other node must then rerun apply.
seealso:
  - module: apigw.sysupgrade.upgrade
  - module: apigw.sysupgrade.status
author:
  - apigw.sysupgrade developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Apply on the first Admin Node Manager
  apigw.sysupgrade.apply:
    new_install_dir: /opt/Axway-7.7/apigateway
    anm_host: NodeA
    username: admin
    password: "{{ anm_admin_password }}"
    domain_passphrase: "{{ domain_passphrase }}"
    sign_alg: sha512
    subj_alt_name:
      - DNS.0=node1.example.com
      - IP.0=10.4.6.7

# One module_defaults block serves every module of the action group: each accepts all five group
# options and ignores those it does not use. anm_host is not one of them (see the notes).
- name: Folders and credentials set once for the whole action group
  module_defaults:
    group/apigw.sysupgrade.sysupgrade:
      new_install_dir: /opt/Axway-7.7/apigateway
      old_install_dir: /opt/Axway-7.5.3/apigateway
      username: admin
      password: "{{ anm_admin_password }}"
      domain_passphrase: "{{ domain_passphrase }}"
      install_owner: ""  # the owner of the installation's folder runs the product
  block:
    - name: Where is this node?
      apigw.sysupgrade.status:

    - name: Stop the old installation's processes
      apigw.sysupgrade.process:
        installation: old
        component: all
        state: stopped

    - name: Apply with the group's defaults
      apigw.sysupgrade.apply:
        anm_host: NodeA
        sign_alg: sha512
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

STEP = "apply"


def main():
    run_step_module(STEP)


if __name__ == "__main__":
    main()
