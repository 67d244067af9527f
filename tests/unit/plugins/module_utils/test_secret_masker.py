# -*- coding: utf-8 -*-

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.apigw.sysupgrade.plugins.module_utils.secret_masker import MASK, SecretMasker


def test_masks_everywhere_longest_first():
    masker = SecretMasker(["abc", "abcdef", None, ""])
    data = {"k abcdef": ["x abc y", ("abcdef",)], "n": 3, "b": True}
    assert masker.data(data) == {"k " + MASK: ["x %s y" % MASK, [MASK]], "n": 3, "b": True}


def test_no_secrets_is_identity():
    assert SecretMasker().text("plain") == "plain"
