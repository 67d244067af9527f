"""domain_key_info against real PKCS#12 files made with openssl, as a domain's domain.p12 is."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import subprocess

import pytest

from ansible.module_utils import basic

from ansible_collections.apigw.sysupgrade.plugins.modules import domain_key_info
from ansible_collections.apigw.sysupgrade.tests.unit.module_runner import run_main

PASSPHRASE = "Domain-Pass 42!"


def run(monkeypatch, args):
    return run_main(monkeypatch, domain_key_info.main, args)


def make_install(tmp_path_factory, *export_options):
    root = tmp_path_factory.mktemp("apigateway")
    private = root / "groups" / "certs" / "private"
    private.mkdir(parents=True)
    key, cert = root / "ca.key", root / "ca.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=domain CA"],
                   check=True, capture_output=True)
    argv = ["openssl", "pkcs12", "-export"] + list(export_options)
    argv += ["-inkey", str(key), "-in", str(cert), "-out", str(private / "domain.p12"), "-passout", "stdin"]
    subprocess.run(argv,
                   input=PASSPHRASE + "\n", text=True, check=True, capture_output=True)
    return root


@pytest.fixture(scope="module")
def install(tmp_path_factory):
    """An apigateway folder whose groups/certs/private/domain.p12 is a real PKCS#12 of a CA."""
    return make_install(tmp_path_factory)


def test_a_legacy_key_store_is_opened_with_legacy(monkeypatch, tmp_path_factory):
    # Older releases wrote RC2/3DES key stores, which OpenSSL 3 reads only with -legacy.
    install = make_install(tmp_path_factory, "-legacy")
    result = run(monkeypatch, {"install_dir": str(install), "domain_passphrase": PASSPHRASE})
    assert not result.get("failed"), result
    assert result["unlocked"] and result["legacy"] and "-legacy" in result["cmd"]
    wrong = run(monkeypatch, {"install_dir": str(install), "domain_passphrase": "nope"})
    assert wrong["failed"] and wrong["failure_kind"] == "passphrase"


def test_the_right_passphrase_opens_it(monkeypatch, install):
    result = run(monkeypatch, {"install_dir": str(install), "domain_passphrase": PASSPHRASE,
                               "_ansible_check_mode": True})
    assert not result.get("failed"), result
    assert result["unlocked"] is True and result["changed"] is False and result["rc"] == 0
    assert result["path"] == str(install / "groups" / "certs" / "private" / "domain.p12")
    assert result["cmd"][1:] == ["pkcs12", "-noout", "-in", result["path"], "-passin", "stdin"]


def test_a_wrong_passphrase_is_named_and_never_shown(monkeypatch, install):
    result = run(monkeypatch, {"install_dir": str(install), "domain_passphrase": "wrong-Phrase"})
    assert result["failed"] and result["failure_kind"] == "passphrase" and result["unlocked"] is False
    assert result["msg"].startswith("The domain passphrase does not open the domain CA key store %s"
                                    % result["path"])
    assert "wrong-Phrase" not in json.dumps(result)


def test_a_missing_key_store_says_this_is_not_the_first_anm(monkeypatch, tmp_path):
    result = run(monkeypatch, {"install_dir": str(tmp_path), "domain_passphrase": PASSPHRASE})
    assert result["failed"] and result["failure_kind"] == "missing" and result["rc"] is None
    assert "groups/certs/private/domain.p12 does not exist" in result["msg"]


def test_a_file_that_is_not_pkcs12(monkeypatch, tmp_path):
    private = tmp_path / "groups" / "certs" / "private"
    private.mkdir(parents=True)
    (private / "domain.p12").write_text('{"not": "pkcs12"}')
    result = run(monkeypatch, {"install_dir": str(tmp_path), "domain_passphrase": PASSPHRASE})
    assert result["failed"] and result["failure_kind"] == "openssl"
    assert "openssl could not read the domain CA key store" in result["msg"]


def test_no_openssl(monkeypatch, install):
    monkeypatch.setattr(basic.AnsibleModule, "get_bin_path", lambda self, name, *a, **k: None)
    result = run(monkeypatch, {"install_dir": str(install), "domain_passphrase": PASSPHRASE})
    assert result["failed"] and result["failure_kind"] == "openssl"
    assert result["msg"].startswith("openssl is not installed on this node")


@pytest.mark.parametrize("rc, stderr, kind", [
    (0, "", None),
    (1, "Mac verify error: invalid password?\n", "passphrase"),
    (1, "MAC verify failure\n", "passphrase"),
    (1, "Error outputting keys and certificates\n40F7:error:0308010C:digital envelope routines"
        "::unsupported:crypto/evp/evp_fetch.c:349:Global default library context, Algorithm (RC2-40-CBC "
        ": 0), Properties ()\n", "unsupported"),
    (1, "Could not read PKCS12 file\n", "openssl"),
])
def test_classify(rc, stderr, kind):
    assert domain_key_info.classify(rc, stderr) == kind
