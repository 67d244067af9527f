# -*- coding: utf-8 -*-
"""Run a playbook of this collection as an AWX / Automation Controller job would run it: through
ansible-runner, from a private data directory laid out as AWX lays it out.

What AWX does for a job (awx/main/tasks/jobs.py, awx/main/models/credential.py, ansible-runner's
interface) and what this module mirrors:

  <private data dir>/inventory/hosts   the inventory as an executable script printing the JSON
                                       of ``ansible-inventory --list`` (AWX writes the same)
  <private data dir>/env/extravars     the job's extra variables: the awx_* / tower_* meta
                                       variables, then the survey answers (launch-time answers
                                       are ``!unsafe``: ALLOW_JINJA_IN_EXTRA_VARS=template)
  <private data dir>/env/tmpXXXXXX     a custom credential's ``extra_vars`` injector, rendered,
                                       ``!unsafe``, mode 0400, passed as ``-e @file`` on the
                                       command line (never in env/extravars)
  <private data dir>/env/settings      job_timeout and suppress_ansible_output, as AWX sets them
  <private data dir>/env/envvars       JOB_ID, INVENTORY_ID, ANSIBLE_COLLECTIONS_PATH, ...
  <private data dir>/project/          the project checkout (here: the playbooks; the collection
                                       comes from ANSIBLE_COLLECTIONS_PATH, as a project's
                                       collections/requirements.yml install would)

The runner runs in a child process with stdin closed and no controlling terminal (its own
session), as AWX's worker does; like AWX it drives ansible-playbook through pexpect, so a
``pause`` that prompted would wait for input until the job timeout: the tests assert that no prompt
ever starts. Events and artifacts land in <private data dir>/artifacts/<job id>/.
"""
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from lab_ansible import COLLECTIONS_PATH, REPO, VENV_BIN

# The inventory variables an AWX user keeps out of the inventory: a custom credential type
# ("API Gateway domain": inputs admin password, passphrase, Cassandra / API Manager passwords)
# injects them as extra variables. docs/awx.md.
CREDENTIAL_VARS = ("apigw_admin_password", "apigw_domain_passphrase",
                   "apigw_cassandra_password", "apigw_apimanager_password")

JOB_STATUSES = ("successful", "failed", "timeout", "canceled", "error")

_DRIVER = r"""
import json, sys
import ansible_runner
params = json.load(sys.stdin)
result = ansible_runner.interface.run(**params)
print(json.dumps({"status": result.status, "rc": result.rc, "python": sys.executable,
                  "runner": ansible_runner.__file__}))
"""


class ExecutionEnvironment:
    """What execution-environment.yml puts in the image, installed as ansible-builder installs it,
    without a container: a fresh venv with its pip packages (ansible-core, ansible-runner and the
    python list, at their pins), and the collections of its galaxy requirements that do not need
    the network (this collection, from the tarball `ansible-galaxy collection build` makes)."""

    def __init__(self, root):
        self.root = Path(root)
        definition = yaml.safe_load((REPO / "execution-environment.yml").read_text())["dependencies"]
        self.packages = [definition["ansible_core"]["package_pip"], definition["ansible_runner"]["package_pip"]] \
            + list(definition.get("python") or [])
        self.venv = self.root / "ee-venv"
        self.collections = self.root / "ee-collections"
        subprocess.run([sys.executable, "-m", "venv", str(self.venv)], check=True, timeout=300)
        subprocess.run([str(self.venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check"]
                       + self.packages, check=True, timeout=900, stdin=subprocess.DEVNULL)
        dist = self.root / "dist"
        subprocess.run([str(self.venv / "bin" / "ansible-galaxy"), "collection", "build", "--output-path", str(dist),
                        str(REPO)], check=True, timeout=300, capture_output=True)
        [tarball] = sorted(dist.glob("apigw-sysupgrade-*.tar.gz"))
        env = dict(os.environ)
        env.pop("ANSIBLE_COLLECTIONS_PATH", None)
        subprocess.run([str(self.venv / "bin" / "ansible-galaxy"), "collection", "install", "--offline", "-p",
                        str(self.collections), str(tarball)], check=True, timeout=300, capture_output=True, env=env)

    @property
    def python(self):
        return self.venv / "bin" / "python"


def _unsafe_yaml(variables, unsafe):
    """YAML as AWX's safe_dump writes it: each string value of ``unsafe`` tagged ``!unsafe``, so
    that Jinja in a launch-time answer is never templated. JSON scalars are valid YAML."""
    lines = []
    for key, value in variables.items():
        text = json.dumps(value)
        if key in unsafe and isinstance(value, str):
            text = "!unsafe " + text
        lines.append("%s: %s" % (key, text))
    return "\n".join(lines) + "\n"


def _write(path, text, mode=0o600):
    path.write_text(text)
    os.chmod(path, mode)


def lab_inventory_json(lab):
    """The lab's inventory as ``ansible-inventory --list --export`` (groups keep their vars)."""
    env = lab.ansible_env()
    proc = subprocess.run([str(VENV_BIN / "ansible-inventory"), "-i", str(lab.inventory_path), "--list",
                           "--export"], capture_output=True, text=True, env=env, check=True,
                          stdin=subprocess.DEVNULL, timeout=120)
    return json.loads(proc.stdout)


def split_credentials(inventory):
    """Take the credential variables out of every group and host of ``inventory`` (in place);
    return them (the values are the same for every node in the lab)."""
    taken = {}
    places = [group.get("vars", {}) for name, group in inventory.items() if name != "_meta"]
    places += list(inventory.get("_meta", {}).get("hostvars", {}).values())
    for variables in places:
        for name in CREDENTIAL_VARS:
            if name in variables:
                taken[name] = variables.pop(name)
    return taken


def _default_is_valid(question, value):
    """AWX's survey validation of a default (awx/main/models/mixins.py): a default that fails it is
    not sent at all."""
    kind = question["type"]
    low, high = question.get("min"), question.get("max")
    if kind in ("text", "textarea", "password"):
        return isinstance(value, str) and (low in ("", None) or len(value) >= int(low)) \
            and (high in ("", None) or len(value) <= int(high))
    if kind == "integer":
        # AWX checks the exact type: True is no integer answer.
        return isinstance(value, int) and not isinstance(value, bool) and (low in ("", None) or value >= int(low)) \
            and (high in ("", None) or value <= int(high))
    if kind == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    choices = question.get("choices") or []
    if isinstance(choices, str):
        choices = [c for c in choices.splitlines() if c.strip()]
    if kind == "multiplechoice":
        return value in choices
    if kind == "multiselect":
        return isinstance(value, list) and all(v in choices for v in value)
    return False


def survey_defaults(survey_path):
    """The extra variables AWX adds for a survey nobody changed: each question's default that
    passes the survey's own validation (an empty text default is sent as ""; an empty multiple
    choice default is not sent)."""
    answers = {}
    for question in json.loads(Path(survey_path).read_text())["spec"]:
        default = question.get("default")
        if default is not None and _default_is_valid(question, default):
            answers[question["variable"]] = default
    return answers


class AwxJob:
    """One finished job: its status, events, stdout and artifact folder."""

    def __init__(self, private_data_dir, ident, status, rc, elapsed, runner_output):
        self.private_data_dir = Path(private_data_dir)
        self.ident = str(ident)
        self.status = status
        self.rc = rc
        self.elapsed = elapsed
        self.runner_output = runner_output
        self.artifact_dir = self.private_data_dir / "artifacts" / self.ident
        self.events = [json.loads(p.read_text()) for p in (self.artifact_dir / "job_events").glob("*.json")]
        self.events.sort(key=lambda e: e.get("counter", 0))

    @property
    def stdout(self):
        path = self.artifact_dir / "stdout"
        return path.read_text() if path.exists() else ""

    def of(self, *names):
        return [e for e in self.events if e.get("event") in names]

    @property
    def stats_event(self):
        found = self.of("playbook_on_stats")
        assert len(found) == 1, "expected one playbook_on_stats event, got %d\n%s" % (len(found), self.tail())
        return found[0]

    @property
    def artifact_data(self):
        """What set_stats handed over (AWX: the job's ``artifacts``)."""
        return self.stats_event["event_data"].get("artifact_data") or {}

    def failed_results(self):
        return [(e["event_data"].get("host"), e["event_data"].get("task"), e["event_data"].get("res", {}).get("msg"))
                for e in self.of("runner_on_failed")]

    def tail(self, chars=6000):
        return "job %s: status %s rc %s\n%s\n%s" % (
            self.ident, self.status, self.rc, self.stdout[-chars:], self.runner_output[-2000:])

    def __repr__(self):
        return self.tail()


class AwxJobLauncher:
    """Launch jobs against one lab the way AWX does. ``root``: where the private data dirs go."""

    def __init__(self, lab, root, job_timeout=1800):
        self.lab = lab
        self.root = Path(root)
        self.job_timeout = job_timeout
        self.inventory = lab_inventory_json(lab)
        self.credential = split_credentials(self.inventory)

    def launch(self, job_id, template_name, playbook, survey=None, limit=None, playbook_text=None, job_timeout=None,
               ee=None):
        """Run ``playbook`` (a path under playbooks/) as job ``job_id`` of job template
        ``template_name`` with the survey answers ``survey``; return the finished AwxJob.
        ``playbook_text``: write this playbook into the project as ``playbook`` first.
        ``ee``: an ExecutionEnvironment to run the job in (its venv's ansible-runner and
        ansible-playbook, its collections), instead of the test venv with the repository's."""
        job_timeout = job_timeout or self.job_timeout
        pdd = Path(tempfile.mkdtemp(prefix="awx_%s_" % job_id, dir=self.root))  # JOB_FOLDER_PREFIX
        os.chmod(pdd, stat.S_IRWXU)
        for sub in ("inventory", "env"):
            (pdd / sub).mkdir(mode=0o700)

        hosts = pdd / "inventory" / "hosts"
        _write(hosts, "#! /usr/bin/env python3\n# -*- coding: utf-8 -*-\nprint(%r)\n"
               % json.dumps(self.inventory), stat.S_IRUSR | stat.S_IWUSR | stat.S_IXUSR)

        survey = dict(survey or {})
        meta = {}
        for prefix in ("awx", "tower"):
            meta.update({
                prefix + "_job_id": job_id,
                prefix + "_job_launch_type": "manual",
                prefix + "_user_id": 1,
                prefix + "_user_name": "admin",
                prefix + "_user_email": "admin@example.com",
                prefix + "_user_first_name": "",
                prefix + "_user_last_name": "",
                prefix + "_inventory_id": 1,
                prefix + "_inventory_name": "apigw",
                prefix + "_project_revision": "0" * 40,
                prefix + "_project_scm_branch": "main",
                prefix + "_job_template_id": 7,
                prefix + "_job_template_name": template_name,
                prefix + "_execution_node": "localhost",
            })
        _write(pdd / "env" / "extravars", _unsafe_yaml(dict(meta, **survey), unsafe=set(survey)))

        # The custom credential's extra_vars injector: its own file, read-only, '-e @file'.
        handle, cred_path = tempfile.mkstemp(dir=str(pdd / "env"))
        os.close(handle)
        _write(Path(cred_path), _unsafe_yaml(self.credential, unsafe=set(self.credential)), stat.S_IRUSR)

        _write(pdd / "env" / "settings", json.dumps({
            "job_timeout": job_timeout, "suppress_ansible_output": True}))
        _write(pdd / "env" / "envvars", json.dumps({
            "JOB_ID": str(job_id),
            "INVENTORY_ID": "1",
            "PROJECT_REVISION": "0" * 40,
            "ANSIBLE_RETRY_FILES_ENABLED": "False",
            "ANSIBLE_COLLECTIONS_PATH": str(ee.collections if ee else COLLECTIONS_PATH),
            "AWX_HOST": "https://awx.example",
        }))
        shutil.copytree(REPO / "playbooks", pdd / "project" / "playbooks")
        if playbook_text is not None:
            (pdd / "project" / playbook).write_text(playbook_text)

        args = ["-e", "@" + cred_path]
        if limit:
            args += ["--limit", limit]
        params = {
            "private_data_dir": str(pdd),
            "ident": str(job_id),
            "playbook": playbook,
            "inventory": str(hosts),
            "cmdline": " ".join(args),
            "quiet": True,
            # AWX: a job template without "use fact storage" disables runner's fact cache.
            "fact_cache_type": "",
        }
        env = self.lab.ansible_env()
        # AWX's job environment is built from scratch: no inventory or config from the caller's.
        for name in ("ANSIBLE_INVENTORY", "ANSIBLE_CONFIG", "ANSIBLE_STDOUT_CALLBACK", "ANSIBLE_CALLBACK_PLUGINS"):
            env.pop(name, None)
        if ee:  # the EE's own ansible-playbook, found on PATH as in the image
            env["PATH"] = "%s:%s" % (ee.venv / "bin", env["PATH"])
        started = time.monotonic()
        proc = subprocess.run([str(ee.python if ee else VENV_BIN / "python"), "-c", _DRIVER], input=json.dumps(params),
                              capture_output=True, text=True, env=env, cwd=str(pdd),
                              start_new_session=True,  # no controlling terminal
                              timeout=job_timeout + 120, check=False)
        elapsed = time.monotonic() - started
        status, rc, engine = None, None, {}
        lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
        if lines:
            result = json.loads(lines[-1])
            status, rc = result["status"], result["rc"]
            engine = {"python": result.get("python"), "runner": result.get("runner")}
        job = AwxJob(pdd, job_id, status, rc, elapsed, proc.stdout + proc.stderr)
        job.engine = engine
        return job


def files_under(*folders):
    """Every regular file under the given folders (recursively)."""
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file() and not path.is_symlink():
                yield path


def assert_no_secret_in_files(paths, secrets):
    """Fail naming the file and the secret's index (never its value)."""
    checked = 0
    for path in paths:
        data = path.read_bytes()
        checked += 1
        for index, secret in enumerate(secrets):
            assert secret.encode() not in data, "secret #%d leaked into %s" % (index, path)
    return checked


if __name__ == "__main__":  # pragma: no cover
    sys.exit("import this module from the integration tests")
