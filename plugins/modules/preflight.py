#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: preflight
short_description: Check an API Gateway node before sysupgrade export and upgrade, in one call
version_added: 0.1.0
description:
  - Makes, on the node, every check the vendor's checklist and command reference require before
    C(export) and C(upgrade), and returns every finding at once, each naming the file or the option
    (or, with O(variable_names), the inventory variable) involved.
  - "C(sysupgrade status) first. A node whose completed steps include C(apply) is applied: nothing
    will run on it, so nothing else is checked and RV(status) is C(SKIPPED). Export will run when
    O(force) is set or export has not completed (RV(will_export))."
  - "The old installation (O(old_install_dir)): the folder, C(posix/bin/nodemanager),
    C(groups/topology.json); when export will run, its Node Manager and instances must run (export
    talks to them)."
  - "The new installation (O(new_install_dir)): the folder, C(posix/bin/nodemanager), an executable
    C(upgrade/bin/sysupgrade), a licence C(conf/licenses/*.lic), no C(groups) folder while the status
    is C(not started) (a leftover of an earlier attempt: run clean), no process of it running, and at
    least O(min_free_disk_mb) MiB free on its file system."
  - Cassandra accepts a TCP connection at O(cassandra_host):O(cassandra_port) within
    O(cassandra_connect_timeout) seconds, unless O(no_cassandra). When 9042 does not answer but the old
    client port 9160 does, the problem says that 9042 is most likely closed on a firewall; when
    O(cassandra_port) is 9160, 9042 must answer too (7.7's client uses 9042, upgrade_steps_extcass.md).
  - A note when a C(*.jar) of the old C(ext/lib) is already in the new C(system/lib) (same file name, or the
    same artifact in another version; upgrade_steps_extcass.md Task 4).
  - A note, not a problem, when a file under the old C(groups) folder (C(*.xml), C(*.json),
    C(*.props), under 10 MB) names a C(jdbc:) URL and C(upgrade/lib) of the new installation holds no
    C(*.jar) (vendor error reference, "Third-party JDBC JARs").
  - A folder that is missing, or is not an installation (no C(posix/bin/nodemanager)), is reported
    once and every check that needs it is skipped; in particular a wrong O(new_install_dir) gives one
    problem and nothing about sysupgrade, status, licence, processes, disk space or C(upgrade/lib).
    A missing C(upgrade/bin/sysupgrade) is one problem too (the status is then not read).
  - "The task does not fail because of a problem: it returns RV(status) C(FAILED) and the
    RV(problems), so that a play can show all of them (and the notes) before it fails the node.
    It fails only on invalid options."
options:
  old_install_dir:
    description:
      - The OLD installation's C(apigateway) folder, for example C(/opt/Axway-7.5.3/apigateway). A group option.
    type: path
    required: true
  new_install_dir:
    description:
      - The NEW installation's C(apigateway) folder, holding C(upgrade/bin/sysupgrade), for example
        C(/opt/Axway-7.7/apigateway). A group option.
    type: path
    required: true
  force:
    description:
      - Export and upgrade will rerun with C(--force), so export will run even where it has
        completed, and the old installation's processes must run.
    type: bool
    default: false
  min_free_disk_mb:
    description: Free space required on the new installation's file system, in MiB (measured with C(statvfs), never C(df)).
    type: int
    default: 2048
  cassandra_host:
    description:
      - Cassandra host the new installation will use. Required unless O(no_cassandra); a missing
        value is a problem, not a task failure.
    type: str
  cassandra_port:
    description: Cassandra client port.
    type: int
    default: 9042
  no_cassandra:
    description: The domain uses no Cassandra (C(sysupgrade upgrade --no_cassandra)); Cassandra is not checked.
    type: bool
    default: false
  cassandra_connect_timeout:
    description:
      - Seconds to wait for a TCP connection to Cassandra. A refused connection is retried until then.
    type: int
    default: 5
  timeout:
    description:
      - Seconds each command may run (C(sysupgrade status), at most 300, and each C(-s) process
        status call). A command still running then is stopped with its whole process group and
        reported as a problem.
    type: int
    default: 60
  variable_names:
    description:
      - "How the messages in RV(problems) and RV(notes) name the options, for callers whose users set
        them through other names, for example C({old_install_dir: apigw_old_install_dir})."
      - Keys are this module's option names (O(old_install_dir), O(new_install_dir), O(force),
        O(min_free_disk_mb), O(cassandra_host), O(cassandra_port), O(no_cassandra),
        O(cassandra_connect_timeout), O(timeout), O(install_owner), O(backup_dir)); an unknown key fails
        the task. Options not listed are named as themselves. RV(findings[].option) always holds the
        module option's name.
    type: dict
  backup_dir:
    description:
      - The folder the backup before export will be written to, by the connecting account. When
        given and export will run, the account must be able to create and write it; otherwise a
        problem names the option, the account and a folder in its home it could use.
    type: path
extends_documentation_fragment:
  - apigw.sysupgrade.sysupgrade.owner
  - apigw.sysupgrade.group_options
attributes:
  check_mode:
    support: full
    description: Runs the same in check mode; it never changes anything.
  diff_mode:
    support: none
    description: No diff is produced.
  platform:
    support: full
    platforms: posix
    description: Runs on the managed node that holds both installations.
notes:
  - Read only. The commands it runs are C(sysupgrade status) and the process commands with C(-s)
    (C(posix/bin/nodemanager -s), C(posix/bin/startinstance -g GROUP -n NAME -s)); never C(-d),
    C(-k) or C(startinstance) without arguments (which starts a lone instance). Instances are the
    C(groups/group-N/instance-M) folders, named through C(groups/topology.json).
  - Commands run under the collection's watchdog, without a terminal, with C(LANG=C), in their own
    process group.
requirements:
  - Python 3.6 or later on the managed node (standard library only).
seealso:
  - module: apigw.sysupgrade.status
  - module: apigw.sysupgrade.process
author:
  - apigw.sysupgrade developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Check the node before the test upgrade
  apigw.sysupgrade.preflight:
    old_install_dir: /opt/Axway-7.5.3/apigateway
    new_install_dir: /opt/Axway-7.7/apigateway
    cassandra_host: cassandra1.example.com
  register: preflight

- name: Stop here on any problem, showing all of them
  ansible.builtin.assert:
    that: preflight.status != 'FAILED'
    fail_msg: "{{ preflight.problems | join(' | ') }}"

- name: Messages that name the inventory variables, folders set once for the action group
  module_defaults:
    group/apigw.sysupgrade.sysupgrade:
      new_install_dir: /opt/Axway-7.7/apigateway
      old_install_dir: /opt/Axway-7.5.3/apigateway
  apigw.sysupgrade.preflight:
    no_cassandra: true
    min_free_disk_mb: 4096
    variable_names:
      old_install_dir: apigw_old_install_dir
      new_install_dir: apigw_new_install_dir
      min_free_disk_mb: apigw_min_free_disk_mb
  register: preflight
"""

RETURN = r"""
run_as:
  description: The account that runs the product commands on this node (the installation's owner); null when the old installation is missing.
  returned: always
  type: str
  sample: axway
connected_as:
  description: The account this module ran as (after become).
  returned: always
  type: str
  sample: root
run_as_mode:
  description: C(same) when connected as the owner, C(drop) when connected as root (commands drop to the owner), null when refused.
  returned: always
  type: str
  sample: drop
status:
  description:
    - C(FAILED) when there is a problem; C(SKIPPED) when the node is applied (nothing was checked);
      C(PASSED) otherwise. Notes do not fail.
  returned: always
  type: str
  sample: FAILED
problems:
  description: What must be fixed before export and upgrade, one text each, naming the file or variable.
  returned: always
  type: list
  elements: str
  sample: ["no licence (*.lic) in /opt/Axway-7.7/apigateway/conf/licenses: upgrade fails without a valid licence (vendor error reference)"]
notes:
  description: What needs no action now but later (the JDBC drivers apply will need).
  returned: always
  type: list
  elements: str
  sample: []
findings:
  description: Every problem and note, structured, in the order found.
  returned: always
  type: list
  elements: dict
  contains:
    check:
      description:
        - Which check, one of C(new_install_dir), C(sysupgrade), C(status), C(old_install_dir),
          C(old_nodemanager), C(old_topology), C(new_nodemanager), C(licence), C(new_groups),
          C(old_processes), C(new_processes), C(disk_space), C(cassandra), C(jdbc_drivers).
      type: str
    severity:
      description: C(problem) or C(note).
      type: str
    message:
      description: The text also found in RV(problems) or RV(notes).
      type: str
    path:
      description: The file or folder involved; null when none is (Cassandra).
      type: str
    option:
      description: The module option to look at (map it to your own variable names).
      type: str
  sample:
    - check: licence
      severity: problem
      message: "no licence (*.lic) in /opt/Axway-7.7/apigateway/conf/licenses: upgrade fails without a valid licence (vendor error reference)"
      path: /opt/Axway-7.7/apigateway/conf/licenses
      option: new_install_dir
sysupgrade_status:
  description: The C(Current status) text printed by C(sysupgrade status); C(unknown) when it was not read or understood.
  returned: always
  type: str
  sample: not started
completed:
  description: The steps that have succeeded on this node (from C(sysupgrade status)); empty when the status was not read.
  returned: always
  type: list
  elements: str
  sample: [export]
applied:
  description: C(apply) has completed on this node; then nothing else was checked.
  returned: always
  type: bool
  sample: false
will_export:
  description:
    - Export will run on this node (O(force), export has not completed, or RV(rerun_forced)); false on
      an applied node.
  returned: always
  type: bool
  sample: true
rerun_forced:
  description:
    - The old installation's configuration changed since its export (RV(drift)), on a node that is not
      applied, so export runs again, with C(--force) as the vendor requires for a rerun (and upgrade
      after it). A note says so.
    - "On an applied node the change is a note, or, on the applied first Admin Node Manager, a
      problem: exporting it again would clean the new domain's topology and every node would have to
      apply again (upgrade_faq.md)."
  returned: always
  type: bool
  sample: false
drift:
  description:
    - The configuration files (relative to O(old_install_dir)) that differ from the fingerprint the
      last export took; empty when export has not completed, with O(force), or when no fingerprint
      was stored.
  returned: always
  type: list
  elements: str
  sample: [groups/group-2/conf/4ac2.../configs.xml]
will_upgrade:
  description: >-
    Upgrade will run on this node (export will run first, or upgrade has not completed); false on an
    applied node.
  returned: always
  type: bool
  sample: true
free_mb:
  description: Free MiB on the new installation's file system; null when not measured.
  returned: always
  type: int
  sample: 10240
ext_lib_jars:
  description:
    - The C(*.jar) files of the old installation's C(ext/lib) (third-party and custom JARs the vendor asks to
      check for compatibility, upgrade_steps_extcass.md Task 4). A JAR already in the new C(system/lib), under
      its name or as the same artifact in another version, is also a note (check C(ext_lib)).
  returned: always
  type: list
  elements: str
  sample: [commons-codec-1.15.jar, acme-filter.jar]
group_fingerprints:
  description:
    - Each group id with the fingerprint of its deployed configuration on this node (C(groups/<group>/)
      outside its C(instance-*) folders). The role compares them between the nodes that run an instance of a
      group (upgrade_errors.md, "Inconsistent groups"). Empty when the old installation could not be read.
  returned: always
  type: dict
  sample: {group-2: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08}
commands:
  description: Every command run, as argument lists, in order.
  returned: always
  type: list
  elements: list
  sample: [["/opt/Axway-7.7/apigateway/upgrade/bin/sysupgrade", "status"], ["/opt/Axway-7.7/apigateway/posix/bin/nodemanager", "-s"]]
cmd:
  description: The last command run, as an argument list.
  returned: when a command ran
  type: list
  elements: str
  sample: ["/opt/Axway-7.7/apigateway/posix/bin/nodemanager", "-s"]
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
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.apigw.sysupgrade.plugins.module_utils import group_options, preflight_checks

DEFAULTS = preflight_checks.DEFAULTS


def argument_spec():
    return group_options.with_group_options(dict(
        old_install_dir=dict(type="path", required=True),
        new_install_dir=dict(type="path", required=True),
        force=dict(type="bool", default=DEFAULTS["force"]),
        min_free_disk_mb=dict(type="int", default=DEFAULTS["min_free_disk_mb"]),
        cassandra_host=dict(type="str"),
        cassandra_port=dict(type="int", default=DEFAULTS["cassandra_port"]),
        no_cassandra=dict(type="bool", default=DEFAULTS["no_cassandra"]),
        cassandra_connect_timeout=dict(type="int", default=DEFAULTS["cassandra_connect_timeout"]),
        timeout=dict(type="int", default=DEFAULTS["timeout"]),
        variable_names=dict(type="dict"),
        install_owner=dict(type="str", default=DEFAULTS["install_owner"]),
        backup_dir=dict(type="path"),
    ))


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    error = preflight_checks.option_error(module.params)
    if error:
        module.fail_json(msg=error)
    result = preflight_checks.run_checks(module, module.params)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
