"""posix/bin/nodemanager and posix/bin/startinstance (contract §2, manage_operations.md).

-d returns once the process listens (manage_operations.md: "-d waits until the service is
running"); -k returns once it has exited; -s exits 0 if running, 1 if not. `startinstance` with no
argument lists the instances registered on this host in the vendor's format, or, with exactly one
instance, starts it ("that instance starts when you specify no arguments").
Timeouts (DESIGN.md): 15 s for -d, SIGKILL 10 s after SIGTERM for -k.
"""
import os
import signal
import subprocess
import sys
import time

from . import daemon, instances, net

START_TIMEOUT = 15.0
KILL_AFTER = 10.0


def running_pid(install, component):
    """The pid from the pid file if that process is alive and is ours (pid files, never pgrep:
    lab-recipe.md)."""
    try:
        pid = int(open(daemon.pid_file(install, component)).read().strip())
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            cmd = f.read().decode("utf-8", "replace")
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (IOError, OSError, ValueError):
        return None
    if "apigw_lab.daemon" not in cmd or install.root not in cmd or state == "Z":
        return None
    return pid


def _spawn(install, args, component):
    log = os.path.join(install.pid_dir, component + ".log")
    if not os.path.isdir(install.pid_dir):
        os.makedirs(install.pid_dir)
    env = dict(os.environ, PYTHONPATH=install.lib_dir)
    with open(log, "a") as out, open(os.devnull) as devnull:
        subprocess.Popen([sys.executable, "-m", "apigw_lab.daemon"] + args, cwd=install.lib_dir,
                         stdin=devnull, stdout=out, stderr=subprocess.STDOUT, env=env,
                         close_fds=True, start_new_session=True)


def start(install, component, args, ports, label):
    """-d: returns once the process runs and listens on its ports; with an ANM start-up fault
    (nm_slow_start, nm_never_starts: daemon.nm_start_delay) once the process runs (contract §2:
    "returns when it runs"), before its port opens."""
    if running_pid(install, component):
        print("%s is already running" % label)
        return 0
    if component == "nodemanager" and daemon.nm_start_delay() is not None:
        ports = []
    _spawn(install, args, component)
    deadline = time.time() + START_TIMEOUT
    while time.time() < deadline:
        if running_pid(install, component) and all(net.port_open("127.0.0.1", p) for p in ports):
            print("%s started" % label)
            return 0
        time.sleep(0.1)
    print("ERROR: %s did not start within %d seconds; see %s" % (
        label, START_TIMEOUT, os.path.join(install.pid_dir, component + ".log")))
    return 1


def stop(install, component, label):
    pid = running_pid(install, component)
    if not pid:
        print("%s is not running" % label)
        return 0
    os.kill(pid, signal.SIGTERM)
    deadline = time.time() + KILL_AFTER
    while running_pid(install, component):
        if time.time() > deadline:
            os.kill(pid, signal.SIGKILL)
            deadline = time.time() + 60
        time.sleep(0.1)
    print("%s stopped" % label)
    return 0


def status(install, component, label):
    if running_pid(install, component):
        print("%s is running" % label)
        return 0
    print("%s is not running" % label)
    return 1


def nm_start_allowed(install):
    # ASSUMED: a Node Manager whose installation has no topology (NEW before apply) is not
    # configured and refuses to start (upgrade_steps_extcass.md: do not start processes in NEW).
    if not os.path.exists(install.topology_file):
        print("ERROR: Node Manager is not configured: %s not found" % install.topology_file)
        return False
    return True


def nodemanager(install, action):
    label = "Node Manager"
    if action == "-d":
        if not nm_start_allowed(install):
            return 1
        return start(install, "nodemanager", ["nodemanager", install.root], [8090], label)
    if action == "-k":
        return stop(install, "nodemanager", label)
    return status(install, "nodemanager", label)


def instance(install, inst, action):
    comp = instances.component(inst)
    label = "API Gateway instance '%s' in group '%s'" % (inst["name"], inst["group"])
    if action == "-d":
        return start(install, comp, ["gateway", install.root, inst["group_id"], inst["id"]],
                     [inst["management_port"], inst["healthcheck_port"]], label)
    if action == "-k":
        return stop(install, comp, label)
    return status(install, comp, label)


def any_running(install):
    """[label] of every lab process of this installation that is running."""
    found = []
    if running_pid(install, "nodemanager"):
        found.append("Node Manager")
    for inst in instances.all_of(install):
        if running_pid(install, instances.component(inst)):
            found.append("API Gateway instance '%s' in group '%s'" % (inst["name"],
                                                                      inst["group"]))
    return found


def foreground(install, args):
    if args[0] == "gateway":
        comp = "gateway-%s-%s" % (args[2], args[3])
    else:
        comp = "nodemanager"
    if running_pid(install, comp):
        print("ERROR: %s is already running" % comp)
        return 1
    os.execve(sys.executable, [sys.executable, "-m", "apigw_lab.daemon"] + args,
              dict(os.environ, PYTHONPATH=install.lib_dir))


def nodemanager_main(install, argv):
    actions = [a for a in argv if a in ("-d", "-k", "-s")]
    if not actions:
        if not nm_start_allowed(install):
            return 1
        return foreground(install, ["nodemanager", install.root])
    return nodemanager(install, actions[-1])


USAGE = ('usage:"startinstance [[-n instance-name -g group-name [instance-args]] | '
         '[directory-location [instance-args]]]"')


def listing(install):
    lines = [USAGE, "", "The API Gateway instances listed below are available to run on this "
             "machine as follows:", ""]
    for inst in instances.all_of(install):
        lines.append('startinstance -n "%s" -g "%s"' % (inst["name"], inst["group"]))
    print("\n".join(lines))
    return 0


def startinstance_main(install, argv):
    group = name = action = None
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-g", "-n") and i + 1 < len(argv):
            if a == "-g":
                group = argv[i + 1]
            else:
                name = argv[i + 1]
            i += 2
            continue
        if a in ("-d", "-k", "-s"):
            action = a
        i += 1
    if group is None and name is None:
        regs = instances.all_of(install)
        if len(regs) == 1 and action is None:
            return foreground(install, ["gateway", install.root, regs[0]["group_id"],
                                        regs[0]["id"]])
        if len(regs) == 1:
            return instance(install, regs[0], action)
        return listing(install)
    inst = instances.find(install, group, name)
    if inst is None:
        print('ERROR: No API Gateway instance "%s" in group "%s" on this machine' % (name, group))
        listing(install)
        return 1
    if action is None:
        return foreground(install, ["gateway", install.root, inst["group_id"], inst["id"]])
    return instance(install, inst, action)
