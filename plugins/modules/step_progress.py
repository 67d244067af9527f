#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: step_progress
short_description: Read how far a running sysupgrade step has got on an API Gateway node
version_added: 0.2.0
description:
  - Counts the warnings and errors written so far to the newest log of a sysupgrade step, with the
    same parser that judges the step when it ends, and says how long the step's job has been running.
  - Reads only; never runs C(sysupgrade). It tests the node's sysupgrade lock (an instant's shared
    lock), to say when the job waits for another run of sysupgrade on the node.
  - Meant to be called again and again while the step runs (the P(apigw.sysupgrade.step_wait#module)
    action does, on every poll). Each call returns RV(resume); handed back in O(resume), the next call
    reads only the part of the log written since, so a log of hundreds of MB is read once in all,
    not once per poll.
options:
  new_install_dir:
    description:
      - The C(apigateway) folder of the NEW installation, for example C(/opt/Axway-7.7/apigateway).
    type: path
    required: true
  step:
    description:
      - The sysupgrade step whose log to read.
    type: str
    required: true
    choices: [export, upgrade, apply, clean]
  job_file:
    description:
      - The status file of the step's C(async) job on the node (the C(results_file) that the task started with C(async) and
        C(poll=0) returned).
      - Its modification time is when the job started, so only a log written since then is read,
        and RV(job_age) is measured from it, by the node's clock.
      - Without it the newest log is read, whenever it was written.
    type: path
  resume:
    description:
      - The RV(resume) of the previous call for the same step, to read on from where it stopped.
      - A log that was replaced or rewritten since (a new run of the step) is read from its start.
    type: dict
  wait_seconds:
    description:
      - Wait on the node up to this many seconds for the job to end (its O(job_file) holds the job's
        result) before reading the progress; returns as soon as it ends (RV(job_state), RV(job_result)).
      - The controller's wait (P(apigw.sysupgrade.step_wait#module)) polls this way, so that the end of a
        step is seen within a second instead of at the next poll. 0 reads at once. Needs O(job_file).
    type: int
    default: 0
extends_documentation_fragment:
  - apigw.sysupgrade.sysupgrade.attributes
attributes:
  check_mode:
    support: full
    description: Reads only; the same in check mode.
notes:
  - The log is searched where the step modules search it (C(upgrade/bin/out/logs/), C(upgrade/bin/out/log/),
    C(export/bin/out/logs/) and C(apply/bin/out/logs/) below O(new_install_dir)); the newest wins.
seealso:
  - module: apigw.sysupgrade.step_wait
author:
  - apigw.sysupgrade developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Start the upgrade step without waiting for it
  apigw.sysupgrade.upgrade:
    new_install_dir: /opt/Axway-7.7/apigateway
    cass_host: cassandra1
  async: 8100
  poll: 0
  register: upgrade_job

- name: How far has it got?
  apigw.sysupgrade.step_progress:
    new_install_dir: /opt/Axway-7.7/apigateway
    step: upgrade
    job_file: "{{ upgrade_job.results_file }}"
  register: upgrade_progress

- name: Show it
  ansible.builtin.debug:
    msg: "{{ upgrade_progress.counts.warning }} warnings, {{ upgrade_progress.counts.error }} errors after {{ upgrade_progress.job_age }} s"
"""

RETURN = r"""
log_path:
  description: The log read, or null when the step has written none yet (since the job started).
  returned: always
  type: str
  sample: /opt/Axway-7.7/apigateway/upgrade/bin/out/logs/upgrade.log
counts:
  description: Findings per severity in the log so far (complete lines only), counted as the step modules count them.
  returned: always
  type: dict
  sample: {"error": 0, "warning": 2, "info": 5}
lines:
  description: Complete lines of the log read so far.
  returned: always
  type: int
  sample: 120
job_age:
  description: Seconds since the job started (from O(job_file)'s modification time), or null without O(job_file) or when it is gone.
  returned: always
  type: float
  sample: 754.2
waiting_for:
  description:
    - The other run of sysupgrade that the job waits for (the node's sysupgrade lock, see the step modules),
      as that run wrote it into the lock file; null when the job does not wait.
    - Known only with O(job_file); a run that took the lock before the job started is another one.
  returned: always
  type: dict
  sample: {"pid": 4242, "step": "apply", "since": "2026-11-25T05:00:00Z"}
lock_held:
  description:
    - Whether some process holds the node's sysupgrade lock now. A step module holds it from its
      first second until it exits, so a job that has run for a while with the lock free is no longer running.
  returned: always
  type: bool
  sample: true
job_state:
  description:
    - The job's state from its O(job_file), as C(ansible.builtin.async_status) would read it; null without O(job_file).
    - "C(running); C(finished) (RV(job_result) holds the job's result); C(missing) (no status file: the node
      restarted, or it was removed); C(unreadable) (RV(job_result) says why)."
  returned: always
  type: str
  sample: running
job_result:
  description:
    - When RV(job_state) is C(finished), the job's result as its status file holds it (the step module's own
      result, or C(async_wrapper)'s when it ended the job); when C(unreadable), why. Null otherwise.
  returned: always
  type: raw
  sample: {"changed": true, "step": "upgrade", "msg": "sysupgrade upgrade completed"}
waited_seconds:
  description: How long this call waited on the node for the job to end (O(wait_seconds)).
  returned: always
  type: float
  sample: 15.0
resume:
  description: Where this call stopped (log path, inode, offset, parser state); hand it back in O(resume). Null when there is no log yet.
  returned: always
  type: dict
"""

import calendar
import errno
import json
import os
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.apigw.sysupgrade.plugins.module_utils import log_progress, step_lock

# Whole seconds in the lock file; the job's own module takes the lock right after the job starts.
SINCE_SLACK_SECONDS = 1.5
# How often a waiting call looks at the job's status file.
WAIT_STEP_SECONDS = 0.5


def job_started(job_file):
    """The job's start (its status file's modification time), or None."""
    if not job_file:
        return None
    try:
        return os.stat(job_file).st_mtime
    except OSError:
        return None


def job_state(job_file):
    """(state, result) of the job from its status file, as async_status would read it.

    async_wrapper writes {"started": 1, "finished": 0, ...} while the job runs and replaces it (a
    rename, never a half-written file) with the module's result when it ends: ("running", None),
    ("finished", the result), ("missing", None) when there is no such file (the node restarted, or
    it was removed), ("unreadable", why) when it holds no JSON object."""
    try:
        with open(job_file) as handle:
            data = json.load(handle)
    except (IOError, OSError) as exc:
        return ("missing", None) if getattr(exc, "errno", None) == errno.ENOENT else ("unreadable", str(exc))
    except ValueError as exc:
        return "unreadable", str(exc)
    if not isinstance(data, dict):
        return "unreadable", "not a JSON object"
    if "started" not in data or bool(data.get("finished")):
        return "finished", data
    return "running", None


def wait_for_end(job_file, seconds, now=time.time, sleep=time.sleep):
    """(state, result, seconds waited): look at the job's status file until the job is no longer
    running (or there is no job to read) or the time is up."""
    start = now()
    while True:
        state, result = job_state(job_file)
        left = start + seconds - now()
        if state != "running" or left <= 0:
            return state, result, now() - start
        sleep(min(WAIT_STEP_SECONDS, left))


def lock_holder(new_install_dir):
    """(held, what the holder wrote) for the node's sysupgrade lock."""
    try:
        holder = step_lock.StepLock(step_lock.lock_path(new_install_dir)).held_by_another()
    except (IOError, OSError):
        return False, None
    return holder is not None, holder


def waiting_for(holder, started):
    """The lock's holder when it took the lock before the job started (another run), else None."""
    if not holder or started is None:
        return None
    try:
        since = calendar.timegm(time.strptime(holder["since"], "%Y-%m-%dT%H:%M:%SZ"))
    except (TypeError, KeyError, ValueError):
        return None  # a holder that wrote nothing readable
    return holder if since < started - SINCE_SLACK_SECONDS else None


def main():
    module = AnsibleModule(
        argument_spec=dict(
            new_install_dir=dict(type="path", required=True),
            step=dict(type="str", required=True, choices=["export", "upgrade", "apply", "clean"]),
            job_file=dict(type="path"),
            resume=dict(type="dict"),
            wait_seconds=dict(type="int", default=0),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if params["wait_seconds"] < 0:
        module.fail_json(msg="wait_seconds: must be 0 or more, got %d" % params["wait_seconds"])
    if params["wait_seconds"] and not params["job_file"]:
        module.fail_json(msg="wait_seconds: needs job_file (the job whose end to wait for)")
    if params["job_file"]:
        state, job_result, waited = wait_for_end(params["job_file"], params["wait_seconds"])
    else:
        state, job_result, waited = None, None, 0.0
    now = time.time()
    started = job_started(params["job_file"])
    progress = log_progress.read_progress(params["new_install_dir"], params["step"], written_since=started,
                                          resume=params["resume"])
    held, holder = lock_holder(params["new_install_dir"])
    module.exit_json(changed=False, job_age=None if started is None else round(max(0.0, now - started), 1),
                     lock_held=held, waiting_for=waiting_for(holder, started), job_state=state,
                     job_result=job_result if state in ("finished", "unreadable") else None,
                     waited_seconds=round(waited, 1), **progress)


if __name__ == "__main__":
    main()
