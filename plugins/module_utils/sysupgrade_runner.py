# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place that runs ``sysupgrade``.

Every call:

- is an argument list given to ``module.run_command`` (no shell), through step_watchdog for the
  time limit and the terminal-less, prompt-proof standard input;
- runs in ``NEW/upgrade/bin`` (upgrade_script.md) with ``LANG=C`` and ``LC_ALL=C`` so the texts the
  parsers read are the untranslated ones;
- hands credentials over on standard input (``data=``); run_command writes them, adds the final
  newline and closes the pipe, so a further prompt reads end-of-file instead of waiting;
- reports the command as an argument list (``cmd``) with secret values masked;
- runs as the installation's owner (install_owner), dropping from root when needed.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import shlex

from ansible_collections.apigw.sysupgrade.plugins.module_utils import install_paths, status_parser, step_watchdog
from ansible_collections.apigw.sysupgrade.plugins.module_utils.secret_masker import MASK, SecretMasker
from ansible_collections.apigw.sysupgrade.plugins.module_utils.step_commands import SECRET_OPTIONS

SECRET_FLAGS = tuple("--" + name for name in SECRET_OPTIONS)
# status only reads state files; a status call that takes longer than this is hung.
STATUS_TIMEOUT_SECONDS = 300


def quote(argument):
    # The mask is shown as is: quoting it would suggest the stars were the real value.
    return argument if argument == MASK else shlex.quote(argument)


class SysupgradeRunner:
    def __init__(self, module, new_install_dir, timeout, masker=None, account=None):
        self.module = module
        self.new_install_dir = new_install_dir
        self.timeout = timeout
        self.masker = masker or SecretMasker()
        # The installation's owner (install_owner.Account): sysupgrade runs as this account.
        self.account = account

    @property
    def executable(self):
        return install_paths.sysupgrade_path(self.new_install_dir)

    def argv(self, subcommand, arguments=()):
        return [self.executable, subcommand] + list(arguments)

    def shown_argv(self, subcommand, arguments=()):
        """The argument list with secret values masked: what ``cmd`` returns (and check mode shows)."""
        shown = []
        hide_next = False
        for argument in self.argv(subcommand, arguments):
            if hide_next:
                shown.append(MASK)
                hide_next = False
                continue
            shown.append(self.masker.text(argument))
            hide_next = argument in SECRET_FLAGS
        return shown

    def display(self, subcommand, arguments=()):
        """The command line as a user would type it, secrets masked (for messages)."""
        return " ".join(quote(a) for a in self.shown_argv(subcommand, arguments))

    def run(self, subcommand, arguments=(), answers=(), timeout=None):
        """Run one sysupgrade command. ``answers`` is [(name, value)] written to stdin in order.

        Returns a dict: rc, stdout, stderr, timed_out, duration, started, cmd (the argument list,
        secrets masked), answered_on_stdin.
        """
        values = [value for _name, value in answers]
        run = step_watchdog.run(
            self.module,
            self.argv(subcommand, arguments),
            timeout or self.timeout,
            cwd=install_paths.working_dir(self.new_install_dir),
            data="\n".join(values) if values else None,
            environ_update=step_watchdog.C_LOCALE,
            account=self.account,
        )
        run.update(
            stdout=self.masker.text(run["stdout"]),
            stderr=self.masker.text(run["stderr"]),
            cmd=self.shown_argv(subcommand, arguments),
            answered_on_stdin=[name for name, _value in answers],
        )
        return run

    def status(self):
        """Run ``sysupgrade status``; return (parsed status, run result)."""
        result = self.run("status", timeout=min(self.timeout, STATUS_TIMEOUT_SECONDS))
        return status_parser.parse_status(result["stdout"]), result
