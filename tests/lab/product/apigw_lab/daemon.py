"""The long-running processes: `python3 -m apigw_lab.daemon nodemanager INSTALL` and
`python3 -m apigw_lab.daemon gateway INSTALL GROUP_ID INSTANCE_ID`.

Started detached by process_cli (setsid, stdio to a log file: lab-recipe.md "Pitfalls"). Writes
INSTALL/logs/lab/<component>.pid and removes it on exit. SIGTERM stops it (a gateway first
drains for DRAIN_SECONDS with /healthchecklb answering 503).
"""
import os
import signal
import sys
import threading
import time

from . import anm_server, gateway, instances, net, paths
from .httpserve import Server


def pid_file(install, component):
    return os.path.join(install.pid_dir, component + ".pid")


def build(kind, install, args):
    if kind == "nodemanager":
        state = anm_server.NodeState(install)
        srv = Server(("0.0.0.0", 8090), anm_server.NMHandler,
                     ssl_context=net.server_context(install), state=state)
        return "nodemanager", None, [srv], 0.0
    inst = None
    for i in instances.all_of(install):
        if i["group_id"] == args[0] and i["id"] == args[1]:
            inst = i
    if inst is None:
        raise SystemExit("no such instance %s/%s" % tuple(args[:2]))
    st, srvs = gateway.servers(install, inst)
    return instances.component(inst), st, srvs, gateway.DRAIN_SECONDS


def main(argv):
    kind, install = argv[0], paths.Install(argv[1])
    component, gw_state, srvs, drain = build(kind, install, argv[2:])
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    for s in srvs:
        t = threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.2})
        t.daemon = True
        t.start()
    pf = pid_file(install, component)
    if not os.path.isdir(os.path.dirname(pf)):
        os.makedirs(os.path.dirname(pf))
    with open(pf, "w") as f:
        f.write("%d\n" % os.getpid())
    sys.stdout.write("%s started, pid %d\n" % (component, os.getpid()))
    sys.stdout.flush()
    while not stop.wait(0.5):
        pass
    if gw_state is not None:
        gw_state.draining.set()
        time.sleep(drain)
    for s in srvs:
        s.shutdown()
        s.server_close()
    try:
        if open(pf).read().strip() == str(os.getpid()):
            os.unlink(pf)
    except (IOError, OSError):
        pass
    sys.stdout.write("%s stopped\n" % component)


if __name__ == "__main__":
    main(sys.argv[1:])
