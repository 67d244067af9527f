"""Test helpers for suites that run against a real lab (this one, the product's, the collection's).

Use from a conftest.py:

    sys.path.insert(0, "<repo>/tests/lab")
    from lablib.testing import Lab, lab_pool, lab_factory, vendor3, single
    __all__ = ["Lab", "lab_pool", "lab_factory", "vendor3", "single"]  # re-exported fixtures

Fixtures
  lab_factory   function scope: ``lab = lab_factory("vendor-3-node")`` (or ``("N-node", nodes=20)``,
                ``product=False`` for bare hosts, ``owner="axway"`` (``operator=``) for labctl up --owner,
                ``cassandra_auth=True`` for a Cassandra that
                requires a login, ``external_db=True`` / ``duplicate_jar=True`` for labctl up's
                --external-db / --duplicate-jar). Every lab it made is taken down at teardown, even when the
                test failed. Releases the shared lab first (one lab per machine).
  vendor3, single
                module scope, shared: the same lab object for every test of a module (and reused by
                the next module when it asks for the same topology). Tests that use them must leave
                the lab as they found it (heal/boot nodes, clear faults) -- use try/finally.
  lab_pool      session scope: owns the shared lab; takes it down at the end of the session.

One lab per APIGW_LAB_DIR and name. When ``labctl up`` refuses because a lab exists there already
(left by an interrupted run, or another suite's), Lab.up() fails at once, naming it and how to take
it down: waiting would only hide it. APIGW_LAB_WAIT (seconds, default 0) allows a bounded wait for
one that is going away. scripts/test gives every run labs of their own names, so it never meets one.
A Lab never takes down a lab it did not bring up.

Lab API (all node arguments take the inventory name, e.g. ``node1``)
  Lab.up(topology, nodes=None, product=True, cassandra_auth=False, external_db=False,
         duplicate_jar=False, owner=None, operator=None)
                run ``labctl up`` (``--cassandra-auth`` when cassandra_auth: the Cassandra stand-in
                and so ``sysupgrade upgrade`` require --cass_username/--cass_password; the
                inventory then has apigw_cassandra_username/apigw_cassandra_password, and
                Lab.info["cassandra"] has "username"/"password"); Lab.down() runs ``labctl down``
  Lab.labctl(*args, check=True, timeout=300, input=None) -> CompletedProcess (text)
  Lab.ssh(node, command, input=None, timeout=60, check=False, user=None) -> CompletedProcess
          (text; user: log in as that account instead of root, e.g. Lab.info["accounts"]["owner"]);
          raises subprocess.TimeoutExpired on timeout, CalledProcessError when check and rc != 0
  Lab.exec(node, *argv, ...)   run argv inside the host without the network (``labctl exec``)
  Lab.info      lab.json as a dict (re-read on each access)   Lab.state   state.json
  Lab.nodes     inventory names   Lab.address(node)   Lab.topology_name(node)
  Lab.opt(node) Path of the host's /opt on the controller   Lab.lab_dir
  Lab.inventory_path, Lab.ssh_config_path
  Lab.ca_path   $LAB_DIR/ca.pem on the controller: the lab's domain CA certificate (the one inside
                the first ANM's groups/certs/private/domain.p12), for test harnesses only; the
                inventory never names it
  Lab.audit(node) -> list of dicts (/opt/apigw-lab/audit.log JSON lines; [] when absent)
  Lab.fault(node, name, **params), Lab.clear_faults(node, name=None), Lab.faults(node) -> dict
  Lab.cassandra_port(action, port=9042)  ``labctl cassandra-port close|open PORT``
  Lab.fail(node) / heal(node)   cut / restore the network (pulled cable: timeouts)
  Lab.crash(node) / boot(node)  power cut (connection refused) / restart with /opt intact
  Lab.alive(node)               the host's PID 1 is running
  Lab.start_processes(node, tree="old")  nodemanager -d + startinstance -d for the node's
                instances in the OLD (or "new") tree, over ssh; e.g. after boot(), which starts none
  Lab.restore()                 heal and boot every node, clear faults (best effort, shared labs)
  Lab.ansible_env()             environment to run the venv's ansible* against the lab

Load balancer and traffic (DESIGN.md "Load balancer, test API and traffic")
  Lab.lb_address -> (bridge address, 8080)   Lab.lb_url -> "http://<bridge address>:8080"
  Lab.lb_socket  $LAB_DIR/haproxy/admin.sock (HAProxy's runtime API; the inventory's
                 apigw_haproxy_runtime_api)
  Lab.haproxy(command) -> str   one runtime API command, e.g. "show servers state"
  Lab.lb_servers() -> {server: {"status": "UP"|"DOWN"|"DRAIN"|"MAINT", "check_status", "scur",
                 "stot"}} of backend apigw (server names: node1, ...)
  Lab.lb_set_state(server, "ready"|"drain"|"maint")   `set server apigw/<server> state <state>`
  Lab.traffic(rate=20, count=600, timeout=2, path="/version") -> lablib.traffic.Traffic, already
                 running in a background thread of this process: .wait() -> result dict (the
                 JSON of `labctl traffic`), .done(), .stop(), .bound(); use it around a playbook:
                     run = lab.traffic(rate=20, count=400)
                     ... ansible-playbook ...
                     result = run.wait()
  Lab.traffic_process(..., json_file) -> subprocess.Popen of `labctl traffic --json FILE`, for a
                 run that must outlive this process; read FILE once it has exited
"""
import json
import os
import subprocess
import time
from pathlib import Path

from . import haproxy
from . import traffic as traffic_mod

HERE = Path(__file__).resolve().parent
LABCTL = HERE.parent / "labctl"    # the #!/bin/sh wrapper of labctl.py: run it directly
REPO = HERE.parent.parent.parent
VENV_BIN = REPO / ".venv" / "bin"
EXISTS_MESSAGE = "a lab already exists"


class LabBusy(RuntimeError):
    """Another lab stayed up longer than APIGW_LAB_WAIT."""


class Lab:
    """One lab (the one in $APIGW_LAB_DIR). See the module docstring for the API."""

    def __init__(self, lab_dir=None):
        self.lab_dir = Path(lab_dir or os.environ.get("APIGW_LAB_DIR", "/tmp/apigw-lab"))
        self.owned = False          # True once our own 'labctl up' succeeded
        self.topology = None

    # ---- lifecycle
    def labctl(self, *args, check=True, timeout=300, input=None):
        env = dict(os.environ, APIGW_LAB_DIR=str(self.lab_dir))
        proc = subprocess.run([str(LABCTL)] + [str(a) for a in args], capture_output=True, check=False,
                              text=True, timeout=timeout, input=input, env=env)
        if check and proc.returncode != 0:
            raise AssertionError("labctl %s failed (exit %d):\n%s%s" % (
                " ".join(map(str, args)), proc.returncode, proc.stdout, proc.stderr))
        return proc

    def up(self, topology="vendor-3-node", nodes=None, product=True, wait=None,
           cassandra_auth=False, external_db=False, duplicate_jar=False, owner=None,
           operator=None):
        args = ["up", "--topology", topology]
        if owner:
            args += ["--owner", owner]
        if operator:
            args += ["--operator", operator]
        if external_db:
            args.append("--external-db")
        if duplicate_jar:
            args.append("--duplicate-jar")
        if nodes is not None:
            args += ["--nodes", nodes]
        if not product:
            args.append("--no-product")
        if cassandra_auth:
            args.append("--cassandra-auth")
        wait = float(os.environ.get("APIGW_LAB_WAIT", "0")) if wait is None else wait
        deadline = time.monotonic() + wait
        while True:
            proc = self.labctl(*args, check=False)
            if proc.returncode == 0:
                self.owned, self.topology = True, topology
                return proc
            if EXISTS_MESSAGE not in proc.stderr:
                raise AssertionError("labctl %s failed (exit %d):\n%s%s"
                                     % (" ".join(map(str, args)), proc.returncode,
                                        proc.stdout, proc.stderr))
            if time.monotonic() >= deadline:
                raise LabBusy("%s (APIGW_LAB_NAME=%s, APIGW_LAB_DIR=%s; waited %ss, APIGW_LAB_WAIT). Take "
                              "it down with: APIGW_LAB_NAME=%s APIGW_LAB_DIR=%s %s down"
                              % (proc.stderr.strip(), os.environ.get("APIGW_LAB_NAME", "apigw"), self.lab_dir,
                                 wait, os.environ.get("APIGW_LAB_NAME", "apigw"), self.lab_dir, LABCTL))
            time.sleep(2)

    def down(self):
        """labctl down, only for a lab this object brought up."""
        if not self.owned:
            return None
        proc = self.labctl("down", check=False)
        self.owned = False
        if proc.returncode != 0:
            raise AssertionError("labctl down failed:\n%s%s" % (proc.stdout, proc.stderr))
        return proc

    # ---- description
    @property
    def info(self):
        return json.loads((self.lab_dir / "lab.json").read_text())

    @property
    def state(self):
        return json.loads((self.lab_dir / "state.json").read_text())

    @property
    def nodes(self):
        return [h["inventory_name"] for h in self.info["hosts"]]

    def host(self, node):
        for h in self.info["hosts"]:
            if h["inventory_name"] == node:
                return h
        raise KeyError("no node %r in lab (%s)" % (node, ", ".join(self.nodes)))

    def address(self, node):
        return self.host(node)["address"]

    def topology_name(self, node):
        return self.host(node)["topology_name"]

    @property
    def inventory_path(self):
        return self.lab_dir / "inventory.yml"

    @property
    def ssh_config_path(self):
        return self.lab_dir / "ssh_config"

    @property
    def ca_path(self):
        return self.lab_dir / "ca.pem"

    def opt(self, node):
        self.host(node)
        return self.lab_dir / "hosts" / node / "opt"

    # ---- talking to hosts
    def ssh(self, node, command, input=None, timeout=60, check=False, user=None):
        # user: log in as that account (-l beats the ssh_config's User root), as ansible_user does
        argv = ["ssh", "-F", str(self.ssh_config_path)] + (["-l", user] if user else []) + [
            node, command]
        proc = subprocess.run(argv, input=input, capture_output=True, check=False, text=True, timeout=timeout)
        if check and proc.returncode != 0:
            raise subprocess.CalledProcessError(proc.returncode, argv, proc.stdout, proc.stderr)
        return proc

    def exec(self, node, *argv, timeout=60, check=False, input=None):
        return self.labctl("exec", node, "--", *argv, timeout=timeout, check=check, input=input)

    def audit(self, node):
        path = self.opt(node) / "apigw-lab" / "audit.log"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    # ---- faults and failures
    def fault(self, node, name, **params):
        return self.labctl("fault", node, name, *["%s=%s" % kv for kv in params.items()])

    def clear_faults(self, node, name=None):
        return self.labctl("fault", node, "--clear", *([name] if name else []))

    def faults(self, node):
        return json.loads(self.labctl("faults", node).stdout)

    def deploy(self, group):
        """labctl deploy GROUP: a new configuration on every host running an instance of it."""
        return self.labctl("deploy", group)

    def cassandra_port(self, action, port=9042):
        return self.labctl("cassandra-port", action, port)

    def fail(self, node):
        return self.labctl("fail", node)

    def heal(self, node):
        return self.labctl("heal", node)

    def crash(self, node):
        return self.labctl("crash", node)

    def boot(self, node):
        return self.labctl("boot", node)

    def alive(self, node):
        status = json.loads(self.labctl("status", "--json").stdout)
        return any(r["node"] == node and r["alive"] for r in status["hosts"])

    def start_processes(self, node, tree="old"):
        info = self.info
        bin_dir = info["%s_dir" % tree] + "/posix/bin"
        commands = ["%s/nodemanager -d" % bin_dir]
        commands += ["%s/startinstance -g '%s' -n '%s' -d" % (bin_dir, i["group"], i["name"])
                     for i in self.host(node)["instances"]]
        # as the installation's owner when the lab has one (labctl up --owner), as its services do
        owner = (info.get("accounts") or {}).get("owner")
        return self.ssh(node, " && ".join(commands), timeout=120, check=True, user=owner)

    def restore(self):
        """Best effort: every node booted, network up, no faults (for shared labs)."""
        status = json.loads(self.labctl("status", "--json").stdout)
        for r in status["hosts"]:
            if r["network"] != "up":
                self.heal(r["node"])
            if not r["alive"]:
                self.boot(r["node"])
            self.clear_faults(r["node"])

    # ---- load balancer and traffic
    @property
    def lb_address(self):
        lb = self.state.get("haproxy")
        if not lb:
            raise AssertionError("this lab has no load balancer (up --no-product?)")
        host, _sep, port = lb["bind"].rpartition(":")
        return host, int(port)

    @property
    def lb_url(self):
        return "http://%s:%d" % self.lb_address

    @property
    def lb_socket(self):
        return self.lab_dir / "haproxy" / "admin.sock"

    def haproxy(self, command):
        return haproxy.runtime(self.lb_socket, command)

    def lb_servers(self):
        return haproxy.server_states(self.lb_socket)

    def lb_set_state(self, server, state):
        answer = self.haproxy("set server %s/%s state %s" % (haproxy.BACKEND, server, state))
        if answer.strip():
            raise AssertionError("set server %s state %s: %s" % (server, state, answer.strip()))
        return answer

    def traffic(self, rate=traffic_mod.DEFAULT_RATE, count=traffic_mod.DEFAULT_COUNT,
                timeout=traffic_mod.DEFAULT_TIMEOUT, path=traffic_mod.DEFAULT_PATH):
        host, port = self.lb_address
        return traffic_mod.Traffic(host, port, rate=rate, count=count, timeout=timeout, path=path).start()

    def traffic_process(self, json_file, rate=traffic_mod.DEFAULT_RATE, count=traffic_mod.DEFAULT_COUNT,
                        timeout=traffic_mod.DEFAULT_TIMEOUT, path=traffic_mod.DEFAULT_PATH):
        env = dict(os.environ, APIGW_LAB_DIR=str(self.lab_dir))
        return subprocess.Popen([str(LABCTL), "traffic", "--rate", str(rate), "--count",
                                 str(count), "--timeout", str(timeout), "--path", path,
                                 "--json", str(json_file)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                env=env)

    def ansible_env(self):
        env = dict(os.environ)
        env["PATH"] = "%s:%s" % (VENV_BIN, env.get("PATH", ""))
        env["ANSIBLE_INVENTORY"] = str(self.inventory_path)
        env.setdefault("ANSIBLE_FORKS", "20")
        return env


class LabPool:
    """Holds the one shared lab of a test session; swaps topology on demand."""

    def __init__(self):
        self.current = None

    def get(self, topology, nodes=None, product=True, cassandra_auth=False, owner=None):
        key = (topology, nodes, product, cassandra_auth, owner)
        if self.current is not None and self.current[0] == key and self.current[1].owned:
            return self.current[1]
        self.release()
        lab = Lab()
        lab.up(topology, nodes=nodes, product=product, cassandra_auth=cassandra_auth, owner=owner)
        self.current = (key, lab)
        return lab

    def release(self):
        if self.current is not None:
            lab, self.current = self.current[1], None
            lab.down()


try:
    import pytest
except ImportError:  # labctl itself never imports this module
    pytest = None

if pytest is not None:
    @pytest.fixture(scope="session")
    def lab_pool():
        pool = LabPool()
        try:
            yield pool
        finally:
            pool.release()

    @pytest.fixture
    def lab_factory(lab_pool):
        made = []

        def make(topology="vendor-3-node", nodes=None, product=True, cassandra_auth=False,
                 external_db=False, duplicate_jar=False, owner=None, operator=None):
            lab_pool.release()
            lab = Lab()
            made.append(lab)
            lab.up(topology, nodes=nodes, product=product, cassandra_auth=cassandra_auth,
                   external_db=external_db, duplicate_jar=duplicate_jar, owner=owner,
                   operator=operator)
            return lab

        try:
            yield make
        finally:
            for lab in made:
                lab.down()

    @pytest.fixture(scope="module")
    def vendor3(lab_pool):
        return lab_pool.get("vendor-3-node")

    @pytest.fixture(scope="module")
    def single(lab_pool):
        return lab_pool.get("single")
