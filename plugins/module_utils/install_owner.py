# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The account that owns an API Gateway installation, and how this module acts as it.

An installation belongs to a service account (the vendor's services page has the operator "switch
user to root" only to edit ``/etc/init.d``, upgrade_steps_extcass.md). Every product command
(``sysupgrade``, ``nodemanager``, ``startinstance``) and every file the collection writes inside an
installation must be that account's, or the site's account can no longer manage its own gateway,
and the gateway runs with more privilege than the site gave it.

Three ways a module can be connected (``how``):

- ``same``: the module runs as the owner already; nothing changes hands;
- ``drop``: the module runs as root (directly or through become); commands drop to the owner in
  the watchdog (``setgroups``/``setgid``/``setuid`` in the child, see step_watchdog), and files are
  written with the owner's effective ids (``acting_as``). ``become_user`` is never needed, so no ACL
  or world-readable temporary file is either;
- ``refuse``: any other account cannot act as the owner; pre-flight refuses before anything runs.

Python 3.6+, standard library only (runs on the node).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import os
import pwd

OPTION = "install_owner"
SAME, DROP, REFUSE = "same", "drop", "refuse"

Account = collections.namedtuple("Account", "name uid gid groups home")


class OwnerError(Exception):
    """The owner cannot be found (an unknown user name, a folder that is missing)."""


def _account(entry):
    try:
        groups = sorted(set(os.getgrouplist(entry.pw_name, entry.pw_gid)))
    except (KeyError, OSError):
        groups = [entry.pw_gid]
    return Account(entry.pw_name, entry.pw_uid, entry.pw_gid, tuple(groups), entry.pw_dir or "/")


def by_name(name):
    try:
        return _account(pwd.getpwnam(name))
    except KeyError:
        raise OwnerError("%s=%s: no such user on this node" % (OPTION, name))


def by_uid(uid, gid=None):
    """The account of ``uid``; a uid without a passwd entry keeps its number as its name."""
    try:
        return _account(pwd.getpwuid(uid))
    except KeyError:
        gid = uid if gid is None else gid
        return Account(str(uid), uid, gid, (gid,), "/")


def of_path(path):
    """The owner of ``path`` (the installation's top folder)."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise OwnerError("cannot read the owner of %s: %s" % (path, exc.strerror or exc))
    return by_uid(st.st_uid, st.st_gid)


def nearest_existing(path):
    """``path``, or the nearest of its parents that exists: where a folder made for ``path`` would
    be created, so whose permissions and owner count for it."""
    while not os.path.exists(path) and os.path.dirname(path) != path:
        path = os.path.dirname(path)
    return path


def resolve(folder, override=""):
    """The account that runs the product for the installation ``folder``: ``override`` (a user
    name) when given, else the folder's owner."""
    return by_name(override) if override else of_path(folder)


def for_module(module, folder):
    """The owner of ``folder`` for a module, or the account its ``install_owner`` option names;
    fails the module naming the option and the folder when neither can be found. None for a
    folder that does not exist: the module's own check of it fails with a clearer message."""
    override = (module.params.get(OPTION) or "").strip()
    if not override and not (folder and os.path.isdir(folder)):
        return None  # the module's own check of the folder says what is wrong with it
    try:
        return resolve(folder, override)
    except OwnerError as exc:
        module.fail_json(msg="%s (the account that runs the product for %s; %s empty means the "
                             "folder's owner)" % (exc, folder, OPTION))


def connection():
    """The account this module runs as (its effective uid)."""
    return by_uid(os.geteuid(), os.getegid())


def how(account, euid=None):
    """SAME, DROP or REFUSE for running as ``account`` from effective uid ``euid``."""
    euid = os.geteuid() if euid is None else euid
    if euid == account.uid:
        return SAME
    if euid == 0:
        return DROP
    return REFUSE


def refusal(account, connected):
    """The message for a connection that can act as neither root nor the owner."""
    return ("connected as %s, but the installation belongs to %s and its commands must run as %s: "
            "either become root (ansible_become: true; the collection then drops to %s for every "
            "product command), or connect as %s (ansible_user: %s)"
            % (connected.name, account.name, account.name, account.name, account.name, account.name))


def environment(account):
    """What a login as the owner would set: the product reads HOME (for example for its Java
    preferences), and audit tools read USER and LOGNAME."""
    return {"HOME": account.home, "USER": account.name, "LOGNAME": account.name}


def identity_argument(account):
    """``uid:gid:g1,g2`` for the watchdog, or ``-`` when nothing changes hands."""
    if account is None or how(account) != DROP:
        return "-"
    return "%d:%d:%s" % (account.uid, account.gid, ",".join(str(g) for g in account.groups))


class acting_as(object):
    """Write files inside an installation as its owner: effective ids switched for the block.

    Only when running as root for another owner; otherwise nothing changes. The real uid stays 0,
    so the ids are restored on the way out, whatever happened inside.
    """

    def __init__(self, account):
        self.account = account
        self.saved = None

    def __enter__(self):
        if self.account is None or how(self.account) != DROP:
            return self
        self.saved = (os.getegid(), os.getgroups())
        os.setgroups(list(self.account.groups))
        os.setegid(self.account.gid)
        os.seteuid(self.account.uid)
        return self

    def __exit__(self, *exc):
        if self.saved is not None:
            os.seteuid(0)
            os.setegid(self.saved[0])
            os.setgroups(self.saved[1])
            self.saved = None
        return False
