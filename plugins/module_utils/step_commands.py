# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which options each sysupgrade command takes, and how module parameters become its arguments.

The table follows the vendor's command reference (upgrade_script.md) and product contract §4;
option names are the documented ones without the leading dashes, in the documented order.

How each kind of value reaches sysupgrade:

- ``value``: ``--name VALUE`` (two arguments; no shell is involved, so no quoting issues)
- ``flag``: ``--name`` when true, nothing when false (``force`` is never added silently)
- ``list``: ``--name VALUE`` once per item (``subj_alt_name`` is repeatable)
- ``stdin``: never on the command line; answered on standard input to the tool's prompt
  (contract rule 8: prompts read lines in the order username, password, passphrase). ``username`` is
  not secret and goes on the command line, so the tool only asks for the secrets.
- ``argv_secret``: ``cass_password`` has no prompt (upgrade_script.md lists it only as an option),
  so it can only be passed on the command line; it is masked in every output (vendor limitation,
  documented in the upgrade module).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

STEP_OPTIONS = {
    "export": (
        ("old_install_dir", "value"),
        ("anm_host", "value"),
        ("force", "flag"),
        ("username", "value"),
        ("password", "stdin"),
    ),
    "upgrade": (
        ("force", "flag"),
        ("tracelevel", "value"),
        ("cass_host", "value"),
        ("cass_port", "value"),
        ("cass_username", "value"),
        ("cass_password", "argv_secret"),
        ("no_cassandra", "flag"),
    ),
    "apply": (
        ("anm_host", "value"),
        ("domain_passphrase", "stdin"),
        ("sign_alg", "value"),
        ("subj_alt_name", "list"),
        ("force", "flag"),
        ("username", "value"),
        ("password", "stdin"),
        ("skip_db_upgrade", "flag"),
        ("tracelevel", "value"),
    ),
    "clean": (
        ("tracelevel", "value"),
    ),
    "status": (),
}

# Contract rule 8: the order in which sysupgrade asks for credentials it was not given.
PROMPT_ORDER = ("username", "password", "domain_passphrase")

# Options whose values must never appear in any output.
SECRET_OPTIONS = ("password", "domain_passphrase", "cass_password")

# Options sysupgrade always prompts for when they are not on its command line.
PROMPTED_OPTIONS = ("username", "password", "domain_passphrase")


class MissingCredential(Exception):
    pass


def option_names(step):
    return [name for name, _kind in STEP_OPTIONS[step]]


def option_with_value(name, value):
    """``--name value``; ``--name=value`` for a value that starts with a dash, which an option
    parser would otherwise take for the next option (a generated password often does)."""
    value = str(value)
    if value.startswith("-"):
        return ["--%s=%s" % (name, value)]
    return ["--" + name, value]


def build_arguments(step, params):
    """Return (arguments after the sub-command, [(name, value) answered on stdin, in prompt order]).

    Raises MissingCredential when sysupgrade would prompt for a credential the module cannot
    answer: a prompt must never be left waiting (contract §6).
    """
    arguments = []
    on_command_line = set()
    for name, kind in STEP_OPTIONS[step]:
        value = params.get(name)
        if kind == "flag":
            if value:
                arguments.append("--" + name)
        elif kind == "list":
            for item in value or []:
                arguments.extend(option_with_value(name, item))
        elif kind in ("value", "argv_secret"):
            if value is not None and value != "":
                arguments.extend(option_with_value(name, value))
                on_command_line.add(name)

    answers = []
    prompted = [name for name in PROMPT_ORDER if name in option_names(step) and name not in on_command_line]
    for name in prompted:
        value = params.get(name)
        if value is None or value == "":
            raise MissingCredential(
                "sysupgrade %s would prompt for %s; set the module option %s (this module never leaves a prompt waiting)"
                % (step, name, name)
            )
        answers.append((name, str(value)))
    return arguments, answers
