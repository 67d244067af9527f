"""The product stand-in, seen from labctl: install the trees, start the OLD processes.

The product lives in tests/lab/product (apigw_lab, written separately). labctl imports
apigw_lab.install by putting tests/lab/product on sys.path. When it is absent, labctl
builds bare hosts and says so.
"""
import importlib
import shlex
import sys
from pathlib import Path

from . import accounts, hosts
from .util import LabError

PRODUCT_DIR = Path(__file__).resolve().parent.parent / "product"
CASSANDRA_USERS = "/opt/apigw-lab/cassandra-users.json"   # install.CASSANDRA_USERS on that host


def installer():
    """apigw_lab.install, or None when the product is not in the tree yet."""
    if not (PRODUCT_DIR / "apigw_lab" / "install.py").exists():
        return None
    if str(PRODUCT_DIR) not in sys.path:
        sys.path.insert(0, str(PRODUCT_DIR))
    try:
        return importlib.import_module("apigw_lab.install")
    except Exception as exc:  # a broken product must fail up loudly, naming the file
        raise LabError("%s: cannot import: %s: %s"
                       % (PRODUCT_DIR / "apigw_lab" / "install.py", type(exc).__name__, exc))


def install(module, opt_root, lab, node, tls, initd=None):
    """The host's trees into opt_root and, when initd is given, its /etc/init.d service scripts
    into that folder (bind-mounted on the host's /etc/init.d; hosts.INNER)."""
    try:
        module.install_host(str(opt_root), lab, node, tls)
        if initd is not None:
            module.install_services(str(initd), lab, node)
    except Exception as exc:
        raise LabError("node %s: install_host(%s) failed: %s: %s"
                       % (node, opt_root, type(exc).__name__, exc))


def start_old_processes(lab, host, pid):
    """nodemanager -d, then startinstance -d per instance, inside the host (OLD tree), as the
    installation's owner when the lab has one (labctl up --owner), else as root."""
    node, bin_dir = host["inventory_name"], lab["old_dir"] + "/posix/bin"
    commands = [[bin_dir + "/nodemanager", "-d"]]
    commands += [[bin_dir + "/startinstance", "-g", i["group"], "-n", i["name"], "-d"]
                 for i in host["instances"]]
    for argv in commands:
        proc = hosts.exec_in(node, pid, accounts.run_as(lab, argv), timeout=40, check=False)
        if proc.returncode != 0:
            raise LabError("node %s: %s failed (exit %d): %s"
                           % (node, " ".join(argv), proc.returncode,
                              (proc.stderr or proc.stdout).strip()))


THRIFT_PORT = 9160   # upgrade_steps_extcass.md Task 3: the old Hector client's Thrift port


def cassandra_ports(lab):
    """The stand-in's ports: the native port (9042) and the old Thrift port (9160)."""
    return [lab["cassandra"]["port"], THRIFT_PORT]


def closed_ports(lab):
    """Ports closed to the other hosts with 'labctl cassandra-port close' (lab.json)."""
    return [int(p) for p in lab.get("cassandra_closed_ports", [])]


def cassandra_argv(lab, opt_root, port=None, action="-d"):
    """>>> THE ONE CALL SITE for the Cassandra stand-in (TCP listeners on node1:9042, :9160). <<<

    The product's command (apigw_lab/cassandra_stub.py docstring): ``python3 -m
    apigw_lab.cassandra_stub --port 9042 -d`` with PYTHONPATH=INSTALL/system/lib/lab; we use the
    OLD tree's copy, which every lab host keeps. None when that module is not installed. A lab
    made with --cassandra-auth adds ``--auth-file /opt/apigw-lab/cassandra-users.json`` (salted
    hashes that install_host() wrote; no secret on the command line). One process per port; a
    port closed to the other hosts ('labctl cassandra-port close') listens on 127.0.0.1 only.
    action "-k" stops the process of that port.
    """
    port = lab["cassandra"]["port"] if port is None else int(port)
    lib = lab["old_dir"] + "/system/lib/lab"
    if not (Path(opt_root) / lib[len("/opt/"):] / "apigw_lab" / "cassandra_stub.py").exists():
        return None
    argv = ["env", "PYTHONPATH=" + lib, "/usr/bin/python3", "-m", "apigw_lab.cassandra_stub",
            "--port", str(port), action]
    if action == "-d" and port in closed_ports(lab):
        argv += ["--bind", "127.0.0.1"]
    if action == "-d" and lab["cassandra"].get("username"):
        argv += ["--auth-file", CASSANDRA_USERS]
    return argv


def start_cassandra(lab, pid, opt_root, ports=None):
    node = lab["cassandra"]["inventory_host"]
    for port in cassandra_ports(lab) if ports is None else ports:
        argv = cassandra_argv(lab, opt_root, port)
        if argv is None:
            return False
        proc = hosts.exec_in(node, pid, accounts.run_as(lab, argv), timeout=30, check=False)
        if proc.returncode != 0:
            raise LabError("node %s: Cassandra stand-in failed to start: %s: %s"
                           % (node, " ".join(shlex.quote(a) for a in argv),
                              (proc.stderr or proc.stdout).strip()))
    return True


def stop_cassandra(lab, pid, opt_root, port):
    node = lab["cassandra"]["inventory_host"]
    argv = cassandra_argv(lab, opt_root, port, action="-k")
    if argv is None:
        raise LabError("node %s: the Cassandra stand-in is not installed" % node)
    proc = hosts.exec_in(node, pid, accounts.run_as(lab, argv), timeout=30, check=False)
    if proc.returncode != 0:
        raise LabError("node %s: Cassandra stand-in on port %s did not stop: %s"
                       % (node, port, (proc.stderr or proc.stdout).strip()))
