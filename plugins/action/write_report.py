# -*- coding: utf-8 -*-
# Copyright: apigw.sysupgrade developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write the upgrade report's four files into a run folder on the controller.

An action plugin because the report belongs on the controller, not on a gateway node.
Files are 0600 and folders 0700: the report names hosts and paths of a production domain. Files
already in the run folder (the nodes' logs, fetched there before) get the same modes and masking.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import fcntl
import json
import os

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.apigw.sysupgrade.plugins.plugin_utils import campaign, campaign_render, report_render

# The inventory interface's secrets (README): masked in every file of the report folder.
DEFAULT_SECRET_VARS = ("apigw_admin_password", "apigw_domain_passphrase", "apigw_cassandra_password")
RENDERERS = (("report.html", report_render.render_html), ("report.md", report_render.render_markdown),
             ("report.json", report_render.render_json), ("junit.xml", report_render.render_junit))


def default_dest(now=None):
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return os.path.join("apigw-reports", now.strftime("%Y%m%dT%H%M%SZ"))


def log_links(logs):
    """The report's logs as {host: {step: path}}; a list of {host, step, link} is converted."""
    if not isinstance(logs, (list, tuple)):
        return logs or {}
    links = {}
    for entry in logs:
        links.setdefault(entry["host"], {})[entry["step"]] = entry["link"]
    return links


def mask_file(path, secrets):
    """Mask secrets in a fetched log line by line (logs can be hundreds of MB), in place.

    Rewritten through a 0600 temporary file beside it, only when a secret was found."""
    secrets = [s for s in secrets if s]
    if not secrets:
        return False
    with open(path, "rb") as handle:
        if not any(s.encode("utf-8") in line for line in handle for s in secrets):
            return False
    tmp = path + ".masking"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(path, "r", encoding="utf-8", errors="surrogateescape") as src, \
            os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape") as out:
        for line in src:
            out.write(report_render.mask(line, secrets))
    os.replace(tmp, path)
    return True


def secure_tree(dest, secrets):
    """Folders 0700 and files 0600 under DEST, every file masked: what was fetched beside the
    report (the nodes' logs) gets the same protection as the report itself. Returns the files
    in which a secret was masked."""
    masked = []
    for root, dirs, files in os.walk(dest):
        os.chmod(root, 0o700)
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o700)
        for name in files:
            path = os.path.join(root, name)
            os.chmod(path, 0o600)
            if mask_file(path, secrets):
                masked.append(os.path.abspath(path))
    return masked


# The phases whose log is the vendor's own, fetched beside the report (logs/<host>/<step>.log).
VENDOR_LOG_STEP = {"EXPORT": "export", "UPGRADE": "upgrade", "APPLY": "apply"}


def _phase_log_text(report, row, phase, cell):
    """A controller-side log of one phase that has no vendor log: what the report knows of it."""
    lines = ["%s %s on %s (run %s)" % (report.get("playbook", ""), phase, row["host"], report.get("generated", "")),
             "result:  %s" % cell.get("result"),
             "start:   %s" % cell.get("start"), "end:     %s" % cell.get("end"),
             "seconds: %s" % cell.get("seconds")]
    if cell.get("message"):
        lines.append("message: %s" % cell["message"])
    issues = [i for i in report.get("issues") or [] if i.get("host") == row["host"] and i.get("phase") == phase]
    lines += ["%s [%s]: %s" % (i.get("severity"), i.get("check"), i.get("message")) for i in issues]
    return "\n".join(lines) + "\n"


def phase_logs(report, dest):
    """Give every cell that ran in this run a ``log`` link inside the run folder (None for the
    others): the vendor's log for the sysupgrade steps when it was fetched, else a small log written
    here (logs/<host>/<phase>.log). Returns the report with the links."""
    links = report.get("logs") or {}
    rows = []
    for row in report.get("rows") or []:
        row = dict(row, phases=dict(row.get("phases") or {}))
        for phase, cell in row["phases"].items():
            cell = dict(cell)
            if not cell.get("start"):
                cell["log"] = None
            elif (links.get(row["host"]) or {}).get(VENDOR_LOG_STEP.get(phase)) and \
                    os.path.isfile(os.path.join(dest, links[row["host"]][VENDOR_LOG_STEP[phase]])):
                cell["log"] = links[row["host"]][VENDOR_LOG_STEP[phase]]
            else:
                link = "logs/%s/%s.log" % (row["host"], phase.lower())
                # The vendor's log keeps its step name (apply.log): a phase's own log never takes it.
                if phase in VENDOR_LOG_STEP:
                    link = "logs/%s/%s-controller.log" % (row["host"], phase.lower())
                path = os.path.join(dest, link)
                os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(_phase_log_text(report, row, phase, cell))
                cell["log"] = link
            row["phases"][phase] = cell
        rows.append(row)
    return dict(report, rows=rows)


def _write_atomic(path, text):
    """0600 from the start, renamed into place: a reader never sees half an index."""
    tmp = "%s.%d.tmp" % (path, os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def write_index(report_dir, secrets, now=None, window_end=None):
    """Rebuild index.json and index.html in REPORT_DIR from every run folder's report.json, under
    an exclusive lock (two runs of the same domain could end together). Returns their paths."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    lock_path = os.path.join(report_dir, ".index.lock")
    fd = os.open(lock_path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        index = campaign.build_index(campaign.read_reports(report_dir), now, window_end=window_end)
        index = report_render.mask_data(index, secrets)
        paths = {"index.json": os.path.join(report_dir, "index.json"), "index.html": os.path.join(report_dir, "index.html")}
        _write_atomic(paths["index.json"], report_render.mask(json.dumps(index, indent=2, sort_keys=True), secrets))
        html = campaign_render.render_index_html(index)
        _write_atomic(paths["index.html"], report_render.mask(html, secrets))
        return dict((k, os.path.abspath(v)) for k, v in paths.items())
    finally:
        os.close(fd)  # closing the descriptor releases the lock


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
    _VALID_ARGS = frozenset(("report", "dest", "secrets", "secret_vars"))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = self._task.args
        if not report_render.HAS_LXML:
            raise AnsibleActionFail("write_report needs the lxml Python library on the controller")
        report = args.get("report")
        if not isinstance(report, dict):
            raise AnsibleActionFail("report must be a dict")
        report = dict(report, logs=log_links(report.get("logs")))
        dest = args.get("dest") or default_dest()
        secrets = args.get("secrets") or []
        if not isinstance(secrets, (list, tuple)):
            raise AnsibleActionFail("secrets must be a list of strings")
        secret_vars = args.get("secret_vars", DEFAULT_SECRET_VARS)
        if not isinstance(secret_vars, (list, tuple)):
            raise AnsibleActionFail("secret_vars must be a list of variable names")
        # Read here rather than passed as arguments, so the secrets never appear among the
        # task's arguments (callbacks, -vvv) at all.
        for name in secret_vars:
            if name in (task_vars or {}):
                value = self._templar.template(task_vars[name])
                if value not in (None, ""):
                    secrets.append(value)
        secrets = [str(s) for s in secrets]
        # The window's end as the report keeps it: ISO text in UTC, whether the inventory gave a string
        # or YAML made a datetime of it (an unquoted time, or an AWX survey answer under 2.19).
        window_end = (report.get("run") or {}).get("window_end")
        try:
            window = campaign.parse_time(window_end, "apigw_apply_window_end") if window_end else None
        except campaign.CampaignError as exc:
            raise AnsibleActionFail(str(exc))
        if window is not None:
            report["run"]["window_end"] = campaign.iso(window)
        os.makedirs(dest, mode=0o700, exist_ok=True)
        report = phase_logs(report, dest)
        masked = secure_tree(dest, secrets)
        paths = write_report(report, dest, secrets)
        try:
            paths.update(write_index(os.path.dirname(os.path.abspath(dest)), secrets, window_end=window))
        except (OSError, campaign.CampaignError) as exc:
            raise AnsibleActionFail("the campaign index beside %s could not be written: %s" % (dest, exc))
        result.update(changed=True, dest=os.path.abspath(dest), files=paths, masked=masked)
        return result
