# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The workflow shared by the export, upgrade, apply and clean modules.

validate -> take the node's sysupgrade lock (step_lock; waiting for another run) -> status ->
decide (skip / fail / run) -> [check mode stops here] -> run -> find and parse the log -> status
again -> judge -> exit or fail. The lock is held until the module exits.

Every result passes through SecretMasker, and every secret is in module.no_log_values, so secret
values appear in no field, message or warning.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.apigw.sysupgrade.plugins.module_utils import (
    group_options,
    install_owner,
    install_paths,
    log_locator,
    log_parser,
    step_commands,
    step_lock,
    step_rules,
    step_verdict,
)
from ansible_collections.apigw.sysupgrade.plugins.module_utils.secret_masker import SecretMasker
from ansible_collections.apigw.sysupgrade.plugins.module_utils.sysupgrade_runner import SysupgradeRunner

TRACELEVELS = ["DEBUG", "INFO", "VERBOSE"]
# The vendor's examples (upgrade_script.md, apply --sign_alg).
SIGN_ALGS = ["sha1", "sha256", "sha384", "sha512"]
DEFAULT_TIMEOUT = 3600

COMMON_SPEC = dict(
    new_install_dir=dict(type="path", required=True),
    timeout=dict(type="int", default=DEFAULT_TIMEOUT),
    max_issues=dict(type="int", default=log_parser.DEFAULT_MAX_ISSUES),
)

OPTION_SPECS = dict(
    old_install_dir=dict(type="path", required=True),
    anm_host=dict(type="str"),
    force=dict(type="bool", default=False),
    username=dict(type="str", required=True),
    password=dict(type="str", required=True, no_log=True),
    tracelevel=dict(type="str", choices=TRACELEVELS),
    cass_host=dict(type="str"),
    cass_port=dict(type="int"),
    cass_username=dict(type="str"),
    cass_password=dict(type="str", no_log=True),
    no_cassandra=dict(type="bool", default=False),
    domain_passphrase=dict(type="str", required=True, no_log=True),
    sign_alg=dict(type="str", choices=SIGN_ALGS),
    subj_alt_name=dict(type="list", elements="str"),
    skip_db_upgrade=dict(type="bool", default=False),
)

CASSANDRA_DETAILS = ("cass_host", "cass_port", "cass_username", "cass_password")


def argument_spec(step):
    """The argument spec of one step module: the common options, that command's own, and the
    action group's options it does not use (accepted and ignored, see group_options)."""
    spec = dict((name, dict(value)) for name, value in COMMON_SPEC.items())
    for name in step_commands.option_names(step):
        spec[name] = dict(OPTION_SPECS[name])
    return group_options.with_group_options(spec)


def make_module(step):
    return AnsibleModule(argument_spec=argument_spec(step), supports_check_mode=True)


def run_step_module(step):
    """Entry point of the export/upgrade/apply/clean modules."""
    StepWorkflow(make_module(step), step).run()


class StepWorkflow:
    def __init__(self, module, step):
        self.module = module
        self.step = step
        self.params = module.params
        secrets = [self.params.get(name) for name in step_commands.SECRET_OPTIONS]
        for secret in secrets:
            if secret:
                module.no_log_values.add(secret)
        self.masker = SecretMasker(secrets)
        self.new_install_dir = self.params["new_install_dir"]
        self.account = install_owner.for_module(module, self.new_install_dir)
        self.runner = SysupgradeRunner(module, self.new_install_dir, self.params["timeout"], self.masker,
                                       account=self.account)
        self.result = {"changed": False, "step": step, "run_as": self.account.name if self.account else None}
        self.command_line = None

    # -- exits: everything is masked on the way out ------------------------------------------
    def exit(self, **fields):
        self.result.update(fields)
        # failed=False explicitly: a step that succeeded with a non-zero `rc` (the tool's exit code
        # is not trusted alone, contract section 5) must not be taken for a failed task by Ansible.
        self.module.exit_json(**self.masker.data(dict(self.result, failed=False)))

    def fail(self, msg, **fields):
        self.result.update(fields)
        self.result["msg"] = msg
        self.module.fail_json(**self.masker.data(self.result))

    def warn(self, text):
        self.module.warn(self.masker.text(text))

    # -- workflow ------------------------------------------------------------------------------
    def run(self):
        self.validate()
        arguments, answers = self.plan()
        lock = step_lock.StepLock(step_lock.lock_path(self.new_install_dir), account=self.account)
        if self.module.check_mode:
            # Check mode changes nothing and never waits: it only says when another run is going on.
            self.warn_if_locked(lock)
            self.decide()  # exits
        try:
            self.take_lock(lock)
            self.decide()
            self.execute(arguments, answers)
        finally:
            lock.release()

    # -- one run at a time on a node (step_lock) -------------------------------------------------
    def take_lock(self, lock):
        """Before anything is read or decided: wait for another run of sysupgrade on this node."""
        waited = None
        try:
            waited = lock.acquire(self.step, self.params["timeout"])
        except step_lock.LockTimeout as exc:
            self.fail("%s, the time limit of this step; nothing was run. Wait for that process to end, then "
                      "run %s again: it reads the status afresh." % (exc, self.step))
        except (IOError, OSError) as exc:
            self.fail("cannot take the sysupgrade lock %s: %s; nothing was run" % (lock.path, exc))
        if waited:
            self.warn("waited %s s for another sysupgrade run on this node to end (%s; lock %s) before reading "
                      "the status" % (waited["waited"], step_lock.describe_holder(waited["holder"]), lock.path))

    def warn_if_locked(self, lock):
        try:
            holder = lock.held_by_another()
        except (IOError, OSError):
            return
        if holder is not None:
            self.warn("another sysupgrade run is going on on this node (%s; lock %s): the status check mode "
                      "read can change when it ends" % (step_lock.describe_holder(holder), lock.path))

    def plan(self):
        """The arguments and stdin answers; the masked command line goes into the result."""
        try:
            arguments, answers = step_commands.build_arguments(self.step, self.params)
        except step_commands.MissingCredential as exc:
            self.fail(str(exc))
        self.result["cmd"] = self.runner.shown_argv(self.step, arguments)
        self.command_line = self.runner.display(self.step, arguments)
        return arguments, answers

    def decide(self):
        """Status first: skip, fail (missing predecessor) or go on; check mode stops here."""
        # clean is the way out of a broken state: it may run even when status is not understood.
        before = self.read_status("before", fail_on_error=self.step != "clean")
        self.result["status_before"] = before
        leftovers = None
        if self.step == "clean":
            leftovers = self.result["clean_leftovers"] = step_rules.clean_leftovers(self.new_install_dir)
        action, reason = step_rules.decide(self.step, before, self.params.get("force"), leftovers)
        if action == step_rules.FAIL:
            self.fail(reason)
        if action == step_rules.SKIP:
            self.exit(changed=False, msg=reason, status_after=before)
        if self.module.check_mode:
            self.exit(changed=True, msg="check mode: would run %s (%s)" % (self.command_line, reason))

    def execute(self, arguments, answers):
        """Run the step, read its log and the status again, then judge (step_verdict)."""
        if self.params.get("cass_password"):
            # Vendor limitation (upgrade_script.md): no prompt for it, so it cannot go on stdin.
            self.warn("cass_password goes on the sysupgrade command line (the tool has no prompt for it): "
                      "other local users of this node can see it in the process list while %s runs" % self.step)
        run = self.runner.run(self.step, arguments, answers)
        self.result.update(
            changed=True,
            rc=run["rc"],
            stdout=run["stdout"],
            stderr=run["stderr"],
            duration=run["duration"],
            # When sysupgrade itself ran (the node's clock, epoch seconds): the report's phase times.
            timing={"start": run["started"], "end": run["started"] + run["duration"]},
            timed_out=run["timed_out"],
            answered_on_stdin=run["answered_on_stdin"],
        )
        log_path, log = self.read_log(run["started"])
        after = self.result["status_after"] = self.read_status("after", fail_on_error=False)
        for issue in (log["issues"] if log else []):
            if issue["severity"] == "warning":
                self.warn("sysupgrade %s [%s]: %s" % (self.step, issue["check"], issue["message"]))

        reasons = step_verdict.judge(self.step, run, log, after, self.params["timeout"])
        if reasons:
            self.fail(step_verdict.failure_message(self.step, reasons, log, log_path, run, self.params["timeout"]),
                      failure_reasons=reasons)
        question = step_verdict.question_warning(self.step, run)
        if question:
            self.warn(question)
        self.exit(msg=step_verdict.success_message(self.step, after, log, log_path))

    # -- checks before anything runs; each error names the option (and the path) ---------------
    def validate(self):
        checks = (
            self._check_folders,
            self._check_limits,
            self._check_cassandra,
            self._check_line_breaks,
        )
        for check in checks:
            error = check()
            if error:
                self.fail(error)

    def _check_folders(self):
        error = install_paths.check_new_install_dir(self.new_install_dir)
        if error is None and self.step == "export":
            error = install_paths.check_old_install_dir(self.params["old_install_dir"], self.new_install_dir)
        return error

    def _check_limits(self):
        if self.params["timeout"] <= 0:
            return "timeout: must be a positive number of seconds, got %s" % self.params["timeout"]
        if self.params["max_issues"] < 0:
            return "max_issues: must be 0 or more, got %s" % self.params["max_issues"]
        return None

    def _check_cassandra(self):
        if self.params.get("no_cassandra"):
            given = [name for name in CASSANDRA_DETAILS if self.params.get(name) not in (None, "")]
            if given:
                return "no_cassandra: cannot be combined with %s (sysupgrade ignores Cassandra details with --no_cassandra)" % ", ".join(given)
        port = self.params.get("cass_port")
        if port is not None and not 0 < port < 65536:
            return "cass_port: %s is not a TCP port" % port
        return None

    def _check_line_breaks(self):
        # Answers go on standard input one per line: a line break would shift every later answer.
        for name in step_commands.option_names(self.step):
            value = self.params.get(name)
            if name in step_commands.PROMPTED_OPTIONS and isinstance(value, str) and ("\n" in value or "\r" in value):
                return "%s: must not contain a line break (sysupgrade reads it as one line)" % name
        return None

    def read_status(self, when, fail_on_error=True):
        status, run = self.runner.status()
        if fail_on_error and (run["rc"] != 0 or not status["known"]):
            self.fail(
                "cannot read the sysupgrade status %s %s: %s (exit code %s)"
                % (when, self.step, step_verdict._short(run["stderr"] or run["stdout"] or "no output"), run["rc"]),
                status_cmd=run["cmd"],
                status_rc=run["rc"],
                status_stdout=run["stdout"],
                status_stderr=run["stderr"],
            )
        return status

    def read_log(self, started):
        """Find the log this run wrote (log_locator), parse it, fill the log fields."""
        log_path, looked_in = log_locator.find_step_log(self.new_install_dir, self.step, written_since=started)
        self.result["log_path"] = log_path
        if log_path is None:
            self.result.update(
                log_tail=[],
                issues=[],
                errors=[],
                counts=dict((severity, 0) for severity in log_parser.SEVERITIES),
                log_searched=looked_in,
            )
            return None, None
        try:
            log = log_parser.parse_log_file(log_path, max_issues=self.params["max_issues"])
        except (IOError, OSError) as exc:
            self.warn("could not read %s: %s" % (log_path, exc))
            self.result.update(log_tail=[], issues=[], errors=[], counts=dict((s, 0) for s in log_parser.SEVERITIES))
            return log_path, None
        self.result.update(
            log_tail=log["tail"],
            issues=log["issues"],
            errors=step_verdict.error_summaries(log["issues"], limit=len(log["issues"])),
            counts=log["counts"],
            issues_truncated=log["issues_truncated"],
        )
        return log_path, log
