# -*- coding: utf-8 -*-
"""AWX jobs through ansible-runner (issue 13 §2): test_upgrade and apply, run from a private data
directory laid out as AWX lays it out (awx_job.py), against the vendor's 3-node lab.

The tests of this module run in order and share one lab (module scope): the test upgrade, an apply
refused for want of a confirmation, the apply of the first Admin Node Manager, then the rest -- the
sequence of the AWX workflow in docs/awx.md. A test that depends on an earlier one says so and is
skipped when that one failed, instead of failing for the wrong reason.
"""
from pathlib import Path

import pytest

from awx_job import AwxJobLauncher, ExecutionEnvironment, assert_no_secret_in_files, files_under, survey_defaults
from lab_ansible import REPO, lab_secrets
from lablib.testing import Lab

SURVEYS = REPO / "awx" / "surveys"
# A job of this lab takes minutes; a prompt waiting for an answer would take the whole job timeout.
JOB_TIMEOUT = 900
JOB_BOUND = 600
PAUSE_ACTIONS = ("pause", "ansible.builtin.pause", "ansible.legacy.pause")
STEPS = ("export", "upgrade", "apply", "clean", "rollback")
NODES = ["node1", "node2", "node3"]
OLD = "/opt/Axway-7.5.3/apigateway"


@pytest.fixture(scope="module")
def awx_lab(lab_pool):
    """A vendor 3-node lab of this module's own: these jobs apply the upgrade, so the shared lab of
    the other modules is released first and this one is taken down after (lab_factory's pattern,
    at module scope so that the four jobs share one lab). Cassandra asks for a login, so that the
    credential carries its password too (sysupgrade upgrade takes it on its command line)."""
    lab_pool.release()
    lab = Lab()
    lab.up("vendor-3-node", cassandra_auth=True)
    try:
        yield lab
    finally:
        lab.down()


@pytest.fixture(scope="module")
def awx(awx_lab, tmp_path_factory):
    root = tmp_path_factory.mktemp("awx-jobs")
    launcher = AwxJobLauncher(awx_lab, root, job_timeout=JOB_TIMEOUT)
    launcher.report_dir = root / "apigw-reports"
    launcher.jobs = {}
    return launcher


def secrets_of(lab, launcher):
    """The inventory's credential values and every password / passphrase the lab knows."""
    found = list(lab_secrets(lab)) + [str(v) for v in launcher.credential.values()]

    def walk(node, key=""):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and ("password" in key or "passphrase" in key) and node:
            found.append(node)
    walk(lab.info)
    return sorted(set(found))


def step_runs(lab):
    """Every sysupgrade step run (status calls left out) on every node, from the lab's audit log."""
    return {node: [r["id"] for r in lab.audit(node) if r["event"] == "start" and r["argv"][1] in STEPS]
            for node in NODES}


def assert_no_prompt(job):
    """No event waited for input, and the job ended on its own, well within the bound."""
    assert not job.of("playbook_on_vars_prompt"), job

    # runner_on_start comes before the task's conditions are evaluated: a pause whose start is
    # followed by its skip never prompted; any other started pause did (or hung).
    def pauses(*names):
        return {(e["event_data"].get("host"), e["event_data"].get("task_uuid")) for e in job.of(*names)
                if e["event_data"].get("task_action") in PAUSE_ACTIONS}
    prompting = pauses("runner_on_start", "runner_on_ok", "runner_on_failed") - pauses("runner_on_skipped")
    assert not prompting, "a pause ran under AWX: %s" % prompting
    assert job.status in ("successful", "failed"), job
    assert job.elapsed < JOB_BOUND, "job %s took %.0fs" % (job.ident, job.elapsed)


def launch(awx, job_id, name, survey_file, playbook, limit=None, **answers):
    survey = survey_defaults(SURVEYS / survey_file)
    survey.update(answers, apigw_report_dir=str(awx.report_dir))
    job = awx.launch(job_id, "apigw.sysupgrade " + name, playbook, survey=survey, limit=limit)
    awx.jobs[job_id] = job
    print("job %s (%s%s): %s in %.1fs" % (job_id, name, " --limit " + limit if limit else "", job.status, job.elapsed))
    return job


def need(awx, job_id):
    job = awx.jobs.get(job_id)
    if job is None or job.status != "successful":
        pytest.skip("needs job %s to have succeeded" % job_id)


def test_test_upgrade_job_passes_and_hands_its_stats_over(awx, awx_lab):
    job = launch(awx, 101, "test upgrade", "test_upgrade.json", "playbooks/test_upgrade.yml")
    assert job.status == "successful", job
    assert_no_prompt(job)

    stats = job.artifact_data
    assert stats["apigw_report_playbook"] == "test_upgrade"
    assert stats["apigw_all_nodes_passed"] is True, stats
    # The test upgrade's phases passed; the apply's are NOT RUN, and rolling back is still a plain
    # restart of the old installation (nothing applied).
    assert stats["apigw_nodes"] == dict.fromkeys(NODES, {
        "PREFLIGHT": "PASSED", "EXPORT": "PASSED", "UPGRADE": "PASSED", "STOP-OLD": "NOT RUN",
        "APPLY": "NOT RUN", "VERIFY": "NOT RUN", "POST-UPGRADE": "NOT RUN", "ROLLBACK": "RESTART"}), stats["apigw_nodes"]
    # Ready for apply: every node is still to apply, the first Admin Node Manager first.
    assert stats["apigw_unfinished_nodes"] == NODES
    # Under AWX: the job template to relaunch and its limit (the job's inventory file is gone with it).
    assert stats["apigw_resume_commands"] == [
        'relaunch job template "apigw.sysupgrade apply" with limit %s (its survey\'s confirmation answered true)' % node
        for node in NODES], stats
    assert stats["apigw_first_anm"] == "node1"
    assert stats["apigw_apply_mode"] == ""
    folder = Path(stats["apigw_report_folder"])
    assert folder.parent == awx.report_dir and (folder / "report.json").is_file(), stats["apigw_report_folder"]


PROMPTING_PLAYBOOK = """\
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Ask something
      ansible.builtin.pause:
        prompt: Type yes to continue
"""


def test_a_prompt_would_hang_the_job_and_be_caught(awx):
    """The control for assert_no_prompt: under ansible-runner (pexpect, as in AWX) a pause that
    prompts waits for an answer nobody gives until the job timeout."""
    job = awx.launch(100, "control", "playbooks/prompt.yml", playbook_text=PROMPTING_PLAYBOOK, job_timeout=5)
    assert job.status == "timeout", job
    with pytest.raises(AssertionError, match="a pause ran under AWX"):
        assert_no_prompt(job)


def test_apply_without_confirmation_is_refused_for_an_approval_node_and_changes_nothing(awx, awx_lab):
    need(awx, 101)
    before = step_runs(awx_lab)
    # The survey's default answer is "false": a launch that nobody confirmed.
    job = launch(awx, 102, "apply", "apply.json", "playbooks/apply.yml", limit="node1")
    assert job.status == "failed", job
    assert_no_prompt(job)

    refusals = [r for r in job.failed_results() if r[1] == "Refuse an unconfirmed run under AWX / Tower"]
    assert len(refusals) == 1, job.failed_results()
    message = refusals[0][2]
    assert "apigw_apply_confirmed=true" in message and "approval node" in message, message
    # Nothing else failed, and nothing changed anywhere: no task reported a change, no sysupgrade
    # step ran on any node.
    assert [r for r in job.failed_results() if r not in refusals] == [], job.failed_results()
    changed = [(e["event_data"].get("host"), e["event_data"].get("task")) for e in job.of("runner_on_ok")
               if e["event_data"].get("res", {}).get("changed")]
    assert changed == [], changed
    assert step_runs(awx_lab) == before
    # The refusal ends the run before the summary; what a workflow's failure branch reads instead:
    assert job.artifact_data == {"apigw_refused": "not confirmed",
                                 "apigw_refused_variable": "apigw_apply_confirmed"}, job.artifact_data


def test_an_apply_window_that_ended_refuses_the_job_before_anything_stops(awx, awx_lab):
    """The survey's window end (docs/reports.md), already past: the forecast of node1, the first node
    this job would apply, cannot end in time, so the gates refuse the job before stopping anything."""
    need(awx, 101)
    before = step_runs(awx_lab)
    job = launch(awx, 110, "apply", "apply.json", "playbooks/apply.yml", limit="node1",
                 apigw_apply_confirmed="true", apigw_apply_window_end="2026-01-01T00:00:00Z")
    assert job.status == "failed", job
    assert_no_prompt(job)
    refusals = [r for r in job.failed_results() if r[1] == "Refuse this run; nothing was stopped or applied"]
    assert len(refusals) == 1, job.failed_results()
    message = refusals[0][2]
    assert message.startswith("node1 is not started: its apply is forecast to take "), message
    assert ("after the apply window's end 2026-01-01T00:00:00Z (apigw_apply_window_end). It is the first node "
            "this run would apply: nothing was stopped or applied.") in message, message
    assert [r for r in job.failed_results() if r not in refusals] == [], job.failed_results()
    assert step_runs(awx_lab) == before
    for node in NODES:  # the old installation still runs everywhere
        assert awx_lab.ssh(node, OLD + "/posix/bin/nodemanager -s").returncode == 0, node
    stats = job.artifact_data
    assert {n: stats["apigw_nodes"][n]["APPLY"] for n in NODES} == dict.fromkeys(NODES, "NOT RUN"), stats


def test_apply_on_the_first_admin_node_manager_then_the_rest(awx, awx_lab):
    need(awx, 101)
    # AWX sends a survey's blank optional answer as null: no window, as "" is.
    first = launch(awx, 103, "apply", "apply.json", "playbooks/apply.yml", limit="node1",
                   apigw_apply_confirmed="true", apigw_apply_window_end=None)
    assert "apigw_apply_window_end: null\n" in (first.private_data_dir / "env" / "extravars").read_text()
    assert first.status == "successful", first
    assert_no_prompt(first)
    stats = first.artifact_data
    assert stats["apigw_report_playbook"] == "apply"
    assert stats["apigw_apply_mode"] == "standard"
    assert stats["apigw_all_nodes_passed"] is False  # node2 and node3 are still to apply
    assert {n: stats["apigw_nodes"][n]["APPLY"] for n in NODES} == {
        "node1": "PASSED", "node2": "NOT RUN", "node3": "NOT RUN"}, stats["apigw_nodes"]
    assert stats["apigw_unfinished_nodes"] == ["node2", "node3"], stats
    assert len(stats["apigw_resume_commands"]) == 2, stats

    rest = launch(awx, 104, "apply", "apply.json", "playbooks/apply.yml", apigw_apply_confirmed="true")
    assert rest.status == "successful", rest
    assert_no_prompt(rest)
    stats = rest.artifact_data
    assert stats["apigw_all_nodes_passed"] is True, stats
    # node1 was applied by the previous job (SKIPPED here); node2 and node3 by this one.
    after = {n: {p: stats["apigw_nodes"][n][p] for p in ("APPLY", "VERIFY", "POST-UPGRADE")} for n in NODES}
    assert after == {"node1": dict.fromkeys(("APPLY", "VERIFY", "POST-UPGRADE"), "SKIPPED"),
                     "node2": dict.fromkeys(("APPLY", "VERIFY", "POST-UPGRADE"), "PASSED"),
                     "node3": dict.fromkeys(("APPLY", "VERIFY", "POST-UPGRADE"), "PASSED")}, stats["apigw_nodes"]
    assert stats["apigw_unfinished_nodes"] == [] and stats["apigw_resume_commands"] == []
    # Each node applied exactly once over the four jobs.
    applies = {n: sum(1 for r in awx_lab.audit(n) if r["event"] == "start" and r["argv"][1] == "apply")
               for n in NODES}
    assert applies == dict.fromkeys(NODES, 1), applies


@pytest.fixture(scope="module")
def ee(tmp_path_factory):
    """execution-environment.yml's packages in a fresh venv, and this collection from its tarball."""
    return ExecutionEnvironment(tmp_path_factory.mktemp("ee"))


def test_a_job_runs_from_the_execution_environment_s_own_requirements(awx, awx_lab, ee):
    need(awx, 104)
    job = awx.launch(105, "apigw.sysupgrade status", "playbooks/status.yml", survey={}, ee=ee)
    awx.jobs[105] = job
    assert job.status == "successful", job
    assert_no_prompt(job)
    # the EE's ansible-runner ran it, and the collection came from the EE's collections (the
    # tarball the EE installs), not from this repository
    assert job.engine["python"].startswith(str(ee.venv)) and job.engine["runner"].startswith(str(ee.venv)), job.engine
    paths = {e["event_data"].get("task_path", "").split(":")[0] for e in job.of("runner_on_ok")}
    roles = [p for p in paths if "/roles/" in p]
    assert roles and all(p.startswith(str(ee.collections)) for p in roles), sorted(paths)[:5]
    for node in NODES:
        assert node in job.stdout and "system upgrade complete" in job.stdout, job


def test_no_secret_in_any_event_stdout_artifact_or_report(awx, awx_lab):
    if not awx.jobs:
        pytest.skip("no job ran")
    secrets = secrets_of(awx_lab, awx)
    # The credential, not the inventory, carried every secret the jobs used.
    assert {"apigw_admin_password", "apigw_domain_passphrase", "apigw_cassandra_password"} <= set(awx.credential)
    assert len(secrets) >= 3, "expected the admin password, the passphrase and the lab's passwords"
    # The inventory AWX wrote for the job too: the credential, not the inventory, holds them.
    folders = [job.artifact_dir for job in awx.jobs.values()] + [awx.report_dir]
    folders += [job.private_data_dir / "inventory" for job in awx.jobs.values()]
    checked = assert_no_secret_in_files(files_under(*[f for f in folders if f.exists()]), secrets)
    events = sum(len(job.events) for job in awx.jobs.values())
    assert events > 0 and checked >= events, (checked, events)
    # The runner's own output (outside the artifacts) too.
    for job in awx.jobs.values():
        for index, secret in enumerate(secrets):
            assert secret not in job.runner_output, "secret #%d in job %s's runner output" % (index, job.ident)
