# -*- coding: utf-8 -*-
# Copyright: apigw.sysupgrade developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one adapter between the roles' host variables and the collection's Python.

``run_records`` turns each node's variables into its run record (plugin_utils/run_record.py says
what a record holds and which task wrote each part); every other filter takes records. The two
others gather one register from every node of the domain: the nodes of the current batch ask
themselves (in parallel, forks permitting), the domain's nodes outside the play (apply --limit,
apply.yml's other plays) through a delegated loop (one by one). The roles need one view of both,
shaped like a loop's register (each result names its host in ``item``).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.apigw.sysupgrade.plugins.plugin_utils import run_record
from ansible_collections.apigw.sysupgrade.plugins.plugin_utils.run_summary import LOGGED_STEPS


def run_records(hosts, hostvars):
    """The run record of each host, in the order of HOSTS."""
    return [run_record.build(host, hostvars[host] if host in hostvars else {}) for host in hosts or []]


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
        return {"run_records": run_records, "host_results": host_results, "fetched_logs": fetched_logs}
