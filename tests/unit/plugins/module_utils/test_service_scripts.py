# -*- coding: utf-8 -*-
"""service_scripts: the vendor's VDISTDIR/VINSTDIR edit, line by line, on path boundaries."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.apigw.sysupgrade.plugins.module_utils import service_scripts as svc

OLD_722 = "/opt/Axway-7.2.2/apigateway"
NEW_77 = "/opt/Axway-7.7/apigateway"


# upgrade_steps_extcass.md, "Upgrade services", verbatim (the vendor's lines have no closing quote).
@pytest.mark.parametrize("before, after", [
    ('VDISTDIR="/opt/Axway-7.2.2/apigateway', 'VDISTDIR="/opt/Axway-7.7/apigateway'),
    ('VINSTDIR="/opt/Axway-7.2.2/apigateway/groups/group-2/instance-1',
     'VINSTDIR="/opt/Axway-7.7/apigateway/groups/group-2/instance-1'),
])
def test_the_vendor_examples_verbatim(before, after):
    text, _b, _a, others = svc.rewrite_init_script(before + "\n", OLD_722, NEW_77)
    assert text == after + "\n" and others == 0


@pytest.mark.parametrize("line, wanted", [
    ('VDISTDIR="/opt/Axway-7.2.2/apigateway"', 'VDISTDIR="/opt/Axway-7.7/apigateway"'),
    ("VDISTDIR='/opt/Axway-7.2.2/apigateway'", "VDISTDIR='/opt/Axway-7.7/apigateway'"),
    ("VDISTDIR=/opt/Axway-7.2.2/apigateway", "VDISTDIR=/opt/Axway-7.7/apigateway"),
    ("export VDISTDIR=/opt/Axway-7.2.2/apigateway", "export VDISTDIR=/opt/Axway-7.7/apigateway"),
    ("  export  VINSTDIR=\"/opt/Axway-7.2.2/apigateway/groups/g/i\" # kept",
     "  export  VINSTDIR=\"/opt/Axway-7.7/apigateway/groups/g/i\" # kept"),
    ("VDISTDIR=/opt/Axway-7.2.2/apigateway/; export VDISTDIR", "VDISTDIR=/opt/Axway-7.7/apigateway/; export VDISTDIR"),
    # path boundary: another folder whose name starts the same is not the old installation
    ("VDISTDIR=/opt/Axway-7.2.2/apigatewayX", "VDISTDIR=/opt/Axway-7.2.2/apigatewayX"),
    ('VDISTDIR="/opt/Axway-7.2.2/apigateway-old"', 'VDISTDIR="/opt/Axway-7.2.2/apigateway-old"'),
    ("VDISTDIR=/data/opt/Axway-7.2.2/apigateway", "VDISTDIR=/data/opt/Axway-7.2.2/apigateway"),
    # other variables and comments are not touched
    ("JAVA_HOME=/opt/Axway-7.2.2/apigateway/platform/jre", "JAVA_HOME=/opt/Axway-7.2.2/apigateway/platform/jre"),
    ("# VDISTDIR=/opt/Axway-7.2.2/apigateway", "# VDISTDIR=/opt/Axway-7.2.2/apigateway"),
    ("MYVDISTDIR=/opt/Axway-7.2.2/apigateway", "MYVDISTDIR=/opt/Axway-7.2.2/apigateway"),
])
def test_assignment_forms(line, wanted):
    assert svc.rewrite_init_script(line + "\r\n", OLD_722, NEW_77)[0] == wanted + "\r\n"


def test_maps_and_other_references():
    text = ("#!/bin/sh\nVDISTDIR=\"%s\"\nVINSTDIR=\"%s/groups/group-2/instance-1\"\nPIDFILE=%s/x.pid\n"
            "# %s in a comment\n" % (OLD_722, OLD_722, OLD_722, OLD_722))
    new_text, before, after, others = svc.rewrite_init_script(text, OLD_722, NEW_77)
    assert before == {"VDISTDIR": OLD_722, "VINSTDIR": OLD_722 + "/groups/group-2/instance-1"}
    assert after == {"VDISTDIR": NEW_77, "VINSTDIR": NEW_77 + "/groups/group-2/instance-1"}
    assert others == 1 and "PIDFILE=%s/x.pid" % OLD_722 in new_text
    assert svc.rewrite_init_script(new_text, OLD_722, NEW_77)[0] == new_text


def test_unit_references_on_path_boundaries_only():
    old = "/opt/Axway-7.5.3/apigateway"
    unit = ("[Service]\n# ExecStart=%s/posix/bin/nodemanager\n"
            "Environment=VDISTDIR=%s \"VINSTDIR=%s/groups/group-2/instance-1\"\n"
            "ExecStart=%s/posix/bin/nodemanager -d\nExecStop=%sX/posix/bin/nodemanager -k\n"
            "WorkingDirectory=%s\n" % (old, old, old, old, old, old))
    new_text = svc.rewrite_unit(unit, old, "/opt/Axway-7.7/apigateway")
    assert new_text == (
        "[Service]\n# ExecStart=/opt/Axway-7.5.3/apigateway/posix/bin/nodemanager\n"
        "Environment=VDISTDIR=/opt/Axway-7.7/apigateway \"VINSTDIR=/opt/Axway-7.7/apigateway/groups/group-2/instance-1\"\n"
        "ExecStart=/opt/Axway-7.7/apigateway/posix/bin/nodemanager -d\n"
        "ExecStop=/opt/Axway-7.5.3/apigatewayX/posix/bin/nodemanager -k\n"
        "WorkingDirectory=/opt/Axway-7.7/apigateway\n")
    assert "# ExecStart=%s/posix" % old in new_text and "ExecStop=%sX/" % old in new_text
    folders = (old, "/opt/Axway-7.7/apigateway")
    assert svc.unit_settings(unit, folders) == {
        "VDISTDIR": old, "VINSTDIR": old + "/groups/group-2/instance-1",
        "ExecStart": old + "/posix/bin/nodemanager -d", "WorkingDirectory": old}
    assert svc.unit_settings(new_text, folders)["VDISTDIR"] == "/opt/Axway-7.7/apigateway"


@pytest.mark.parametrize("values, wanted", [
    ([OLD_722, OLD_722 + "/groups/g/i"], "old"),
    ([NEW_77], "new"),
    ([NEW_77, OLD_722 + "/groups/g/i"], "mixed"),
    (["/somewhere/else"], "neither"),
    ([], "neither"),
])
def test_points_at(values, wanted):
    assert svc.points_at(values, OLD_722, NEW_77) == wanted


@pytest.mark.parametrize("old, new, error", [
    ("opt/old", "/opt/new", "old_install_dir: opt/old is not an absolute path"),
    ("/opt/old", "new", "new_install_dir: new is not an absolute path"),
    ("/opt/a/", "/opt/a", "new_install_dir: /opt/a is the same folder as old_install_dir"),
    ("/opt/a", "/opt/a/b", "new_install_dir: /opt/a/b is inside old_install_dir /opt/a"),
])
def test_check_dirs(old, new, error):
    assert svc.check_dirs(old, new).startswith(error)


def test_new_beside_old_with_a_longer_name_is_fine():
    assert svc.check_dirs("/opt/apigateway", "/opt/apigateway-7.7") is None
    text = "VDISTDIR=/opt/apigateway\n"
    once = svc.rewrite_init_script(text, "/opt/apigateway", "/opt/apigateway-7.7")[0]
    assert once == "VDISTDIR=/opt/apigateway-7.7\n"
    assert svc.rewrite_init_script(once, "/opt/apigateway", "/opt/apigateway-7.7")[0] == once
