"""The site's load balancer: Debian's HAProxy (/usr/sbin/haproxy) in the root namespace, on the
controller's side of the bridge, in front of every gateway instance's traffic port
(DESIGN.md "Load balancer, test API and traffic").

Vendor basis: upgrade_zdu_overview.md (a zero downtime upgrade "involves the use of a load
balancer to ensure that available API Gateways can always process traffic"; its
`load_balancer.py` "enable or disable traffic on a node") and manage_operations.md "Shut down an
API Gateway using zero downtime shutdown" (the load balancer pings
http://APIGATEWAY_HOST:8080/healthchecklb and stops routing to a gateway that answers 503).

Files under $LAB_DIR/haproxy/: haproxy.cfg, haproxy.pid, haproxy.log (HAProxy's own log: one line
per request, which server answered and how the session ended), admin.sock (the runtime API).
The process runs in the foreground of its own session (setsid), started by `labctl up` after
the old processes, killed by `labctl down`; its pid is in state.json ("haproxy").
"""
import os
import signal
import socket
import subprocess

from .util import LabError, log, run, wait_until

HAPROXY = "/usr/sbin/haproxy"
PORT = 8080                 # frontend port on the bridge address (the gateways' traffic port)
BACKEND = "apigw"
FRONTEND = "apigw"
START_TIMEOUT = 15          # seconds for the process, its port and the first checks of all servers

# Health checks: every second, two failures to take a server out, two successes to bring it back.
# fall/rise 2 so that one check lost on a busy 2-core machine does not flap a server; 1 s keeps
# detection of a 503 or a dead instance at about 1-2 s and the check traffic negligible.
CHECK = "inter 1s fall 2 rise 2"


def lb_dir(lab_dir):
    return lab_dir / "haproxy"


def socket_path(lab_dir):
    return lb_dir(lab_dir) / "admin.sock"


def server_name(host, inst):
    """The host's inventory name; `<inventory>-<instance name>` when it has more than one."""
    if len(host["instances"]) == 1:
        return host["inventory_name"]
    return "%s-%s" % (host["inventory_name"], inst["name"])


def servers(lab):
    """[(server name, host, instance)] for every gateway instance, in host order."""
    return [(server_name(h, i), h, i) for h in lab["hosts"] for i in h["instances"]]


def config(lab, lab_dir, bind_ip):
    lines = [
        "# apigw lab load balancer (labctl up): Debian's HAProxy in the root namespace, in front",
        "# of every gateway instance's traffic port. DESIGN.md \"Load balancer, test API and traffic\".",
        "global",
        "    log stdout format raw local0 info",
        "    stats socket %s mode 600 level admin" % socket_path(lab_dir),
        "    maxconn 2000",
        "",
        "defaults",
        "    mode http",
        "    log global",
        "    option httplog",
        "    option dontlognull",
        "    timeout connect 2s",
        "    timeout client 10s",
        "    timeout server 10s",
        "    timeout check 1s",
        "    # a request sent to a dead server fails: no retry, no redispatch (honest measurements)",
        "    retries 0",
        "",
        "frontend %s" % FRONTEND,
        "    bind %s:%d" % (bind_ip, PORT),
        "    default_backend %s" % BACKEND,
        "",
        "backend %s" % BACKEND,
        "    balance roundrobin",
        "    option httpchk GET /healthchecklb",
        "    default-server %s" % CHECK,
    ]
    for name, host, inst in servers(lab):
        lines.append("    server %s %s:%d check" % (name, host["address"], inst["healthcheck_port"]))
    return "\n".join(lines) + "\n"


def available():
    return os.access(HAPROXY, os.X_OK)


def is_ours(pid, lab_dir):
    """True when pid is a live HAProxy started with this lab's configuration (pids get reused)."""
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as handle:
            argv = handle.read().decode(errors="replace").split("\0")
    except OSError:
        return False
    return bool(argv) and argv[0].endswith("haproxy") and \
        str(lb_dir(lab_dir) / "haproxy.cfg") in argv


def start(lab, lab_dir, state, bind_ip, save_state):
    """Write the configuration, check it, start HAProxy, record its pid (save_state(state) at
    once, so a failed up can kill it), then wait until it listens and every server passed its
    first health check."""
    if not available():
        raise LabError("%s not found: the lab's load balancer is Debian's haproxy "
                       "(apt-get install haproxy; scripts/bootstrap does it)" % HAPROXY)
    d = lb_dir(lab_dir)
    d.mkdir(mode=0o700, exist_ok=True)
    cfg = d / "haproxy.cfg"
    cfg.write_text(config(lab, lab_dir, bind_ip))
    run([HAPROXY, "-c", "-q", "-f", str(cfg)], what="haproxy -c (configuration check)")
    with open(d / "haproxy.log", "ab") as out, open(os.devnull, "rb") as devnull:
        proc = subprocess.Popen([HAPROXY, "-db", "-f", str(cfg)], stdin=devnull, stdout=out,
                                stderr=out, close_fds=True, start_new_session=True)
    (d / "haproxy.pid").write_text("%d\n" % proc.pid)
    state["haproxy"] = {"pid": proc.pid, "bind": "%s:%d" % (bind_ip, PORT),
                        "config": str(cfg), "socket": str(socket_path(lab_dir)),
                        "backend": BACKEND}
    save_state(state)
    names = [n for n, _h, _i in servers(lab)]

    def ready():
        if proc.poll() is not None:
            raise LabError("haproxy exited with %s: %s" % (proc.returncode, tail(d / "haproxy.log")))
        if not port_open(bind_ip, PORT):
            return False
        try:
            states = server_states(socket_path(lab_dir))
        except OSError:
            return False
        return all(states.get(n, {}).get("status") == "UP" and
                   states[n].get("check_status") == "L7OK" for n in names)

    if not wait_until(ready, START_TIMEOUT, interval=0.2):
        raise LabError("haproxy: not every server up after %d s: %s" % (
            START_TIMEOUT, describe(lab_dir)))
    return proc.pid


def stop(state, lab_dir, timeout=5):
    """SIGTERM (then SIGKILL) the HAProxy recorded in state, if it is still ours."""
    pid = (state.get("haproxy") or {}).get("pid")
    if not pid or not is_ours(pid, lab_dir):
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        if wait_until(lambda: not is_ours(pid, lab_dir) or zombie(pid), timeout):
            return


def zombie(pid):
    try:
        with open("/proc/%d/stat" % pid) as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True


def port_open(host, port, timeout=0.5):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def tail(path, lines=5):
    try:
        return " | ".join(path.read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return "(no log)"


# ---------------------------------------------------------------- runtime API

def runtime(sock_path, command, timeout=5):
    """One command on HAProxy's runtime API (the stats socket, non-interactive: one command,
    the answer, then HAProxy closes); returns the answer text. E.g.
    runtime(sock, "set server apigw/node1 state drain")."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(str(sock_path))
        sock.sendall(command.encode() + b"\n")
        chunks = []
        while True:
            data = sock.recv(65536)
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks).decode(errors="replace")


def server_states(sock_path, backend=BACKEND):
    """{server: {"status": "UP"|"DOWN"|"DRAIN"|"MAINT"|..., "check_status", "scur", "stot"}}
    from `show stat` (CSV)."""
    text = runtime(sock_path, "show stat")
    lines = [l for l in text.splitlines() if l.strip()]
    if not lines or not lines[0].startswith("# "):
        raise OSError("unexpected answer to 'show stat': %r" % text[:200])
    header = lines[0][2:].split(",")
    out = {}
    for line in lines[1:]:
        row = dict(zip(header, line.split(",")))
        if row.get("pxname") == backend and row.get("svname") not in ("BACKEND", "FRONTEND"):
            out[row["svname"]] = {"status": row.get("status"),
                                  "check_status": row.get("check_status"),
                                  "scur": int(row.get("scur") or 0),
                                  "stot": int(row.get("stot") or 0)}
    return out


def describe(lab_dir):
    """One line: each server's state, for status and error messages."""
    try:
        states = server_states(socket_path(lab_dir))
    except OSError as exc:
        return "runtime API not answering (%s)" % exc
    return ", ".join("%s %s/%s" % (n, s["status"], s["check_status"] or "-")
                     for n, s in states.items()) or "no servers"


def report(state, lab_dir):
    """What status shows: pid, alive, bind, socket, servers."""
    h = state.get("haproxy")
    if not h:
        return None
    alive = is_ours(h["pid"], lab_dir) and not zombie(h["pid"])
    servers_ = {}
    if alive:
        try:
            servers_ = dict((n, s["status"]) for n, s in server_states(h["socket"]).items())
        except OSError:
            servers_ = {}
    return {"pid": h["pid"], "alive": alive, "bind": h["bind"], "socket": h["socket"],
            "backend": h.get("backend", BACKEND), "servers": servers_}


def log_started(pid, bind, lab_dir):
    log("  load balancer: haproxy pid %d on %s (%s)" % (pid, bind, describe(lab_dir)))
