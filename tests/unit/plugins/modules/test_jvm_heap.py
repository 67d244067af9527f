# -*- coding: utf-8 -*-
"""jvm_heap: -Xmx in system/conf/jvm.xml, the original kept once, check and diff modes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat

import pytest

from ansible_collections.apigw.sysupgrade.plugins.modules import jvm_heap
from ansible_collections.apigw.sysupgrade.tests.unit.module_runner import run_main

# The lab's system/conf/jvm.xml (tests/lab/product/apigw_lab/install.py), built on the vendor's
# snippet in upgrade_troubleshoot.md.
JVM_XML = """<?xml version="1.0" encoding="UTF-8"?>
<!-- System-wide JVM settings (apigw lab stand-in). upgrade_troubleshoot.md: raise -Xmx here
     when upgrade runs out of memory. -->
<ConfigurationFragment>
  <VMArg name="-Xms64m"/>
  <if property="maxHeap">
  <VMArg name="-Xmx${maxHeap}"/>
  </if>
  <VMArg name="-XX:+HeapDumpOnOutOfMemoryError"/>
</ConfigurationFragment>
"""


@pytest.fixture
def install(tmp_path):
    root = tmp_path / "Axway-7.7" / "apigateway"
    conf = root / "system" / "conf"
    conf.mkdir(parents=True)
    (conf / "jvm.xml").write_text(JVM_XML)
    (conf / "jvm.xml").chmod(0o640)
    return dict(root=str(root), jvm=conf / "jvm.xml", orig=conf / "jvm.xml.apigw-sysupgrade.orig")


def run(monkeypatch, **args):
    return run_main(monkeypatch, jvm_heap.main, args)


def test_sets_the_vendor_value_keeps_the_original_and_is_idempotent(monkeypatch, install):
    first = run(monkeypatch, install_dir=install["root"], max_heap_mb=2048)
    assert first["changed"] is True
    assert (first["before"], first["after"], first["added"]) == ("${maxHeap}", "2048", False)
    assert first["path"] == str(install["jvm"]) and first["backup"] == str(install["orig"])
    assert install["jvm"].read_text() == JVM_XML.replace('<VMArg name="-Xmx${maxHeap}"/>', '<VMArg name="-Xmx2048"/>')
    assert install["orig"].read_text() == JVM_XML
    assert stat.S_IMODE(install["jvm"].stat().st_mode) == 0o640
    assert stat.S_IMODE(install["orig"].stat().st_mode) == 0o640
    mtime = install["jvm"].stat().st_mtime_ns
    second = run(monkeypatch, install_dir=install["root"], max_heap_mb=2048)
    assert second["changed"] is False and (second["before"], second["after"]) == ("2048", "2048")
    assert install["jvm"].stat().st_mtime_ns == mtime  # not rewritten at all
    # a new value later: the first original stays
    third = run(monkeypatch, install_dir=install["root"], max_heap_mb=4096)
    assert third["changed"] is True and third["before"] == "2048"
    assert install["orig"].read_text() == JVM_XML
    assert sorted(os.listdir(str(install["jvm"].parent))) == ["jvm.xml", "jvm.xml.apigw-sysupgrade.orig"]


def test_check_mode_changes_nothing_and_diff_shows_the_text(monkeypatch, install):
    result = run(monkeypatch, install_dir=install["root"], max_heap_mb=3072, _ansible_check_mode=True, _ansible_diff=True)
    assert result["changed"] is True and result["after"] == "3072"
    assert install["jvm"].read_text() == JVM_XML and not install["orig"].exists()
    assert result["diff"]["before"] == JVM_XML
    assert result["diff"]["after"] == JVM_XML.replace("-Xmx${maxHeap}", "-Xmx3072")
    assert result["diff"]["before_header"] == str(install["jvm"])
    assert "diff" not in run(monkeypatch, install_dir=install["root"], max_heap_mb=3072, _ansible_check_mode=True)


def test_adds_one_when_there_is_none(monkeypatch, install):
    install["jvm"].write_text('<?xml version="1.0" encoding="UTF-8"?>\n<ConfigurationFragment>\n'
                              '   <VMArg name="-Ddont.expect.100.continue=true"/>\n</ConfigurationFragment>\n')
    result = run(monkeypatch, install_dir=install["root"], max_heap_mb=1024)
    assert result["changed"] is True and (result["before"], result["after"], result["added"]) == ("", "1024", True)
    assert install["jvm"].read_text() == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<ConfigurationFragment>\n'
        '   <VMArg name="-Ddont.expect.100.continue=true"/>\n   <VMArg name="-Xmx1024"/>\n</ConfigurationFragment>\n')
    assert run(monkeypatch, install_dir=install["root"], max_heap_mb=1024)["changed"] is False


def test_another_path_relative_to_the_installation(monkeypatch, install):
    conf = os.path.join(install["root"], "groups", "group-2", "instance-1", "conf")
    os.makedirs(conf)
    with open(os.path.join(conf, "jvm.xml"), "w") as f:
        f.write('<ConfigurationFragment><VMArg name="-Xmx512m"/></ConfigurationFragment>')
    result = run(monkeypatch, install_dir=install["root"], max_heap_mb=1024,
                 path="groups/group-2/instance-1/conf/jvm.xml")
    assert result["changed"] and result["path"] == os.path.join(conf, "jvm.xml")
    assert install["jvm"].read_text() == JVM_XML


@pytest.mark.parametrize("args, error", [
    (dict(max_heap_mb=128), "max_heap_mb: 128 is below 256 (MB) for {jvm}"),
    (dict(path="system/conf/missing.xml"), "path: {root}/system/conf/missing.xml does not exist"),
    (dict(install_dir="/nowhere/apigateway"), "install_dir: /nowhere/apigateway is not a directory"),
])
def test_bad_input_names_the_option_and_the_file(monkeypatch, install, args, error):
    params = dict(dict(install_dir=install["root"], max_heap_mb=2048), **args)
    result = run(monkeypatch, **params)
    assert result["failed"] and result["msg"].startswith(error.format(jvm=install["jvm"], root=install["root"]))
    assert install["jvm"].read_text() == JVM_XML


def test_an_unparsable_file_names_the_file_and_is_left_alone(monkeypatch, install):
    install["jvm"].write_text('<ConfigurationFragment>\n  <VMArg name="-Xmx${maxHeap}">\n</ConfigurationFragment>\n')
    result = run(monkeypatch, install_dir=install["root"], max_heap_mb=2048)
    assert result["failed"]
    assert result["msg"].startswith("path: %s is not well-formed XML: mismatched tag: line 3" % install["jvm"])
    assert not install["orig"].exists()
