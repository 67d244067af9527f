"""labctl: the apigw lab's host manager (run as root on the controller). See DESIGN.md.

  labctl up [--topology single|vendor-3-node|N-node] [--nodes N] [--no-product]
            [--cassandra-auth] [--external-db] [--duplicate-jar]
            [--owner NAME [--operator NAME]]
                                      (default vendor-3-node; N-node default 5 hosts, max 60;
                                      --cassandra-auth: the Cassandra stand-in requires a login,
                                      in the inventory as apigw_cassandra_username/_password;
                                      --external-db: a DbConnection in the first gateway group;
                                      --duplicate-jar: OLD ext/lib holds a jar NEW system/lib has;
                                      --owner NAME: on every host a system account NAME owns
                                      both installations and runs the OLD processes, and an
                                      operator (--operator, default ops) has passwordless sudo;
                                      root, NAME and the operator accept the lab key (ssh -l);
                                      lab.json "accounts": {"owner", "operator", "ids"})
  labctl down | status [--json]
  labctl fail NODE | heal NODE        cut / restore the network (timeouts, like a pulled cable)
  labctl crash NODE | boot NODE       power cut (connection refused) / restart with /opt intact
  labctl fault NODE NAME [k=v ...] | fault NODE --clear [NAME] | faults NODE
  labctl deploy GROUP                 a new configuration to GROUP (old installation)
  labctl cassandra-port close|open [PORT]
                                      close PORT (default 9042) of the Cassandra stand-in to the
                                      other hosts (it listens on 127.0.0.1 only) / open it again
  labctl ssh NODE [cmd ...] | exec NODE -- cmd ...
  labctl traffic [--rate R] [--count N] [--timeout S] [--path /version] [--json FILE]
                 [--stop-file FILE] [--started-file FILE]
                                      (--stop-file: stop scheduling once FILE exists, N then being
                                      only the upper bound; --started-file: made once the first
                                      request has been answered; the result's stopped_by says
                                      which ended the run: "count" or "stop_file")
                                      GET http://<bridge>:8080<path> through the lab's HAProxy at
                                      R requests/s (default 20), N requests (default 600), each
                                      failed after S s (default 2); prints a JSON result (also
                                      written to FILE): sent, ok, failed, by_version, failures,
                                      first_seen, last_seen, mixed_seconds, outage_seconds, ...

`up` (with the product) also starts the site's load balancer: Debian's HAProxy in the root
namespace on <bridge address>:8080 (frontend and backend "apigw", one server per gateway
instance, named after its host: node1, ...), runtime API $LAB_DIR/haproxy/admin.sock; each
instance's port 8080 serves /healthchecklb and the test API /version. See DESIGN.md.

NODE is an inventory name (node1) or a topology name (NodeA).
Environment: APIGW_LAB_DIR (default /tmp/apigw-lab), APIGW_LAB_SUBNET (default 10.77.0),
APIGW_LAB_NAME (default apigw: bridge apigwbr0, namespaces apigw-node<i>; another name and
subnet give a second lab beside the default one).
"""
import argparse
import os
import signal
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the repository (lablib, product)
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))

from lablib import commands, down, faults, topologies, up  # noqa: E402
from lablib.util import LabError  # noqa: E402


def parser():
    p = argparse.ArgumentParser(prog="labctl", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    u = sub.add_parser("up", help="create the lab hosts")
    u.add_argument("--topology", default="vendor-3-node", choices=topologies.NAMES)
    u.add_argument("--nodes", type=int, help="host count for N-node (default %d)" % topologies.DEFAULT_N)
    u.add_argument("--no-product", action="store_true", help="bare hosts: no install, no processes")
    u.add_argument("--cassandra-auth", action="store_true",
                   help="generate a Cassandra user name and password that the Cassandra stand-in "
                        "(and so sysupgrade upgrade) requires")
    u.add_argument("--external-db", action="store_true",
                   help="the first gateway group's configuration uses an external database "
                        "(a DbConnection with a jdbc URL): apply needs a JDBC driver")
    u.add_argument("--duplicate-jar", action="store_true",
                   help="a third-party jar in the old ext/lib that the new system/lib also ships "
                        "(another version)")
    u.add_argument("--owner", metavar="NAME",
                   help="a service account NAME (on each host only) owns both installation trees "
                        "and runs the OLD processes")
    u.add_argument("--operator", metavar="NAME",
                   help="with --owner: the operator's account, passwordless sudo (default ops)")
    sub.add_parser("down", help="remove everything up made")
    s = sub.add_parser("status", help="hosts, addresses, alive")
    s.add_argument("--json", action="store_true")
    for name, text in (("fail", "cut NODE's network"), ("heal", "restore NODE's network"),
                       ("crash", "kill NODE's PID 1 (power cut)"), ("boot", "restart a crashed NODE"),
                       ("faults", "list NODE's faults")):
        sub.add_parser(name, help=text).add_argument("node")
    f = sub.add_parser("fault", help="switch a fault on/off",
                       epilog="faults (optional parameters): " + ", ".join(
                           n + "".join(" %s=" % k for k in faults.CATALOGUE[n])
                           for n in sorted(faults.CATALOGUE)))
    f.add_argument("--clear", action="store_true", help="remove NAME, or every fault")
    f.add_argument("node")
    # REMAINDER so that '--clear' may also come after NODE: 'fault node1 --clear slow'
    f.add_argument("args", nargs=argparse.REMAINDER, metavar="NAME [key=value ...]")
    d = sub.add_parser("deploy", help="deploy a new configuration to GROUP (name or id) on every "
                                      "host running an instance of it (old installation)")
    d.add_argument("group")
    c = sub.add_parser("cassandra-port", help="close a port of the Cassandra stand-in to the other "
                                              "hosts, or open it again")
    c.add_argument("action", choices=("close", "open"))
    c.add_argument("port", nargs="?", type=int, default=9042, choices=(9042, 9160))
    h = sub.add_parser("ssh", help="ssh to NODE through the lab's ssh_config")
    h.add_argument("node")
    h.add_argument("command", nargs=argparse.REMAINDER)
    t = sub.add_parser("traffic", help="bounded HTTP traffic through the load balancer; JSON result",
                       description="GET http://<bridge address>:8080<PATH> through the lab's HAProxy "
                                   "at a fixed rate; stops by itself after COUNT requests (at most "
                                   "COUNT/RATE + TIMEOUT + 2 s). A request fails on a connection "
                                   "error, a timeout or a status other than 200. Prints the result "
                                   "as JSON (keys: sent, ok, failed, by_version, failures, "
                                   "first_seen, last_seen, mixed_seconds, outage_seconds, "
                                   "longest_outage_seconds, outages, max_send_delay, start, end, "
                                   "duration, rate, count, timeout, path, url); see DESIGN.md.")
    t.add_argument("--rate", type=float, default=20.0, help="requests per second (default 20)")
    t.add_argument("--stop-file", help="stop scheduling requests once this file exists (COUNT is then "
                                       "the upper bound): traffic that runs until the test says")
    t.add_argument("--started-file", help="made once the first request has been answered")
    t.add_argument("--count", type=int, default=600, help="requests in all (default 600)")
    t.add_argument("--timeout", type=float, default=2.0,
                   help="seconds a request may take in all before it counts as failed (default 2)")
    t.add_argument("--path", default="/version", help="request path (default /version)")
    t.add_argument("--json", metavar="FILE", help="also write the JSON result to FILE")
    e = sub.add_parser("exec", help="run a command inside NODE (nsenter)")
    e.add_argument("node")
    e.add_argument("command", nargs=argparse.REMAINDER)
    return p


def dispatch(a):
    if a.cmd == "up":
        return up.up(a.topology, a.nodes, with_product=not a.no_product,
                     cassandra_auth=a.cassandra_auth, external_db=a.external_db,
                     duplicate_jar=a.duplicate_jar, owner=a.owner, operator=a.operator)
    if a.cmd == "down":
        return down.down()
    if a.cmd == "status":
        return commands.status(a.json)
    if a.cmd in ("fail", "heal"):
        return commands.fail(a.node, plugged=a.cmd == "heal")
    if a.cmd == "crash":
        return commands.crash(a.node)
    if a.cmd == "boot":
        return commands.boot(a.node)
    if a.cmd == "fault":
        clear = a.clear or "--clear" in a.args
        rest = [x for x in a.args if x != "--clear"]
        return commands.fault(a.node, rest[0] if rest else None, rest[1:], clear)
    if a.cmd == "faults":
        return commands.list_faults(a.node)
    if a.cmd == "deploy":
        return commands.deploy(a.group)
    if a.cmd == "cassandra-port":
        return commands.cassandra_port(a.action, a.port)
    if a.cmd == "ssh":
        return commands.ssh(a.node, a.command)
    if a.cmd == "traffic":
        return commands.traffic(a.rate, a.count, a.timeout, a.path, a.json, stop_file=a.stop_file,
                                started_file=a.started_file)
    if a.cmd == "exec":
        cmd = a.command[1:] if a.command[:1] == ["--"] else a.command
        return commands.exec_in(a.node, cmd)
    raise LabError("unknown command %s" % a.cmd)


def main():
    if os.geteuid() != 0:
        print("labctl: must run as root (namespaces, bridge, mounts)", file=sys.stderr)
        return 1
    args = parser().parse_args()
    # SIGTERM (e.g. a test runner's timeout) unwinds like Ctrl-C, so a half-made lab is removed
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))
    try:
        return dispatch(args)
    except LabError as exc:
        print("labctl %s: error: %s" % (args.cmd, exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("labctl %s: interrupted" % args.cmd, file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
