# -*- coding: utf-8 -*-
"""safe_write: the original kept once, atomic replacement with mode and owner kept."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat

import pytest

from ansible_collections.apigw.sysupgrade.plugins.module_utils import safe_write


def test_the_original_is_written_once_and_the_file_keeps_its_mode(tmp_path):
    path = tmp_path / "vshell-x"
    path.write_bytes(b"first\n")
    path.chmod(0o750)
    orig = safe_write.replace_keeping_original(str(path), b"second\n")
    assert orig == str(path) + ".apigw-sysupgrade.orig"
    assert path.read_bytes() == b"second\n" and stat.S_IMODE(path.stat().st_mode) == 0o750
    assert open(orig, "rb").read() == b"first\n" and stat.S_IMODE(os.stat(orig).st_mode) == 0o750
    safe_write.replace_keeping_original(str(path), b"third\n")
    assert open(orig, "rb").read() == b"first\n"
    assert sorted(os.listdir(str(tmp_path))) == ["vshell-x", "vshell-x.apigw-sysupgrade.orig"]


def test_owner_kept(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"x")
    st = path.stat()
    safe_write.write_file(str(path), b"y")
    assert (path.stat().st_uid, path.stat().st_gid) == (st.st_uid, st.st_gid)


def test_a_failed_move_leaves_the_file_and_no_temporary(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"x")

    def broken(_src, _dest):
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        safe_write.write_file(str(path), b"y", move=broken)
    assert path.read_bytes() == b"x" and os.listdir(str(tmp_path)) == ["f"]


def test_a_new_file_needs_a_mode(tmp_path):
    with pytest.raises(ValueError):
        safe_write.write_file(str(tmp_path / "new"), b"y")
    safe_write.write_file(str(tmp_path / "new"), b"y", mode=0o600)
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o600


@pytest.mark.parametrize("name, ours", [
    ("vshell-x.apigw-sysupgrade.orig", True), (".apigw-sysupgrade-abc123", True), ("vshell-x", False)])
def test_is_ours(name, ours):
    assert safe_write.is_ours(name) is ours
