# -*- coding: utf-8 -*-
"""Questions on standard input are recognised by mechanism and shape, never by the lab's wording.

None of the prompt texts below is the lab's (tests/lab/product): they are shapes a real tool may
print. What is relied on is what the module sets up: answers on a pipe that is then closed (so
nothing is echoed and a further read gets end-of-file), and the watchdog's time limit.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.apigw.sysupgrade.plugins.module_utils import step_verdict, step_watchdog

DONE = {"known": True, "completed": ["export"], "current_status": "export complete", "next_step": "upgrade"}
NOT_DONE = {"known": True, "completed": [], "current_status": "not started", "next_step": "export"}
TIMEOUT_NOTE = "\n%s after 60 s; process group stopped\n" % step_watchdog.TIMEOUT_MARKER


def run(stdout="", stderr="", rc=1, answered=(), timed_out=False):
    return {"rc": rc, "stdout": stdout, "stderr": stderr, "timed_out": timed_out,
            "answered_on_stdin": list(answered)}


def questions(**kwargs):
    r = run(**kwargs)
    return step_verdict.unanswered_questions(r["stdout"], r["stderr"], r["answered_on_stdin"], r["timed_out"])


# (id, run arguments, expected question, expected option, asked again)
SHAPES = [
    ("password-left-open", dict(stdout="Connecting...\nAdmin password: "), "Admin password:", "password", False),
    ("passphrase-question-on-stderr", dict(stderr="Domain CA key passphrase? "),
     "Domain CA key passphrase?", "domain_passphrase", False),
    ("user-name-then-java-eof", dict(
        stdout="Please give the user name for the Admin Node Manager: ",
        stderr='Exception in thread "main" java.util.NoSuchElementException: No line found\n'
               "\tat java.util.Scanner.nextLine(Scanner.java:1540)\n"),
     "Please give the user name for the Admin Node Manager:", "username", False),
    ("password-refused-and-asked-again", dict(stdout="Password: Login failed. Password: ", answered=["password"]),
     "Password:", "password", True),
    ("passphrase-asked-again-then-error-on-the-same-line", dict(
        stdout="Password: Passphrase: Passphrase: unable to unlock the domain key\n",
        answered=["password", "domain_passphrase"]),
     "Passphrase:", "domain_passphrase", True),
    ("yes-no-choice-mid-output", dict(stdout="Overwrite the existing topology (yes/no)? aborted\nbye\n"),
     "Overwrite the existing topology (yes/no)?", None, False),
    ("y-n-choice-at-the-end", dict(stdout="3 warnings found. Open the log now [Y/n] "),
     "Open the log now [Y/n]", None, False),
    ("generic-question-left-open", dict(stdout="Select the topology host to use:"),
     "Select the topology host to use:", None, False),
    ("force-question", dict(stdout="Step already done. Run it again with --force? "),
     "Run it again with --force?", "force", False),
    ("question-when-stopped-at-the-time-limit", dict(
        stdout="Checking...\nWhich group should be kept?\n", stderr=TIMEOUT_NOTE, rc=124, timed_out=True),
     "Which group should be kept?", None, False),
]


@pytest.mark.parametrize("kwargs, question, option, again", [s[1:] for s in SHAPES], ids=[s[0] for s in SHAPES])
def test_question_shapes_are_recognised(kwargs, question, option, again):
    found = questions(**kwargs)
    assert found, "no question found"
    assert found[-1] == {"question": question, "option": option, "again": again}


@pytest.mark.parametrize("kwargs, question, option, again", [s[1:] for s in SHAPES], ids=[s[0] for s in SHAPES])
def test_a_failed_step_names_the_question_and_the_option(kwargs, question, option, again):
    reasons = step_verdict.judge("export", run(**kwargs), None, NOT_DONE, 60)
    first = reasons[1] if kwargs.get("timed_out") else reasons[0]
    assert first.startswith("it asked a question on standard input that the module does not answer, and read end of file: ")
    assert "'%s'" % question in first
    if option is None:
        assert "no option of this module answers it" in first
    elif option == "force":
        assert "set the option force=true" in first
    elif again:
        assert "asked again after the value given" in first and "check the option %s" % option in first
    else:
        assert "input it was not given; set the option %s" % option in first


NOT_QUESTIONS = [
    ("answered-prompts-are-not-echoed", dict(stdout="Password: Passphrase: Applying the configuration\nDone.\n",
                                             answered=["password", "domain_passphrase"])),
    ("answered-prompt-left-open", dict(stdout="Password: ", answered=["password"])),
    ("error-message-naming-a-password", dict(stderr="ERROR: Invalid password: the Admin Node Manager refused it\n")),
    ("log-section-header", dict(stdout="[ERROR] messages from [API Manager] :\nERROR: Found duplicate users\n")),
    ("trace-line", dict(stdout="2026-11-25 03:10:00 INFO checking the password: ok\n")),
    ("colon-ended-line-with-a-line-break", dict(stdout="The following files were migrated:\n/opt/a\n")),
    ("question-mark-mid-output", dict(stdout="Why did it fail? See the log.\n")),
    ("vendor-error-with-passphrase", dict(stdout=(
        "ERROR: Node Manager error: Failed to sign CSR for service. None of the available Admin Node Managers "
        "have the domain private key, or were able to unlock it with provided passphrase.\n"))),
    ("stack-frame", dict(stderr="java.lang.IllegalStateException: no password:\n\tat a.b.C.d(C.java:1)\n")),
    ("label-and-value", dict(stdout="Connecting to the Admin Node Manager as user: admin\nDone\n")),
]


@pytest.mark.parametrize("kwargs", [n[1] for n in NOT_QUESTIONS], ids=[n[0] for n in NOT_QUESTIONS])
def test_output_that_is_not_an_unanswered_question(kwargs):
    assert questions(**kwargs) == []


def test_the_old_lab_wording_alone_is_no_longer_the_trigger():
    stderr = "ERROR: No value supplied for password (use --password)\n"
    assert questions(stderr=stderr) == []
    reasons = step_verdict.judge("export", run(stderr=stderr, rc=1), None, NOT_DONE, 60)
    assert reasons == ["exit code 1", "status did not advance (still 'not started')"]


def test_the_watchdog_note_does_not_hide_or_fake_a_question():
    # The note is the watchdog's, not the tool's: its own ':' is no question, and the tool's open
    # question before it is still the last thing the tool wrote.
    assert questions(stderr=TIMEOUT_NOTE, rc=124, timed_out=True) == []
    found = questions(stderr="Key store passphrase:" + TIMEOUT_NOTE, rc=124, timed_out=True)
    assert found == [{"question": "Key store passphrase:", "option": "domain_passphrase", "again": False}]


def test_a_question_alone_does_not_fail_a_step_that_succeeded():
    ok = run(stdout="Upgrade finished with warnings. Open the log now [y/N] ", rc=0)
    assert step_verdict.judge("export", ok, None, DONE, 60) == []
    warning = step_verdict.question_warning("export", ok)
    assert warning == ("sysupgrade export asked a question on standard input that the module does not answer "
                       "('Open the log now [y/N]'); it read end of file, went on and succeeded")


def test_no_warning_without_a_question():
    assert step_verdict.question_warning("export", run(stdout="done\n", rc=0)) is None


def test_no_warning_for_a_credential_match_on_success():
    # A step cannot succeed without the credential it lacked: such a match on success is a label.
    ok = run(stdout="Password: Passphrase: Password: all done\n", rc=0, answered=["password", "domain_passphrase"])
    assert questions(**dict(stdout=ok["stdout"], answered=["password", "domain_passphrase"]))
    assert step_verdict.question_warning("apply", ok) is None


def test_the_question_comes_first_then_the_other_reasons():
    reasons = step_verdict.judge("export", run(stdout="Admin password: ", rc=2), None, NOT_DONE, 60)
    assert reasons[0].startswith("it asked a question")
    assert reasons[1:] == ["exit code 2", "status did not advance (still 'not started')"]


def test_at_most_three_questions_are_quoted():
    text = "".join("Question %d (y/n)? \n" % i for i in range(5))
    reason = step_verdict.prompt_reason(questions(stdout=text))
    assert reason.count("'Question") == 3 and reason.endswith("and 2 more")


def test_a_timeout_is_the_headline_not_the_last_log_line():
    r = run(stdout="", stderr=TIMEOUT_NOTE, rc=124, timed_out=True)
    log = {"counts": {"error": 0, "warning": 0, "info": 2},
           "tail": ["2026-12-01 03:28:29 INFO sysupgrade export started", "2026-12-01 03:28:29 INFO Processing ..."],
           "issues": []}
    reasons = step_verdict.judge("export", r, log, NOT_DONE, 5)
    msg = step_verdict.failure_message("export", reasons, log, "/new/upgrade/bin/out/logs/export.log", r, 5)
    assert msg.startswith("sysupgrade export timed out: still running after 5 s, so it was stopped "
                          "(raise the step's timeout, apigw_step_timeout, if it only needs longer).")
    assert "Last log line: 2026-12-01 03:28:29 INFO Processing ..." in msg
    assert msg.endswith("Log: /new/upgrade/bin/out/logs/export.log")
