"""The long-running processes: `python3 -m apigw_lab.daemon nodemanager INSTALL` and
`python3 -m apigw_lab.daemon gateway INSTALL GROUP_ID INSTANCE_ID`.

Started detached by process_cli (setsid, stdio to a log file: lab-recipe.md "Pitfalls"). Writes
INSTALL/logs/lab/<component>.pid and removes it on exit. SIGTERM stops it (a gateway first
drains for DRAIN_SECONDS with /healthchecklb answering 503 and /version still served); then it
stops accepting and lets the requests being answered finish (at most INFLIGHT_GRACE_SECONDS).

Faults (DESIGN.md "Fault catalogue", read from /opt/apigw-lab/faults.json when a node manager
starts): `nm_slow_start seconds=N` runs the process (pid file written) but opens port 8090 only
N seconds later; `nm_never_starts` runs the process and never opens 8090.
"""
import os
import signal
import sys
import threading
import time

from . import anm_server, apimanager, faults, gateway, instances, net, paths
from .httpserve import Server

NM_SLOW_START_DEFAULT = 20   # seconds, ASSUMED default of `nm_slow_start`


def pid_file(install, component):
    return os.path.join(install.pid_dir, component + ".pid")


def nm_start_delay(flt=None):
    """None: open 8090 at once; a number: after that many seconds; -1: never (faults)."""
    flt = flt if flt is not None else faults.Faults()
    if flt.on("nm_never_starts"):
        return -1
    if flt.on("nm_slow_start"):
        return float(flt.params("nm_slow_start").get("seconds", NM_SLOW_START_DEFAULT))
    return None


def write_pid(install, component):
    pf = pid_file(install, component)
    if not os.path.isdir(os.path.dirname(pf)):
        os.makedirs(os.path.dirname(pf))
    with open(pf, "w") as f:
        f.write("%d\n" % os.getpid())
    return pf


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
    srvs = srvs + apimanager.servers(install, inst)   # port 8075 on an API Manager instance
    return instances.component(inst), st, srvs, gateway.DRAIN_SECONDS


def main(argv):
    kind, install = argv[0], paths.Install(argv[1])
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    delay = nm_start_delay() if kind == "nodemanager" else None
    pf, srvs, gw_state, drain, component = None, [], None, 0.0, kind
    if delay is not None:
        # the process runs (pid file), the HTTPS port opens late or never
        pf = write_pid(install, component)
        sys.stdout.write("%s running, pid %d; port 8090 %s\n" % (
            component, os.getpid(), "never opens (fault nm_never_starts)" if delay < 0 else
            "opens in %g s (fault nm_slow_start)" % delay))
        sys.stdout.flush()
        deadline = time.time() + delay
        while not stop.is_set() and (delay < 0 or time.time() < deadline):
            stop.wait(0.5 if delay < 0 else max(0.0, min(0.5, deadline - time.time())))
    if not stop.is_set():
        component, gw_state, srvs, drain = build(kind, install, argv[2:])
        for s in srvs:
            t = threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.2})
            t.daemon = True
            t.start()
        pf = pf or write_pid(install, component)
        sys.stdout.write("%s started, pid %d\n" % (component, os.getpid()))
        sys.stdout.flush()
    while not stop.wait(0.5):
        pass
    if gw_state is not None:
        gw_state.draining.set()
        time.sleep(drain)
    for s in srvs:
        s.shutdown()
        s.stop_accepting()
    for s in srvs:
        # requests already being answered finish before the process exits (gateway.py)
        s.wait_idle(gateway.INFLIGHT_GRACE_SECONDS)
    try:
        if open(pf).read().strip() == str(os.getpid()):
            os.unlink(pf)
    except (IOError, OSError):
        pass
    sys.stdout.write("%s stopped\n" % component)


if __name__ == "__main__":
    main(sys.argv[1:])
