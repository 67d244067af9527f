#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: jvm_heap
short_description: Set the maximum Java heap (-Xmx) in an API Gateway jvm.xml
version_added: 0.2.0
description:
  - When C(sysupgrade upgrade) fails with an OutOfMemoryError on a large configuration, the vendor asks
    to raise C(-Xmx) in C(apigateway/system/conf/jvm.xml) - the default C(<VMArg name="-Xmx${maxHeap}"/>)
    becomes for example C(<VMArg name="-Xmx2048"/>) - and to rerun C(upgrade) (upgrade_troubleshoot.md,
    "Out of memory error when running upgrade").
  - Every C(VMArg) element whose C(name) starts with C(-Xmx), at any depth (inside C(<if property="maxHeap">)
    too) and with or without an XML namespace, gets C(name="-Xmx<max_heap_mb>"), the number of MB
    written as in the vendor's example. With none in the file, one C(<VMArg name="-Xmx<max_heap_mb>"/>)
    is added after the last C(VMArg) child of the root element (never inside a condition), or at the
    end of the root element.
  - The file is read and written with the standard library's XML parser (C(xml.dom.minidom)), never
    with text patterns. Comments, processing instructions, namespace prefixes, the XML declaration and
    the layout inside the root element are kept; the spacing between top-level nodes becomes one line
    break, attribute values are written with double quotes, and on Python 3.6 and 3.7 several
    attributes of one element are written in sorted order. The original is kept beside the file as
    C(<file>.apigw-sysupgrade.orig) (written once, never overwritten by a later run), so nothing is lost.
  - A file already at the value is not written at all (C(changed=false)). Otherwise it is replaced
    atomically (temporary file in the same folder, then a rename) with its mode, owner and SELinux
    context kept.
options:
  install_dir:
    description: The installation's C(apigateway) folder, for example C(/opt/Axway-7.7/apigateway).
    type: path
    required: true
  max_heap_mb:
    description: The maximum heap in MB, at least 256.
    type: int
    required: true
  path:
    description:
      - The C(jvm.xml) to edit, relative to O(install_dir) (an absolute path is used as it is).
      - An instance's own C(groups/group-N/instance-M/conf/jvm.xml) can be given the same way.
    type: path
    default: system/conf/jvm.xml
attributes:
  check_mode:
    description: Reports the value it would set (and the diff) and writes nothing.
    support: full
  diff_mode:
    description: Shows the file's text before and after.
    support: full
  platform:
    description: Target OS family.
    support: full
    platforms: posix
notes:
  - The value is written as the vendor's example writes it, C(-Xmx2048) for 2048 MB, without a unit
    letter. Run the task before C(sysupgrade upgrade) (or before rerunning it) on the node concerned.
seealso:
  - module: apigw.sysupgrade.upgrade
author:
  - apigw.sysupgrade developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Give upgrade 2 GB of heap before rerunning it
  apigw.sysupgrade.jvm_heap:
    install_dir: /opt/Axway-7.7/apigateway
    max_heap_mb: 2048
"""

RETURN = r"""
path:
  description: The file edited.
  returned: always
  type: str
  sample: /opt/Axway-7.7/apigateway/system/conf/jvm.xml
before:
  description: What followed C(-Xmx) before the run (of the first such C(VMArg)); an empty string when there was none.
  returned: always
  type: str
  sample: ${maxHeap}
after:
  description: What follows C(-Xmx) after the run (would, in check mode).
  returned: always
  type: str
  sample: "2048"
added:
  description: Whether a new C(VMArg) was (would be) added because the file had none.
  returned: always
  type: bool
backup:
  description: The copy of the original beside the file, or an empty string when none exists.
  returned: always
  type: str
  sample: /opt/Axway-7.7/apigateway/system/conf/jvm.xml.apigw-sysupgrade.orig
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native
from ansible_collections.apigw.sysupgrade.plugins.module_utils import jvm_settings, safe_write

MIN_HEAP_MB = 256


def main():
    module = AnsibleModule(
        argument_spec=dict(
            install_dir=dict(type="path", required=True),
            max_heap_mb=dict(type="int", required=True),
            path=dict(type="path", default="system/conf/jvm.xml"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    path = os.path.join(p["install_dir"], p["path"])
    result = dict(path=path, before="", after="", added=False, backup="")
    if p["max_heap_mb"] < MIN_HEAP_MB:
        module.fail_json(msg="max_heap_mb: %d is below %d (MB) for %s" % (p["max_heap_mb"], MIN_HEAP_MB, path), **result)
    if not os.path.isdir(p["install_dir"]):
        module.fail_json(msg="install_dir: %s is not a directory" % p["install_dir"], **result)
    if not os.path.isfile(path):
        module.fail_json(msg="path: %s does not exist (or is not a file)" % path, **result)
    try:
        with open(path, "rb") as f:
            data = f.read()
        doc = jvm_settings.JvmXml(data, path)
    except (IOError, OSError) as e:
        module.fail_json(msg="path: cannot read %s: %s" % (path, to_native(e)), **result)
    except jvm_settings.JvmSettingsError as e:
        module.fail_json(msg="path: %s" % to_native(e), **result)
    before = doc.heap()
    result.update(before=before or "", added=before is None)
    changed = doc.set_heap(p["max_heap_mb"])
    result["after"] = doc.heap()
    backup = safe_write.original_path(path)
    if changed:
        new_data = doc.serialise()
        if not module.check_mode:
            try:
                safe_write.replace_keeping_original(path, new_data, move=module.atomic_move)
            except (IOError, OSError) as e:
                module.fail_json(msg="path: cannot write %s: %s" % (path, to_native(e)), **result)
        if module._diff:
            result["diff"] = dict(before=jvm_settings.text_of(data), after=jvm_settings.text_of(new_data),
                                  before_header=path, after_header=path)
    result["backup"] = backup if os.path.lexists(backup) or (changed and module.check_mode) else ""
    module.exit_json(changed=changed, **result)


if __name__ == "__main__":
    main()
