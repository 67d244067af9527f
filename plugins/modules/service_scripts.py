#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: service_scripts
short_description: Point the API Gateway service scripts (init.d and systemd) at the new installation
version_added: 0.2.0
description:
  - sysupgrade leaves the services of the old installation alone. After C(sysupgrade apply) the vendor
    asks to edit each C(/etc/init.d/vshell-*) script so that C(VDISTDIR) (and, for a gateway,
    C(VINSTDIR)) point at the new installation's C(apigateway) folder, for example
    C(VDISTDIR="/opt/Axway-7.2.2/apigateway) to C(VDISTDIR="/opt/Axway-7.7/apigateway)
    (upgrade_steps_extcass.md, "After you upgrade", "Upgrade services"). This module does that edit.
  - In O(init_dir), every file named C(vshell-*) - the shell assignments C(VDISTDIR=...) and
    C(VINSTDIR=...) at the start of a line (quoted with C(") or C(') or not, also after C(export))
    whose value is O(old_install_dir) or starts with C(<old_install_dir>/) get that prefix replaced by
    O(new_install_dir). Nothing else in the file changes.
  - In O(systemd_dir), every C(*.service) unit (and its drop-ins C(NAME.service.d/*.conf)) that names
    O(old_install_dir) - for example C(ExecStart=/opt/Axway-7.5.3/apigateway/posix/bin/nodemanager) or
    C(Environment=VDISTDIR=/opt/Axway-7.5.3/apigateway) - gets every such reference in its
    non-comment lines replaced the same way.
  - The old folder is matched on path boundaries only - the folder itself or a path under it;
    C(/opt/Axway-7.5.3/apigatewayX) is another folder and is left alone.
  - Each changed file keeps its original beside it as C(<file>.apigw-sysupgrade.orig) (written once,
    never overwritten by a later run), and is replaced atomically (temporary file in the same folder,
    then a rename) with its mode, owner and SELinux context kept.
  - A script that already points at the new installation is reported with C(changed=false); a
    C(vshell-*) script that points at neither installation is listed and left alone. A missing
    O(init_dir) or O(systemd_dir) simply has nothing to do.
options:
  old_install_dir:
    description: The old installation's C(apigateway) folder, for example C(/opt/Axway-7.5.3/apigateway). A group option.
    type: path
    required: true
  new_install_dir:
    description:
      - The new installation's C(apigateway) folder, for example C(/opt/Axway-7.7/apigateway). A group option.
      - With O(state=present) it must exist on the node, so that a mistyped folder never ends up in a
        service script.
    type: path
    required: true
  init_dir:
    description: The folder holding the SysV init scripts (C(vshell-*)).
    type: path
    default: /etc/init.d
  systemd_dir:
    description: The folder holding the administrator's systemd units.
    type: path
    default: /etc/systemd/system
  state:
    description:
      - C(present) - rewrite the scripts that point at the old installation.
      - C(query) - only report what each script points at; never writes.
    type: str
    choices: [present, query]
    default: present
attributes:
  check_mode:
    description: Reports which scripts would change (and the diff) and writes nothing.
    support: full
  diff_mode:
    description: Shows each changed script's text before and after.
    support: full
  platform:
    description: Target OS family.
    support: full
    platforms: posix
extends_documentation_fragment:
  - apigw.sysupgrade.group_options
notes:
  - The module does not reload systemd. When a unit changed it returns RV(daemon_reload_needed=true)
    and the play (the role) runs C(ansible.builtin.systemd_service) with C(daemon_reload=true) once,
    after every file of the node is written, so that one reload covers them all and a node without
    systemd (SysV only, or a container) is never asked for one.
  - Restarting the services is left to the play; the vendor restarts the machine.
  - The vendor's alternative - removing the old services and recreating them with C(managedomain) -
    is not what this module does.
  - Other lines of a C(vshell-*) script that still name the old installation are not changed; each
    script reports how many in RV(scripts[].other_old_references) and the module warns.
  - A C(vshell-*) or unit file that is a symbolic link is edited at its target; the link stays.
  - The original copies C(vshell-*.apigw-sysupgrade.orig) keep the script's mode, so
    C(service --status-all) may list them; they are never linked in C(rc*.d) and never started.
    To go back, move the C(.apigw-sysupgrade.orig) file over the script.
seealso:
  - module: apigw.sysupgrade.migrate_files
  - module: apigw.sysupgrade.process
  - module: ansible.builtin.systemd_service
author:
  - apigw.sysupgrade developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Point the services at the new installation
  apigw.sysupgrade.service_scripts:
    old_install_dir: /opt/Axway-7.5.3/apigateway
    new_install_dir: /opt/Axway-7.7/apigateway
  register: apigw_services

- name: Reload systemd once when a unit changed
  ansible.builtin.systemd_service:
    daemon_reload: true
  when: apigw_services.daemon_reload_needed

- name: Only tell what the services point at
  apigw.sysupgrade.service_scripts:
    old_install_dir: /opt/Axway-7.5.3/apigateway
    new_install_dir: /opt/Axway-7.7/apigateway
    state: query
  register: apigw_services_now
"""

RETURN = r"""
scripts:
  description:
    - One entry per C(vshell-*) script of O(init_dir) and per unit of O(systemd_dir) that names the old
      or the new installation.
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: The script's path.
      type: str
      sample: /etc/init.d/vshell-Default-Group-Gateway1
    kind:
      description: C(init.d) or C(systemd).
      type: str
      sample: init.d
    changed:
      description: Whether it was rewritten (would be, in check mode; always false with O(state=query)).
      type: bool
    points_at:
      description:
        - What the script pointed at before this run - C(old), C(new), C(mixed) (one variable each) or
          C(neither).
      type: str
      sample: old
    before:
      description:
        - The values before - C(VDISTDIR) and C(VINSTDIR) for an init script; for a unit, each
          C(Environment=) variable and each other C(Key=) whose value names one of the installations.
      type: dict
      sample: {VDISTDIR: /opt/Axway-7.5.3/apigateway, VINSTDIR: /opt/Axway-7.5.3/apigateway/groups/group-2/instance-1}
    after:
      description: The same values after the run (as they would be, in check mode).
      type: dict
      sample: {VDISTDIR: /opt/Axway-7.7/apigateway, VINSTDIR: /opt/Axway-7.7/apigateway/groups/group-2/instance-1}
    backup:
      description: The copy of the original beside it, or an empty string when none exists.
      type: str
      sample: /etc/init.d/vshell-Default-Group-Gateway1.apigw-sysupgrade.orig
    other_old_references:
      description: Lines of an init script, outside C(VDISTDIR)/C(VINSTDIR), that name the old installation (left as they are).
      type: int
      sample: 0
needs_root:
  description:
    - The scripts that must change but that the connecting account may not write (they belong to
      root, the vendor's services page edits them as root). Nothing was written to them, and the
      module does not fail; each one is also an Ansible warning. C(path), C(kind), C(before) and
      C(after) as in RV(scripts), and C(command), what makes the change.
  returned: always
  type: list
  elements: dict
  sample:
    - path: /etc/init.d/vshell-Default-Group-Gateway1
      kind: init.d
      before: {VDISTDIR: /opt/Axway-7.5.3/apigateway}
      after: {VDISTDIR: /opt/Axway-7.7/apigateway}
      command: "become root and rerun (ansible_become: true), or as root set VDISTDIR=/opt/Axway-7.7/apigateway in /etc/init.d/vshell-Default-Group-Gateway1"
daemon_reload_needed:
  description: Whether a systemd unit changed (would change, in check mode), so that systemd must reload its units.
  returned: always
  type: bool
diff:
  description: With C(--diff), one C(before)/C(after) text per changed script.
  returned: when diff mode is on and a script changed
  type: list
  elements: dict
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native
from ansible_collections.apigw.sysupgrade.plugins.module_utils import group_options, install_owner, safe_write
from ansible_collections.apigw.sysupgrade.plugins.module_utils import service_scripts as svc


def may_write(path):
    """Whether this process may replace ``path`` (a temporary file beside it, then a rename):
    root always; any other account needs the folder's write permission."""
    return os.geteuid() == 0 or os.access(os.path.dirname(path) or ".", os.W_OK | os.X_OK)


def changed_settings(entry):
    """[(key, before, after)] of the values the script's entry changes, sorted by key."""
    return [(key, entry["before"].get(key), value) for key, value in sorted(entry["after"].items())
            if entry["before"].get(key) != value]


def describe_change(entry):
    """'VDISTDIR /old -> /new, VINSTDIR ...' of the values that change."""
    return ", ".join("%s %s -> %s" % change for change in changed_settings(entry))


def root_command(entry):
    """What makes the change: the run again as root, or the edit itself."""
    settings = " ".join("%s=%s" % (key, value) for key, _before, value in changed_settings(entry))
    return ("become root and rerun (ansible_become: true), or as root set %s in %s%s"
            % (settings, entry["path"], " and run systemctl daemon-reload" if entry["kind"] == "systemd" else ""))


def main():
    module = AnsibleModule(
        argument_spec=group_options.with_group_options(dict(
            old_install_dir=dict(type="path", required=True),
            new_install_dir=dict(type="path", required=True),
            init_dir=dict(type="path", default="/etc/init.d"),
            systemd_dir=dict(type="path", default="/etc/systemd/system"),
            state=dict(type="str", choices=["present", "query"], default="present"),
        )),
        supports_check_mode=True,
    )
    p = module.params
    old, new = svc.normalise(p["old_install_dir"]), svc.normalise(p["new_install_dir"])
    error = svc.check_dirs(old, new)
    if error:
        module.fail_json(msg=error, scripts=[], needs_root=[], daemon_reload_needed=False)
    query = p["state"] == "query"
    if not query and not os.path.isdir(new):
        module.fail_json(msg="new_install_dir: %s is not a directory on this node; the service scripts "
                             "would point at nothing" % new, scripts=[], daemon_reload_needed=False)
    try:
        entries = svc.plan(p["init_dir"], p["systemd_dir"], old, new)
    except (IOError, OSError) as e:
        module.fail_json(msg="Cannot read the service scripts in init_dir %s or systemd_dir %s: %s"
                             % (p["init_dir"], p["systemd_dir"], to_native(e)),
                         scripts=[], daemon_reload_needed=False)
    scripts, diffs, done, needs_root = [], [], [], []
    for entry in entries:
        change = not query and entry["new_text"] != entry["text"]
        backup = safe_write.original_path(entry["real_path"])
        if change and not may_write(entry["real_path"]):
            # Root-only work, named as such: the run goes on, and says what is left and how.
            pending = dict(path=entry["path"], kind=entry["kind"], before=entry["before"], after=entry["after"],
                           command=root_command(entry))
            needs_root.append(pending)
            module.warn("%s must change to point at the new installation (%s), but %s may not write it: %s"
                        % (entry["path"], describe_change(entry), install_owner.connection().name,
                           pending["command"]))
            change = False
        elif change and not module.check_mode:
            try:
                safe_write.replace_keeping_original(entry["real_path"], svc.encode(entry["new_text"]),
                                                    move=module.atomic_move)
            except (IOError, OSError) as e:
                module.fail_json(msg="Cannot rewrite %s (%s): %s; the scripts rewritten before it: %s"
                                     % (entry["path"], "init_dir" if entry["kind"] == "init.d" else "systemd_dir",
                                        to_native(e), ", ".join(done) or "none"),
                                 scripts=scripts, daemon_reload_needed=any(
                                     s["changed"] and s["kind"] == "systemd" for s in scripts))
            done.append(entry["path"])
        if change:
            diffs.append(dict(before=entry["text"], after=entry["new_text"],
                              before_header=entry["path"], after_header=entry["path"]))
        if entry["other_old_references"]:
            module.warn("%s still names %s on %d line(s) other than VDISTDIR/VINSTDIR; they were left as "
                        "they are" % (entry["path"], old, entry["other_old_references"]))
        scripts.append(dict(path=entry["path"], kind=entry["kind"], changed=change,
                            points_at=entry["points_at"], before=entry["before"],
                            after=entry["after"] if not query else entry["before"],
                            backup=backup if os.path.lexists(backup) or (change and module.check_mode) else "",
                            other_old_references=entry["other_old_references"]))
    result = dict(changed=any(s["changed"] for s in scripts), scripts=scripts, needs_root=needs_root,
                  daemon_reload_needed=any(s["changed"] and s["kind"] == "systemd" for s in scripts))
    if module._diff and diffs:
        result["diff"] = diffs
    module.exit_json(**result)


if __name__ == "__main__":
    main()
