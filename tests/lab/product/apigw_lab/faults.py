"""Fault switches read from /opt/apigw-lab/faults.json (DESIGN.md "Fault catalogue").

The file is {"NAME": {params}}; a missing or unreadable file means no faults. It is read once per
sysupgrade call, so labctl can switch faults between calls.
"""
from . import jsonfile, paths


class Faults(object):
    def __init__(self, data=None):
        self.data = data if data is not None else (jsonfile.load(paths.faults_file(), {}) or {})
        if not isinstance(self.data, dict):
            self.data = {}

    def on(self, name):
        return name in self.data

    def params(self, name):
        p = self.data.get(name)
        return p if isinstance(p, dict) else {}

    def for_step(self, name, step):
        """Generic faults (slow, crash, prompt) fire only in their `step` (all steps if unset)."""
        if not self.on(name):
            return None
        p = self.params(name)
        wanted = p.get("step")
        if wanted and wanted != step:
            return None
        return p
