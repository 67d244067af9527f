# -*- coding: utf-8 -*-
# Copyright: apigw.sysupgrade developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether a node's apply may start within the apply window (apigw_apply_window_end).

The forecast comes from the campaign's history: the run folders' report.json files on the
controller (plugin_utils/campaign.py), read afresh before each node. A run writes its own report at
its end, so the nodes applied earlier in the same run are not measured yet: the forecast then rests
on the earlier runs' measures (apply --limit on the first Admin Node Manager gives one).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible.errors import AnsibleFilterError

from ansible_collections.apigw.sysupgrade.plugins.plugin_utils import campaign

OPTION = "apigw_apply_window_end"


def apply_window_verdict(window_end, host, report_dir, now=None, reports=None, before_stop=False):
    """'' when HOST may start its apply now, else the refusal naming the node, its forecast, the
    window's end and the option. An empty WINDOW_END means no window; a bad one fails at once
    (HOST none: only check the value). REPORTS ([(folder, report)]) replace reading REPORT_DIR.
    BEFORE_STOP: the gates ask, before the run stops anything (apply_window_gate)."""
    if window_end in (None, ""):
        return ""
    try:
        end = campaign.parse_time(window_end, OPTION)
    except campaign.CampaignError as exc:
        raise AnsibleFilterError(str(exc))
    if not host:
        return ""
    now = campaign.parse_time(now, "now") if now else datetime.datetime.now(datetime.timezone.utc)
    if reports is None:
        reports = campaign.read_reports(report_dir)
    index = campaign.build_index(reports, now, window_end=end)
    return campaign.window_verdict(host, index, end, now, before_stop=before_stop)


def first_to_apply(play_hosts, applied, first_anm):
    """The node this run applies first: the first Admin Node Manager when the run has it and it is
    not applied yet (it always goes first), else the first node of the run not applied yet, in
    the play's order (the order of apply.yml's serial batches); None when every node is applied."""
    todo = [host for host in play_hosts if host not in applied]
    if first_anm in todo:
        return first_anm
    return todo[0] if todo else None


def apply_window_gate(window_end, play_hosts, applied, first_anm, report_dir, now=None, reports=None):
    """The gates' refusals for the apply window: [] or [why the run's first node may not start].
    Before anything stops: a run whose first node cannot end in time would otherwise stop the old
    installation everywhere (the standard apply) and then start nothing. Later nodes are asked
    again before each of them starts (window.yml)."""
    host = first_to_apply(play_hosts, applied or [], first_anm)
    if host is None:
        return []
    verdict = apply_window_verdict(window_end, host, report_dir, now=now, reports=reports, before_stop=True)
    return [verdict] if verdict else []


class FilterModule(object):
    def filters(self):
        return {"apply_window_verdict": apply_window_verdict, "apply_window_gate": apply_window_gate}
