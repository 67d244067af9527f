"""anm_client against a real HTTPS server with real certificates (tests/unit/tls_server.py).

What a real domain needs (issue 8): the domain CA is in no trust store, so the default trust is a
pin of the certificate the ANM serves; a forged certificate (another CA, the same host names) or a
certificate for another host is refused at once and never retried; only an ANM that does not
answer yet is waited for, and the wait has a deadline that says what it waited for.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import time

import pytest

from ansible_collections.apigw.sysupgrade.plugins.module_utils import anm_client
from ansible_collections.apigw.sysupgrade.tests.unit.tls_server import FakeAnm, der_sha256

USER, PASSWORD = FakeAnm.USER, FakeAnm.PASSWORD


@pytest.fixture
def anm(pki):
    server = FakeAnm(pki.anm).start()
    yield server
    server.stop()


def get(url, **kwargs):
    return anm_client.get_json(url, USER, PASSWORD, timeout=5, **kwargs)


def test_pin_accepts_exactly_the_pinned_certificate(anm, pki):
    data, served = get(anm.url(), trust="pin", pin_sha256=der_sha256(pki.anm[0]))
    assert data["result"]["productVersion"] == "7.7"
    assert served == der_sha256(pki.anm[0])


def test_pin_accepts_colon_and_upper_case_fingerprints(anm, pki):
    pin = der_sha256(pki.anm[0]).upper()
    pin = ":".join(pin[i:i + 2] for i in range(0, 64, 2))
    assert get(anm.url(), trust="pin", pin_sha256=pin)[1] == der_sha256(pki.anm[0])


def test_forged_certificate_is_refused_before_credentials_are_sent(anm, pki):
    anm.cert = pki.forged  # another CA, the same host names
    started = time.monotonic()
    with pytest.raises(anm_client.AnmError) as err:
        get(anm.url(), trust="pin", pin_sha256=der_sha256(pki.anm[0]))
    assert time.monotonic() - started < 5
    assert err.value.kind == anm_client.CERTIFICATE and not err.value.retryable
    assert "is not the pinned one" in err.value.reason
    assert err.value.certificate_sha256 == der_sha256(pki.forged[0])
    assert anm.requests == []  # the password never reached the forger


def test_ca_trust_accepts_the_domain_certificate_and_refuses_a_forged_one(anm, pki):
    assert get(anm.url(), trust="ca", ca_path=pki.ca_path)[0]["result"]["hosts"][0]["name"] == "NodeA"
    anm.cert = pki.forged
    with pytest.raises(anm_client.AnmError) as err:
        get(anm.url(), trust="ca", ca_path=pki.ca_path)
    assert err.value.kind == anm_client.CERTIFICATE
    assert "certificate verify failed" in err.value.reason


def test_ca_trust_refuses_a_certificate_for_another_host_name(anm, pki):
    anm.cert = pki.other_host  # signed by the domain CA, but for NodeB
    with pytest.raises(anm_client.AnmError) as err:
        get(anm.url(), trust="ca", ca_path=pki.ca_path)
    assert err.value.kind == anm_client.CERTIFICATE
    assert "127.0.0.1" in err.value.reason or "hostname" in err.value.reason.lower()
    assert anm.requests == []


def test_system_trust_refuses_the_domain_ca(anm):
    with pytest.raises(anm_client.AnmError) as err:
        get(anm.url(), trust="system")
    assert err.value.kind == anm_client.CERTIFICATE


def test_no_trust_accepts_anything_and_still_reports_the_fingerprint(anm, pki):
    anm.cert = pki.forged
    assert get(anm.url(), trust="none")[1] == der_sha256(pki.forged[0])


def test_refused_credentials_are_an_auth_failure(anm, pki):
    with pytest.raises(anm_client.AnmError) as err:
        anm_client.get_json(anm.url(), USER, "wrong", trust="none", timeout=5)
    assert err.value.kind == anm_client.AUTH and not err.value.retryable
    assert "HTTP 401" in err.value.reason and "'admin'" in err.value.reason
    assert "wrong" not in str(err.value)


@pytest.mark.parametrize("status, kind", [(503, anm_client.UNAVAILABLE), (502, anm_client.UNAVAILABLE),
                                          (500, anm_client.HTTP), (404, anm_client.HTTP)])
def test_http_status_kinds(anm, status, kind):
    anm.status = status
    with pytest.raises(anm_client.AnmError) as err:
        get(anm.url(), trust="none")
    assert err.value.kind == kind and "HTTP %d" % status in err.value.reason


def test_not_json_is_a_protocol_failure(anm):
    anm.body = b"<html>login</html>"
    with pytest.raises(anm_client.AnmError) as err:
        get(anm.url(), trust="none")
    assert err.value.kind == anm_client.PROTOCOL


def test_nothing_listening_is_unavailable():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with pytest.raises(anm_client.AnmError) as err:
        get("https://127.0.0.1:%d/api/topology" % port, trust="none")
    assert err.value.kind == anm_client.UNAVAILABLE and err.value.retryable


def test_wait_for_outlasts_a_starting_anm(anm):
    anm.answers_left_before_ready = 2
    answer, attempts = anm_client.wait_for(lambda: get(anm.url(), trust="none"), anm.url(), 20,
                                           lambda a: None, interval=0.05)
    assert attempts == 3 and answer[0]["result"]["productVersion"] == "7.7"


def test_wait_for_waits_for_the_version():
    answers = iter([({"v": "7.5.3"}, "f"), ({"v": "7.5.3"}, "f"), ({"v": "7.7"}, "f")])
    answer, attempts = anm_client.wait_for(lambda: next(answers), "https://x/", 20,
                                           lambda a: None if a[0]["v"] == "7.7" else "old version",
                                           interval=0, sleep=lambda s: None)
    assert attempts == 3 and answer[0]["v"] == "7.7"


def test_wait_for_never_retries_a_certificate_failure(anm, pki):
    anm.cert = pki.forged
    calls = []

    def call():
        calls.append(1)
        return get(anm.url(), trust="pin", pin_sha256=der_sha256(pki.anm[0]))
    with pytest.raises(anm_client.AnmError) as err:
        anm_client.wait_for(call, anm.url(), 60, lambda a: None, interval=0.05)
    assert err.value.kind == anm_client.CERTIFICATE and calls == [1]


def test_wait_for_deadline_names_the_url_and_the_last_reason():
    now = [0.0]

    def call():
        raise anm_client.AnmError(anm_client.UNAVAILABLE, "https://NodeA:8090/api/topology",
                                  "[Errno 111] Connection refused")
    with pytest.raises(anm_client.AnmError) as err:
        anm_client.wait_for(call, "https://NodeA:8090/api/topology", 10, lambda a: None, interval=2,
                            clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
    assert err.value.kind == anm_client.UNAVAILABLE
    assert err.value.url == "https://NodeA:8090/api/topology"
    assert "still not ready after 10 s and 6 attempts: [Errno 111] Connection refused" in err.value.reason


@pytest.mark.parametrize("value", ["", "abc", "g" * 64, None])
def test_bad_pins_are_refused(value):
    with pytest.raises(ValueError):
        anm_client.normalize_sha256(value)


@pytest.mark.parametrize("url", ["http://NodeA:8090/", "NodeA:8090", "https:///x"])
def test_only_https_urls(url):
    with pytest.raises(ValueError):
        anm_client.split_url(url)


def test_loopback_urls():
    assert anm_client.is_loopback_url("https://127.0.0.1:8090/api/topology")
    assert anm_client.is_loopback_url("https://[::1]:8090/")
    assert not anm_client.is_loopback_url("https://NodeA:8090/")


def test_wait_for_gives_up_at_once_when_waiting_cannot_help():
    now, asked = [0.0], []

    def call():
        raise anm_client.AnmError(anm_client.UNAVAILABLE, "https://127.0.0.1:8090/api/topology", "connection refused")

    def give_up():
        asked.append(now[0])
        return "its Node Manager is not running" if len(asked) == 3 else None
    with pytest.raises(anm_client.AnmError) as err:
        anm_client.wait_for(call, "https://127.0.0.1:8090/api/topology", 300, lambda a: None, interval=2,
                            clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s), give_up=give_up)
    assert asked == [0.0, 2.0, 4.0]  # asked after every silent attempt, and no more after it said so
    assert (err.value.kind, err.value.attempts, err.value.gave_up) == (
        anm_client.UNAVAILABLE, 3, "its Node Manager is not running")
    assert err.value.reason == "connection refused, and its Node Manager is not running"
    assert err.value.last_reason == "connection refused"


def test_wait_for_never_asks_give_up_about_an_answer_that_will_do():
    answer, attempts = anm_client.wait_for(lambda: ({"v": "7.7"}, "f"), "https://x/", 20, lambda a: None,
                                           give_up=lambda: pytest.fail("asked although the ANM answered"))
    assert attempts == 1 and answer[0]["v"] == "7.7"
