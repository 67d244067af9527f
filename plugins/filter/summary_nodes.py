# -*- coding: utf-8 -*-
# Copyright: apigw.sysupgrade developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the roles read from every node of the domain, gathered from two registers: the nodes of the
current batch ask themselves (in parallel, forks permitting), the domain's nodes outside the play
(apply --limit, apply.yml's other plays) through a delegated loop (one by one). The roles need one
view of both, shaped like a loop's register (each result names its host in ``item``)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

# The steps whose newest log the report keeps, in the order the report lists them.
LOGGED_STEPS = ("apply", "export", "upgrade")


def _own_and_other(batch, hostvars, own_register, other_registered):
    """(host, result) pairs: each batch host's own registered result, then each item of the loop."""
    for host in batch:
        yield host, (hostvars.get(host) or {}).get(own_register) or {}
    for result in (other_registered or {}).get("results") or []:
        yield result.get("item"), result


def host_results(batch, hostvars, own_register, other_registered=None):
    """One loop-shaped list: every result that ran (not skipped), with its host in ``item``."""
    results = []
    for host, result in _own_and_other(batch, hostvars, own_register, other_registered):
        if host and result and not result.get("skipped"):
            results.append(dict(result, item=host))
    return results


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


def fetched_logs(batch, hostvars, own_register, other_registered=None):
    """The log entries that did arrive on the controller, in report_logs order."""
    fetched = []
    for host, registered in _own_and_other(batch, hostvars, own_register, None):
        fetched.extend(registered.get("results") or [])
    fetched.extend((other_registered or {}).get("results") or [])
    arrived = [r["item"] for r in fetched if isinstance(r.get("item"), dict)
               and not r.get("failed") and not r.get("skipped") and not r.get("unreachable")]
    return sorted(arrived, key=lambda log: (log["host"], LOGGED_STEPS.index(log["step"])
                                            if log["step"] in LOGGED_STEPS else len(LOGGED_STEPS)))


class FilterModule(object):
    def filters(self):
        return {
            "host_results": host_results,
            "summary_statuses": summary_statuses,
            "completed_steps": completed_steps,
            "report_logs": report_logs,
            "fetched_logs": fetched_logs,
        }
