# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Replace secret values in anything the modules return or warn about.

AnsibleModule already scrubs ``no_log`` values from exit_json/fail_json, but not from everything
(warnings, messages built before a failure, values the tool echoes back in another form). The
modules therefore mask explicitly as well: belt and braces, product contract §6 ("Secrets never
reach the Ansible output").
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

MASK = "********"


class SecretMasker:
    def __init__(self, secrets=()):
        # Longest first, so a secret that contains another is masked whole.
        unique = set(str(s) for s in secrets if s is not None and str(s) != "")
        self.secrets = sorted(unique, key=len, reverse=True)

    def text(self, value):
        if not isinstance(value, str):
            return value
        for secret in self.secrets:
            if secret in value:
                value = value.replace(secret, MASK)
        return value

    def data(self, value):
        """Mask recursively inside dicts, lists and tuples; other types are returned unchanged."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return dict((self.data(k), self.data(v)) for k, v in value.items())
        if isinstance(value, (list, tuple)):
            return [self.data(v) for v in value]
        return value
