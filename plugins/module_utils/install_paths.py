# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where things are in an apigateway folder, and checks that a folder is what the user says.

Paths follow product contract §1: NEW is the new apigateway folder (``/opt/Axway-7.7/apigateway``)
holding ``upgrade/bin/sysupgrade``; OLD is the old one, recognised by its process command
``posix/bin/nodemanager`` (contract §2). Each check returns an error text naming the option and the
path, or None, so that a module can fail before running anything.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os


def sysupgrade_path(new_install_dir):
    return os.path.join(new_install_dir, "upgrade", "bin", "sysupgrade")


def working_dir(new_install_dir):
    """The vendor runs sysupgrade from NEW/upgrade/bin (upgrade_script.md)."""
    return os.path.join(new_install_dir, "upgrade", "bin")


def out_dir(new_install_dir):
    return os.path.join(new_install_dir, "upgrade", "bin", "out")


def groups_dir(install_dir):
    return os.path.join(install_dir, "groups")


def check_new_install_dir(path, option="new_install_dir"):
    if not os.path.isdir(path):
        return "%s: %s is not a directory (expected the NEW apigateway folder, e.g. /opt/Axway-7.7/apigateway)" % (option, path)
    script = sysupgrade_path(path)
    if not os.path.isfile(script):
        return "%s: %s not found; %s is not a new API Gateway installation with the upgrade tool" % (option, script, path)
    if not os.access(script, os.X_OK):
        return "%s: %s is not executable by the connecting user" % (option, script)
    return None


def check_old_install_dir(path, new_install_dir=None, option="old_install_dir"):
    if not os.path.isdir(path):
        return "%s: %s is not a directory (expected the OLD apigateway folder, e.g. /opt/Axway-7.5.3/apigateway)" % (option, path)
    marker = os.path.join(path, "posix", "bin", "nodemanager")
    if not os.path.isfile(marker):
        return "%s: %s not found; %s is not an API Gateway installation" % (option, marker, path)
    if new_install_dir and os.path.realpath(path) == os.path.realpath(new_install_dir):
        return "%s: %s is the same folder as new_install_dir; it must be the OLD installation" % (option, path)
    return None
