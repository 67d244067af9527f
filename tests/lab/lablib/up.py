"""labctl up: keys, certificates and files, the product trees, the network, the hosts, the OLD
processes, the load balancer (HAProxy in the root namespace) -- in that order; any failure (or
Ctrl-C / SIGTERM) removes what was made.
"""
import os
import shutil
import threading
import time
from pathlib import Path
from concurrent.futures import ThreadPoolExecutor

from . import accounts, certs, haproxy, hosts, inventory, netns, product, sshd, topologies
from . import state as st
from .down import teardown
from .util import LabError, Timer, log, write_file

WORKERS = 16
STATE_LOCK = threading.Lock()  # threads saving state.json one at a time


def parallel(fn, items):
    """fn over items in threads (ssh-keygen, openssl, ssh waits are process-bound); re-raise first error."""
    with ThreadPoolExecutor(max_workers=min(WORKERS, max(1, len(items)))) as pool:
        return list(pool.map(fn, items))


def existing_lab(lab_dir):
    """What shows that a lab exists already (any of: state, namespaces, bridge), or []."""
    found = []
    if (lab_dir / st.MARKER).exists() or st.state_path(lab_dir).exists():
        found.append("lab folder %s" % lab_dir)
    found += ["namespace %s" % n for n in netns.existing_namespaces()]
    found += ["interface %s" % n for n in netns.lab_links()]
    found += ["subnet %s.0/24 on %s" % (st.subnet(), n) for n in netns.subnet_in_use(st.subnet())
              if n not in netns.lab_links()]
    return found


def up(topology, nodes, with_product=True, cassandra_auth=False, external_db=False,
       duplicate_jar=False, owner=None, operator=None):
    timer, lab_dir, prefix = Timer(), st.lab_dir(), st.subnet()
    users = accounts.plan(owner, operator)   # None without --owner: everything root's, as before
    lab = topologies.build(topology, nodes, prefix, cassandra_auth=cassandra_auth,
                           external_db=external_db, duplicate_jar=duplicate_jar)
    if users:
        lab["accounts"] = accounts.lab_json(users)
    with st.LabLock():
        found = existing_lab(lab_dir)
        if found:
            raise LabError("a lab already exists (%s); run 'labctl down' first" % ", ".join(found))
        if lab_dir.exists() and any(lab_dir.iterdir()):
            raise LabError("APIGW_LAB_DIR %s exists and is not empty; move it away or pick "
                           "another folder" % lab_dir)
        state = new_state(lab, lab_dir, prefix)
        try:
            build_lab(lab, state, lab_dir, prefix, with_product, users)
        except BaseException:
            log("up failed; removing what it made")
            for item in teardown(lab_dir):
                log("left behind: %s" % item)
            raise
    print_summary(lab, lab_dir)
    log("up: %d host(s), topology %s, took %.2f s" % (len(lab["hosts"]), topology, timer.elapsed()))
    return 0


def new_state(lab, lab_dir, prefix):
    """Write state.json first, so a half-made lab can always be taken down."""
    lab_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(lab_dir, 0o700)
    (lab_dir / st.MARKER).write_text("made by labctl\n")
    state = {"lab_dir": str(lab_dir), "subnet": prefix, "bridge": st.BRIDGE,
             "run_netns_was_mounted": netns.run_netns_mounted(), "hosts": {}}
    for index, h in enumerate(lab["hosts"], start=1):
        state["hosts"][h["inventory_name"]] = {
            "index": index, "topology_name": h["topology_name"], "address": h["address"],
            "namespace": st.ns_name(index), "veth": st.veth_name(index), "pid": None}
    st.save_state(lab_dir, state)
    return state


def build_lab(lab, state, lab_dir, prefix, with_product, users=None):
    t = Timer()
    (lab_dir / "cm").mkdir(mode=0o700)
    sshd.keygen(lab_dir / "id_ed25519", "apigw-lab-controller")
    certs.make_ca(lab_dir)
    certs.make_domain_p12(lab_dir, lab["domain_passphrase"])
    host_keys = dict(parallel(lambda h: prepare_host(lab_dir, h, users), lab["hosts"]))
    write_file(lab_dir / "hosts_file", inventory.hosts_file(lab, st.bridge_address(prefix)))
    # the load balancer comes with the product (it balances the gateways' traffic ports)
    with_lb = with_product and product.installer() is not None
    inventory.write_all(lab, lab_dir, host_keys, load_balancer=with_lb)
    st.save_lab(lab_dir, lab)
    log("  files and keys: %.2f s" % t.elapsed())
    installed = with_product and install_product(lab, lab_dir, users)
    t = Timer()
    netns.create_bridge(prefix)
    for name, entry in state["hosts"].items():
        netns.create_host_network(entry["index"], prefix, name)
    log("  network: %.2f s" % t.elapsed())
    test_hold()
    t = Timer()
    parallel(lambda n: start_and_wait(lab_dir, state, n), list(state["hosts"]))
    log("  hosts started, ssh works: %.2f s" % t.elapsed())
    if installed:
        t = Timer()
        parallel(lambda h: product.start_old_processes(lab, h, state["hosts"][h["inventory_name"]]["pid"]),
                 lab["hosts"])
        start_cassandra(lab, state)
        log("  OLD processes started: %.2f s" % t.elapsed())
        t = Timer()
        bind_ip = st.bridge_address(prefix)
        pid = haproxy.start(lab, lab_dir, state, bind_ip, lambda s: save_locked(lab_dir, s))
        haproxy.log_started(pid, state["haproxy"]["bind"], lab_dir)
        log("  load balancer up, every server checked: %.2f s" % t.elapsed())


def save_locked(lab_dir, state):
    with STATE_LOCK:
        st.save_state(lab_dir, state)


def start_and_wait(lab_dir, state, node):
    """Start one host, record its PID 1 at once (so a failed up can kill it), wait for ssh."""
    entry = state["hosts"][node]
    test_break(lab_dir, node)
    entry["pid"] = hosts.start(node, entry["namespace"], st.host_dir(lab_dir, node),
                               lab_dir / "hosts_file")
    with STATE_LOCK:
        st.save_state(lab_dir, state)
    sshd.require_ssh(lab_dir, node, entry["address"], lambda: hosts.alive(entry["pid"]))


def test_break(lab_dir, node):
    """Test hook: APIGW_LAB_TEST_BREAK=node2:opt|initd|sshd breaks that host's start-up for real
    (its /opt or /etc/init.d folder vanishes, or its sshd_config is invalid), to test clean-up of
    a failed up."""
    target, _sep, what = os.environ.get("APIGW_LAB_TEST_BREAK", "").partition(":")
    if target != node:
        return
    hdir = st.host_dir(lab_dir, node)
    if what == "opt":
        shutil.rmtree(hdir / "opt")
    elif what == "initd":
        shutil.rmtree(hdir / "init.d")
    elif what == "sshd":
        with open(hdir / "sshd_config", "a") as handle:
            handle.write("NoSuchSshdOption yes\n")


# Seconds test_hold waits for the test to stop up before giving up on it.
HOLD_LIMIT = 300


def test_hold():
    """Test hook: APIGW_LAB_TEST_HOLD=FILE makes up write its pid to FILE once the hosts' network
    exists, then wait there for a signal (up to HOLD_LIMIT s), so that a test can interrupt a
    half-made up when it chooses, never by racing it."""
    path = os.environ.get("APIGW_LAB_TEST_HOLD")
    if not path:
        return
    Path(path).write_text("%d\n" % os.getpid())
    deadline = time.monotonic() + HOLD_LIMIT
    while time.monotonic() < deadline:
        time.sleep(0.1)
    raise LabError("APIGW_LAB_TEST_HOLD: up was held %d s and nobody stopped it" % HOLD_LIMIT)


def prepare_host(lab_dir, host, users=None):
    """Folders, host key, sshd_config, root's authorized_keys, TLS cert of one host; with
    --owner also the host's own account files and the accounts' homes (accounts.py)."""
    node, hdir = host["inventory_name"], st.host_dir(lab_dir, host["inventory_name"])
    hosts.prepare_dirs(hdir)
    sshd.keygen(hdir / "ssh_host_ed25519_key", "apigw-lab-%s" % node)
    sshd.write_config(hdir / "sshd_config", host["address"], hdir / "ssh_host_ed25519_key")
    write_file(hdir / "root" / ".ssh" / "authorized_keys",
               sshd.public_key(lab_dir / "id_ed25519") + "\n", 0o600)
    if users:
        accounts.prepare_host(hdir, users, sshd.public_key(lab_dir / "id_ed25519"))
    certs.make_host_cert(lab_dir, hdir, inventory.names(host), host["address"])
    return node, sshd.public_key(hdir / "ssh_host_ed25519_key")


def tls_paths(lab_dir, host):
    """What install_host() copies into the host's OLD groups/certs: the domain CA certificate,
    the host's certificate and key, and, for the first ANM, the domain CA PKCS#12."""
    tls = st.host_dir(lab_dir, host["inventory_name"]) / "tls"
    paths = {"ca": str(lab_dir / "ca.pem"), "cert": str(tls / "cert.pem"),
             "key": str(tls / "key.pem")}
    if host["first_anm"]:
        paths["domain_p12"] = str(lab_dir / "domain.p12")
    return paths


def install_product(lab, lab_dir, users=None):
    """OLD and NEW trees into each host's /opt (from the controller side)."""
    module = product.installer()
    if module is None:
        log("  product not found (%s): bare hosts, no installation, no processes"
            % (product.PRODUCT_DIR / "apigw_lab" / "install.py"))
        return False
    t = Timer()
    for h in lab["hosts"]:
        node = h["inventory_name"]
        product.install(module, st.host_dir(lab_dir, node) / "opt", lab, node,
                        tls_paths(lab_dir, h), initd=st.host_dir(lab_dir, node) / "init.d")
        if users:   # the service account owns both trees (the init.d scripts stay root's)
            accounts.chown_install(st.host_dir(lab_dir, node) / "opt", lab, users)
    log("  product installed: %.2f s" % t.elapsed())
    return True


def start_cassandra(lab, state):
    node = lab["cassandra"]["inventory_host"]
    opt = st.host_dir(state["lab_dir"], node) / "opt"
    if not product.start_cassandra(lab, state["hosts"][node]["pid"], opt):
        log("  Cassandra stand-in: not installed on %s (see lablib/product.py cassandra_argv)" % node)


def print_summary(lab, lab_dir):
    for h in lab["hosts"]:
        roles = ("first ANM" if h["first_anm"] else "ANM") if h["anm"] else "NM"
        gws = ", ".join("%s/%s" % (i["group"], i["name"]) for i in h["instances"])
        print("%-7s %-10s %-13s %-9s %s" % (
            h["inventory_name"], h["topology_name"], h["address"], roles, gws))
    if lab.get("apimanager"):
        print("api manager: https://%s:%d/ (user %s; apigw_apimanager_* in the inventory)"
              % (next(h["topology_name"] for h in lab["hosts"] for i in h["instances"]
                      if i["api_manager"]), lab["apimanager"]["port"],
                 lab["apimanager"]["username"]))
    if lab.get("external_db"):
        print("external database: %s in group %s" % (lab["external_db"]["url"], lab["external_db"]["group"]))
    if lab["cassandra"].get("username"):
        print("cassandra: login required (user %s; apigw_cassandra_* in the inventory)"
              % lab["cassandra"]["username"])
    state = st.load_state(lab_dir)
    if state.get("haproxy"):
        print("load balancer: http://%s/ (haproxy pid %d; runtime API %s)" % (
            state["haproxy"]["bind"], state["haproxy"]["pid"], state["haproxy"]["socket"]))
    if lab.get("accounts"):
        print("accounts:  %s owns the installations (its processes); %s has sudo; ssh -l NAME"
              % (lab["accounts"]["owner"], lab["accounts"]["operator"]))
    print("inventory: %s" % (lab_dir / "inventory.yml"))
    print("ssh:       ssh -F %s node1" % (lab_dir / "ssh_config"))
