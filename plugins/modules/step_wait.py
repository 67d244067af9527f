#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: apigw.sysupgrade developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: step_wait
short_description: Wait for a sysupgrade step started with async, showing its progress, through SSH drops
version_added: 0.2.0
description:
  - Waits on the controller for a step module (M(apigw.sysupgrade.export), M(apigw.sysupgrade.upgrade),
    M(apigw.sysupgrade.apply), M(apigw.sysupgrade.clean)) that a previous task started with C(async)
    and C(poll=0), and returns that module's own result as this task's result (failed if the step
    failed), so that what the task registers is what the step module returns.
  - "Polls 1, 2, 4, 8 and 16 seconds after it starts, then every O(poll_interval) seconds. Each poll is one module
    call on the node, M(apigw.sysupgrade.step_progress): it waits there up to the time until the next poll for the
    job to end (a long poll, so the end of a step is seen within a second), and returns the job's state and result
    from its status file (as C(ansible.builtin.async_status) would) with the step's progress. Each poll prints one
    line on the controller with the node, the step, how long it has been running and the warnings and errors of
    its log so far, for example
    C(node2: sysupgrade upgrade running for 0:12:40, its log so far: 2 warnings, 0 errors)."
  - A poll the node does not answer (a dropped SSH connection, a network cut) is not an error. The step
    goes on on the node, the wait prints a line saying so and polls again. Only when no poll has been
    answered for O(unreachable_grace) seconds does it return C(unreachable=true), with a message saying
    what was last known of the step.
  - A job whose status file on the node still says it runs, when it has run for more than a minute
    and no process has held the node's sysupgrade lock on two polls in a row, is no longer running
    (the node restarted, or the job was killed; a step module holds that lock from its start until
    it exits). The wait then fails saying so, instead of waiting until O(timeout).
  - Once the job's result has been read, its status file on the node is removed (O(cleanup)).
options:
  job:
    description:
      - The registered result of the task that started the step with C(async) and C(poll=0)
        (it holds C(ansible_job_id) and C(results_file)).
      - A start that was skipped gives a skipped result; a start that failed or found the node
        unreachable gives that result unchanged.
    type: dict
    required: true
  step:
    description:
      - The sysupgrade step the job runs, for the progress lines and to find its log.
    type: str
    required: true
    choices: [export, upgrade, apply, clean]
  new_install_dir:
    description:
      - The C(apigateway) folder of the NEW installation on the node, where the step writes its log.
    type: path
    required: true
  poll_interval:
    description:
      - Seconds between two polls once the first ones (1, 2, 4, 8 and 16 seconds after the wait started) are past.
    type: int
    default: 15
  unreachable_grace:
    description:
      - Seconds without any answer from the node after which the wait gives up and the result is
        C(unreachable=true). Until then every poll is tried again on a new connection.
    type: int
    default: 300
  timeout:
    description:
      - Seconds to wait in all. Give a little more than the C(async) of the task that started the job,
        since the job itself ends (and reports) at that limit; this only ends a wait for a job whose
        node lost track of it without saying so.
    type: int
    required: true
  cleanup:
    description:
      - Remove the job's status file on the node once its result has been read.
    type: bool
    default: true
attributes:
  action:
    support: full
    description: Runs on the controller; it calls modules on the node for each poll.
  check_mode:
    support: full
    description: Waits the same in check mode (a step module started in check mode only reports what would run).
  diff_mode:
    support: none
    description: No diff.
  platform:
    support: full
    platforms: posix
    description: The node that runs the job.
notes:
  - This is an action plugin; the module file only documents it.
  - "With O(unreachable_grace) the wait outlasts a network cut, but it still runs in one of the play's
    C(forks): with more nodes than forks the waits of later nodes start when earlier ones end (their
    steps run all the same, since they were started at once)."
seealso:
  - module: apigw.sysupgrade.step_progress
  - module: ansible.builtin.async_status
author:
  - apigw.sysupgrade developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Start the upgrade on every node at once
  apigw.sysupgrade.upgrade:
    new_install_dir: /opt/Axway-7.7/apigateway
    cass_host: cassandra1
    timeout: 3600
  async: 8100  # the step's own time limit is enforced on the node; this only backs it up
  poll: 0
  changed_when: false  # the wait below tells what the step changed
  register: upgrade_job

- name: Upgrade (wait for every node, one progress line per poll)
  apigw.sysupgrade.step_wait:
    job: "{{ upgrade_job }}"
    step: upgrade
    new_install_dir: /opt/Axway-7.7/apigateway
    poll_interval: 30
    unreachable_grace: 600
    timeout: 8400
  register: upgrade_result  # the upgrade module's own result
"""

RETURN = r"""
msg:
  description:
    - The step module's message when the job finished.
    - When the node stopped answering, what was last known of the step (its job, how long it had run,
      its log's counts then, the last connection error) and how to go on.
  returned: always
  type: str
unreachable:
  description: The node answered no poll for O(unreachable_grace) seconds.
  returned: when the node stopped answering
  type: bool
  sample: true
ansible_job_id:
  description: The job's id, when the wait ended without its result.
  returned: when the node stopped answering, lost the job, the job stopped running, or the wait timed out
  type: str
  sample: j662845468153.3162
step:
  description: The step (as the step modules return it).
  returned: always
  type: str
  sample: upgrade
changed:
  description: Whether the step changed anything (the step module's own value).
  returned: always
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    # Only reached when the action plugin is bypassed: the wait runs on the controller.
    module = AnsibleModule(argument_spec=dict(job=dict(type="dict", required=True),
                                              step=dict(type="str", required=True,
                                                        choices=["export", "upgrade", "apply", "clean"]),
                                              new_install_dir=dict(type="path", required=True),
                                              poll_interval=dict(type="int", default=15),
                                              unreachable_grace=dict(type="int", default=300),
                                              timeout=dict(type="int", required=True),
                                              cleanup=dict(type="bool", default=True)),
                           supports_check_mode=True)
    module.fail_json(msg="step_wait is an action plugin and runs on the controller only")


if __name__ == "__main__":
    main()
