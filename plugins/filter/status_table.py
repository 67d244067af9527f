# -*- coding: utf-8 -*-
# Copyright: apigw.sysupgrade developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One line per node of the status playbook: inventory name, topology name, status, next step."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

HEADER = ["NODE", "TOPOLOGY HOST", "STATUS", "NEXT STEP"]


def _cells(result):
    """Status and next step from a registered status result (None: the node was not asked)."""
    if result is None:
        return ["NOT RUN (outside --limit)", ""]
    if result.get("unreachable"):
        return ["UNREACHABLE", ""]
    if result.get("current_status") is None:
        return ["FAILED: %s" % (result.get("msg") or "no status"), ""]
    return [result["current_status"], result.get("next_step") or "-"]


def status_table(records):
    """Lines of an aligned table, a header first, from the nodes' run records (their status)."""
    rows = [HEADER] + [[record["host"], str(record["settings"]["topology_host"] or "")]
                       + _cells(record["status"]) for record in records]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER) - 1)]
    return [" | ".join([row[i].ljust(widths[i]) for i in range(len(widths))] + [row[-1]]).rstrip() for row in rows]


class FilterModule(object):
    def filters(self):
        return {"status_table": status_table}
