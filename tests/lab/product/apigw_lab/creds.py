"""Credentials for sysupgrade: options, else prompts (contract §4 rule 8).

upgrade_script.md: --username, --password and --domain_passphrase are "prompted if not
specified". ASSUMED (contract rule 8): with no terminal, the answers are read line by line from
standard input in the order username, password, passphrase. EOF means the caller gave nothing:
fail clearly rather than wait (DESIGN.md "sysupgrade").
"""
import getpass
import sys

PROMPTS = {
    "username": "Enter Admin Node Manager user name: ",
    "password": "Enter Admin Node Manager password: ",
    "domain_passphrase": "Enter domain CA private key passphrase: ",
}
SECRET = ("password", "domain_passphrase", "cass_password")


class NoValue(Exception):
    def __init__(self, what):
        Exception.__init__(self, "No value supplied for %s (use --%s)" % (what, what))
        self.what = what


def _read_line():
    line = sys.stdin.readline()
    if line == "":
        return None
    if line.endswith("\n"):
        line = line[:-1]
    if line.endswith("\r"):
        line = line[:-1]
    return line


def obtain(what, given, sources):
    """Return the value for `what`; record in `sources` where it came from (audit.py)."""
    if given is not None:
        sources[what] = "argv"
        return given
    if sys.stdin is not None and sys.stdin.isatty():
        sources[what] = "prompt"
        if what in SECRET:
            value = getpass.getpass(PROMPTS[what])
        else:
            sys.stdout.write(PROMPTS[what])
            sys.stdout.flush()
            value = _read_line()
    else:
        sources[what] = "stdin"
        value = _read_line() if sys.stdin is not None else None
    if value is None:
        sources[what] = "absent"
        raise NoValue(what)
    return value
