"""Run a module's main() in-process with the given arguments; return its result dict.

exit_json and fail_json are replaced so that the result comes back as data (``failed: True`` and
``msg`` on fail_json) instead of ending the test process.
"""
import json

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes


class Done(Exception):
    """exit_json or fail_json was called; args[0] is the result."""


def run_main(monkeypatch, main, args):
    def exit_json(self, **result):
        raise Done(result)

    def fail_json(self, msg, **result):
        result.update(msg=msg, failed=True)
        raise Done(result)

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)
    monkeypatch.setattr(basic, "_ANSIBLE_ARGS", to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args})))
    if hasattr(basic, "_ANSIBLE_PROFILE"):  # ansible-core 2.19 also wants a serialization profile
        monkeypatch.setattr(basic, "_ANSIBLE_PROFILE", "legacy")
    with pytest.raises(Done) as done:
        main()
    return done.value.args[0]
