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


def test_fetched_logs_get_the_same_modes_and_masking(tmp_path):
    dest = tmp_path / "run"
    logs = dest / "logs" / "node1"
    logs.mkdir(parents=True)
    leaky = logs / "apply.log"
    leaky.write_text("[ERROR] messages from [Login] :\nERROR: refused password %s for admin\n" % SECRET)
    clean = logs / "export.log"
    clean.write_text("[System Config] : OK\n")
    os.chmod(str(leaky), 0o644)
    os.chmod(str(logs), 0o755)
    masked = wr.secure_tree(str(dest), [SECRET])
    assert masked == [str(leaky)]
    assert leaky.read_text() == "[ERROR] messages from [Login] :\nERROR: refused password ******** for admin\n"
    assert clean.read_text() == "[System Config] : OK\n"
    for path in (leaky, clean):
        assert stat.S_IMODE(os.stat(str(path)).st_mode) == 0o600
    for folder in (dest, dest / "logs", logs):
        assert stat.S_IMODE(os.stat(str(folder)).st_mode) == 0o700
    assert not list(logs.glob("*.masking"))


def test_log_links_from_the_fetch_loop():
    fetched = [{"host": "node1", "step": "export", "link": "logs/node1/export.log"},
               {"host": "node1", "step": "upgrade", "link": "logs/node1/upgrade.log"},
               {"host": "node2", "step": "export", "link": "logs/node2/export.log"}]
    assert wr.log_links(fetched) == {"node1": {"export": "logs/node1/export.log", "upgrade": "logs/node1/upgrade.log"},
                                     "node2": {"export": "logs/node2/export.log"}}
    assert wr.log_links({"node1": {"export": "x"}}) == {"node1": {"export": "x"}}
    assert wr.log_links(None) == {}


def run_action(report, dest, task_vars):
    """The write_report action on REPORT into DEST, with the play's variables TASK_VARS."""
    from unittest import mock

    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar

    task = mock.MagicMock()
    task.args = {"report": report, "dest": str(dest)}
    task.async_val = 0
    task.check_mode = False
    loader = DataLoader()
    action = wr.ActionModule(task, mock.MagicMock(), mock.MagicMock(), loader, Templar(loader=loader), None)
    with mock.patch.object(wr.ActionBase, "run", return_value={}):
        return action.run(task_vars=task_vars)


def test_action_masks_the_inventory_secrets_it_reads_itself(tmp_path):
    """The playbooks pass no secret as an argument: the action reads the inventory interface's
    secret variables (secret_vars' default) from the task's variables and masks them."""
    result = run_action(_secret_report(), tmp_path / "run", {"apigw_admin_password": SECRET,
                                                             "apigw_domain_passphrase": "", "unrelated": "visible"})
    # the run's four files, and the campaign index rebuilt beside the run folder
    assert sorted(result["files"]) == ["index.html", "index.json", "junit.xml", "report.html", "report.json", "report.md"]
    for path in result["files"].values():
        with open(path, encoding="utf-8") as handle:
            assert SECRET not in handle.read()


def test_a_window_end_yaml_made_a_datetime_of_is_kept_as_iso_text(tmp_path):
    """Under ansible-core 2.19 an AWX survey's time (``!unsafe "..."`` in its extravars) arrives as
    a datetime: the report keeps it as ISO text in UTC, and the index gets the window."""
    import datetime
    import json

    report = sample_report()
    report.setdefault("run", {})["window_end"] = datetime.datetime(
        2026, 12, 1, 22, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
    result = run_action(report, tmp_path / "run", {})
    with open(result["files"]["report.json"], encoding="utf-8") as handle:
        assert json.load(handle)["run"]["window_end"] == "2026-12-01T21:00:00Z"
    with open(result["files"]["index.json"], encoding="utf-8") as handle:
        assert "2026-12-01T21:00:00Z" in handle.read()


def _timed_report():
    rep = sample_report()
    row = rep["rows"][0]
    for phase in ("PREFLIGHT", "EXPORT"):
        row["phases"][phase] = dict(row["phases"].get(phase) or {"result": "PASSED", "warnings": 0, "errors": 0, "message": ""},
                                    result="PASSED", start="2026-12-01T14:00:00Z", end="2026-12-01T14:00:05Z", seconds=5.0)
    rep["logs"] = {row["host"]: {"export": "logs/%s/export.log" % row["host"]}}
    return rep


def test_every_phase_that_ran_links_a_real_log_in_the_run_folder(tmp_path):
    rep = _timed_report()
    host = rep["rows"][0]["host"]
    (tmp_path / "logs" / host).mkdir(parents=True)
    (tmp_path / "logs" / host / "export.log").write_text("vendor log\n")
    out = wr.phase_logs(rep, str(tmp_path))
    cells = out["rows"][0]["phases"]
    assert cells["EXPORT"]["log"] == "logs/%s/export.log" % host  # the vendor's own
    assert cells["PREFLIGHT"]["log"] == "logs/%s/preflight.log" % host
    text = (tmp_path / cells["PREFLIGHT"]["log"]).read_text()
    assert "PASSED" in text and "2026-12-01T14:00:05Z" in text
    assert all(c["log"] is None for p, c in cells.items() if p not in ("PREFLIGHT", "EXPORT"))
    # without the vendor's log fetched, the controller's own log of the step, not a dead link
    (tmp_path / "logs" / host / "export.log").unlink()
    assert wr.phase_logs(rep, str(tmp_path))["rows"][0]["phases"]["EXPORT"]["log"] == "logs/%s/export-controller.log" % host


def test_the_index_is_rebuilt_from_every_run_folder(tmp_path):
    import datetime
    import json
    for name in ("20261201T140000Z-test_upgrade", "20261201T140500Z-apply"):
        rep = dict(_timed_report(), playbook=name.split("-", 1)[1], generated=name[:16])
        wr.write_report(rep, str(tmp_path / name), [SECRET])
    # one "now" for both builds: the forecast starts at now, and two builds a second apart differ
    now = datetime.datetime(2026, 12, 1, 15, 0, tzinfo=datetime.timezone.utc)
    paths = wr.write_index(str(tmp_path), [SECRET], now=now)
    first = (tmp_path / "index.json").read_text()
    index = json.loads(first)
    assert [r["id"] for r in index["runs"]] == ["20261201T140000Z-test_upgrade", "20261201T140500Z-apply"]
    assert stat.S_IMODE(os.stat(paths["index.json"]).st_mode) == 0o600 and os.path.isfile(paths["index.html"])
    wr.write_index(str(tmp_path), [SECRET], now=now)
    again = json.loads((tmp_path / "index.json").read_text())
    assert dict(again, updated=None) == dict(index, updated=None)  # idempotent
