# -*- coding: utf-8 -*-
# Copyright: apigw.sysupgrade developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the summary makes of the nodes' sysupgrade status, read from every node of the domain
(gathered by the filter host_results): the completed steps and the logs to keep."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.apigw.sysupgrade.plugins.plugin_utils.run_summary import LOGGED_STEPS


def summary_statuses(results):
    """{host: {completed, logs}} for every node whose sysupgrade status was read (host_results)."""
    statuses = {}
    for result in results:
        if isinstance(result.get("completed"), list):
            statuses[result["item"]] = {"completed": list(result["completed"]),
                                        "logs": dict(result.get("logs") or {})}
    return statuses


def completed_steps(statuses):
    """{host: completed steps}, as phase_report takes them."""
    return dict((host, status["completed"]) for host, status in statuses.items())


def report_logs(statuses):
    """The logs to fetch: host, step, path on the node, and link in the report folder."""
    logs = []
    for host in sorted(statuses):
        for step in LOGGED_STEPS:
            log = statuses[host]["logs"].get(step)
            if log and log.get("path"):
                logs.append({"host": host, "step": step, "path": log["path"],
                             "link": "logs/%s/%s.log" % (host, step)})
    return logs


class FilterModule(object):
    def filters(self):
        return {
            "summary_statuses": summary_statuses,
            "completed_steps": completed_steps,
            "report_logs": report_logs,
        }
