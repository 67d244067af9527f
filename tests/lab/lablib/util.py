"""Small helpers shared by the lablib modules: running commands, errors, logging."""
import os
import subprocess
import sys
import time


class LabError(Exception):
    """An error labctl reports to the user (one line, names the node/option/file)."""


# Environment for commands run inside a lab host: the controller's PATH points at
# pyenv shims under /root, which is private (empty) on lab hosts.
HOST_ENV = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME": "/root",
    "LANG": "C.UTF-8",
    "USER": "root",
    "LOGNAME": "root",
    "SHELL": "/bin/sh",
}


def log(msg):
    """Progress messages go to stderr so stdout stays parseable (status --json etc.)."""
    print(msg, file=sys.stderr, flush=True)


def run(argv, check=True, input=None, timeout=60, env=None, what=None):
    """Run a command, capture text output; on failure raise LabError with its stderr."""
    try:
        proc = subprocess.run(argv, input=input, capture_output=True, check=False, text=True,
                              timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        raise LabError("%s: timed out after %ss: %s" % (what or argv[0], timeout, " ".join(argv)))
    if check and proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip()
        raise LabError("%s: command failed (exit %d): %s: %s"
                       % (what or argv[0], proc.returncode, " ".join(argv), detail))
    return proc


def write_file(path, text, mode=0o644):
    """Write a file with its mode set before any content lands (secrets never world-readable)."""
    path = os.fspath(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.chmod(path, mode)  # O_CREAT's mode is ignored when the file already existed


def wait_until(predicate, timeout, interval=0.05):
    """Poll predicate() until true or timeout; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


class Timer:
    """Measures wall time for the 'took N s' lines that up/down print."""

    def __init__(self):
        self.start = time.monotonic()

    def elapsed(self):
        return time.monotonic() - self.start
