# -*- coding: utf-8 -*-
"""Every documented option of every command becomes exactly the documented arguments (upgrade_script.md)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.apigw.sysupgrade.plugins.module_utils.step_commands import (
    STEP_OPTIONS, MissingCredential, build_arguments, option_with_value)

OLD = "/opt/Axway-7.5.3/apigateway"

# (id, step, params, expected arguments, expected stdin answers)
CASES = [
    ("export-minimal", "export", {"old_install_dir": OLD, "username": "admin", "password": "pw"},
     ["--old_install_dir", OLD, "--username", "admin"], [("password", "pw")]),
    ("export-all", "export",
     {"old_install_dir": OLD, "anm_host": "NodeA", "force": True, "username": "admin", "password": "pw"},
     ["--old_install_dir", OLD, "--anm_host", "NodeA", "--force", "--username", "admin"], [("password", "pw")]),
    ("export-force-false-adds-nothing", "export",
     {"old_install_dir": OLD, "force": False, "username": "u", "password": "p"},
     ["--old_install_dir", OLD, "--username", "u"], [("password", "p")]),
    ("upgrade-minimal", "upgrade", {}, [], []),
    ("upgrade-all", "upgrade",
     {"force": True, "tracelevel": "DEBUG", "cass_host": "192.0.2.0", "cass_port": 9142,
      "cass_username": "cass", "cass_password": "cpw", "no_cassandra": False},
     ["--force", "--tracelevel", "DEBUG", "--cass_host", "192.0.2.0", "--cass_port", "9142",
      "--cass_username", "cass", "--cass_password", "cpw"], []),
    ("upgrade-no-cassandra", "upgrade", {"no_cassandra": True, "tracelevel": "VERBOSE"},
     ["--tracelevel", "VERBOSE", "--no_cassandra"], []),
    ("apply-minimal", "apply", {"username": "admin", "password": "pw", "domain_passphrase": "dp"},
     ["--username", "admin"], [("password", "pw"), ("domain_passphrase", "dp")]),
    ("apply-all", "apply",
     {"anm_host": "NodeA", "domain_passphrase": "dp", "sign_alg": "sha512",
      "subj_alt_name": ["DNS.0=node1.example.com", "IP.0=10.4.6.7"], "force": True, "username": "admin",
      "password": "pw", "skip_db_upgrade": True, "tracelevel": "INFO"},
     ["--anm_host", "NodeA", "--sign_alg", "sha512", "--subj_alt_name", "DNS.0=node1.example.com",
      "--subj_alt_name", "IP.0=10.4.6.7", "--force", "--username", "admin", "--skip_db_upgrade",
      "--tracelevel", "INFO"],
     [("password", "pw"), ("domain_passphrase", "dp")]),
    ("apply-empty-san-list", "apply",
     {"subj_alt_name": [], "username": "a", "password": "p", "domain_passphrase": "d"},
     ["--username", "a"], [("password", "p"), ("domain_passphrase", "d")]),
    ("clean-minimal", "clean", {}, [], []),
    ("clean-tracelevel", "clean", {"tracelevel": "DEBUG"}, ["--tracelevel", "DEBUG"], []),
    ("status", "status", {}, [], []),
]


@pytest.mark.parametrize("step, params, arguments, answers", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_arguments_and_answers(step, params, arguments, answers):
    assert build_arguments(step, params) == (arguments, answers)


def test_secrets_never_on_the_command_line_except_cass_password():
    params = {"old_install_dir": OLD, "username": "u", "password": "SECRETPW", "domain_passphrase": "SECRETDP"}
    for step in ("export", "apply"):
        arguments, _answers = build_arguments(step, params)
        assert "SECRETPW" not in arguments and "SECRETDP" not in arguments
        assert "--password" not in arguments and "--domain_passphrase" not in arguments


@pytest.mark.parametrize("step, params, missing", [
    ("export", {"old_install_dir": OLD, "password": "p"}, "username"),
    ("export", {"old_install_dir": OLD, "username": "u"}, "password"),
    ("apply", {"username": "u", "password": "p"}, "domain_passphrase"),
    ("apply", {"username": "u", "password": "", "domain_passphrase": "d"}, "password"),
])
def test_a_prompt_that_cannot_be_answered_is_refused(step, params, missing):
    with pytest.raises(MissingCredential) as info:
        build_arguments(step, params)
    assert missing in str(info.value) and "prompt" in str(info.value)


def test_option_table_matches_the_contract():
    """Contract §4 lists the options of each command; the modules expose exactly these."""
    assert [n for n, dummy in STEP_OPTIONS["export"]] == ["old_install_dir", "anm_host", "force", "username", "password"]
    assert [n for n, dummy in STEP_OPTIONS["upgrade"]] == [
        "force", "tracelevel", "cass_host", "cass_port", "cass_username", "cass_password", "no_cassandra"]
    assert [n for n, dummy in STEP_OPTIONS["apply"]] == [
        "anm_host", "domain_passphrase", "sign_alg", "subj_alt_name", "force", "username", "password",
        "skip_db_upgrade", "tracelevel"]
    assert [n for n, dummy in STEP_OPTIONS["clean"]] == ["tracelevel"]


def test_a_value_that_starts_with_a_dash_stays_one_argument():
    # A generated Cassandra password such as "-x9..." would otherwise read as the next option.
    arguments, _answers = build_arguments("upgrade", {"cass_host": "NodeA", "cass_password": "-x9Secret"})
    assert "--cass_password=-x9Secret" in arguments and "-x9Secret" not in arguments
    assert option_with_value("cass_host", "NodeA") == ["--cass_host", "NodeA"]
