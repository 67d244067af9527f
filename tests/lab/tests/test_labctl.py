"""labctl against real lab hosts (namespaces + sshd on this machine). Needs root.

Run: .venv/bin/python -m pytest tests/lab/tests/test_labctl.py (as root, from the repository root)
Most tests share one bare vendor-3-node lab (``bare3``) and put it back as they found it.
"""
import json
import os
import re
import socket
import stat
import subprocess
import time
from pathlib import Path

import pytest

from lablib import faults as lab_faults
from lablib import state as lab_state
from lablib.testing import LABCTL, VENV_BIN, Lab
from lablib.util import LabError

DESIGN = Path(LABCTL).parent / "DESIGN.md"
PRODUCT_INSTALL = Path(LABCTL).parent / "product" / "apigw_lab" / "install.py"
NET = lab_state.subnet()          # 10.77.0 unless APIGW_LAB_SUBNET says otherwise
NS = lab_state.NS_PREFIX         # apigw-node unless APIGW_LAB_NAME says otherwise


@pytest.fixture(scope="module")
def bare3(lab_pool):
    """vendor-3-node hosts without the product: host behaviour only."""
    return lab_pool.get("vendor-3-node", product=False)


def snapshot(lab_dir):
    """What this lab's name can leave on the machine: namespaces, interfaces, mounts, processes.

    Only objects of this lab (APIGW_LAB_NAME, $LAB_DIR) count: another suite's lab may come and
    go on the same machine meanwhile.
    """
    netns = {line.split()[0] for line in subprocess.run(
        ["ip", "netns", "list"], capture_output=True, check=False, text=True).stdout.splitlines()
        if line.startswith(NS)}
    links = {n for n in os.listdir("/sys/class/net")
             if n == lab_state.BRIDGE or n.startswith(lab_state.VETH_PREFIX)}
    mounts = {line for line in Path("/proc/mounts").read_text().splitlines()
              if str(lab_dir) in line or "/run/netns/" + NS in line}
    procs = set()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path("/proc/%s/cmdline" % pid).read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if str(lab_dir) + "/" in cmd or NS in cmd:
            procs.add((int(pid), cmd))
    return {"netns": netns, "links": links, "mounts": mounts, "procs": procs}


def wait_no_lab(lab_pool):
    """Take down our shared lab; a lab of this name that is still there then fails at once, naming
    it (APIGW_LAB_WAIT allows a bounded wait, as Lab.up does)."""
    lab_pool.release()
    deadline = time.monotonic() + float(os.environ.get("APIGW_LAB_WAIT", "0"))
    while snapshot(Lab().lab_dir)["netns"] or Lab().lab_dir.exists():
        if time.monotonic() >= deadline:
            pytest.fail("a lab of this name (APIGW_LAB_NAME=%s) is still up at %s: take it down with labctl down"
                        % (os.environ.get("APIGW_LAB_NAME", "apigw"), Lab().lab_dir))
        time.sleep(2)


def ssh_outcome(lab, node, timeout=30):
    """('ok'|'refused'|'timeout'|'other', seconds) of a fresh ssh login (no shared master)."""
    argv = ["ssh", "-F", str(lab.ssh_config_path), "-o", "ControlPath=none",
            "-o", "ConnectTimeout=3", "-v", node, "true"]
    start = time.monotonic()
    try:
        proc = subprocess.run(argv, capture_output=True, check=False, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", time.monotonic() - start
    took = time.monotonic() - start
    if proc.returncode == 0:
        return "ok", took
    if "Connection refused" in proc.stderr:
        return "refused", took
    if "timed out" in proc.stderr:
        return "timeout", took
    return "other: " + proc.stderr[-300:], took


# ------------------------------------------------------------------ up / down

def test_up_down_leaves_nothing(lab_pool):
    wait_no_lab(lab_pool)
    lab = Lab()
    before, all_mounts = snapshot(lab.lab_dir), Path("/proc/mounts").read_text()
    assert not any(n.startswith(NS) for n in before["netns"]), "a lab is already up"
    try:
        proc = lab.up("vendor-3-node", product=False)
        assert re.search(r"up: 3 host\(s\).*took [0-9.]+ s", proc.stderr)
        during = snapshot(lab.lab_dir)
        assert {NS + "1", NS + "2", NS + "3"} <= during["netns"]
        assert lab_state.BRIDGE in during["links"]
        assert len([p for p in during["procs"] if "sshd -D" in p[1]]) >= 3
    finally:
        down = lab.down()
    assert re.search(r"down: took [0-9.]+ s", down.stderr)
    after = snapshot(lab.lab_dir)
    assert after["netns"] == before["netns"]
    assert after["links"] == before["links"]
    assert after["mounts"] == before["mounts"]
    assert after["procs"] == set()
    if not subprocess.run(["ip", "netns", "list"], capture_output=True, check=False, text=True).stdout:
        # no other lab on the machine: the whole mount table is back as it was (/run/netns too)
        assert Path("/proc/mounts").read_text() == all_mounts
    assert not lab.lab_dir.exists()
    ip_link = subprocess.run(["ip", "link"], capture_output=True, check=False, text=True).stdout
    assert lab_state.BRIDGE not in ip_link and lab_state.VETH_PREFIX not in ip_link


@pytest.mark.parametrize("broken, message", [
    ("node2:opt", "bind /tmp/apigw-lab/hosts/node2/opt on /opt"),
    ("node1:initd", "bind /tmp/apigw-lab/hosts/node1/init.d on /etc/init.d"),
    ("node3:sshd", "NoSuchSshdOption"),
])
def test_failed_up_cleans_up_and_names_the_node(lab_pool, monkeypatch, broken, message):
    """A host that cannot start (bind fails / sshd refuses its config) fails up, which removes
    everything it made; a failed /opt bind never lets sshd start (nothing lands in the real /opt)."""
    wait_no_lab(lab_pool)
    lab = Lab()
    message = message.replace("/tmp/apigw-lab", str(lab.lab_dir))
    before, real_opt = snapshot(lab.lab_dir), sorted(os.listdir("/opt"))
    real_initd = sorted(os.listdir("/etc/init.d"))
    monkeypatch.setenv("APIGW_LAB_TEST_BREAK", broken)
    proc = lab.labctl("up", "--topology", "vendor-3-node", "--no-product", check=False)
    assert proc.returncode == 1
    node = broken.split(":")[0]
    assert "node %s: host did not start" % node in proc.stderr and message in proc.stderr
    after = snapshot(lab.lab_dir)
    assert (after["netns"], after["links"], after["mounts"], after["procs"]) == \
        (before["netns"], before["links"], before["mounts"], set())
    assert not lab.lab_dir.exists()
    assert sorted(os.listdir("/opt")) == real_opt
    assert sorted(os.listdir("/etc/init.d")) == real_initd


def test_interrupted_up_cleans_up(lab_pool, tmp_path):
    """SIGTERM in the middle of up (a test runner's timeout) removes the half-made lab.

    up is held once the hosts' network exists (the APIGW_LAB_TEST_HOLD hook) and interrupted
    there: the signal always lands in the middle, never after up has finished."""
    wait_no_lab(lab_pool)
    lab = Lab()
    before = snapshot(lab.lab_dir)
    held = tmp_path / "held"
    proc = subprocess.Popen([str(LABCTL), "up", "--topology", "N-node", "--nodes", "20",
                             "--no-product"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=dict(os.environ, APIGW_LAB_DIR=str(lab.lab_dir),
                                                APIGW_LAB_TEST_HOLD=str(held)))
    deadline = time.monotonic() + 120
    while not held.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert held.exists(), "up never reached the hold (exit %s)" % proc.poll()
    assert snapshot(lab.lab_dir)["netns"], "held with no namespace made"
    proc.terminate()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err
    assert "up failed; removing what it made" in err
    after = snapshot(lab.lab_dir)
    assert (after["netns"], after["links"], after["mounts"], after["procs"]) == \
        (before["netns"], before["links"], before["mounts"], set())
    assert not lab.lab_dir.exists()


def test_down_names_what_it_cannot_remove(lab_pool):
    """A mount down did not make (here: a tmpfs under $LAB_DIR) is reported, exit 1, folder kept."""
    wait_no_lab(lab_pool)
    lab = Lab()
    lab.up("single", product=False)
    stray = lab.lab_dir / "stray-mount"
    stray.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(stray)], check=True)
    try:
        proc = lab.labctl("down", check=False)
        assert proc.returncode == 1
        assert "left behind: mount %s" % stray in proc.stderr
        assert lab.lab_dir.exists()                       # not removed while something is mounted
        assert not any(n.startswith(NS) for n in snapshot(lab.lab_dir)["netns"])
    finally:
        subprocess.run(["umount", str(stray)], check=False)
        lab.labctl("down")
    assert not lab.lab_dir.exists()


def test_up_refuses_when_lab_exists(bare3):
    proc = bare3.labctl("up", "--topology", "single", check=False)
    assert proc.returncode == 1
    assert "a lab already exists" in proc.stderr and "labctl down" in proc.stderr
    assert bare3.alive("node1")  # the refusal did not touch the running lab


@pytest.mark.parametrize("args, needle", [
    (["--topology", "N-node", "--nodes", "61"], "--nodes 61"),
    (["--topology", "N-node", "--nodes", "0"], "--nodes 0"),
    (["--topology", "single", "--nodes", "3"], "--nodes 3"),
])
def test_up_rejects_bad_options_naming_them(lab_pool, args, needle):
    proc = Lab().labctl("up", *args, check=False)
    assert proc.returncode == 1
    assert needle in proc.stderr


def test_lab_json_shape_and_modes(bare3):
    info = bare3.info
    assert stat.S_IMODE((bare3.lab_dir / "lab.json").stat().st_mode) == 0o600
    assert stat.S_IMODE(bare3.inventory_path.stat().st_mode) == 0o600
    assert set(info) == {"topology", "old_version", "new_version", "old_dir", "new_dir",
                         "admin_username", "admin_password", "domain_passphrase", "cassandra",
                         "hosts", "apimanager"}
    assert info["cassandra"] == {"host": "NodeA", "port": 9042, "inventory_host": "node1"}
    # vendor-3-node has an API Manager instance: its administrator (DESIGN.md "Manual checklist
    # items"); the opt-in keys (external_db, duplicate_jar, cassandra_closed_ports) are absent
    assert info["apimanager"]["username"] == "apiadmin" and info["apimanager"]["port"] == 8075
    assert len(info["apimanager"]["password"]) >= 16
    by_name = {h["topology_name"]: h for h in info["hosts"]}
    assert [h["inventory_name"] for h in info["hosts"]] == ["node1", "node2", "node3"]
    assert (by_name["NodeA"]["anm"], by_name["NodeA"]["first_anm"]) == (True, True)
    assert (by_name["NodeB"]["anm"], by_name["NodeB"]["first_anm"]) == (False, False)
    assert (by_name["NodeC"]["anm"], by_name["NodeC"]["first_anm"]) == (True, False)
    assert [(i["group"], i["name"], i["api_manager"]) for i in by_name["NodeC"]["instances"]] == \
        [("GatewayManagerGroup", "APIManagerGateway", True)]
    assert by_name["NodeA"]["instances"][0]["group_id"] == by_name["NodeB"]["instances"][0]["group_id"]
    assert by_name["NodeC"]["instances"][0]["group_id"] != by_name["NodeA"]["instances"][0]["group_id"]
    assert len(info["admin_password"]) >= 16 and info["admin_password"] != info["domain_passphrase"]
    assert (bare3.lab_dir / "ca.pem").read_text().startswith("-----BEGIN CERTIFICATE-----")
    for secret in ("ca.key", "domain.p12"):     # the domain CA's key, alone and as PKCS#12
        assert stat.S_IMODE((bare3.lab_dir / secret).stat().st_mode) == 0o600


def test_host_is_isolated_machine(bare3):
    out = bare3.ssh("node2", "hostname; cat /proc/1/comm; findmnt -n -o FSTYPE /run; "
                    "ip -4 -o addr show eth0; ip route; cat /proc/sys/net/ipv4/ip_forward",
                    check=True).stdout.split("\n")
    assert out[0] == "node2"
    assert out[1] == "sshd"                       # sshd is the host's PID 1
    assert out[2] == "tmpfs"
    assert NET + ".2/24" in out[3]
    assert "default" not in "\n".join(out[4:-2])  # no default route: traffic stays here
    assert Path("/proc/sys/net/ipv4/ip_forward").read_text().strip() == "0"


def test_hosts_resolve_each_other_by_both_names(bare3):
    script = ("import socket\n"
              "for n in ('node1','NodeA','node3','NodeC'):\n"
              "    a = socket.gethostbyname(n); socket.create_connection((n, 22), 3).close()\n"
              "    print(n, a)\n")
    out = bare3.ssh("node2", "python3 -", input=script, check=True).stdout.split()
    assert out == ["node1", NET + ".1", "NodeA", NET + ".1", "node3", NET + ".3",
                   "NodeC", NET + ".3"]
    assert bare3.ssh("NodeC", "hostname", check=True).stdout.strip() == "node3"


def test_private_opt_differs_per_host(bare3):
    marker = "private-%d" % os.getpid()
    try:
        bare3.ssh("node1", "echo %s > /opt/lab-test-file" % marker, check=True)
        assert (bare3.opt("node1") / "lab-test-file").read_text().strip() == marker
        other = bare3.ssh("node2", "cat /opt/lab-test-file")
        assert other.returncode != 0 and "No such file" in other.stderr
        assert not Path("/opt/lab-test-file").exists()     # the machine's real /opt is untouched
        roots = {n: bare3.ssh(n, "echo $HOME; ls -A /root", check=True).stdout for n in bare3.nodes}
        assert all(".pyenv" not in r for r in roots.values())  # /root is private too
    finally:
        (bare3.opt("node1") / "lab-test-file").unlink(missing_ok=True)


def test_exec_runs_inside_the_host(bare3):
    proc = bare3.exec("node3", "sh", "-c", "hostname; ls -A /opt")
    assert proc.stdout.split()[0] == "node3"
    assert ".apigw-lab-host" in proc.stdout


def test_status_reports_hosts(bare3):
    status = json.loads(bare3.labctl("status", "--json").stdout)
    rows = {r["node"]: r for r in status["hosts"]}
    assert set(rows) == {"node1", "node2", "node3"}
    assert all(r["alive"] and r["network"] == "up" and r["sshd"] for r in rows.values())
    assert rows["node3"]["address"] == NET + ".3" and rows["node3"]["topology_name"] == "NodeC"


# ------------------------------------------------------------------ failures

def test_fail_and_heal_give_timeouts_then_work(bare3):
    assert ssh_outcome(bare3, "node2")[0] == "ok"
    bare3.fail("node2")
    try:
        outcome, took = ssh_outcome(bare3, "node2")
        assert outcome == "timeout" and took >= 2.5, (outcome, took)
        # the host itself is still running (pulled cable, not a crash)
        assert bare3.alive("node2")
        # other hosts cannot reach it either
        probe = bare3.ssh("node1", "timeout 3 python3 -c \"import socket; "
                          "socket.create_connection(('node2', 22), 2)\"")
        assert probe.returncode != 0 and "refused" not in probe.stderr.lower()
    finally:
        bare3.heal("node2")
    assert ssh_outcome(bare3, "node2")[0] == "ok"


def test_crash_and_boot(bare3):
    opt_file = bare3.opt("node3") / "survives-crash"
    bare3.ssh("node3", "echo kept > /opt/survives-crash; "
              "(setsid sleep 600 >/dev/null 2>&1 </dev/null &)", check=True)
    old_pid = bare3.state["hosts"]["node3"]["pid"]
    bare3.crash("node3")
    try:
        assert not bare3.alive("node3")
        assert ssh_outcome(bare3, "node3")[0] == "refused"
        assert not Path("/proc/%d" % old_pid).exists() or \
            Path("/proc/%d/stat" % old_pid).read_text().split(")")[1].split()[0] == "Z"
        # every process of the host died with PID 1 (the sleep too)
        pids = subprocess.run(["ip", "netns", "pids", NS + "3"], capture_output=True, check=False,
                              text=True).stdout.split()
        assert [p for p in pids
                if Path("/proc/%s/stat" % p).exists() and
                Path("/proc/%s/stat" % p).read_text().split(")")[1].split()[0] != "Z"] == []
        again = bare3.labctl("crash", "node3", check=False)
        assert again.returncode == 1 and "node3" in again.stderr
    finally:
        bare3.boot("node3")
    assert bare3.alive("node3")
    assert bare3.state["hosts"]["node3"]["pid"] != old_pid
    assert bare3.ssh("node3", "cat /opt/survives-crash; hostname", check=True).stdout.split() == \
        ["kept", "node3"]
    assert bare3.ssh("node3", "ps -eo comm", check=True).stdout.split().count("sleep") == 0
    opt_file.unlink()


def test_boot_refuses_a_running_host(bare3):
    proc = bare3.labctl("boot", "node1", check=False)
    assert proc.returncode == 1 and "node1 is running" in proc.stderr


def test_unknown_node_is_named(bare3):
    proc = bare3.labctl("fail", "node9", check=False)
    assert proc.returncode == 1 and "node9" in proc.stderr and "node1, node2, node3" in proc.stderr


# ------------------------------------------------------------------ faults

def test_fault_written_listed_and_cleared(bare3):
    path = bare3.opt("node1") / "apigw-lab" / "faults.json"
    try:
        bare3.fault("node1", "slow", step="upgrade", seconds=5)
        bare3.fault("NodeA", "license_missing")
        expected = {"slow": {"step": "upgrade", "seconds": 5}, "license_missing": {}}
        assert json.loads(path.read_text()) == expected
        assert bare3.faults("node1") == expected
        # visible inside the host at the documented path
        inside = bare3.ssh("node1", "cat /opt/apigw-lab/faults.json", check=True).stdout
        assert json.loads(inside) == expected
        assert bare3.faults("node2") == {}
        bare3.clear_faults("node1", "slow")
        assert json.loads(path.read_text()) == {"license_missing": {}}
        bare3.clear_faults("node1")
        assert not path.exists()
        assert bare3.faults("node1") == {}
    finally:
        bare3.clear_faults("node1")


def test_unknown_fault_rejected_with_valid_names(bare3):
    proc = bare3.labctl("fault", "node1", "no_such_fault", check=False)
    assert proc.returncode == 1
    assert "no_such_fault" in proc.stderr and "csr_sign_failure" in proc.stderr
    bad_param = bare3.labctl("fault", "node1", "slow", "step=nowhere", check=False)
    assert bad_param.returncode == 1 and "step=nowhere" in bad_param.stderr
    assert not (bare3.opt("node1") / "apigw-lab" / "faults.json").exists()


def test_fault_catalogue_matches_design():
    """Every fault DESIGN.md's catalogue names is accepted, and labctl accepts no other; each
    fault takes exactly the parameters the section names for it."""
    section = DESIGN.read_text().split("## Fault catalogue", 1)[1].split("\n## ", 1)[0]
    table = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    prose = section.split("Troubleshooting cases", 1)[1]
    token = r"`([a-z_]+)(?: [a-z_]+=[^`]*)?`"
    named = set(re.findall(token, "\n".join(table))) | set(re.findall(token, prose))
    assert named == set(lab_faults.CATALOGUE), named ^ set(lab_faults.CATALOGUE)
    params = {}
    for name, pairs in re.findall(r"`([a-z_]+)((?: [a-z_]+=[^ `]*)+)`", prose):
        params.setdefault(name, set()).update(re.findall(r" ([a-z_]+)=", pairs))
    assert params == {n: set(spec) for n, spec in lab_faults.CATALOGUE.items() if spec}


def product_fault_params():
    """{fault: {param, ...}} that the product's code reads (apigw_lab/*.py, steps/*.py)."""
    reads = {}
    for src in sorted(PRODUCT_INSTALL.parent.rglob("*.py")):
        text = src.read_text()
        for name, key in re.findall(r"params\(\"([a-z_]+)\"\)\.get\(\s*\"([a-z_]+)\"", text):
            reads.setdefault(name, set()).add(key)
        for var, name in re.findall(r"(\w+) = [\w.]*for_step\(\"([a-z_]+)\"", text):
            reads.setdefault(name, set()).update(re.findall(r"\b%s\.get\(\"([a-z_]+)\"" % var, text))
        for name in re.findall(r"for_step\(\"([a-z_]+)\"", text):
            reads.setdefault(name, set()).add("step")   # Faults.for_step reads `step`
    return reads


def test_fault_catalogue_takes_what_the_product_reads():
    reads = product_fault_params()
    assert {"slow", "crash", "prompt", "corrupt_jar", "inconsistent_group"} <= set(reads)
    assert reads == {n: set(spec) for n, spec in lab_faults.CATALOGUE.items() if spec}


def test_fault_params_validated_without_a_lab():
    assert lab_faults.parse_params("corrupt_jar", ["jar=123"]) == {"jar": "123"}   # str: as given
    assert lab_faults.parse_params("slow", ["step=export", "seconds=40"]) == \
        {"step": "export", "seconds": 40}
    assert lab_faults.parse_params("activemq_outside", []) == {}
    with pytest.raises(LabError, match=r"fault corrupt_jar: unknown parameter 'dir'; "
                       r"valid parameters: jar=str"):
        lab_faults.parse_params("corrupt_jar", ["dir=/x"])
    with pytest.raises(LabError, match=r"fault license_missing: unknown parameter "
                       r"'host'; valid parameters: none"):
        lab_faults.parse_params("license_missing", ["host=NodeB"])


def test_fault_optional_params_accepted_and_unknown_rejected(bare3):
    path = bare3.opt("node1") / "apigw-lab" / "faults.json"
    try:
        for name, params in (("inconsistent_group", {"group": "GatewayGroup"}),
                             ("anm_host_invalid", {"host": "NodeX"}),
                             ("anm_host_not_anm", {"host": "NodeB"}),
                             ("corrupt_jar", {"jar": "broken.jar"}),
                             ("activemq_missing", {"dir": "/opt/amq/missing"}),
                             ("activemq_outside", {"dir": "/opt/activemq/data"}),
                             ("large_config", {"required_heap_mb": 4096}),
                             ("log_location", {"dir": "export/bin/out/logs"})):
            bare3.fault("node1", name, **params)
            assert json.loads(path.read_text())[name] == params
        before = path.read_text()
        for name, bad, valid in (("corrupt_jar", "dir=/x", "jar=str"),
                                 ("slow", "host=NodeB", "step=str, seconds=int"),
                                 ("kps_duplicates", "jar=x.jar", "none")):
            proc = bare3.labctl("fault", "node1", name, bad, check=False)
            assert proc.returncode == 1
            assert "fault %s: unknown parameter %r; valid parameters: %s" % (
                name, bad.partition("=")[0], valid) in proc.stderr, proc.stderr
        assert path.read_text() == before          # a rejected call changes nothing
    finally:
        bare3.clear_faults("node1")


# ------------------------------------------------------------------ inventory / ansible

def test_inventory_yaml_has_interface_names(bare3):
    import yaml  # pylint: disable=import-outside-toplevel  # ansible-core's own dependency
    inv = yaml.safe_load(bare3.inventory_path.read_text())
    group = inv["all"]["children"]["apigw"]
    assert group["hosts"] == {
        "node1": {"ansible_host": NET + ".1", "apigw_topology_host": "NodeA"},
        "node2": {"ansible_host": NET + ".2", "apigw_topology_host": "NodeB"},
        "node3": {"ansible_host": NET + ".3", "apigw_topology_host": "NodeC"}}
    v, info = group["vars"], bare3.info
    assert v["apigw_old_install_dir"] == "/opt/Axway-7.5.3/apigateway"
    assert v["apigw_new_install_dir"] == "/opt/Axway-7.7/apigateway"
    assert (v["apigw_admin_username"], v["apigw_admin_password"], v["apigw_domain_passphrase"]) == \
        (info["admin_username"], info["admin_password"], info["domain_passphrase"])
    assert (v["apigw_cassandra_host"], v["apigw_cassandra_port"]) == ("NodeA", 9042)
    assert v["apigw_backup_dir"] == "/opt/apigw-backup"  # each host's own /opt, not the shared /var
    assert v["ansible_user"] == "root" and v["ansible_python_interpreter"] == "/usr/bin/python3"
    assert v["ansible_ssh_common_args"] == "-F %s" % bare3.ssh_config_path
    # nothing a real inventory would not have: no CA file, no lab-only path, no TLS switch
    assert not [k for k in v if "ca_path" in k or "validate_certs" in k or "cassandra_user" in k]
    text = bare3.inventory_path.read_text()
    assert "lab-tls" not in text and "ca.pem" not in text and "validate_certs" not in text
    config = bare3.ssh_config_path.read_text()
    for option in ("StrictHostKeyChecking yes", "ServerAliveInterval 2", "ServerAliveCountMax 2",
                   "ConnectTimeout 5", "ControlPersist 60s", "BatchMode yes",
                   "UserKnownHostsFile %s/known_hosts" % bare3.lab_dir):
        assert option in config
    assert NET + ".1 " in (bare3.lab_dir / "known_hosts").read_text().replace(",", " ")


def test_ssh_never_touches_users_known_hosts(bare3):
    user_kh = Path.home() / ".ssh" / "known_hosts"
    before = user_kh.read_bytes() if user_kh.exists() else None
    bare3.ssh("node1", "true", check=True)
    assert (user_kh.read_bytes() if user_kh.exists() else None) == before


def test_ansible_ping(bare3):
    ansible = VENV_BIN / "ansible"
    assert ansible.exists(), "no %s: build the project venv first (bash scripts/bootstrap)" % ansible
    proc = subprocess.run([str(ansible), "apigw", "-i", str(bare3.inventory_path), "-m", "ping"],
                          capture_output=True, check=False, text=True, timeout=180, env=bare3.ansible_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert sorted(re.findall(r"^(node\d) \| SUCCESS", proc.stdout, re.M)) == ["node1", "node2", "node3"]
    assert proc.stdout.count('"ping": "pong"') == 3


# ------------------------------------------------------------------ other topologies

def test_n_node_20(lab_factory):
    lab = lab_factory("N-node", nodes=20, product=False)
    info = lab.info
    assert [h["inventory_name"] for h in info["hosts"]] == ["node%d" % i for i in range(1, 21)]
    assert [h["anm"] for h in info["hosts"]] == [True, True] + [False] * 18
    assert [h["first_anm"] for h in info["hosts"]] == [True] + [False] * 19
    assert all(h["topology_name"] == h["inventory_name"] for h in info["hosts"])
    assert info["cassandra"]["host"] == "node1"
    names = lab.ssh("node20", "hostname; getent hosts node1 | cut -d' ' -f1", check=True).stdout
    assert names.split() == ["node20", NET + ".1"]
    status = json.loads(lab.labctl("status", "--json").stdout)
    assert sum(1 for r in status["hosts"] if r["alive"] and r["sshd"]) == 20


def test_single_topology(lab_factory):
    lab = lab_factory("single", product=False)
    (host,) = lab.info["hosts"]
    assert (host["inventory_name"], host["topology_name"], host["anm"], host["first_anm"]) == \
        ("node1", "node1", True, True)
    assert [i["name"] for i in host["instances"]] == ["APIGateway1"]
    # no API Manager instance: no API Manager login in lab.json or the inventory
    assert "apimanager" not in lab.info
    assert "apigw_apimanager" not in lab.inventory_path.read_text()


def test_up_installs_product_and_starts_old_processes(vendor3):
    info = vendor3.info
    for h in info["hosts"]:
        node = h["inventory_name"]
        nm = vendor3.ssh(node, "%s/posix/bin/nodemanager -s" % info["old_dir"])
        assert nm.returncode == 0, (node, nm.stdout, nm.stderr)
        for i in h["instances"]:
            gw = vendor3.ssh(node, "%s/posix/bin/startinstance -g %s -n %s -s"
                             % (info["old_dir"], i["group"], i["name"]))
            assert gw.returncode == 0, (node, i["name"], gw.stdout, gw.stderr)
        assert vendor3.ssh(node, "test -x %s/upgrade/bin/sysupgrade" % info["new_dir"]).returncode == 0
        # same path on every host, different contents: each host knows who it is
        identity = vendor3.ssh(node, "cat %s/system/conf/lab-host.json" % info["old_dir"], check=True)
        ident = json.loads(identity.stdout)
        assert (ident["name"], ident["host_id"]) == (h["topology_name"], h["host_id"])
    with socket.create_connection((NET + ".1", 8090), 3):
        pass
    with socket.create_connection((NET + ".1", 9042), 3):   # the Cassandra stand-in on node1
        pass


def test_boot_restarts_sshd_and_cassandra_not_gateways(vendor3):
    """A reboot without init scripts: after crash+boot node1 answers ssh and 9042, not 8090/8085."""
    old = vendor3.info["old_dir"]
    vendor3.crash("node1")
    try:
        assert ssh_outcome(vendor3, "node1")[0] == "refused"
    finally:
        vendor3.boot("node1")
    try:
        with socket.create_connection((NET + ".1", 9042), 3):
            pass
        for port in (8090, 8085):
            with pytest.raises(ConnectionRefusedError):
                socket.create_connection((NET + ".1", port), 3)
        assert vendor3.ssh("node1", "%s/posix/bin/nodemanager -s" % old).returncode == 1
        assert (vendor3.opt("node1") / old[len("/opt/"):] / "posix" / "bin" / "nodemanager").exists()
    finally:
        vendor3.start_processes("node1")
    assert vendor3.ssh("node1", "%s/posix/bin/nodemanager -s" % old).returncode == 0


def test_second_lab_cannot_reuse_the_subnet(bare3, monkeypatch, tmp_path):
    """APIGW_LAB_NAME allows a second lab, but never on a subnet already in use."""
    name = "x%d" % (os.getpid() % 10000)  # this run's own: never a lab someone else left up
    monkeypatch.setenv("APIGW_LAB_NAME", name)
    monkeypatch.setenv("APIGW_LAB_DIR", str(tmp_path / name))
    proc = Lab(tmp_path / name).labctl("up", "--no-product", check=False)
    assert proc.returncode == 1
    assert "subnet %s.0/24 on %s" % (NET, lab_state.BRIDGE) in proc.stderr
    assert not any(n.startswith(name) for n in os.listdir("/sys/class/net"))
