"""Start and stop one lab host: its own mount/UTS/PID namespaces inside its network namespace.

Private per host: /opt, /root and /etc/init.d (bind mounts of $LAB_DIR/hosts/<node>/{opt,root,
init.d}); with labctl up --owner also /etc/passwd, group, shadow, gshadow, /etc/sudoers.d and
/home (accounts.py); each bind is checked before sshd starts, so nothing can land in the machine's own
folders (the machine's /etc/init.d is never written).

The host's PID 1 is sshd. Killing it kills every process of the host (power cut); starting it
again is a reboot without init scripts: /opt and /root survive because they live on the
controller's disk under $LAB_DIR/hosts/<node>.
"""
import os
import shlex
import signal
import subprocess
from pathlib import Path

from .accounts import bind_files
from .sshd import log_tail
from .util import HOST_ENV, LabError, run, wait_until

# The inner shell. Every bind is checked: if /opt were not our folder, sshd must not start,
# because anything later written to /opt would land in the machine's real /opt.
INNER = r"""
set -u
fail() { echo "labctl host start: $*" >&2; exit 97; }
hostname %(hostname)s || fail "hostname %(hostname)s"
mount --bind %(opt)s /opt || fail "bind %(opt)s on /opt"
mountpoint -q /opt || fail "/opt is not a mount point after bind"
[ -e /opt/%(mark)s ] || fail "/opt is not %(opt)s"
mount --bind %(root)s /root || fail "bind %(root)s on /root"
mount --bind %(initd)s /etc/init.d || fail "bind %(initd)s on /etc/init.d"
mountpoint -q /etc/init.d || fail "/etc/init.d is not a mount point after bind"
[ /etc/init.d -ef %(initd)s ] || fail "/etc/init.d is not %(initd)s"
mount -t tmpfs -o mode=0755 tmpfs /run || fail "tmpfs on /run"
mkdir -p /run/sshd || fail "mkdir /run/sshd"
mount --bind %(hosts)s /etc/hosts || fail "bind %(hosts)s on /etc/hosts"
%(accounts)s
cd /
exec /usr/sbin/sshd -D -e -f %(config)s
"""

# labctl up --owner: the host's own passwd/group/shadow/gshadow, sudoers.d and /home
# (accounts.bind_files); each bind checked like /opt's, so the machine's files are never written.
ACCOUNT_BIND = ('mount --bind %(src)s %(dst)s || fail "bind %(src)s on %(dst)s"\n'
                '[ %(dst)s -ef %(src)s ] || fail "%(dst)s is not %(src)s"')

OPT_MARK = ".apigw-lab-host"   # a file in the host's own /opt folder, checked after the bind


def prepare_dirs(hdir):
    """opt/, root/ and init.d/ of one host; the marker proves the /opt bind worked."""
    (hdir / "init.d").mkdir(parents=True, exist_ok=True)
    os.chmod(hdir / "init.d", 0o755)
    (hdir / "opt").mkdir(parents=True, exist_ok=True)
    (hdir / "opt" / OPT_MARK).write_text("apigw lab host folder\n")
    (hdir / "root" / ".ssh").mkdir(parents=True, exist_ok=True)
    os.chmod(hdir / "root", 0o700)


def start(node, ns, hdir, hosts_file):
    """Launch the host; returns the host's PID 1 (sshd) as seen from the controller."""
    script = INNER % {"hostname": shlex.quote(node), "opt": shlex.quote(str(hdir / "opt")),
                      "root": shlex.quote(str(hdir / "root")), "hosts": shlex.quote(str(hosts_file)),
                      "initd": shlex.quote(str(hdir / "init.d")),
                      "config": shlex.quote(str(hdir / "sshd_config")), "mark": OPT_MARK,
                      "accounts": "\n".join(
                          ACCOUNT_BIND % {"src": shlex.quote(str(src)), "dst": dst}
                          for src, dst in bind_files(hdir))}
    argv = ["setsid", "ip", "netns", "exec", ns, "unshare", "--mount", "--uts", "--pid", "--fork",
            "--mount-proc", "--propagation", "private", "--kill-child=SIGKILL", "/bin/sh", "-c",
            script]
    log = open(hdir / "sshd.log", "ab")
    # Detached from labctl: setsid gives it its own session (a fresh child is never a process
    # group leader, so setsid execs in place and proc.pid stays unshare's pid); stdio -> sshd.log.
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                            env=HOST_ENV, close_fds=True)
    log.close()
    try:
        pid1 = wait_until(lambda: _child_sshd(proc), timeout=10)
    except LabError as exc:
        pid1, why = None, str(exc)
    else:
        why = "no sshd after 10 s"
    if not pid1:
        raise LabError("node %s: host did not start (%s): %s"
                       % (node, why, log_tail(hdir / "sshd.log")))
    (hdir / "pid").write_text("%d\n" % pid1)
    return pid1


def _child_sshd(proc):
    """unshare --fork's child once it has exec'd sshd, or None (raises if start-up died)."""
    if proc.poll() is not None:
        raise LabError("host start-up exited with %s" % proc.returncode)
    try:
        children = Path("/proc/%d/task/%d/children" % (proc.pid, proc.pid)).read_text().split()
    except FileNotFoundError:
        return None
    for child in children:
        try:
            if os.readlink("/proc/%s/exe" % child).endswith("/sshd"):
                return int(child)
        except OSError:
            pass
    return None


def read_pid(hdir):
    try:
        return int((hdir / "pid").read_text())
    except (FileNotFoundError, ValueError):
        return None


def alive(pid):
    """True when pid is a running (not zombie) sshd: the host is powered on."""
    if not pid:
        return False
    try:
        return running(pid) and os.readlink("/proc/%d/exe" % pid).endswith("/sshd")
    except OSError:
        return False


def kill(pid, timeout=5):
    """SIGKILL the host's PID 1; the kernel then kills the whole PID namespace."""
    if not alive(pid):
        return True
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return True
    return wait_until(lambda: not running(pid), timeout)


def nsenter_argv(pid, argv, cwd="/"):
    """Run argv inside the host: its network, mount, UTS and PID namespaces (as if logged in)."""
    return ["nsenter", "-t", str(pid), "--net", "--mount", "--uts", "--pid", "--wd=" + cwd,
            "--"] + list(argv)


def exec_in(node, pid, argv, timeout=60, check=True, input=None):
    if not alive(pid):
        raise LabError("node %s is down (crashed or not booted); try 'labctl boot %s'" % (node, node))
    return run(nsenter_argv(pid, argv), check=check, timeout=timeout, env=HOST_ENV, input=input,
               what="node %s: %s" % (node, argv[0]))


def running(pid):
    """True while pid exists and is not a zombie. Zombies count as dead: once labctl has
    exited, the machine's init reaps the host's processes, here up to ~2 s later."""
    try:
        stat = Path("/proc/%d/stat" % pid).read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def wait_dead(pids, timeout=5):
    return wait_until(lambda: not any(running(p) for p in pids), timeout)
