"""The product stand-in, seen from labctl: install the trees, start the OLD processes.

The product lives in tests/lab/product (apigw_lab, written separately). labctl imports
apigw_lab.install by putting tests/lab/product on sys.path. When it is absent, labctl
builds bare hosts and says so.
"""
import importlib
import shlex
import sys
from pathlib import Path

from . import hosts
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


def install(module, opt_root, lab, node, tls):
    try:
        module.install_host(str(opt_root), lab, node, tls)
    except Exception as exc:
        raise LabError("node %s: install_host(%s) failed: %s: %s"
                       % (node, opt_root, type(exc).__name__, exc))


def start_old_processes(lab, host, pid):
    """nodemanager -d, then startinstance -d per instance, inside the host (OLD tree)."""
    node, bin_dir = host["inventory_name"], lab["old_dir"] + "/posix/bin"
    commands = [[bin_dir + "/nodemanager", "-d"]]
    commands += [[bin_dir + "/startinstance", "-g", i["group"], "-n", i["name"], "-d"]
                 for i in host["instances"]]
    for argv in commands:
        proc = hosts.exec_in(node, pid, argv, timeout=40, check=False)
        if proc.returncode != 0:
            raise LabError("node %s: %s failed (exit %d): %s"
                           % (node, " ".join(argv), proc.returncode,
                              (proc.stderr or proc.stdout).strip()))


def cassandra_argv(lab, opt_root):
    """>>> THE ONE CALL SITE for the Cassandra stand-in (a TCP listener on node1:9042). <<<

    The product's command (apigw_lab/cassandra_stub.py docstring): ``python3 -m
    apigw_lab.cassandra_stub --port 9042 -d`` with PYTHONPATH=INSTALL/system/lib/lab; we use the
    OLD tree's copy, which every lab host keeps. None when that module is not installed. A lab
    made with --cassandra-auth adds ``--auth-file /opt/apigw-lab/cassandra-users.json`` (salted
    hashes that install_host() wrote; no secret on the command line).
    """
    lib = lab["old_dir"] + "/system/lib/lab"
    if not (Path(opt_root) / lib[len("/opt/"):] / "apigw_lab" / "cassandra_stub.py").exists():
        return None
    argv = ["env", "PYTHONPATH=" + lib, "/usr/bin/python3", "-m", "apigw_lab.cassandra_stub",
            "--port", str(lab["cassandra"]["port"]), "-d"]
    if lab["cassandra"].get("username"):
        argv += ["--auth-file", CASSANDRA_USERS]
    return argv


def start_cassandra(lab, pid, opt_root):
    argv = cassandra_argv(lab, opt_root)
    node = lab["cassandra"]["inventory_host"]
    if argv is None:
        return False
    proc = hosts.exec_in(node, pid, argv, timeout=30, check=False)
    if proc.returncode != 0:
        raise LabError("node %s: Cassandra stand-in failed to start: %s: %s"
                       % (node, " ".join(shlex.quote(a) for a in argv),
                          (proc.stderr or proc.stdout).strip()))
    return True
