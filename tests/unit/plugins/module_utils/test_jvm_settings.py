# -*- coding: utf-8 -*-
"""jvm_settings: the -Xmx VMArg of jvm.xml set through an XML parser, everything else kept."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.apigw.sysupgrade.plugins.module_utils import jvm_settings

# upgrade_troubleshoot.md, "Out of memory error when running upgrade", verbatim.
VENDOR_DEFAULT = """<if property="maxHeap">
<VMArg name="-Xmx${maxHeap}"/>
</if>"""
VENDOR_2048 = """<if property="maxHeap">
<VMArg name="-Xmx2048"/>
</if>"""

# The shape of the vendor's jvm.xml (config_files_reference.md's example, plus the snippet above).
JVM_XML = """<?xml version="1.0" encoding="UTF-8"?>
<!-- System-wide JVM settings. -->
<ConfigurationFragment>
  <VMArg name="-Xms64m"/>
  <!-- the heap -->
  <if property="maxHeap">
  <VMArg name="-Xmx${maxHeap}"/>
  </if>
  <VMArg name="-Ddont.expect.100.continue=true"/>
</ConfigurationFragment>
"""


def test_the_vendor_snippet_verbatim():
    doc = jvm_settings.JvmXml(("<ConfigurationFragment>\n%s\n</ConfigurationFragment>\n" % VENDOR_DEFAULT).encode())
    assert doc.heap() == "${maxHeap}"
    assert doc.set_heap(2048) is True and doc.heap() == "2048"
    assert doc.serialise() == ("<ConfigurationFragment>\n%s\n</ConfigurationFragment>\n" % VENDOR_2048).encode()


def test_only_the_xmx_line_changes():
    doc = jvm_settings.JvmXml(JVM_XML.encode())
    doc.set_heap(4096)
    assert doc.serialise().decode() == JVM_XML.replace("-Xmx${maxHeap}", "-Xmx4096")


def test_the_same_value_is_no_change():
    doc = jvm_settings.JvmXml(JVM_XML.replace("${maxHeap}", "2048").encode())
    assert doc.set_heap(2048) is False


def test_namespaced_file_keeps_its_prefix():
    text = ('<?xml version="1.0"?>\n<cf:ConfigurationFragment xmlns:cf="urn:x">\n'
            '  <cf:if property="maxHeap"><cf:VMArg name="-Xmx512m"/></cf:if>\n</cf:ConfigurationFragment>\n')
    doc = jvm_settings.JvmXml(text.encode())
    assert doc.heap() == "512m"
    doc.set_heap(1024)
    assert doc.serialise().decode() == text.replace("-Xmx512m", "-Xmx1024")


def test_default_namespace():
    text = '<ConfigurationFragment xmlns="urn:x">\n  <VMArg name="-Xmx1g"/>\n</ConfigurationFragment>'
    doc = jvm_settings.JvmXml(text.encode())
    doc.set_heap(2048)
    assert doc.serialise().decode() == text.replace("-Xmx1g", "-Xmx2048")


def test_added_after_the_last_root_vmarg_never_inside_a_condition():
    text = ('<ConfigurationFragment>\n  <VMArg name="-Xms64m"/>\n  <if property="x">\n  <VMArg name="-Dx"/>\n'
            '  </if>\n  <VMArg name="-Dy"/>\n</ConfigurationFragment>\n')
    doc = jvm_settings.JvmXml(text.encode())
    assert doc.heap() is None
    assert doc.set_heap(2048) is True
    assert doc.serialise().decode() == text.replace('<VMArg name="-Dy"/>\n',
                                                    '<VMArg name="-Dy"/>\n  <VMArg name="-Xmx2048"/>\n')


def test_added_under_a_root_without_vmargs():
    doc = jvm_settings.JvmXml(b'<?xml version="1.0" encoding="UTF-8"?>\n<ConfigurationFragment>\n</ConfigurationFragment>\n')
    doc.set_heap(512)
    assert doc.serialise().decode() == ('<?xml version="1.0" encoding="UTF-8"?>\n<ConfigurationFragment>\n'
                                        '  <VMArg name="-Xmx512"/>\n</ConfigurationFragment>\n')
    empty = jvm_settings.JvmXml(b"<ConfigurationFragment/>")
    empty.set_heap(512)
    assert empty.serialise().decode() == '<ConfigurationFragment>\n  <VMArg name="-Xmx512"/>\n</ConfigurationFragment>'


def test_every_xmx_is_set():
    text = '<C>\n<if property="a"><VMArg name="-Xmx1g"/></if>\n<VMArg name="-Xmx${maxHeap}"/>\n</C>\n'
    doc = jvm_settings.JvmXml(text.encode())
    assert doc.heap() == "1g"
    doc.set_heap(3000)
    assert [e.getAttribute("name") for e in doc.xmx_elements()] == ["-Xmx3000", "-Xmx3000"]


@pytest.mark.parametrize("data", [b"", b"<ConfigurationFragment>", b"not xml at all", b"<a></b>"])
def test_unparsable_names_the_file(data):
    with pytest.raises(jvm_settings.JvmSettingsError) as info:
        jvm_settings.JvmXml(data, "/x/system/conf/jvm.xml")
    assert str(info.value).startswith("/x/system/conf/jvm.xml is not well-formed XML: ")
