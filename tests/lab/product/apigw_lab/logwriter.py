"""Step logs in the shapes of upgrade_errors.md.

    [System Config] : OK
    [INFORMATIONAL] messages from [System Config] : <first line>
    <more lines>
    [WARNING] messages from [System Config] :
    WARN: <text>
    [ERROR] messages from [API Manager] :
    ERROR: <text>

The INFORMATIONAL header carries the first line of text after " : ", exactly as the export
example of upgrade_errors.md shows. "[X] : OK" is written for a check without errors;
ASSUMED: a check with errors gets "[X] : FAILED" (the docs show no failing header).
Lines are flushed at once so a killed step leaves a partial log (fault `crash`).
Location: NEW/upgrade/bin/out/logs/<step>.log (upgrade_script.md); fault `log_location` moves it
to out/log/ (contract §1). ASSUMED: each run of a step truncates its log.
"""
import os
import time


class StepLog(object):
    def __init__(self, path, tracelevel="INFO"):
        self.path = path
        d = os.path.dirname(path)
        if not os.path.isdir(d):
            os.makedirs(d)
        self.f = open(path, "w")
        self.tracelevel = tracelevel
        self.errors = []
        self.warnings = []

    def line(self, text):
        self.f.write(text + "\n")
        self.f.flush()

    def trace(self, level, text):
        """Free-form trace lines: INFO always, DEBUG/VERBOSE only at that --tracelevel."""
        order = {"INFO": 0, "VERBOSE": 1, "DEBUG": 2}
        if order.get(level, 0) <= order.get(self.tracelevel, 0):
            self.line("%s %s %s" % (time.strftime("%Y-%m-%d %H:%M:%S"), level, text))

    def check(self, name, info=(), warnings=(), errors=()):
        """Write one check's block: status line, then INFORMATIONAL, WARNING, ERROR groups."""
        self.line("[%s] : %s" % (name, "FAILED" if errors else "OK"))
        info = list(info)
        if info:
            self.line("[INFORMATIONAL] messages from [%s] : %s" % (name, info[0]))
            for text in info[1:]:
                self.line(text)
        if warnings:
            self.line("[WARNING] messages from [%s] :" % name)
            for text in warnings:
                self._emit("WARN: ", text)
                self.warnings.append((name, text))
        if errors:
            self.line("[ERROR] messages from [%s] :" % name)
            for text in errors:
                self._emit("ERROR: ", text)
                self.errors.append((name, text))

    def _emit(self, prefix, msg):
        """A str: every line prefixed (the multi-line WARN of upgrade_errors.md). A tuple
        (text, [raw lines]): the documented messages whose continuation line carries no prefix
        (licence errors, API Manager licence warning)."""
        raw = []
        if isinstance(msg, tuple):
            msg, raw = msg
        for part in msg.split("\n"):
            self.line(prefix + part)
        for part in raw:
            self.line(part)

    def close(self):
        self.f.close()
