# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Option documentation shared by the apigw.sysupgrade modules."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # Every module: where the tool is, and how long it may run.
    DOCUMENTATION = r"""
options:
  new_install_dir:
    description:
      - The C(apigateway) folder of the NEW installation, for example C(/opt/Axway-7.7/apigateway).
      - It must hold the executable C(upgrade/bin/sysupgrade); the module checks this before
        running anything and fails naming the option and the path otherwise.
      - sysupgrade runs with C(upgrade/bin) below it as working folder and C(LANG=C), C(LC_ALL=C).
    type: path
    required: true
  timeout:
    description:
      - Seconds the sysupgrade command may run. A command still running then is stopped (SIGTERM to
        its whole process group, SIGKILL 10 seconds later) and the task fails saying so.
      - C(sysupgrade status) calls are limited to the smaller of this value and 300 seconds.
      - For steps that can outlast the SSH connection, run the task with C(async) and C(poll=0) and wait
        for it with M(apigw.sysupgrade.step_wait), as the collection's roles do; the time limit is then
        still enforced on the node.
    type: int
    default: 3600
notes:
  - Commands run without a terminal and in their own process group. Standard input carries only the
    credentials the tool asks for and is then closed, so a prompt can never wait; a further question
    reads end of file at once.
  - "Ground truth for paths, statuses and log formats: the vendor's sysupgrade command reference and
    error reference, as summarised in the collection's product contract (sections 1, 4 and 5)."
requirements:
  - Python 3.6 or later on the managed node (standard library only).
"""

    # Every module that runs product commands or writes inside an installation.
    OWNER = r"""
options:
  install_owner:
    description:
      - The account that owns the installation and runs its commands, as a user name. Empty (the
        default) means the owner of the installation's folder, read on the node. The roles leave it
        empty, because M(apigw.sysupgrade.preflight) proves that both installations belong to the account
        (O(install_owner) or the old installation's owner), so every module finds the same one.
      - Connected as root (directly or through become), the module runs every product command as
        this account (its uid, gid and supplementary groups), and writes its files inside the
        installation as it, so nothing there becomes root's and no process of the product runs as
        root. Connected as this account, nothing changes hands. Connected as any other account, the
        module fails before running anything, naming both accounts and the two ways out.
    type: str
    default: ""
"""

    # The step modules (export, upgrade, apply, clean): log reading and the shared behaviour.
    STEP = r"""
options:
  max_issues:
    description:
      - How many findings of each severity (error, warning, info) to return from the step's log.
        Further findings are only counted, so results stay small even for huge logs.
    type: int
    default: 50
notes:
  - Idempotent through C(sysupgrade status), which runs before anything else; the module decides
    from it (and, for clean, from the folders clean would touch) whether the step must run.
  - "After a run the module reads the step's log and runs C(status) again. The step fails whatever the
    exit code when the log holds errors, the status did not advance or the time limit was reached.
    The log is searched in C(upgrade/bin/out/logs/), C(upgrade/bin/out/log/),
    C(export/bin/out/logs/) and C(apply/bin/out/logs/) below O(new_install_dir) (the vendor documents
    each); the newest log written by this run wins."
  - Warnings in the log are raised as Ansible warnings (with their check name) and returned in RV(issues).
  - "Questions on standard input are recognised by their shape, not their wording: a credential prompt
    (user name, password, passphrase) asked more often than the module answered it, a yes/no choice
    such as C([y/N]), or a line ending in C(:) or C(?) left without a line break at the end of the
    output (the tool ended, or was stopped at the time limit, right after asking). When the step failed,
    the first failure reason quotes the question and names the option that answers it; when it
    succeeded anyway (the tool took its default at end of file), the module warns."
  - Check mode runs only C(sysupgrade status) and reports the command line that would run, secrets masked.
  - "Never two runs on one node: before it reads the status, the module takes an exclusive lock,
    C(upgrade/bin/.apigw-sysupgrade.lock) below O(new_install_dir) (C(flock)), and holds it until it
    exits, so a controller that dies does not release it and a module that dies releases it at once.
    When another run holds it, the module waits for that run to end, up to O(timeout) seconds, then
    reads the status afresh (a step the other run completed is C(changed=false)) and warns how long
    it waited and for which process; after O(timeout) it fails naming the lock and that process's pid,
    having run nothing. Check mode does not wait; it warns when another run holds the lock.
    C(sysupgrade status) never takes the lock."
"""

    # Steps that talk to the Admin Node Manager (export, apply).
    CREDENTIALS = r"""
options:
  username:
    description:
      - Admin Node Manager user name, passed as C(--username) (it is not secret).
      - Required because sysupgrade would otherwise prompt for it.
    type: str
    required: true
  password:
    description:
      - Admin Node Manager password.
      - Never put on the command line. It is written to the standard input of sysupgrade, which
        reads its prompts from there when it has no terminal (answers in the order user name,
        password, passphrase; only for credentials not given as options).
      - Masked in every returned field, message and warning.
    type: str
    required: true
  anm_host:
    description:
      - Topology host name of the first Admin Node Manager (C(--anm_host)).
      - Required by sysupgrade only when the old topology has more than one Admin Node Manager, and
        must then be the same value on every node; different values silently create two domains.
    type: str
"""

    # Steps that can be rerun (export, upgrade, apply).
    FORCE = r"""
options:
  force:
    description:
      - Rerun the step although it already succeeded (C(--force)).
      - Without it, an already successful step is skipped with C(changed=false).
      - The tool then clears this step's output and that of the later steps; on the first Admin Node
        Manager it also wipes the new topology, so every other node must rerun apply.
    type: bool
    default: false
notes:
  - A step that already succeeded is not run again (C(changed=false)) unless O(force=true);
    C(--force) is never added silently. A step whose predecessor has not succeeded fails before
    running, naming that step, with or without O(force).
"""

    TRACELEVEL = r"""
options:
  tracelevel:
    description:
      - Level of logging output (C(--tracelevel)); the tool's default is C(INFO).
    type: str
    choices: [DEBUG, INFO, VERBOSE]
"""

    ATTRIBUTES = r"""
attributes:
  check_mode:
    support: full
    description: Only C(sysupgrade status) runs; the result tells what would run.
  diff_mode:
    support: none
    description: No diff is produced.
  platform:
    support: full
    platforms: posix
    description: Runs on the managed node that holds the new API Gateway installation.
"""
