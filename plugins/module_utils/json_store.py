# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a module keeps on the node between runs, as one JSON file (the export's configuration
fingerprint, the domain content snapshot), under NEW/upgrade/apigw-sysupgrade/.

The files name the domain's hosts, groups and users, so the folder is 0700 and the file 0600. A
file is replaced in one ``rename`` from a temporary file beside it: a run killed part way leaves the
previous file whole, never half of one. An unreadable or unparsable file reads as None: the caller
then treats it as never written (and says so), instead of failing on a file it can rewrite.
Python 3.6+, standard library only (runs on the node).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import tempfile

from ansible_collections.apigw.sysupgrade.plugins.module_utils import install_owner


def read_json(path):
    """The JSON value stored at PATH, or None when it is missing, unreadable or not JSON."""
    try:
        with open(path) as f:
            return json.load(f)
    except (IOError, OSError, ValueError):
        return None


def write_json(path, data):
    """Write DATA at PATH atomically, 0600 in a 0700 folder (made when missing).

    The file and any folder made for it belong to the owner of the nearest existing folder above
    it (install_owner.acting_as): inside an installation that is its service account, so a run as
    root leaves nothing of root's there."""
    with install_owner.acting_as(install_owner.of_path(install_owner.nearest_existing(os.path.dirname(path)))):
        _write_json(path, data)


def _write_json(path, data):
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        os.makedirs(folder, 0o700)
    fd, tmp = tempfile.mkstemp(prefix=".%s-" % os.path.basename(path), dir=folder)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, indent=1, sort_keys=True)
        os.chmod(tmp, 0o600)
        os.rename(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
