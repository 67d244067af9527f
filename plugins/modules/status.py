#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: status
short_description: Read C(sysupgrade status) on an API Gateway node
version_added: 0.1.0
description:
  - Runs C(sysupgrade status) and tells which upgrade steps have succeeded on this node and which
    one comes next.
  - Never changes anything; works the same in check mode.
  - Understands the four documented states (C(not started), C(export complete),
    C(export and upgrade complete), C(system upgrade complete)); when only the C(Next step) line is
    understood the completed steps are derived from it. Fails with the raw output when neither is.
  - With O(include_logs), also reads the newest log of each step (export, upgrade, apply) and
    returns its counts and first errors, so that a gate can check that the last upgrade log of
    every node is free of errors without running anything.
options:
  include_logs:
    description:
      - Also parse the newest log of each step, from every documented log location.
    type: bool
    default: false
  max_issues:
    description:
      - With O(include_logs), at most this many error and warning texts per step are returned.
    type: int
    default: 10
extends_documentation_fragment:
  - apigw.sysupgrade.sysupgrade
  - apigw.sysupgrade.sysupgrade.owner
  - apigw.sysupgrade.sysupgrade.attributes
  - apigw.sysupgrade.group_options
attributes:
  check_mode:
    support: full
    description: Runs the same in check mode; it never changes anything.
seealso:
  - module: apigw.sysupgrade.export
author:
  - apigw.sysupgrade developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Where is this node in the upgrade?
  apigw.sysupgrade.status:
    new_install_dir: /opt/Axway-7.7/apigateway
  register: upgrade_status

- name: Apply only where upgrade has succeeded
  ansible.builtin.debug:
    msg: "next: {{ upgrade_status.next_step | default('nothing, upgrade complete', true) }}"
  when: "'upgrade' in upgrade_status.completed"
"""

RETURN = r"""
run_as:
  description: The account that ran the product commands (the installation's owner, see O(install_owner)).
  returned: success
  type: str
  sample: axway
current_status:
  description: The C(Current status) text as printed by sysupgrade.
  returned: success
  type: str
  sample: export complete
next_step:
  description: The next step (C(export), C(upgrade) or C(apply)); null when the upgrade is complete.
  returned: success
  type: str
  sample: upgrade
completed:
  description: The steps that have succeeded on this node, in order.
  returned: success
  type: list
  elements: str
  sample: [export]
raw:
  description: The full output of C(sysupgrade status).
  returned: always
  type: str
  sample: "System Upgrade Status\n---------------------\nCurrent status: export complete\nNext step: sysupgrade upgrade\n"
cmd:
  description: The command that ran, as an argument list.
  returned: when the command ran
  type: list
  elements: str
  sample: [/opt/Axway-7.7/apigateway/upgrade/bin/sysupgrade, status]
rc:
  description: Exit status of C(sysupgrade status) (C(124) when it was stopped at O(timeout)).
  returned: when the command ran
  type: int
stdout:
  description: Standard output of C(sysupgrade status) (the same text as RV(raw)).
  returned: when the command ran
  type: str
stderr:
  description: Standard error of C(sysupgrade status).
  returned: when the command ran
  type: str
logs:
  description:
    - Per step (C(export), C(upgrade), C(apply)), its newest log, or null when the step left none.
  returned: when O(include_logs) is true
  type: dict
  contains:
    path:
      description: The log file.
      type: str
    counts:
      description: Number of findings per severity (C(error), C(warning), C(info)).
      type: dict
    errors:
      description: The first error findings as C([check] message) texts.
      type: list
      elements: str
    warnings:
      description: The first warning findings as C([check] message) texts.
      type: list
      elements: str
  sample:
    upgrade:
      path: /opt/Axway-7.7/apigateway/upgrade/bin/out/logs/upgrade.log
      counts: {"error": 0, "warning": 1, "info": 2}
      errors: []
      warnings: ["[RBAC] RBAC permissions file has been modified on old system."]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.apigw.sysupgrade.plugins.module_utils import (
    group_options, install_owner, install_paths, log_locator, log_parser, status_parser, step_module)
from ansible_collections.apigw.sysupgrade.plugins.module_utils.sysupgrade_runner import SysupgradeRunner

LOGGED_STEPS = ("export", "upgrade", "apply")


def step_logs(new_install_dir, max_issues):
    """The newest log of each step, parsed; a step without a log maps to None."""
    logs = {}
    for step in LOGGED_STEPS:
        path, _looked_in = log_locator.find_step_log(new_install_dir, step)
        if path is None:
            logs[step] = None
            continue
        parsed = log_parser.parse_log_file(path, max_issues=max_issues)
        by_severity = dict(
            (severity, ["[%s] %s" % (i["check"], i["message"]) for i in parsed["issues"]
                        if i["severity"] == severity][:max_issues])
            for severity in ("error", "warning"))
        logs[step] = dict(path=path, counts=parsed["counts"], errors=by_severity["error"],
                          warnings=by_severity["warning"])
    return logs


def argument_spec():
    return group_options.with_group_options(dict(
        new_install_dir=dict(type="path", required=True),
        timeout=dict(type="int", default=step_module.DEFAULT_TIMEOUT),
        include_logs=dict(type="bool", default=False),
        max_issues=dict(type="int", default=10),
    ))


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    new_install_dir = module.params["new_install_dir"]
    error = install_paths.check_new_install_dir(new_install_dir)
    if error is None and module.params["timeout"] <= 0:
        error = "timeout: must be a positive number of seconds, got %s" % module.params["timeout"]
    if error:
        module.fail_json(msg=error, raw="")

    account = install_owner.for_module(module, new_install_dir)
    runner = SysupgradeRunner(module, new_install_dir, module.params["timeout"], account=account)
    status, run = runner.status()
    result = dict(changed=False, cmd=run["cmd"], rc=run["rc"], stdout=run["stdout"], stderr=run["stderr"],
                  raw=status["raw"], run_as=account.name if account else None)
    if run["timed_out"]:
        module.fail_json(msg="sysupgrade status did not answer in time and was stopped", **result)
    if run["rc"] != 0 or not status["known"]:
        module.fail_json(
            msg="sysupgrade status failed or printed something not understood (exit code %s): %s"
            % (run["rc"], (run["stderr"] or run["stdout"] or "no output").strip()[:500]),
            **result
        )
    result.update(status_parser.public_fields(status))
    if module.params["include_logs"]:
        try:
            result["logs"] = step_logs(new_install_dir, module.params["max_issues"])
        except (IOError, OSError) as exc:
            module.fail_json(msg="cannot read the sysupgrade logs under %s: %s" % (new_install_dir, exc), **result)
    module.exit_json(failed=False, **result)


if __name__ == "__main__":
    main()
