# -*- coding: utf-8 -*-
# Copyright: apigw.sysupgrade developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write the upgrade report's four files into a run folder on the controller.

An action plugin because the report belongs on the controller, not on a gateway node.
Files are 0600 and the folder 0700: the report names hosts and paths of a production domain.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import os

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.apigw.sysupgrade.plugins.plugin_utils import report_render

RENDERERS = (("report.html", report_render.render_html), ("report.md", report_render.render_markdown),
             ("report.json", report_render.render_json), ("junit.xml", report_render.render_junit))


def default_dest(now=None):
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return os.path.join("apigw-reports", now.strftime("%Y%m%dT%H%M%SZ"))


def write_report(report, dest, secrets):
    """Render, mask and write each file; returns {name: path}."""
    os.makedirs(dest, mode=0o700, exist_ok=True)
    os.chmod(dest, 0o700)
    paths = {}
    report = report_render.mask_data(report, secrets)  # before rendering: escaping alters secrets
    for name, render in RENDERERS:
        text = report_render.mask(render(report), secrets)  # and after, as a second net
        path = os.path.join(dest, name)
        # Created 0600 from the start, so the content is never readable by others, even briefly.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(path, 0o600)
        paths[name] = os.path.abspath(path)
    return paths


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("report", "dest", "secrets"))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = self._task.args
        if not report_render.HAS_LXML:
            raise AnsibleActionFail("write_report needs the lxml Python library on the controller")
        report = args.get("report")
        if not isinstance(report, dict):
            raise AnsibleActionFail("report must be a dict")
        dest = args.get("dest") or default_dest()
        secrets = args.get("secrets") or []
        if not isinstance(secrets, (list, tuple)):
            raise AnsibleActionFail("secrets must be a list of strings")
        paths = write_report(report, dest, [str(s) for s in secrets])
        result.update(changed=True, dest=os.path.abspath(dest), files=paths)
        return result
