#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: migrate_files
short_description: Copy what sysupgrade does not migrate (SSO files, the QuickStart tutorial) to the new installation
version_added: 0.2.0
description:
  - sysupgrade does not migrate the QuickStart tutorial (C(webapps/quickstart)) nor the single
    sign-on files of each instance (C(groups/group-x/instance-x/conf/service-provider.xml),
    C(service-provider-apiportal.xml), C(sso.jks), C(trustStore.jks)); the vendor asks to copy them
    from the old installation to the same place in the new one (upgrade_steps_extcass.md, "After you
    upgrade", "Migrate the QuickStart tutorial" and "Migrate single sign-on configuration files").
  - Each entry of O(paths) is relative to both installations' C(apigateway) folders and may be a
    shell-style glob (C(*), C(?), C([...])) expanded in the old installation, for example
    C(groups/*/*/conf/sso.jks).
  - A file is copied with its mode (C(sso.jks) 0600 stays 0600), its times and, when the module runs
    as root, its owner and group. It lands through a temporary file and a rename.
  - A folder (for example C(webapps/quickstart)) is copied whole, recursively, when it is absent from the
    new installation, through a temporary folder renamed into place; when it exists there it is left
    alone and reported.
  - With O(require_new_parent), a path is copied only where its parent folder exists in the new
    installation (an instance's C(conf) folder exists only for an instance that C(sysupgrade apply)
    created); otherwise it is reported with reason C(no parent in new).
  - With O(only_if_missing=false), a file that exists in the new installation with other content is
    overwritten, its original kept beside it as C(<file>.apigw-sysupgrade.orig) (written once, never
    overwritten by a later run).
  - Idempotent - a file copied before is now C(exists in new) and the second run changes nothing.
options:
  old_install_dir:
    description: The old installation's C(apigateway) folder, copied from. A group option.
    type: path
    required: true
  new_install_dir:
    description: The new installation's C(apigateway) folder, copied to. A group option.
    type: path
    required: true
  paths:
    description:
      - Paths relative to both installation folders, files or folders, globs allowed. Absolute paths
        and C(..) are refused.
    type: list
    elements: str
    required: true
  only_if_missing:
    description:
      - C(true) - never overwrite a file that exists in the new installation.
      - C(false) - overwrite it when its content differs, keeping its original beside it. Folders are
        never merged either way.
    type: bool
    default: true
  require_new_parent:
    description:
      - C(true) - copy only where the parent folder exists in the new installation; a missing parent is
        reported, not created.
      - C(false) - create the missing parent folders, each with the mode of the same folder in the old
        installation.
    type: bool
    default: true
attributes:
  check_mode:
    description: Reports what would be copied and skipped, and writes nothing.
    support: full
  diff_mode:
    description:
      - One entry per path copied. A text file shows its text (before and after when overwritten); a
        binary file (a keystore) or a file over 64 KiB shows its size and mode only; a folder shows
        the names of the files it holds.
    support: full
  platform:
    description: Target OS family.
    support: full
    platforms: posix
extends_documentation_fragment:
  - apigw.sysupgrade.group_options
notes:
  - The SSO C(service-provider*.xml) files may hold keystore passwords; with C(--diff) their text is
    shown. Set C(diff=false) on the task (or C(no_log)) when the output is kept.
  - Symbolic links are copied as links, pointing where they pointed.
seealso:
  - module: apigw.sysupgrade.service_scripts
author:
  - apigw.sysupgrade developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Migrate the SSO files of every instance that apply created
  apigw.sysupgrade.migrate_files:
    old_install_dir: /opt/Axway-7.5.3/apigateway
    new_install_dir: /opt/Axway-7.7/apigateway
    paths:
      - groups/*/*/conf/service-provider.xml
      - groups/*/*/conf/service-provider-apiportal.xml
      - groups/*/*/conf/sso.jks
      - groups/*/*/conf/trustStore.jks
  diff: false

- name: Migrate the QuickStart tutorial
  apigw.sysupgrade.migrate_files:
    old_install_dir: /opt/Axway-7.5.3/apigateway
    new_install_dir: /opt/Axway-7.7/apigateway
    paths: [webapps/quickstart]
"""

RETURN = r"""
copied:
  description: The relative paths copied (would be, in check mode); a folder is one entry.
  returned: always
  type: list
  elements: str
  sample: [groups/group-2/instance-1/conf/sso.jks, webapps/quickstart]
skipped:
  description:
    - What was not copied, each with C(path) (relative; the O(paths) entry itself for a glob that
      matched nothing) and C(reason) - C(absent in old), C(exists in new) (a file there already, with
      the same content when O(only_if_missing=false), or any folder there), C(no parent in new), or
      C(not a file or folder) (a socket, a device).
  returned: always
  type: list
  elements: dict
  sample: [{path: groups/group-2/instance-2/conf/sso.jks, reason: no parent in new}]
backups:
  description: The originals kept beside overwritten files (O(only_if_missing=false)).
  returned: always
  type: list
  elements: str
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native
from ansible_collections.apigw.sysupgrade.plugins.module_utils import file_migration, group_options, safe_write


def main():
    module = AnsibleModule(
        argument_spec=group_options.with_group_options(dict(
            old_install_dir=dict(type="path", required=True),
            new_install_dir=dict(type="path", required=True),
            paths=dict(type="list", elements="str", required=True),
            only_if_missing=dict(type="bool", default=True),
            require_new_parent=dict(type="bool", default=True),
        )),
        supports_check_mode=True,
    )
    p = module.params
    old, new = p["old_install_dir"], p["new_install_dir"]
    empty = dict(copied=[], skipped=[], backups=[])
    for option, folder in (("old_install_dir", old), ("new_install_dir", new)):
        if not os.path.isdir(folder):
            module.fail_json(msg="%s: %s is not a directory" % (option, folder), **empty)
    if os.path.realpath(old) == os.path.realpath(new):
        module.fail_json(msg="new_install_dir: %s is the same folder as old_install_dir %s" % (new, old), **empty)
    for path in p["paths"]:
        error = file_migration.check_relative(path)
        if error:
            module.fail_json(msg=error, **empty)
    try:
        todo, skipped = file_migration.plan(old, new, p["paths"], p["only_if_missing"], p["require_new_parent"])
    except (IOError, OSError) as e:
        module.fail_json(msg="Cannot compare old_install_dir %s with new_install_dir %s: %s" % (old, new, to_native(e)),
                         **empty)
    diffs = [file_migration.diff_for(old, new, item) for item in todo] if module._diff else []
    copied, backups = [], []
    for item in todo:
        if not module.check_mode:
            try:
                backup = file_migration.copy_one(old, new, item)
            except (IOError, OSError) as e:  # shutil.Error is an OSError
                module.fail_json(msg="Cannot copy %s from old_install_dir %s to new_install_dir %s: %s"
                                     % (item["path"], old, new, to_native(e)),
                                 copied=copied, skipped=skipped, backups=backups)
            if backup:
                backups.append(backup)
        elif item["overwrite"]:
            backups.append(safe_write.original_path(os.path.join(new, item["path"])))
        copied.append(item["path"])
    result = dict(changed=bool(copied), copied=copied, skipped=skipped, backups=backups)
    if diffs:
        result["diff"] = diffs
    module.exit_json(**result)


if __name__ == "__main__":
    main()
