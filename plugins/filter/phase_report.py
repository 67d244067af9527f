# -*- coding: utf-8 -*-
# Copyright: apigw.sysupgrade developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filters phase_report (the run's summary table) and report_run (the report's run block), over
the nodes' run records (plugin_utils/run_summary.py does the work)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.apigw.sysupgrade.plugins.plugin_utils.run_summary import phase_report, report_run


class FilterModule(object):
    def filters(self):
        return {"phase_report": phase_report, "report_run": report_run}
