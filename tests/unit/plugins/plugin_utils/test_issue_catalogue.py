"""Every documented log message maps to a catalogue entry; unknown messages get no advice."""
import glob
import os
import re

import pytest

from ansible_collections.apigw.sysupgrade.plugins.plugin_utils import issue_catalogue as cat

LOGS = os.path.join(os.path.dirname(__file__), "..", "module_utils", "documented_logs")


@pytest.mark.parametrize("path", sorted(glob.glob(os.path.join(LOGS, "*.log"))))
def test_documented_log_has_remediation(path):
    name = os.path.basename(path)[:-4]
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    assert any(cat.remediation_for(line) for line in text.splitlines()), name


def test_entries_well_formed():
    ids = [e["id"] for e in cat.CATALOGUE]
    assert len(ids) == len(set(ids))
    for e in cat.CATALOGUE:
        assert e["severity"] in ("warning", "error")
        assert e["step"] in ("export", "upgrade", "apply")
        re.compile(e["pattern"])
        assert ".md, '" in e["remediation"]  # cites the vendor page section


def test_kps_duplicates():
    entry = cat.lookup("ERROR: Found duplicate 'apiadmin' users in KPS table: /x")
    assert entry["id"] == "kps-duplicates"


def test_unknown_message():
    assert cat.remediation_for("something nobody documented") is None
    assert cat.remediation_for(None) is None
