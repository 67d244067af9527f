# -*- coding: utf-8 -*-
# Copyright: apigw.sysupgrade developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render one upgrade report dict as Markdown, JSON, HTML and JUnit XML.

The dict: {generated, playbook, rows, resume} from the phase_report filter, plus
issues [{host, phase, severity, check, message}] and logs {host: {step: relative path}}.
Pure functions: no file access, so the action plugin alone decides where and how files land.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

try:  # lxml is a controller requirement (requirements/controller.txt); say so clearly if missing
    from lxml import etree, html
    from lxml.html import builder as E
    HAS_LXML = True
except ImportError:
    HAS_LXML = False

from ansible_collections.apigw.sysupgrade.plugins.plugin_utils import run_summary
from ansible_collections.apigw.sysupgrade.plugins.plugin_utils.issue_catalogue import lookup
from ansible_collections.apigw.sysupgrade.plugins.plugin_utils.run_record import ZDU_PHASES

# The phase table's columns, in order: the phases the summary reports, then the ROLLBACK column.
PHASES = run_summary.PHASES + (run_summary.ROLLBACK,)


def _phases(report):
    rows = report.get("rows") or []
    return [p for p in PHASES if any(p in r.get("phases", {}) for r in rows)] or list(PHASES)


# Pages may use a middle dot between a cell's parts; the console keeps to ASCII commas.
SEPARATOR = " \u00b7 "


def cell_links(cell):
    """A cell's parts as (text, href): the duration links to the phase's log, or, when the time is
    unknown, a "log" part does; (run_summary.cell_parts says what the parts are)."""
    parts = [(text, None) for text in run_summary.cell_parts(cell)]
    log = cell.get("log")
    if log and cell.get("seconds") is not None:
        parts[1] = (parts[1][0], log)
    elif log:
        parts.append(("log", log))
    return parts


def _md_cell(cell):
    return SEPARATOR.join(md_escape("[%s](%s)" % (text, href) if href else text) for text, href in cell_links(cell))


def html_cell(phase, cell):
    """A grid cell, its text joined as on the console but with a middle dot, its duration a link to
    the phase's log; its seconds as a data attribute, for scripts and tests."""
    attrs = {"data-phase": phase}
    if cell.get("seconds") is not None:
        attrs["data-seconds"] = "%.1f" % cell["seconds"]
    td = E.TD(E.CLASS(cell.get("result", "NOT RUN").replace(" ", "-")), **attrs)
    # Mixed content (text, then a link with a tail), which pretty_print leaves unindented, so the
    # cell's text is exactly what the console says with another separator.
    for i, (text, href) in enumerate(cell_links(cell)):
        if href:
            _append_text(td, SEPARATOR)
            td.append(E.A(text, E.CLASS("log"), href=href))
        else:
            _append_text(td, (SEPARATOR if i else "") + text)
    return td


def _append_text(element, text):
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


def enrich_issues(report):
    """Each issue with the catalogue's title and remediation attached (None when undocumented)."""
    out = []
    for issue in report.get("issues") or []:
        entry = lookup(issue.get("message"))
        item = dict(issue)
        item["catalogue_id"] = entry["id"] if entry else None
        item["title"] = entry["title"] if entry else None
        item["remediation"] = entry["remediation"] if entry else None
        out.append(item)
    return out


def render_json(report):
    data = dict(report)
    data["issues"] = enrich_issues(report)
    return json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"


def md_escape(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(report):
    phases = _phases(report)
    lines = ["# API Gateway upgrade report", "",
             "Playbook: %s  " % report.get("playbook", ""), "Generated: %s" % report.get("generated", ""), "",
             "| NODE | " + " | ".join(phases) + " |", "|---" * (len(phases) + 1) + "|"]
    for row in report.get("rows") or []:
        cells = [_md_cell(row["phases"].get(p, {})) for p in phases]
        lines.append("| %s | %s |" % (md_escape(row["host"]), " | ".join(cells)))
    zdu = report.get("zdu") or {}
    if zdu:
        lines += ["", "## Zero-downtime summary: %s (%s)" % (zdu.get("status", ""), zdu.get("code", "")), "",
                  "| NODE | " + " | ".join(ZDU_PHASES) + " |", "|---" * (len(ZDU_PHASES) + 1) + "|"]
        for node in zdu.get("nodes") or []:
            lines.append("| %s | %s |" % (md_escape(node["host"]), " | ".join(
                md_escape(node["cells"].get(p, "*")) for p in ZDU_PHASES)))
        lines += [""] + ["%s" % md_escape(n) for n in zdu.get("notes") or []]
    lines += ["", "## Issues", ""]
    issues = enrich_issues(report)
    if not issues:
        lines.append("None.")
    for i in issues:
        lines.append("- **%s** %s / %s / %s: %s" % (
            i.get("severity", "").upper(), i.get("host"), i.get("phase"), i.get("check", ""),
            md_escape(i.get("message", ""))))
        if i["remediation"]:
            lines.append("  - Remediation: %s" % i["remediation"])
    lines += ["", "## Resume", ""]
    for r in report.get("resume") or []:
        lines.append("- %s (%s): `%s`" % (r["host"], r["phase"], r["command"]))
    if not report.get("resume"):
        lines.append("Nothing to resume.")
    lines += ["", "## Logs", ""]
    for host, steps in sorted((report.get("logs") or {}).items()):
        links = ", ".join("[%s](%s)" % (s, p) for s, p in sorted(steps.items()))
        lines.append("- %s: %s" % (host, links))
    return "\n".join(lines) + "\n"


_STYLE = ("body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #999;padding:4px}"
          ".PASSED{background:#cfc}.FAILED{background:#fcc}.UNREACHABLE{background:#fc9}"
          ".SKIPPED{background:#eee}.NOT-RUN{background:#fff}"
          # Multi-line vendor messages (upgrade_errors.md) keep their lines.
          ".message{white-space:pre-wrap}")


def render_html(report):
    """A status grid, the issues with remediation, resume commands and log links (lxml builds it,
    so every text is escaped)."""
    phases = _phases(report)
    grid = E.TABLE(E.CLASS("grid"), E.TR(E.TH("NODE"), *[E.TH(p) for p in phases]))
    for row in report.get("rows") or []:
        tds = [html_cell(p, row["phases"].get(p, {})) for p in phases]
        grid.append(E.TR(E.TH(row["host"]), *tds, **{"data-host": row["host"]}))
    zdu_parts = []
    zdu = report.get("zdu") or {}
    if zdu:
        zgrid = E.TABLE(E.CLASS("zdu"), E.TR(E.TH("NODE"), *[E.TH(p) for p in ZDU_PHASES]))
        for node in zdu.get("nodes") or []:
            zgrid.append(E.TR(E.TH(node["host"]), *[
                E.TD(E.CLASS(node["cells"].get(p, "*").split(" ")[0].replace("*", "NOT-RUN")), node["cells"].get(p, "*"),
                     **{"data-zdu-phase": p}) for p in ZDU_PHASES], **{"data-zdu-host": node["host"]}))
        zdu_parts = [E.H2("Zero-downtime summary: %s (%s)" % (zdu.get("status", ""), zdu.get("code", ""))), zgrid] + [
            E.P(str(n)) for n in zdu.get("notes") or []]
    heads = ("Node", "Phase", "Severity", "Check", "Message", "Remediation")
    issues = E.TABLE(E.CLASS("issues"), E.TR(*[E.TH(h) for h in heads]))
    for i in enrich_issues(report):
        issues.append(E.TR(E.TD(str(i.get("host", ""))), E.TD(str(i.get("phase", ""))),
                           E.TD(str(i.get("severity", ""))), E.TD(str(i.get("check", ""))),
                           E.TD(E.CLASS("message"), str(i.get("message", ""))), E.TD(i["remediation"] or "")))
    if len(issues) == 1:  # the header row alone
        issues = E.P("No warnings or errors.")
    resume = E.UL(*[E.LI("%s (%s): " % (r["host"], r["phase"]), E.CODE(r["command"]))
                    for r in report.get("resume") or []])
    if not report.get("resume"):
        resume = E.P("Nothing to resume: every node finished every phase it needs.")
    logs = E.UL()
    for host, steps in sorted((report.get("logs") or {}).items()):
        li = E.LI(host + ": ")
        for step, path in sorted(steps.items()):
            li.append(E.A(step, href=path))
            li.append(E.SPAN(" "))
        logs.append(li)
    doc = E.HTML(E.HEAD(E.META(charset="utf-8"), E.TITLE("API Gateway upgrade report"), E.STYLE(_STYLE)),
                 E.BODY(E.H1("API Gateway upgrade report"),
                        E.P("Playbook: %s, generated %s" % (report.get("playbook", ""), report.get("generated", ""))),
                        E.H2("Status"), grid, *zdu_parts, E.H2("Issues"), issues, E.H2("Resume"), resume,
                        E.H2("Logs"), logs))
    return "<!DOCTYPE html>\n" + html.tostring(doc, encoding="unicode", pretty_print=True)


def render_junit(report):
    """One testsuite per node, one testcase per phase (the common JUnit XML format)."""
    phases = _phases(report)
    issues = enrich_issues(report)
    suites = etree.Element("testsuites", name=str(report.get("playbook", "apigw.sysupgrade")))
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for row in report.get("rows") or []:
        suite = etree.SubElement(suites, "testsuite", name=str(row["host"]))
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for p in phases:
            cell = row["phases"].get(p, {})
            state = cell.get("result", "NOT RUN")
            seconds = cell.get("seconds")
            case = etree.SubElement(suite, "testcase", name=p, classname=str(row["host"]),
                                    time="%.1f" % seconds if seconds is not None else "0")
            counts["tests"] += 1
            mine = [i for i in issues if i.get("host") == row["host"] and i.get("phase") == p]
            detail = "\n".join(
                "%s: %s%s" % (i.get("severity", ""), i.get("message", ""),
                              ("\nRemediation: " + i["remediation"]) if i["remediation"] else "")
                for i in mine) or cell.get("message", "")
            if state == "FAILED":
                counts["failures"] += 1
                etree.SubElement(case, "failure", message=str(cell.get("message") or "FAILED"),
                                 type="FAILED").text = detail
            elif state == "UNREACHABLE":
                counts["errors"] += 1
                etree.SubElement(case, "error", message=str(cell.get("message") or "UNREACHABLE"),
                                 type="UNREACHABLE").text = detail
            elif state in ("SKIPPED", "NOT RUN"):
                counts["skipped"] += 1
                etree.SubElement(case, "skipped", message=state)
            if mine and state not in ("FAILED", "UNREACHABLE"):
                etree.SubElement(case, "system-out").text = detail
        for k, v in counts.items():
            suite.set(k, str(v))
            totals[k] += v
    for k in ("tests", "failures", "errors"):
        suites.set(k, str(totals[k]))
    return etree.tostring(suites, encoding="unicode", pretty_print=True, doctype='<?xml version="1.0" encoding="UTF-8"?>')


def mask(text, secrets):
    """Replace every known secret value with ********, longest first so substrings do not leak."""
    for s in sorted((str(x) for x in secrets or [] if x not in (None, "")), key=len, reverse=True):
        text = text.replace(s, "********")
    return text


def mask_data(value, secrets):
    """Mask secrets in every string of the report before rendering: escaping (Markdown's \\|,
    HTML entities, JSON's \\") would otherwise change a secret's form and let it slip past mask()."""
    if isinstance(value, dict):
        return dict((mask_data(k, secrets), mask_data(v, secrets)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [mask_data(v, secrets) for v in value]
    if isinstance(value, str):
        return mask(value, secrets)
    return value
