# -*- coding: utf-8 -*-
# Copyright: apigw.sysupgrade developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render the campaign index (apigw-reports/index.json) as one self-contained HTML page.

An upgrade is several runs (test_upgrade, perhaps more than once, apply on the first Admin Node
Manager, apply on the rest): the page tells that story, with each phase's time and an SVG Gantt
timeline drawn here (no script, no external asset), so the page opens from a file, an AWX
artifact or a mail attachment alike. Pure functions: the caller writes the file.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

try:  # lxml is a controller requirement (requirements/controller.txt)
    from lxml import html
    from lxml.html import builder as E
    HAS_LXML = True
except ImportError:
    HAS_LXML = False

from ansible_collections.apigw.sysupgrade.plugins.plugin_utils.run_summary import format_seconds
from ansible_collections.apigw.sysupgrade.plugins.plugin_utils.report_render import md_escape

# Idle time between runs longer than this is cut out of the time axis and drawn as a break: a
# campaign spans hours or days, its runs minutes; drawn to scale, the bars would be slivers.
IDLE_GAP_SECONDS = 5 * 60
BREAK_PX = 24  # the width a break takes on the axis
CHART_PX = 960  # the time axis' width
LABEL_PX = 110  # the host names' column, left of the axis
LANE_PX = 26
AXIS_PX = 34  # the tick labels' band, above the lanes
# Tick steps, in seconds, from which the axis picks the first that gives at most MAX_TICKS labels.
TICK_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)
MAX_TICKS = 12


def epoch(iso):
    """Seconds since the epoch of an ISO 8601 UTC time ('2026-12-01T12:49:40Z', fractions allowed);
    None for None. Python 3.9's fromisoformat does not read the Z."""
    if not iso:
        return None
    text = str(iso).replace("Z", "+00:00")
    # Before Python 3.11, fromisoformat reads only 3 or 6 digits of a fraction: pad or cut to 6.
    text = re.sub(r"\.(\d+)", lambda m: "." + (m.group(1) + "000000")[:6], text)
    moment = datetime.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.timestamp()


def _clock(seconds, with_date=False):
    moment = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S" if with_date else "%H:%M:%S")


def _when(iso):
    """An ISO time as the tables show it (UTC, to the second), or an empty string."""
    return _clock(epoch(iso), with_date=True) if iso else ""


def _duration(seconds):
    return format_seconds(seconds) if seconds is not None else ""


# --- the time axis: a pure layout, unit-tested -------------------------------------------------

def busy_periods(intervals, max_idle=IDLE_GAP_SECONDS):
    """Merge (start, end) intervals, in epoch seconds, into busy periods: two intervals belong to
    the same period when the idle time between them is at most MAX_IDLE."""
    periods = []
    for start, end in sorted((s, max(s, e)) for s, e in intervals):
        if periods and start - periods[-1][1] <= max_idle:
            periods[-1][1] = max(periods[-1][1], end)
        else:
            periods.append([start, end])
    return [tuple(p) for p in periods]


def time_axis(intervals, width=CHART_PX, max_idle=IDLE_GAP_SECONDS, break_px=BREAK_PX):
    """The horizontal layout of a timeline: each busy period to scale, one scale for all, the idle
    gaps longer than MAX_IDLE between them replaced by a break BREAK_PX wide.

    Returns {"scale": px per second, "segments": [{"start", "end", "x"}], "breaks": [{"x", "start",
    "end"}]}: a segment's x is where its start is drawn; a break spans x to x + break_px and
    stands for the idle time from start to end. A bar inside one segment is then exactly
    seconds * scale wide, whatever the gaps around it."""
    periods = busy_periods(intervals, max_idle)
    if not periods:
        return {"scale": 1.0, "segments": [], "breaks": [], "width": width}
    busy = sum(end - start for start, end in periods)
    room = max(width - break_px * (len(periods) - 1), 1)
    scale = room / busy if busy > 0 else 1.0
    segments, breaks, x = [], [], 0.0
    for i, (start, end) in enumerate(periods):
        if i:
            breaks.append({"x": x, "start": periods[i - 1][1], "end": start})
            x += break_px
        segments.append({"start": start, "end": end, "x": x})
        x += (end - start) * scale
    return {"scale": scale, "segments": segments, "breaks": breaks, "width": width}


def x_at(axis, moment):
    """Where the time MOMENT (epoch seconds) is drawn: inside its segment to scale; a moment in a
    break is drawn where the next busy period starts (nothing drawn starts or ends in a gap: every
    time drawn is part of the intervals the axis was built from)."""
    for segment in axis["segments"]:
        if moment <= segment["end"]:
            return segment["x"] + max(moment - segment["start"], 0) * axis["scale"]
    last = axis["segments"][-1] if axis["segments"] else {"x": 0.0, "start": moment, "end": moment}
    return last["x"] + (last["end"] - last["start"]) * axis["scale"]


def ticks(axis, max_ticks=MAX_TICKS):
    """Tick marks [(x, label)]: round clock times at one step for the whole axis, chosen so that
    at most MAX_TICKS fit; each segment also gets its start, so every busy period is labelled."""
    segments = axis["segments"]
    if not segments:
        return []
    shown = sum(s["end"] - s["start"] for s in segments) or 1
    step = next((s for s in TICK_STEPS if shown / s <= max_ticks), TICK_STEPS[-1])
    marks = []
    for segment in segments:
        marks.append((segment["x"], _clock(segment["start"])))
        first = (int(segment["start"] // step) + 1) * step
        for moment in range(first, int(segment["end"]) + 1, step):
            x = x_at(axis, moment)
            if x - marks[-1][0] >= 48:  # room for an HH:MM:SS label
                marks.append((x, _clock(moment)))
    return marks


# --- the page -----------------------------------------------------------------------------

_STYLE = (
    "body{font-family:sans-serif;margin:16px;color:#222}table{border-collapse:collapse;margin-bottom:12px}"
    "td,th{border:1px solid #999;padding:3px 6px;text-align:left}th{background:#f3f3f3}"
    ".passed,.PASSED{background:#cfc}.failed,.FAILED{background:#fcc}.UNREACHABLE{background:#fc9}"
    ".refused,.partial{background:#ffd}.SKIPPED{background:#eee}"
    "pre.next{background:#f6f6f6;border:1px solid #ccc;padding:8px;white-space:pre-wrap}"
    ".exceeds{background:#fcc;font-weight:bold}.fits{background:#cfc}"
    "svg.timeline{border:1px solid #ccc;background:#fff}"
    "svg .bar.PASSED{fill:#3c9a3c}svg .bar.FAILED{fill:#d43c3c}svg .bar.UNREACHABLE{fill:#e8902a}"
    "svg .bar.SKIPPED{fill:#aaa}svg .bar{fill:#5b7fbf;stroke:#fff}svg .bar-label{fill:#fff;pointer-events:none}"
    "svg .forecast{fill:none;stroke:#5b7fbf;"
    "stroke-dasharray:4 2}svg .forecast.over{stroke:#d43c3c}svg .run{fill:#e8eef8}"
    "svg .gap{fill:#f4f4f4}svg .break line{stroke:#999}svg .tick line{stroke:#ddd}"
    "svg .window line{stroke:#d43c3c;stroke-width:2}svg text{font-size:11px;fill:#333}"
)


def _runs_by_id(index):
    return dict((run["id"], run) for run in index.get("runs") or [])


def _domain(index):
    domain = index.get("domain") or {}
    hosts = ", ".join(str(h) for h in domain.get("hosts") or []) or "none"
    return E.P("First Admin Node Manager: ", E.STRONG(str(domain.get("first_anm") or "unknown")),
               "; nodes: %s; updated %s UTC." % (hosts, _when(index.get("updated"))))


def _next(index):
    command = index.get("next_command")
    why = E.P(E.CLASS("why"), str(index.get("next_why") or ""))
    if not command:
        return [E.P("Nothing to run next."), why]
    return [E.PRE(E.CLASS("next"), E.CODE(str(command))), why]


def _nodes(index):
    runs = _runs_by_id(index)
    table = E.TABLE(E.CLASS("nodes"), E.TR(*[E.TH(h) for h in ("Node", "State", "Version", "Last run", "Result")]))
    for host, node in sorted((index.get("nodes") or {}).items()):
        run_id = node.get("last_run")
        report = (runs.get(run_id) or {}).get("report")
        last = E.A(str(run_id), href=report) if report else str(run_id or "")
        table.append(E.TR(E.TH(str(host)), E.TD(str(node.get("state") or "")), E.TD(str(node.get("version") or "")),
                          E.TD(last), E.TD(E.CLASS(str(node.get("last_result") or "")), str(node.get("last_result") or "")),
                          **{"data-host": str(host)}))
    return table


def _runs(index):
    heads = ("#", "Run", "Playbook", "Started (UTC)", "Duration", "Outcome", "Hosts", "Mode", "AWX job")
    table = E.TABLE(E.CLASS("runs"), E.TR(*[E.TH(h) for h in heads]))
    for number, run in enumerate(index.get("runs") or [], 1):
        hosts = ", ".join(run.get("limit") or run.get("hosts") or [])
        if run.get("limit"):
            hosts = "--limit " + hosts
        link = E.A(str(run["id"]), href=run["report"]) if run.get("report") else str(run["id"])
        table.append(E.TR(E.TD(str(number)), E.TD(link), E.TD(str(run.get("playbook") or "")),
                          E.TD(_when(run.get("started"))), E.TD(_duration(run.get("seconds"))),
                          E.TD(E.CLASS(str(run.get("outcome") or "")), str(run.get("outcome") or "")),
                          E.TD(hosts), E.TD(str(run.get("mode") or "")), E.TD(str(run.get("awx_job_id") or "")),
                          **{"data-run": str(run["id"])}))
    return table


def _phase_tables(index):
    """Per node, every phase of every run with its times, each linked to its log."""
    by_host = {}
    for phase in index.get("phases") or []:
        by_host.setdefault(phase["host"], []).append(phase)
    parts = []
    heads = ("Run", "Phase", "Result", "Start (UTC)", "End (UTC)", "Duration", "Log")
    for host in sorted(by_host):
        table = E.TABLE(E.CLASS("phases"), E.TR(*[E.TH(h) for h in heads]), **{"data-host": str(host)})
        for p in by_host[host]:
            log = E.A("log", href=p["log"]) if p.get("log") else ""
            table.append(E.TR(E.TD(str(p.get("run") or "")), E.TD(str(p.get("phase") or "")),
                              E.TD(E.CLASS(str(p.get("result") or "").replace(" ", "-")), str(p.get("result") or "")),
                              E.TD(_when(p.get("start"))), E.TD(_when(p.get("end"))),
                              E.TD(_duration(p.get("seconds"))), E.TD(log)))
        parts += [E.H3(str(host)), table]
    return parts or [E.P("No phase has a recorded time yet.")]


def _forecast(index):
    forecast = index.get("forecast") or {}
    nodes = forecast.get("nodes") or []
    if not nodes:
        return [E.P("No forecast: no node is left to apply.")]
    window = forecast.get("window_end")
    heads = ("Node", "Expected", "Basis", "Start (UTC)", "End (UTC)", "Window")
    table = E.TABLE(E.CLASS("forecast"), E.TR(*[E.TH(h) for h in heads]))
    for node in nodes:
        fits = node.get("fits")
        mark = {True: E.TD(E.CLASS("fits"), "fits"), False: E.TD(E.CLASS("exceeds"), "exceeds window")}.get(
            fits, E.TD("no window set"))
        table.append(E.TR(E.TH(str(node["host"])), E.TD(_duration(node.get("seconds"))), E.TD(str(node.get("basis") or "")),
                          E.TD(_when(node.get("start"))), E.TD(_when(node.get("end"))), mark,
                          **{"data-host": str(node["host"])}))
    summary = "Expected total %s, ending %s UTC" % (_duration(forecast.get("total_seconds")) or "unknown",
                                                    _when(forecast.get("ends")) or "unknown")
    summary += ("; window ends %s UTC (apigw_apply_window_end)." % _when(window)) if window else \
        "; no window set (apigw_apply_window_end)."
    parts = [table, E.P(summary)]
    over = [str(n["host"]) for n in nodes if n.get("fits") is False]
    if over:
        parts.insert(0, E.P(E.CLASS("exceeds"), "Exceeds the window: %s. apply refuses to start a node whose "
                                                "forecast ends after the window." % ", ".join(over)))
    return parts


# --- the SVG timeline ---------------------------------------------------------------------

def _svg(tag, *children, **attrs):
    """An SVG element in the HTML tree (HTML parsers put <svg> content in the SVG namespace)."""
    element = E.E(tag, **dict((k.replace("_", "-"), str(v)) for k, v in attrs.items()))
    for child in children:
        if isinstance(child, str):
            element.text = (element.text or "") + child
        else:
            element.append(child)
    return element


def _timed(phases):
    return [p for p in phases if p.get("start") and p.get("end")]


def _intervals(index):
    """Every time the timeline draws, so that the axis keeps them all to scale."""
    spans = [(epoch(p["start"]), epoch(p["end"])) for p in _timed(index.get("phases") or [])]
    spans += [(epoch(r["started"]), epoch(r["ended"])) for r in index.get("runs") or [] if r.get("started") and r.get("ended")]
    forecast = index.get("forecast") or {}
    spans += [(epoch(n["start"]), epoch(n["end"])) for n in forecast.get("nodes") or [] if n.get("start") and n.get("end")]
    if forecast.get("window_end"):
        spans.append((epoch(forecast["window_end"]),) * 2)
    return spans


def _lane_hosts(index):
    """The timeline's lanes: the domain's hosts in order, then any other host a phase names."""
    hosts = list((index.get("domain") or {}).get("hosts") or [])
    for p in index.get("phases") or []:
        if p["host"] not in hosts:
            hosts.append(p["host"])
    return hosts


def _bar(axis, phase, y):
    start, end = epoch(phase["start"]), epoch(phase["end"])
    x = LABEL_PX + x_at(axis, start)
    seconds = phase.get("seconds")
    seconds = end - start if seconds is None else seconds
    result = str(phase.get("result") or "")
    tip = "%s %s: %s, %s (%s to %s UTC), run %s" % (phase["host"], phase["phase"], result, format_seconds(seconds),
                                                    _clock(start), _clock(end), phase.get("run"))
    rect = _svg("rect", _svg("title", tip), **{
        "class": "bar " + result.replace(" ", "-"), "x": "%.2f" % x, "y": y + 4,
        # A phase of under a second still shows as a sliver; others are exactly to scale.
        "width": "%.2f" % max((end - start) * axis["scale"], 1.0), "height": LANE_PX - 8,
        "data_host": phase["host"], "data_phase": phase["phase"], "data_run": phase.get("run") or "",
        "data_seconds": "%.1f" % seconds, "data_result": result})
    width = (end - start) * axis["scale"]
    label = phase["phase"] if width >= 7 * len(phase["phase"]) + 4 else ""  # ~7 px a character at 11 px
    parts = [rect] + ([_svg("text", label, x="%.2f" % (x + 3), y=y + LANE_PX - 9, **{"class": "bar-label"})]
                      if label else [])
    if phase.get("log"):
        return [_svg("a", *parts, href=phase["log"])]
    return parts


def _axis_marks(axis, height):
    marks = [_svg("g", _svg("line", x1="%.2f" % (LABEL_PX + x), y1=AXIS_PX - 6, x2="%.2f" % (LABEL_PX + x), y2=height),
                  _svg("text", label, x="%.2f" % (LABEL_PX + x + 2), y=AXIS_PX - 10), **{"class": "tick"})
             for x, label in ticks(axis)]
    for gap in axis["breaks"]:
        x = LABEL_PX + gap["x"]
        marks.append(_svg("g", _svg("title", "idle %s, not to scale" % format_seconds(gap["end"] - gap["start"])),
                          _svg("rect", **{"class": "gap", "x": "%.2f" % x, "y": AXIS_PX - 4, "width": BREAK_PX,
                                          "height": height - AXIS_PX + 4}),
                          _svg("line", x1="%.2f" % (x + 4), y1=AXIS_PX - 4, x2="%.2f" % (x + 4), y2=height),
                          _svg("line", x1="%.2f" % (x + BREAK_PX - 4), y1=AXIS_PX - 4, x2="%.2f" % (x + BREAK_PX - 4),
                               y2=height),
                          _svg("text", "//", x="%.2f" % (x + 6), y=AXIS_PX + 8),
                          **{"class": "break", "data-idle-seconds": "%d" % (gap["end"] - gap["start"])}))
    return marks


def _run_band(axis, run, height):
    start, end = epoch(run["started"]), epoch(run["ended"])
    x = LABEL_PX + x_at(axis, start)
    return _svg("g", _svg("title", "%s: %s, %s" % (run["id"], run.get("outcome"), format_seconds(end - start))),
                _svg("rect", **{"class": "run", "x": "%.2f" % x, "y": AXIS_PX - 4,
                                "width": "%.2f" % max((end - start) * axis["scale"], 1.0), "height": height - AXIS_PX + 4}),
                _svg("text", str(run.get("playbook") or ""), x="%.2f" % (x + 2), y=height - 4),
                **{"class": "run-band", "data-run": run["id"]})


def _forecast_marks(axis, index, lanes):
    forecast = index.get("forecast") or {}
    marks = []
    for node in forecast.get("nodes") or []:
        if not (node.get("start") and node.get("end")) or node["host"] not in lanes:
            continue
        start, end = epoch(node["start"]), epoch(node["end"])
        y = AXIS_PX + lanes.index(node["host"]) * LANE_PX
        tip = "forecast %s: %s (%s)" % (node["host"], _duration(node.get("seconds")) or "unknown", node.get("basis"))
        marks.append(_svg("rect", _svg("title", tip),
                          **{"class": "forecast" + (" over" if node.get("fits") is False else ""),
                             "x": "%.2f" % (LABEL_PX + x_at(axis, start)), "y": y + 4,
                             "width": "%.2f" % max((end - start) * axis["scale"], 1.0), "height": LANE_PX - 8,
                             "data-host": node["host"]}))
    if forecast.get("window_end"):
        x = LABEL_PX + x_at(axis, epoch(forecast["window_end"]))
        bottom = AXIS_PX + len(lanes) * LANE_PX
        marks.append(_svg("g", _svg("title", "window end %s UTC" % _when(forecast["window_end"])),
                          _svg("line", x1="%.2f" % x, y1=AXIS_PX - 4, x2="%.2f" % x, y2=bottom),
                          **{"class": "window"}))
    return marks


def timeline_svg(index):
    """The Gantt chart: one lane per host, a bar per timed phase on the shared axis, the runs as
    bands behind them, the forecast dashed and the window end as a red line."""
    lanes = _lane_hosts(index)
    axis = time_axis(_intervals(index))
    height = AXIS_PX + len(lanes) * LANE_PX + 14
    width = LABEL_PX + CHART_PX + 10
    svg = _svg("svg", **{"class": "timeline", "width": width, "height": height, "viewBox": "0 0 %d %d" % (width, height),
                         "role": "img", "aria-label": "Timeline of the campaign's phases per node"})
    for run in index.get("runs") or []:
        if run.get("started") and run.get("ended"):
            svg.append(_run_band(axis, run, height))
    svg.extend(_axis_marks(axis, height))
    for number, host in enumerate(lanes):
        y = AXIS_PX + number * LANE_PX
        lane = _svg("g", _svg("text", str(host), x=4, y=y + LANE_PX - 9, **{"class": "lane-label"}),
                    **{"class": "lane", "data-host": host})
        for phase in _timed(index.get("phases") or []):
            if phase["host"] == host:
                lane.extend(_bar(axis, phase, y))
        svg.append(lane)
    svg.extend(_forecast_marks(axis, index, lanes))
    return svg


def render_index_html(index):
    """The campaign page: domain, next command, nodes, timeline, forecast, runs and phases."""
    doc = E.HTML(
        E.HEAD(E.META(charset="utf-8"), E.TITLE("API Gateway upgrade campaign"), E.STYLE(_STYLE)),
        E.BODY(E.H1("API Gateway upgrade campaign"), _domain(index),
               E.H2("Next"), *_next(index),
               E.H2("Nodes"), _nodes(index),
               E.H2("Timeline"), E.P("One lane per node, a bar per phase (green passed, red failed, orange "
                                     "unreachable), each linking to its log; the runs shaded behind, the "
                                     "forecast dashed, the window's end a red line. Idle time over %d "
                                     "minutes is cut out, marked //." % (IDLE_GAP_SECONDS // 60)),
               timeline_svg(index),
               E.H2("Apply window forecast"), *_forecast(index),
               E.H2("Runs"), _runs(index),
               E.H2("Phases per node"), *_phase_tables(index)))
    return "<!DOCTYPE html>\n" + html.tostring(doc, encoding="unicode", pretty_print=True)


def _md(text):
    return md_escape("" if text is None else text)


def render_index_markdown(index):
    """The same story as text, for a terminal, a ticket or a chat: next command, nodes, runs,
    forecast (the timeline is the HTML page's)."""
    lines = ["# API Gateway upgrade campaign", "", "Updated: %s UTC" % _when(index.get("updated")), "", "## Next", ""]
    command = index.get("next_command")
    lines += (["```", str(command), "```", ""] if command else ["Nothing to run next.", ""]) + [_md(index.get("next_why")), ""]
    lines += ["## Nodes", "", "| Node | State | Version | Last run | Result |", "|---|---|---|---|---|"]
    for host, node in sorted((index.get("nodes") or {}).items()):
        cells = (host, node.get("state"), node.get("version"), node.get("last_run"), node.get("last_result"))
        lines.append("| %s |" % " | ".join(_md(v) for v in cells))
    lines += ["", "## Runs", "", "| Run | Playbook | Started (UTC) | Duration | Outcome |", "|---|---|---|---|---|"]
    for run in index.get("runs") or []:
        name = "[%s](%s)" % (_md(run["id"]), run["report"]) if run.get("report") else _md(run["id"])
        lines.append("| %s | %s | %s | %s | %s |" % (name, _md(run.get("playbook")), _when(run.get("started")),
                                                     _duration(run.get("seconds")), _md(run.get("outcome"))))
    nodes = (index.get("forecast") or {}).get("nodes") or []
    if nodes:
        lines += ["", "## Apply window forecast", "", "| Node | Expected | Basis | End (UTC) | Window |", "|---|---|---|---|---|"]
        for node in nodes:
            mark = {True: "fits", False: "**exceeds window**"}.get(node.get("fits"), "no window set")
            lines.append("| %s | %s | %s | %s | %s |" % (_md(node["host"]), _duration(node.get("seconds")),
                                                         _md(node.get("basis")), _when(node.get("end")), mark))
    return "\n".join(lines) + "\n"
