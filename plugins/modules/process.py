#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: process
short_description: Start or stop the Node Manager and gateway instances of an API Gateway installation
version_added: 0.1.0
author:
  - apigw.sysupgrade developers (!UNKNOWN)
description:
  - Uses the installation's own process commands, C(INSTALL_DIR/posix/bin/nodemanager) and
    C(INSTALL_DIR/posix/bin/startinstance -g GROUP -n NAME), with C(-d) (start as a daemon),
    C(-k) (stop) and C(-s) (exit 0 when running, 1 when not).
  - Idempotent. Each component's state is read with C(-s) first; C(-d) or C(-k) runs only where the
    state differs, and C(-s) is asked again afterwards to prove the change. RV(ignore:changed) is
    true only when something was started or stopped.
  - "Order: when starting, the Node Manager first and then the instances (instances register with
    their Node Manager); when stopping, the instances first and then the Node Manager."
  - Commands run from C(INSTALL_DIR/posix/bin) with C(LANG=C), without a terminal, with standard
    input on C(/dev/null) and in their own process group, so a started daemon can never hold the
    Ansible connection open.
  - "The installation is O(install_dir), or the group option named by O(installation):
    O(old_install_dir) or O(new_install_dir), which one C(module_defaults) block can set for the
    whole action group."
options:
  install_dir:
    description:
      - The installation's C(apigateway) folder, for example C(/opt/Axway-7.5.3/apigateway).
      - Either this or O(installation) is required; they are mutually exclusive.
    type: path
  installation:
    description:
      - Which installation to act on when O(install_dir) is not given.
      - C(old) - the folder in O(old_install_dir); C(new) - the folder in O(new_install_dir).
      - Meant for plays that set those two once for the action group in C(module_defaults).
    type: str
    choices: [old, new]
  old_install_dir:
    description:
      - The OLD installation's C(apigateway) folder, used with O(installation=old). A group option.
      - Ignored when O(install_dir) is given.
    type: path
  new_install_dir:
    description:
      - The NEW installation's C(apigateway) folder, used with O(installation=new). A group option.
      - Ignored when O(install_dir) is given.
    type: path
  state:
    description: C(started) or C(stopped).
    type: str
    required: true
    choices: [started, stopped]
  component:
    description:
      - C(nodemanager) - the installation's Node Manager (admin or not).
      - C(instance) - one gateway instance, named by O(group) and O(name).
      - C(instances) - every gateway instance of the installation (see O(discovery)).
      - C(all) - the Node Manager and every instance; what stopping a whole installation before
        C(sysupgrade apply) needs.
    type: str
    required: true
    choices: [nodemanager, instance, instances, all]
  group:
    description: Group name of the instance (C(startinstance -g)). Required with O(component=instance).
    type: str
  name:
    description: Instance name (C(startinstance -n)). Required with O(component=instance).
    type: str
  instances:
    description:
      - The instances that O(component=instances) and O(component=all) act on, given explicitly.
        No discovery runs when this is set.
    type: list
    elements: dict
    suboptions:
      group:
        description: Group name.
        type: str
        required: true
      name:
        description: Instance name.
        type: str
        required: true
  discovery:
    description:
      - How O(component=instances) and O(component=all) find the instances when O(instances) is not set.
      - C(listing) - run C(startinstance) without arguments and read its
        C(startinstance -n "NAME" -g "GROUP") lines. B(Careful:) the vendor documents that with
        a single instance on the host this call starts that instance.
      - C(files) - take the C(groups/group-N/instance-M) folders of the installation and name them
        through C(groups/topology.json).
      - C(auto) - C(files) when exactly one instance folder exists (so the lone instance is never
        started by accident), otherwise C(listing), falling back to C(files) when the listing has
        no usable line but instance folders exist. An installation with no instance folder and an
        empty listing has no instances, which is not an error.
    type: str
    choices: [auto, listing, files]
    default: auto
  wait_for_sysupgrade:
    description:
      - Seconds to wait for a sysupgrade step still running on this node (one a killed controller
        left behind under C(async)) before acting, holding the node's sysupgrade lock
        (C(upgrade/bin/.apigw-sysupgrade.lock) of O(install_dir), as the step modules do) until
        done, so that no step starts processes behind this module's back. For the new installation
        only. C(0) (the default) takes no lock. Check mode never waits.
      - A wait longer than 10 s is cut into slices of 10 s by the action plugin of the same name,
        which prints a line between two slices naming the run it waits for.
    type: int
    default: 0
  timeout:
    description:
      - Seconds one process command may run. The vendor's C(-d) and C(-k) wait until the daemon is
        up or gone, which can take a while on a big configuration.
      - A command still running then is stopped together with everything it started (SIGTERM to
        its whole process group, SIGKILL 5 seconds later) and the task fails saying so.
    type: int
    default: 180
extends_documentation_fragment:
  - apigw.sysupgrade.sysupgrade.owner
  - apigw.sysupgrade.group_options
attributes:
  check_mode:
    description: Only C(-s) (and, where discovery needs it, the listing) runs; the result tells what would be started or stopped.
    support: full
  diff_mode:
    description: No diff.
    support: none
  platform:
    description: Target OS family.
    support: full
    platforms: posix
notes:
  - A failing C(-d)/C(-k) (the state that C(-s) reports afterwards is not the wanted one) fails the
    task with the command, its exit status and output, and the components already handled.
  - An installation with an encryption passphrase that prompts at start-up cannot be started by
    this module; the prompt reads end of file and the start fails.
seealso:
  - module: apigw.sysupgrade.topology_info
"""

EXAMPLES = r"""
- name: Stop every process of the old installation before apply
  apigw.sysupgrade.process:
    install_dir: /opt/Axway-7.5.3/apigateway
    component: all
    state: stopped

- name: Start the new installation's Node Manager
  apigw.sysupgrade.process:
    install_dir: /opt/Axway-7.7/apigateway
    component: nodemanager
    state: started

- name: Start one instance
  apigw.sysupgrade.process:
    install_dir: /opt/Axway-7.7/apigateway
    component: instance
    group: GatewayGroup
    name: APIGateway1
    state: started

- name: What would stopping the instances do?
  apigw.sysupgrade.process:
    install_dir: /opt/Axway-7.5.3/apigateway
    component: instances
    state: stopped
  check_mode: true
  register: would

- name: Folders and credentials set once for the action group
  module_defaults:
    group/apigw.sysupgrade.sysupgrade:
      new_install_dir: /opt/Axway-7.7/apigateway
      old_install_dir: /opt/Axway-7.5.3/apigateway
  block:
    - name: Stop the old installation (old_install_dir)
      apigw.sysupgrade.process:
        installation: old
        component: all
        state: stopped

    - name: Start the new one (new_install_dir)
      apigw.sysupgrade.process:
        installation: new
        component: all
        state: started

- name: Name the instances yourself instead of discovering them
  apigw.sysupgrade.process:
    install_dir: /opt/Axway-7.5.3/apigateway
    component: all
    state: started
    instances:
      - {group: GatewayGroup, name: APIGateway1}
"""

RETURN = r"""
run_as:
  description: The account that ran the product commands (the installation's owner, see O(install_owner)).
  returned: always
  type: str
  sample: axway
started:
  description: Components started (in check mode, that would be started). C(nodemanager) or C(GROUP/NAME).
  returned: always
  type: list
  elements: str
  sample: [nodemanager, GatewayGroup/APIGateway1]
stopped:
  description: Components stopped (in check mode, that would be stopped).
  returned: always
  type: list
  elements: str
  sample: []
already:
  description: Components that were already in the wanted state.
  returned: always
  type: list
  elements: str
  sample: []
components:
  description: Every component handled, in order, with its state before and after.
  returned: always
  type: list
  elements: dict
  contains:
    kind:
      description: C(nodemanager) or C(instance).
      type: str
    group:
      description: Group name (null for the Node Manager).
      type: str
    name:
      description: Instance name (null for the Node Manager).
      type: str
    label:
      description: The text used in RV(started), RV(stopped) and RV(already).
      type: str
    before:
      description: C(running) or C(stopped), as C(-s) said first.
      type: str
    after:
      description: C(running) or C(stopped) afterwards; in check mode, what it would be.
      type: str
discovery:
  description: How the instances were found, C(listing), C(files) or C(option); null when no discovery was needed.
  returned: always
  type: str
  sample: listing
commands:
  description: Every command run, as argument lists, in order.
  returned: always
  type: list
  elements: list
  sample: [["/opt/Axway-7.5.3/apigateway/posix/bin/nodemanager", "-s"]]
install_dir:
  description: The installation acted on (O(install_dir), or the folder O(installation) chose).
  returned: when the options were valid
  type: str
  sample: /opt/Axway-7.5.3/apigateway
cmd:
  description:
    - The last command run, as an argument list; on failure, the command that failed.
  returned: when a command ran, or failed to start
  type: list
  elements: str
  sample: ["/opt/Axway-7.5.3/apigateway/posix/bin/nodemanager", "-s"]
rc:
  description: Exit status of RV(cmd) (C(124) when it was stopped at O(timeout)).
  returned: when a command ran
  type: int
  sample: 1
stdout:
  description: Standard output of RV(cmd).
  returned: when a command ran
  type: str
  sample: ""
stderr:
  description: Standard error of RV(cmd).
  returned: when a command ran
  type: str
  sample: ""
failure_kind:
  description:
    - C(locked) when another sysupgrade run on this node still held its lock at the end of
      O(wait_for_sysupgrade); nothing was started or stopped.
  returned: when the wait for the lock ran out
  type: str
  sample: locked
holder:
  description: What the run that held the lock wrote about itself (pid, step, since when).
  returned: when RV(failure_kind) is C(locked)
  type: str
  sample: pid 4242, sysupgrade apply since 2026-11-25T05:00:00Z
waited:
  description:
    - Seconds the whole call took on the controller, its wait for the lock included (the action
      plugin of the same name cuts a long O(wait_for_sysupgrade) into slices and prints a line
      between two of them).
  returned: always
  type: float
  sample: 0.8
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.apigw.sysupgrade.plugins.module_utils import group_options, install_owner, step_lock
from ansible_collections.apigw.sysupgrade.plugins.module_utils.processes import (
    ProcessControl, ProcessError, detach_stdin, discover_instances, ensure, instance_component,
    nodemanager_component)


def select_components(params, control):
    """Components in the order the state needs, and how instances were found."""
    kind = params["component"]
    if kind == "nodemanager":
        return [nodemanager_component()], None
    if kind == "instance":
        return [instance_component(params["group"], params["name"])], None
    if params["instances"] is not None:
        found, how = params["instances"], "option"
    else:
        found, how = discover_instances(control, params["discovery"])
    instances = [instance_component(i["group"], i["name"]) for i in found]
    if kind == "instances":
        return instances, how
    nodemanager = [nodemanager_component()]
    if params["state"] == "started":
        return nodemanager + instances, how
    return instances + nodemanager, how


def argument_spec():
    return group_options.with_group_options(dict(
        install_dir=dict(type="path"),
        installation=dict(type="str", choices=["old", "new"]),
        old_install_dir=dict(type="path"),
        new_install_dir=dict(type="path"),
        state=dict(type="str", required=True, choices=["started", "stopped"]),
        component=dict(type="str", required=True, choices=["nodemanager", "instance", "instances", "all"]),
        group=dict(type="str"),
        name=dict(type="str"),
        instances=dict(type="list", elements="dict", options=dict(
            group=dict(type="str", required=True),
            name=dict(type="str", required=True))),
        discovery=dict(type="str", default="auto", choices=["auto", "listing", "files"]),
        timeout=dict(type="int", default=180),
        wait_for_sysupgrade=dict(type="int", default=0),
    ))


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(),
        required_if=[("component", "instance", ("group", "name"))],
        required_one_of=[("install_dir", "installation")],
        mutually_exclusive=[("install_dir", "installation")],
        supports_check_mode=True,
    )
    params = module.params
    install_dir, error = group_options.chosen_install_dir(params)
    if error:
        module.fail_json(msg=error)
    if not os.path.isdir(install_dir):
        module.fail_json(msg="install_dir %s is not a folder on this node" % install_dir, install_dir=install_dir)
    if params["timeout"] <= 0:
        module.fail_json(msg="timeout must be a positive number of seconds")

    detach_stdin()
    account = install_owner.for_module(module, install_dir)
    control = ProcessControl(module, install_dir, params["timeout"], account=account)
    report = dict(started=[], stopped=[], already=[], components=[], discovery=None, install_dir=install_dir,
                  run_as=account.name if account else None)
    error = None
    lock = None
    if params["wait_for_sysupgrade"] > 0 and not module.check_mode:
        lock = step_lock.StepLock(step_lock.lock_path(install_dir), account=account)
        try:
            waited = lock.acquire("process", params["wait_for_sysupgrade"])
        except step_lock.LockTimeout as exc:
            module.fail_json(msg="%s; nothing was started or stopped. Wait for that run to end, then run this "
                                 "again." % exc, install_dir=install_dir, failure_kind="locked",
                             holder=step_lock.describe_holder(exc.holder))
        except (IOError, OSError) as exc:
            module.fail_json(msg="cannot take the sysupgrade lock %s: %s; nothing was started or stopped"
                                 % (lock.path, exc), install_dir=install_dir)
        if waited:
            module.warn("waited %s s for a sysupgrade run on this node to end (%s; lock %s)"
                        % (waited["waited"], step_lock.describe_holder(waited["holder"]), lock.path))
    try:
        components, report["discovery"] = select_components(params, control)
        ensure(control, components, params["state"] == "started", module.check_mode, report)
    except ProcessError as exc:
        error = exc
    finally:
        if lock is not None:
            lock.release()
    changed = bool(report["started"] or report["stopped"])
    # cmd, rc, stdout, stderr: the command that failed, else the last one run.
    if error is not None and "cmd" in error.details:
        report.update(error.details)
    elif control.last is not None:
        report.update(control.last)
    if error is not None:
        # Failing outside the except block: a clear message, not an "exception occurred" traceback.
        module.fail_json(msg=error.msg, changed=changed and not module.check_mode,
                         commands=control.commands, **report)
    # failed=False explicitly: `rc` is the last command's, and `nodemanager -s` exits 1 for a
    # stopped process, which Ansible would otherwise take for a failed task.
    module.exit_json(changed=changed, failed=False, commands=control.commands, **report)


if __name__ == "__main__":
    main()
