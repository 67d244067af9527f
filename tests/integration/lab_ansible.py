# -*- coding: utf-8 -*-
"""Run this collection's modules and playbooks against lab hosts, and get parsed results back.

Generic on purpose: any module of the collection (status, export, ..., topology_info, process)
can be driven the same way. Used through the ``ansible_on`` fixture of conftest.py, or directly:

    runner = AnsibleRunner(lab)                        # lab: lablib.testing.Lab (up)
    run = runner.module("node1", "apigw.sysupgrade.status",
                        {"new_install_dir": "{{ apigw_new_install_dir }}"}, check=False)
    run.ok, run.failed, run.result["msg"], run.output   # parsed result + raw ansible output

    play = runner.playbook("- hosts: node1\n  tasks: [...]", extra_vars={...})
    play.results        # every task result: {"host", "task", "status", "result", "warnings"}

Module arguments are passed as JSON and may reference the lab inventory's variables
(``apigw_admin_password``, ``apigw_domain_passphrase``, ``apigw_new_install_dir``, ...), so secrets
never have to appear on the controller's command line. Results come from the test-only stdout
callback in ``callback_plugins/apigw_result_lines.py`` (one JSON line per task result).
``runner.transcript`` keeps every ansible run's full output, for secret-leak assertions.
"""
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
COLLECTIONS_PATH = REPO / ".collections"
CALLBACKS = HERE / "callback_plugins"
RESULT_PREFIX = "APIGW-RESULT "
VENV_BIN = REPO / ".venv" / "bin"


class AnsibleRun:
    """One ansible/ansible-playbook process: its exit code, output and parsed task results."""

    def __init__(self, argv, proc):
        self.argv = argv
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.results = [json.loads(line[len(RESULT_PREFIX):]) for line in proc.stdout.splitlines()
                        if line.startswith(RESULT_PREFIX)]

    @property
    def output(self):
        return self.stdout + self.stderr

    # Convenience for single-task runs (ad hoc module calls).
    @property
    def only(self):
        assert len(self.results) == 1, "expected one result, got %d:\n%s" % (len(self.results), self.output)
        return self.results[0]

    @property
    def result(self):
        return self.only["result"]

    @property
    def warnings(self):
        """The task's Ansible warnings, as texts (whatever the ansible-core version)."""
        return self.only.get("warnings") or []

    @property
    def status(self):
        return self.only["status"]

    @property
    def ok(self):
        return self.status == "ok"

    @property
    def failed(self):
        return self.status == "failed"

    def __repr__(self):
        return "AnsibleRun(rc=%s, results=%s)" % (self.rc, json.dumps(self.results, indent=1)[:4000])


class AnsibleRunner:
    def __init__(self, lab, timeout=1800):
        self.lab = lab
        self.timeout = timeout
        self.transcript = []

    def env(self, extra=None):
        env = self.lab.ansible_env()
        env.update({
            "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS_PATH),
            "ANSIBLE_CALLBACK_PLUGINS": str(CALLBACKS),
            "ANSIBLE_STDOUT_CALLBACK": "apigw_result_lines",
            "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1",     # ad hoc 'ansible' honours the stdout callback only then
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
            "ANSIBLE_HOST_KEY_CHECKING": "0",
            "ANSIBLE_INVENTORY": str(self.lab.inventory_path),
            "ANSIBLE_PYTHON_INTERPRETER": "auto_silent",
        })
        env.pop("ANSIBLE_CONFIG", None)
        env.update(extra or {})
        return env

    def _run(self, argv, env=None, timeout=None):
        proc = subprocess.run(argv, capture_output=True, text=True, env=self.env(env), check=False,
                              timeout=timeout or self.timeout, cwd=str(REPO))
        run = AnsibleRun(argv, proc)
        self.transcript.append(run)
        return run

    def module(self, host, module, args=None, check=False, verbosity=0, env=None, timeout=None):
        """Run one module ad hoc on ``host`` (an inventory name or pattern)."""
        argv = [str(VENV_BIN / "ansible"), host, "-m", module, "-a", json.dumps(args or {})]
        if check:
            argv.append("--check")
        if verbosity:
            argv.append("-" + "v" * verbosity)
        return self._run(argv, env, timeout)

    def playbook(self, playbook, extra_vars=None, limit=None, check=False, verbosity=0, env=None, timeout=None):
        """Run a playbook given as a path or as YAML text."""
        cleanup = None
        if "\n" in str(playbook):
            handle = tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False)
            handle.write(playbook)
            handle.close()
            playbook = cleanup = handle.name
        argv = [str(VENV_BIN / "ansible-playbook"), str(playbook)]
        if extra_vars:
            argv += ["-e", json.dumps(extra_vars)]
        if limit:
            argv += ["--limit", limit]
        if check:
            argv.append("--check")
        if verbosity:
            argv.append("-" + "v" * verbosity)
        try:
            return self._run(argv, env, timeout)
        finally:
            if cleanup:
                os.unlink(cleanup)

    def playbook_releasing(self, playbook, extra_vars, seen, release, cwd, wait_timeout=600):
        """Run a playbook in the background and call ``release()`` (clear the lab fault that holds
        a step) once its output shows ``seen``, a line the run prints only while it waits: the wait
        is an event the test sees, never a clock. A run that ends without printing it fails the
        test (after ``release()`` all the same). Returns the run's AnsibleRun."""
        argv = [str(VENV_BIN / "ansible-playbook"), "-e", json.dumps(extra_vars or {}), str(playbook)]
        out_path, err_path = Path(cwd) / "released-run.out", Path(cwd) / "released-run.err"
        deadline = time.monotonic() + wait_timeout
        with open(str(out_path), "w") as out, open(str(err_path), "w") as err:
            proc = subprocess.Popen(argv, env=self.env(), cwd=str(cwd), stdout=out, stderr=err,
                                    universal_newlines=True)
            try:
                while seen not in out_path.read_text() and proc.poll() is None:
                    assert time.monotonic() < deadline, "no %r within %d s" % (seen, wait_timeout)
                    time.sleep(0.2)
                assert seen in out_path.read_text(), \
                    "the run ended without printing %r:\n%s" % (seen, out_path.read_text()[-6000:])
            finally:
                release()
                try:
                    proc.wait(timeout=self.timeout)
                finally:
                    if proc.poll() is None:
                        proc.kill()
        run = AnsibleRun(argv, subprocess.CompletedProcess(argv, proc.returncode, out_path.read_text(),
                                                           err_path.read_text()))
        self.transcript.append(run)
        return run


def lab_secrets(lab):
    """The secret values of a lab (admin password, domain passphrase), for leak assertions."""
    info = lab.info
    return [info["admin_password"], info["domain_passphrase"]]


def assert_no_secret(texts, secrets):
    """Fail naming the secret index (never its value) if any secret appears in any text."""
    for index, secret in enumerate(secrets):
        for text in texts:
            assert secret not in text, "secret #%d leaked into output" % index
