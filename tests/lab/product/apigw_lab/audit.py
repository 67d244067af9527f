"""Audit log /opt/apigw-lab/audit.log (DESIGN.md "Audit log").

One JSON line at the start of each sysupgrade call (so a killed call still shows) and one at the
end. Secret values are replaced by "********" in argv and never written anywhere; for each secret
the log says where it came from: argv, stdin, prompt or absent.
"""
import json
import os
import time
import uuid

from . import paths

MASK = "********"
SECRET_OPTIONS = ("--password", "--domain_passphrase", "--cass_password")


def mask_argv(argv):
    out, hide_next = [], False
    for arg in argv:
        if hide_next:
            out.append(MASK)
            hide_next = False
            continue
        name, eq, _value = arg.partition("=")
        if name in SECRET_OPTIONS:
            if eq:
                out.append(name + "=" + MASK)
            else:
                out.append(arg)
                hide_next = True
        else:
            out.append(arg)
    return out


def _now():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Audit(object):
    def __init__(self, argv):
        self.record = {"id": uuid.uuid4().hex, "pid": os.getpid(), "argv": mask_argv(argv),
                       "cwd": os.getcwd(), "start": _now()}
        self.secrets = {}

    def _write(self, event, extra):
        rec = dict(self.record, event=event, **extra)
        try:
            d = paths.lab_root()
            if not os.path.isdir(d):
                os.makedirs(d)
            with open(paths.audit_file(), "a") as f:
                f.write(json.dumps(rec, sort_keys=True) + "\n")
        except (IOError, OSError):
            pass  # auditing must never change the product's behaviour

    def start(self):
        self._write("start", {})

    def end(self, exit_code):
        self._write("end", {"secrets": dict(self.secrets), "end": _now(), "exit": exit_code})
