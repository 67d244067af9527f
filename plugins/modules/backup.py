#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: backup
short_description: Back up the old API Gateway installation on a node before export, or restore it
version_added: 0.2.0
description:
  - The vendor's first preparation task is to back up the old installation's C(apigateway) folder on
    each node; no process needs to stop for it (upgrade_steps_extcass.md, "Task 1 - Back up the old
    API Gateway installation").
  - With O(state=present), writes a C(tar.gz) of O(old_install_dir) and of O(extra_paths) into
    O(backup_dir), a C(.sha256) checksum of it, and a JSON manifest C(apigw-backup.json) (every regular
    file's path, size, mode and SHA-256, the installation fingerprint and the time). Nothing is
    stopped.
  - A backup already in O(backup_dir) whose archive matches its checksum and whose installation
    fingerprint still matches is reused (RV(reused), C(changed=false)). The fingerprint covers the old
    installation's configuration (topology, group configurations, certificates, C(conf)), never its
    logs, and the list of paths backed up.
  - Free space is checked first; every file is written under a temporary name and the manifest is put
    in place last, so a run killed part way never leaves a backup that looks complete.
  - With O(state=restored), extracts the files of O(paths) (all by default) back to their original
    places and checks each restored file's SHA-256 against the manifest. Files already as backed up
    are left alone; C(changed=false) when all are.
  - The archive holds the installation's private keys (for example C(groups/certs/private/domain.p12));
    O(backup_dir) is created C(0700) and every file in it is C(0600).
options:
  old_install_dir:
    description:
      - The old installation's C(apigateway) folder (as C(apigw_old_install_dir)), the folder backed up.
        A group option.
      - Required with O(state=present); with O(state=restored) the manifest names it.
    type: path
  backup_dir:
    description: The folder on the node that holds the backup. Must be outside every folder backed up.
    type: path
    required: true
  extra_paths:
    description:
      - Absolute paths outside the installation that apply may change and that are backed up too, for
        example an ActiveMQ data directory outside the installation (upgrade_errors.md, "ActiveMQ
        directory not under API Gateway installation directory").
    type: list
    elements: path
    default: []
  state:
    description:
      - C(present) - make sure a current backup exists (make it, or reuse the one there).
      - C(restored) - put the backed-up files of O(paths) back.
    type: str
    choices: [present, restored]
    default: present
  paths:
    description:
      - With O(state=restored), the absolute paths to restore (a folder restores everything backed up
        under it); empty restores everything in the archive.
    type: list
    elements: path
    default: []
attributes:
  check_mode:
    description: Says whether a backup would be made or which files would be restored, and writes nothing.
    support: full
  diff_mode:
    description: No diff is shown.
    support: none
  platform:
    description: Target OS family.
    support: full
    platforms: posix
extends_documentation_fragment:
  - apigw.sysupgrade.group_options
notes:
  - A restore writes back the files the archive holds; files created since the backup are left in place.
  - A reused backup keeps the O(extra_paths) data of the time it was made, because the fingerprint that decides
    reuse covers the installation's configuration and the list of paths, not data that changes while the
    gateway runs (logs, ActiveMQ messages).
  - The folders are archived as given; give the real folder, not a symbolic link to it.
  - Databases the old installation uses (OAuth, KPS, metrics) are not files of the node and are not
    backed up; the vendor asks for them to be backed up too.
seealso:
  - module: apigw.sysupgrade.export
  - module: apigw.sysupgrade.config_fingerprint
author:
  - apigw.sysupgrade developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Back up the old installation and an ActiveMQ folder outside it before export
  apigw.sysupgrade.backup:
    old_install_dir: /opt/Axway-7.5.3/apigateway
    backup_dir: /var/backups/apigw-sysupgrade
    extra_paths: [/opt/activemq/data]

- name: Put the ActiveMQ data back as it was
  apigw.sysupgrade.backup:
    backup_dir: /var/backups/apigw-sysupgrade
    state: restored
    paths: [/opt/activemq/data]
"""

RETURN = r"""
archive:
  description: The backup archive.
  returned: always
  type: str
  sample: /var/backups/apigw-sysupgrade/apigw-backup-20260101T101500Z.tar.gz
manifest:
  description: The manifest.
  returned: always
  type: str
  sample: /var/backups/apigw-sysupgrade/apigw-backup.json
checksum:
  description: The archive's SHA-256.
  returned: always
  type: str
fingerprint:
  description: The installation fingerprint the backup was made at.
  returned: always
  type: str
size_bytes:
  description: The archive's size.
  returned: always
  type: int
  sample: 1048576
seconds:
  description: How long the module took.
  returned: always
  type: float
  sample: 2.5
reused:
  description: With O(state=present), whether the backup already there was kept.
  returned: always
  type: bool
restored:
  description: With O(state=restored), the files written back (would be, in check mode).
  returned: always
  type: list
  elements: str
"""

import os
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.apigw.sysupgrade.plugins.module_utils import backup_archive, group_options


def _result(backup_dir, manifest, started, reused=False, restored=None):
    manifest = manifest or {}
    archive = manifest.get("archive")
    return dict(archive=os.path.join(backup_dir, archive) if archive else "",
                manifest=os.path.join(backup_dir, backup_archive.MANIFEST),
                checksum=manifest.get("checksum", ""), fingerprint=manifest.get("fingerprint", ""),
                size_bytes=manifest.get("size_bytes", 0), seconds=round(time.time() - started, 3),
                reused=reused, restored=restored or [])


def present(module, started):
    p = module.params
    old, backup_dir, extra = p["old_install_dir"], p["backup_dir"], p["extra_paths"]
    if not old:
        module.fail_json(msg="old_install_dir is required with state=present (the OLD apigateway folder)")
    error = backup_archive.check_paths(old, backup_dir, extra)
    if error:
        module.fail_json(msg=error)
    fingerprint = backup_archive.installation_fingerprint(old, extra)
    current = backup_archive.read_manifest(backup_dir)
    if current and current.get("fingerprint") == fingerprint and current.get("old_install_dir") == old \
            and backup_archive.archive_is_intact(backup_dir, current):
        module.exit_json(changed=False, **_result(backup_dir, current, started, reused=True))
    if module.check_mode:
        result = _result(backup_dir, None, started)
        result["fingerprint"] = fingerprint
        module.exit_json(changed=True, **result)
    try:
        manifest = backup_archive.create(old, backup_dir, extra)
    except backup_archive.BackupError as e:
        module.fail_json(msg=str(e), **_result(backup_dir, None, started))
    except (IOError, OSError) as e:
        module.fail_json(msg="The backup of %s into %s failed: %s" % (old, backup_dir, e),
                         **_result(backup_dir, None, started))
    module.exit_json(changed=True, **_result(backup_dir, manifest, started))


def restored(module, started):
    backup_dir = module.params["backup_dir"]
    manifest = backup_archive.read_manifest(backup_dir)
    if not manifest:
        module.fail_json(msg="backup_dir: %s holds no complete backup (no %s); nothing can be restored"
                             % (backup_dir, backup_archive.MANIFEST), **_result(backup_dir, None, started))
    bad = [p for p in module.params["paths"] if not os.path.isabs(p)]
    if bad:
        module.fail_json(msg="paths: %s is not an absolute path" % ", ".join(bad), **_result(backup_dir, manifest, started))
    try:
        todo, _same = backup_archive.restore_plan(manifest, module.params["paths"])
        if todo and not module.check_mode:
            todo = backup_archive.restore(backup_dir, manifest, todo)
    except backup_archive.BackupError as e:
        module.fail_json(msg=str(e), **_result(backup_dir, manifest, started))
    except (IOError, OSError) as e:
        module.fail_json(msg="The restore from %s failed: %s" % (backup_dir, e), **_result(backup_dir, manifest, started))
    module.exit_json(changed=bool(todo), **_result(backup_dir, manifest, started, restored=todo))


def main():
    module = AnsibleModule(
        argument_spec=group_options.with_group_options(dict(
            backup_dir=dict(type="path", required=True),
            extra_paths=dict(type="list", elements="path", default=[]),
            state=dict(type="str", choices=["present", "restored"], default="present"),
            paths=dict(type="list", elements="path", default=[]),
        )),
        supports_check_mode=True,
    )
    started = time.time()
    if module.params["state"] == "present":
        present(module, started)
    restored(module, started)


if __name__ == "__main__":
    main()
