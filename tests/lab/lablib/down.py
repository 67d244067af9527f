"""labctl down: remove every trace of a lab (also a half-made one) and say what is left."""
import os
import shutil
import signal
import subprocess
from pathlib import Path

from . import haproxy, hosts, netns
from . import state as st
from .util import LabError, Timer, log


def down():
    timer, lab_dir = Timer(), st.lab_dir()
    with st.LabLock():
        left = teardown(lab_dir)
    if left:
        for item in left:
            log("left behind: %s" % item)
        raise LabError("down could not remove everything (%d item(s) above)" % len(left))
    log("down: took %.2f s" % timer.elapsed())
    return 0


def teardown(lab_dir):
    """Remove every trace of the lab (also a half-made one); returns what is still there."""
    try:
        state = st.load_state(lab_dir)
    except LabError:
        state = {"hosts": {}, "run_netns_was_mounted": True}
    close_ssh_masters(lab_dir)
    haproxy.stop(state, lab_dir)
    kill_hosts(lab_dir, state)
    for ns in netns.existing_namespaces():
        netns.delete_namespace(ns)
    for link in netns.lab_links():
        netns.delete_link(link)
    if not state.get("run_netns_was_mounted", True) and netns.run_netns_mounted() \
            and not os.listdir("/run/netns"):
        subprocess.run(["umount", "/run/netns"], capture_output=True, check=False)
    kill_lab_ssh_clients(lab_dir)
    left = leftovers(lab_dir, state)
    if not left and (lab_dir / st.MARKER).exists():
        shutil.rmtree(lab_dir, ignore_errors=True)
        if lab_dir.exists():
            left.append("folder %s" % lab_dir)
    return left


def close_ssh_masters(lab_dir):
    """Ask ControlPersist masters to exit before their hosts vanish."""
    cm = lab_dir / "cm"
    if not cm.is_dir():
        return
    for sock in cm.iterdir():
        try:
            subprocess.run(["ssh", "-o", "ControlPath=%s" % sock, "-O", "exit", "lab"],
                           capture_output=True, check=False, timeout=5)
        except subprocess.TimeoutExpired:
            pass  # kill_lab_ssh_clients() gets it below


def kill_hosts(lab_dir, state):
    """SIGKILL each host's PID 1 and anything else inside a lab namespace."""
    pids = [e["pid"] for e in state["hosts"].values() if e.get("pid")]
    for ns in netns.existing_namespaces():
        pids += netns.namespace_pids(ns)
    for pid in set(pids):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    hosts.wait_dead(pids, timeout=10)


def lab_processes(lab_dir):
    """(pid, cmdline) of processes naming $LAB_DIR (sshd -f ..., ssh masters), not ourselves."""
    found, me = [], os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        try:
            cmd = Path("/proc/%s/cmdline" % entry).read_bytes().replace(b"\0", b" ").decode(
                errors="replace").strip()
        except OSError:
            continue
        if str(lab_dir) + "/" in cmd:
            found.append((int(entry), cmd))
    return found


def kill_lab_ssh_clients(lab_dir):
    """ssh clients/masters pointed at the lab die with it (they would only time out)."""
    for pid, cmd in lab_processes(lab_dir):
        if cmd.startswith("ssh"):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def leftovers(lab_dir, state=None):
    left = ["namespace %s" % n for n in netns.existing_namespaces()]
    left += ["interface %s" % n for n in netns.lab_links()]
    # every process naming $LAB_DIR: sshds, ssh masters, and the load balancer (its -f
    # $LAB_DIR/haproxy/haproxy.cfg); the recorded HAProxy pid is checked too
    left += ["process %d: %s" % p for p in lab_processes(lab_dir)]
    lb = (state or {}).get("haproxy") or {}
    if lb.get("pid") and haproxy.is_ours(lb["pid"], lab_dir) and not haproxy.zombie(lb["pid"]) \
            and lb["pid"] not in [p for p, _c in lab_processes(lab_dir)]:
        left.append("process %d: haproxy (load balancer)" % lb["pid"])
    with open("/proc/self/mounts") as handle:
        for line in handle:
            point = line.split()[1]
            if point.startswith(str(lab_dir) + "/") or point.startswith("/run/netns/" + st.NS_PREFIX):
                left.append("mount %s" % point)
    return left
