"""write_report: four files, mode 0600 in a 0700 folder, no secret in any of them."""
import os
import stat

from ansible_collections.apigw.sysupgrade.plugins.action import write_report as wr
from ansible_collections.apigw.sysupgrade.tests.unit.plugins.plugin_utils.test_report_render import sample_report

SECRET = "Adm1n-P@ss|word"


def _secret_report():
    rep = sample_report()
    rep["issues"].append({"host": "node1", "phase": "EXPORT", "severity": "warning", "check": "leak",
                          "message": "passphrase was %s" % SECRET})
    rep["rows"][0]["phases"]["EXPORT"]["message"] = SECRET
    return rep


def test_files_modes_and_masking(tmp_path):
    dest = str(tmp_path / "run")
    paths = wr.write_report(_secret_report(), dest, [SECRET])
    assert sorted(paths) == ["junit.xml", "report.html", "report.json", "report.md"]
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o700
    for path in paths.values():
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        with open(path, encoding="utf-8") as handle:
            content = handle.read()
        assert SECRET not in content
        assert "Adm1n" not in content


def test_default_dest():
    import datetime
    now = datetime.datetime(2026, 11, 25, 5, 0, 0, tzinfo=datetime.timezone.utc)
    assert wr.default_dest(now) == os.path.join("apigw-reports", "20261125T050000Z")
