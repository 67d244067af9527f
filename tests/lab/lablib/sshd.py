"""sshd of one lab host: host key, sshd_config; and the controller's key and connection checks."""
import socket
import subprocess
import time

from .util import LabError, run, write_file


def keygen(path, comment):
    """An ed25519 key pair without passphrase (host keys change at every up)."""
    run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
        what="ssh-keygen %s" % path)


def public_key(path):
    return open(str(path) + ".pub").read().strip()


def write_config(path, address, host_key):
    """Settings from the recipe: key-only root login, no PAM, no pid file, many sessions."""
    text = "\n".join([
        "# apigw lab host sshd (written by labctl)",
        "ListenAddress %s" % address,
        "Port 22",
        "HostKey %s" % host_key,
        "PidFile none",
        "UsePAM no",
        "StrictModes no",
        "PermitRootLogin prohibit-password",
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "AuthorizedKeysFile .ssh/authorized_keys",
        "MaxStartups 200:30:400",
        "MaxSessions 100",
        "UseDNS no",
        "PrintMotd no",
        "AcceptEnv LANG LC_*",
        "Subsystem sftp /usr/lib/openssh/sftp-server",
        "",
    ])
    write_file(path, text, 0o600)


def port_open(address, port=22, timeout=0.3):
    """True when something accepts TCP on address:port (sshd is listening)."""
    try:
        with socket.create_connection((address, port), timeout=timeout):
            return True
    except OSError:
        return False


def ssh_argv(lab_dir, node, command=None, extra=()):
    """ssh to a node through the lab's ssh_config (strict host keys, lab key, keepalives)."""
    argv = ["ssh", "-F", str(lab_dir / "ssh_config")] + list(extra) + [node]
    if command is not None:
        argv.append(command)
    return argv


def ssh_works(lab_dir, node, timeout=10):
    """A real login (key auth + host key check), without the shared master connection."""
    argv = ssh_argv(lab_dir, node, "true", ["-o", "ControlMaster=no", "-o", "ControlPath=none"])
    try:
        return subprocess.run(argv, capture_output=True, check=False, timeout=timeout).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def require_ssh(lab_dir, node, address, running=lambda: True, timeout=20):
    """Raise unless ssh to node logs in; names the node and what failed.

    running() tells whether the host's PID 1 still lives: sshd can exec and then die on its
    config, and waiting for the port would only time out without saying why.
    """
    log = lab_dir / "hosts" / node / "sshd.log"
    deadline = time.monotonic() + timeout
    while not port_open(address):
        if not running():
            raise LabError("node %s: host did not start (sshd exited): %s" % (node, log_tail(log)))
        if time.monotonic() > deadline:
            raise LabError("node %s: sshd not listening on %s:22 after %ss: %s"
                           % (node, address, timeout, log_tail(log)))
        time.sleep(0.05)
    while not ssh_works(lab_dir, node):
        if time.monotonic() > deadline:
            raise LabError("node %s: ssh login to %s fails: %s" % (node, address, log_tail(log)))
        time.sleep(0.1)


def log_tail(path, lines=3):
    """The end of a host's sshd log, quoted in errors (a failed up removes the file)."""
    try:
        text = path.read_text(errors="replace").strip().splitlines()
    except FileNotFoundError:
        return "(no %s)" % path
    return " | ".join(text[-lines:]) or "(empty %s)" % path
