# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only stdout callback: one JSON line per task result, easy for pytest to parse.

ansible-core has no built-in json callback any more (it lives in ansible.posix), and the
integration tests must not depend on another collection.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: apigw_result_lines
type: stdout
short_description: One JSON line per task result (integration tests only)
description:
  - Prints C(APIGW-RESULT {"host", "task", "status", "result"}) for every task result.
"""

import json

from ansible.plugins.callback import CallbackBase

PREFIX = "APIGW-RESULT "


def _warning_text(warning):
    """A warning as text: a str up to ansible-core 2.18, a WarningSummary (event.msg) in 2.19."""
    if isinstance(warning, str):
        return warning
    event = getattr(warning, "event", None)
    return getattr(event, "msg", None) or str(warning)


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "apigw_result_lines"

    def _emit(self, result, status):
        warnings = [_warning_text(w) for w in result._result.get("warnings") or []]
        # _dump_results applies Ansible's own JSON encoder and no_log handling.
        dumped = json.loads(self._dump_results(result._result, indent=None, keep_invocation=True))
        line = {"host": result._host.get_name(), "task": result._task.get_name(), "status": status,
                "result": dumped, "warnings": warnings}
        self._display.display(PREFIX + json.dumps(line, sort_keys=True))

    def v2_runner_on_ok(self, result):
        self._emit(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._emit(result, "failed")

    def v2_runner_on_unreachable(self, result):
        self._emit(result, "unreachable")

    def v2_runner_on_skipped(self, result):
        self._emit(result, "skipped")
