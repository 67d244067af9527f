# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Set the maximum Java heap (``-Xmx``) in an API Gateway ``jvm.xml``.

upgrade_troubleshoot.md, "Out of memory error when running upgrade": a large configuration makes
``sysupgrade upgrade`` fail with an OutOfMemoryError; the fix is to edit the ``-Xmx`` setting in
``apigateway/system/conf/jvm.xml``, from the default ``<VMArg name="-Xmx${maxHeap}"/>`` (inside
``<if property="maxHeap">``) to, for example, ``<VMArg name="-Xmx2048"/>``, and rerun ``upgrade``.
The value is written the way the vendor's example writes it: ``-Xmx`` then the number of MB.

The file is XML, so it is read and written with an XML parser, never with text patterns. The parser
is the standard library's ``xml.dom.minidom`` rather than ``xml.etree.ElementTree``: both sit on the
same expat parser, but ElementTree drops every comment on Python 3.6 and 3.7, drops comments outside
the root element (the vendor's files start with one) on every version, renames namespace prefixes
(``ns0:``) and rewrites every ``<VMArg .../>`` as ``<VMArg ... />``. minidom keeps comments,
processing instructions, CDATA, prefixes and the whitespace between elements on every supported
Python, so the only line that changes is the ``-Xmx`` one. What it cannot keep: the spacing between
top-level nodes (each goes on its own line), single quotes around attribute values (written with
double quotes), character references it does not need (written as the characters), and, on Python
3.6/3.7 only, the order of several attributes on one element (written sorted). The original file is
kept beside it (``safe_write``), so nothing is lost. A file already at the wanted value is never
rewritten at all. Python 3.6+, standard library only (runs on the node).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import codecs
import xml.parsers.expat
from xml.dom import minidom

ELEMENT = "VMArg"
ATTRIBUTE = "name"
XMX = "-Xmx"


class JvmSettingsError(Exception):
    """The file cannot be read as XML; the message names it."""


def _local(node):
    return node.localName or node.tagName.split(":")[-1]


def _elements(node):
    """Every element under ``node`` in document order (any depth)."""
    return node.getElementsByTagName("*")


def _declaration(data):
    """(version, encoding, standalone) of the XML declaration, or None when the file has none;
    read by expat itself."""
    found = []
    parser = xml.parsers.expat.ParserCreate()
    parser.XmlDeclHandler = lambda version, encoding, standalone: found.append((version, encoding, standalone))
    # The declaration comes first: parsing a prefix is enough, and an error later in it does not matter.
    try:
        parser.Parse(data[:4096], False)
    except xml.parsers.expat.ExpatError:
        pass
    return found[0] if found else None


class JvmXml(object):
    """One parsed jvm.xml: read the -Xmx value(s), set them, serialise."""

    def __init__(self, data, path="jvm.xml"):
        self.path = path
        self.data = data
        try:
            self.doc = minidom.parseString(data)
        except (xml.parsers.expat.ExpatError, ValueError) as e:
            raise JvmSettingsError("%s is not well-formed XML: %s" % (path, e))
        self.declaration = _declaration(data)
        self.root = self.doc.documentElement

    def vmargs(self):
        return [e for e in _elements(self.root) if _local(e) == ELEMENT]

    def xmx_elements(self):
        return [e for e in self.vmargs() if e.getAttribute(ATTRIBUTE).startswith(XMX)]

    def heap(self):
        """The first ``-Xmx`` value (what follows ``-Xmx``, e.g. ``${maxHeap}``), or None."""
        found = self.xmx_elements()
        return found[0].getAttribute(ATTRIBUTE)[len(XMX):] if found else None

    def set_heap(self, megabytes):
        """Set every ``-Xmx`` VMArg to ``-Xmx<megabytes>``; add one when there is none. Returns
        True when the document changed."""
        wanted = "%s%d" % (XMX, megabytes)
        found = self.xmx_elements()
        if found:
            changed = False
            for element in found:
                if element.getAttribute(ATTRIBUTE) != wanted:
                    element.setAttribute(ATTRIBUTE, wanted)
                    changed = True
            return changed
        self._add(wanted)
        return True

    def _add(self, value):
        """A new VMArg goes right after the last VMArg that is a child of the root (never inside an
        ``<if>``, which would make the heap depend on that condition), else at the end of the root,
        with the same indentation as its neighbour and the same namespace as the others."""
        siblings = [e for e in self.vmargs() if e.parentNode is self.root]
        model = (siblings or self.vmargs() or [self.root])[0]
        tag = model.tagName if model is not self.root else (
            "%s:%s" % (self.root.prefix, ELEMENT) if self.root.prefix else ELEMENT)
        element = self.doc.createElementNS(model.namespaceURI, tag)
        element.setAttribute(ATTRIBUTE, value)
        indent = None
        anchor = siblings[-1] if siblings else None
        for child in self.root.childNodes:
            if child.nodeType == child.TEXT_NODE and not child.data.strip() and "\n" in child.data \
                    and child.nextSibling is not None and child.nextSibling.nodeType == child.ELEMENT_NODE:
                indent = child.data
                break
        if anchor is not None:
            following = anchor.nextSibling
            self.root.insertBefore(self.doc.createTextNode(indent or "\n  "), following)
            self.root.insertBefore(element, following)
            return
        last = self.root.lastChild
        if last is not None and last.nodeType == last.TEXT_NODE and not last.data.strip():
            self.root.insertBefore(self.doc.createTextNode(indent or "\n  "), last)
            self.root.insertBefore(element, last)
        else:
            self.root.appendChild(self.doc.createTextNode(indent or "\n  "))
            self.root.appendChild(element)
            self.root.appendChild(self.doc.createTextNode("\n"))

    def serialise(self):
        """The document as bytes: the original declaration (if any), then each top-level node
        (comments, processing instructions, the root) on its own line, in the file's encoding."""
        encoding = "utf-8"
        lines = []
        if self.declaration is not None:
            version, declared, standalone = self.declaration
            encoding = declared or encoding
            text = '<?xml version="%s"' % (version or "1.0")
            if declared:
                text += ' encoding="%s"' % declared
            if standalone != -1:
                text += ' standalone="%s"' % ("yes" if standalone else "no")
            lines.append(text + "?>")
        for node in self.doc.childNodes:
            lines.append(node.toxml())
        text = "\n".join(lines)
        if self.data.endswith(b"\n"):
            text += "\n"
        out = text.encode(encoding, "xmlcharrefreplace")
        if self.data.startswith(codecs.BOM_UTF8):
            out = codecs.BOM_UTF8 + out
        return out


def text_of(data):
    """Bytes of the file as text for a diff."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    return data.decode("utf-8", "replace")
