"""What every sysupgrade step shares: its context, failure, and the generic faults
(DESIGN.md "Fault catalogue": slow, hold, crash, prompt)."""
import os
import signal
import sys
import time

from .. import faults as faults_mod
from .. import jsonfile, state

# Fault `hold`: the longest a step waits to be released (seconds), and how often it looks.
HOLD_LIMIT = 900
HOLD_POLL = 0.2


class StepFailed(Exception):
    """Raised after the error is in the log; the step ends with exit 1."""


class Ctx(object):
    def __init__(self, install, args, faults, step):
        self.install = install
        self.args = args
        self.faults = faults
        self.step = step
        self.log = None
        self.creds = {}

    @property
    def out(self):
        return state.step_dir(self.install, self.step)

    def outp(self, *parts):
        return os.path.join(self.out, *parts)

    def export_dir(self, *parts):
        return os.path.join(state.step_dir(self.install, "export"), *parts)

    def log_path(self):
        """out/logs/<step>.log (upgrade_script.md); fault log_location moves it. A `dir` starting
        with out/ is relative to upgrade/bin, anything else (export/bin/out/logs, the path
        upgrade_errors.md prints) to the NEW installation."""
        rel = "out/logs"
        if self.faults.on("log_location"):
            rel = self.faults.params("log_location").get("dir", "out/log")
        base = self.install.upgrade_bin if rel.startswith("out") else self.install.root
        return os.path.join(base, rel, self.step + ".log")

    def fail(self, check, *errors):
        self.log.check(check, errors=errors)
        raise StepFailed()

    def save(self, rel, data):
        jsonfile.save(self.outp(rel), data)

    def checkpoint(self):
        """Half way through a step: fault `slow` sleeps here, fault `hold` waits here until it is
        cleared, fault `crash` kills the process here (partial log, partial output, no status
        change)."""
        slow = self.faults.for_step("slow", self.step)
        if slow is not None:
            seconds = float(slow.get("seconds", 30))
            self.log.trace("INFO", "Processing ... (this can take %d seconds)" % seconds)
            time.sleep(seconds)
        hold = self.faults.for_step("hold", self.step)
        if hold is not None:
            self.log.trace("INFO", "Processing ...")
            sys.stdout.flush()
            deadline = time.time() + float(hold.get("seconds", HOLD_LIMIT))
            # faults.json is read again until labctl clears the fault (or the limit passes).
            while time.time() < deadline and faults_mod.Faults().for_step("hold", self.step) is not None:
                time.sleep(HOLD_POLL)
        if self.faults.for_step("crash", self.step) is not None:
            self.log.trace("INFO", "Processing ...")
            sys.stdout.flush()
            os.kill(os.getpid(), signal.SIGKILL)

    def maybe_prompt(self):
        """Fault `prompt`: a y/N question read from stdin; anything but y/yes stops the step."""
        if self.faults.for_step("prompt", self.step) is None:
            return
        sys.stdout.write("Some checks need your confirmation. Do you want to continue? [y/N]: ")
        sys.stdout.flush()
        answer = sys.stdin.readline() if sys.stdin is not None else ""
        if answer.strip().lower() not in ("y", "yes"):
            self.fail("Confirmation", "Operation cancelled by user.")
