"""Process commands and daemons on real lab hosts (contract §2, manage_operations.md): -d, -k, -s,
the node manager's HTTPS API with basic auth (rest_api.md), the gateway health check and its
drain, and the Cassandra stand-in."""
import socket
import subprocess
import time
import urllib.error
import urllib.request

import test_product_support as support
fresh = support.fresh  # the fixture, shared with the other product modules


def health(p, node):
    try:
        return urllib.request.build_opener().open("http://%s:8080/healthchecklb" % p.lab.address(node),
                                                  timeout=2).status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return None


def test_process_commands_and_apis(fresh):
    p = fresh
    assert p.proc("node2", "old", "nodemanager", "-s").returncode == 0
    assert p.proc("node2", "old", "startinstance", "-g", "GatewayGroup", "-n", "APIGateway2",
                  "-s").returncode == 0
    assert health(p, "node2") == 200
    # a plain node manager has no topology API; an ANM needs the right credentials
    assert p.get("node2", "/api/topology")[0] == 403
    assert p.get("node1", "/api/topology", auth=("admin", "wrong"))[0] == 401
    assert p.get("node1", "/api/topology", auth=False)[0] == 401
    topo = p.topology("node1")
    assert topo["productVersion"] == "7.5.3"
    nm = [s for s in topo["services"] if s["type"] == "nodemanager"]
    assert sorted(s["hostID"] for s in nm if s["tags"].get("internal_admin_nm") == "true") == \
        ["host-1", "host-3"]
    assert p.get("node2", "/api/lab/info", auth=False)[1]["role"] == "nodemanager"

    # -k returns once stopped; the health check answers 503 while the gateway drains
    ssh = subprocess.Popen(["ssh", "-F", str(p.lab.ssh_config_path), "node2",
                            "%s/posix/bin/startinstance -g GatewayGroup -n APIGateway2 -k"
                            % p.old_dir], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen = set()
    deadline = time.monotonic() + 15
    while ssh.poll() is None and time.monotonic() < deadline:
        seen.add(health(p, "node2"))
        time.sleep(0.05)
    assert ssh.wait(timeout=15) == 0
    assert 503 in seen
    assert health(p, "node2") is None
    assert p.proc("node2", "old", "startinstance", "-g", "GatewayGroup", "-n", "APIGateway2",
                  "-s").returncode == 1
    p.ok(p.proc("node2", "old", "nodemanager", "-k"))
    assert p.proc("node2", "old", "nodemanager", "-s").returncode == 1
    assert p.proc("node2", "old", "nodemanager", "-k").returncode == 0     # already stopped
    # -d returns only once listening
    p.ok(p.proc("node2", "old", "nodemanager", "-d"))
    socket.create_connection((p.lab.address("node2"), 8090), timeout=2).close()


def test_new_node_manager_refuses_to_start_before_apply(fresh):
    p = fresh
    r = p.proc("node1", "new", "nodemanager", "-d")
    assert r.returncode == 1 and "not configured" in r.stdout
    r = p.proc("node1", "new", "startinstance", "-g", "GatewayGroup", "-n", "APIGateway1", "-d")
    assert r.returncode == 1


def test_cassandra_stand_in_listens_on_node1(fresh):
    p = fresh
    socket.create_connection((p.lab.address("node1"), 9042), timeout=2).close()


def test_startinstance_without_arguments_lists_instances(fresh):
    """manage_operations.md "Use startinstance without arguments" (two instances registered)."""
    p = fresh
    extra = p.old("node2", "groups", "group-9", "instance-9", "conf", "service.xml")
    extra.parent.mkdir(parents=True)
    extra.write_text('<Service name="server2" id="instance-9" group="group2" groupId="group-9" '
                     'managementPort="8185" healthcheckPort="8180"/>\n')
    r = p.proc("node2", "old", "startinstance")
    assert r.returncode == 0
    assert r.stdout == (
        'usage:"startinstance [[-n instance-name -g group-name [instance-args]] | '
        '[directory-location [instance-args]]]"\n\n'
        "The API Gateway instances listed below are available to run on this machine as "
        "follows:\n\n"
        'startinstance -n "APIGateway2" -g "GatewayGroup"\n'
        'startinstance -n "server2" -g "group2"\n')
    # with exactly one instance the doc says it starts; it is already running here
    extra.unlink()
    r = p.proc("node2", "old", "startinstance")
    assert r.returncode == 1 and "already running" in r.stdout


def port_open(p, node, port=8090):
    try:
        socket.create_connection((p.lab.address(node), port), timeout=1).close()
        return True
    except OSError:
        return False


def wait_port(p, node, timeout, port=8090):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open(p, node, port):
            return True
        time.sleep(0.1)
    return False


def test_nm_slow_start_and_nm_never_starts(fresh):
    """Faults for the collection's waits (DESIGN.md "Fault catalogue"): -d returns once the node
    manager runs (contract §2), its HTTPS port opens N seconds later, or never."""
    p = fresh
    p.ok(p.proc("node1", "old", "nodemanager", "-k"))
    p.lab.fault("node1", "nm_slow_start", seconds=5)
    try:
        t0 = time.monotonic()
        p.ok(p.proc("node1", "old", "nodemanager", "-d"))
        assert time.monotonic() - t0 < 4
        assert p.proc("node1", "old", "nodemanager", "-s").returncode == 0    # it runs
        assert not port_open(p, "node1")                                     # not listening yet
        assert wait_port(p, "node1", 15)
        assert time.monotonic() - t0 >= 4.5
        assert p.topology("node1")["productVersion"] == "7.5.3"             # and answers
        p.ok(p.proc("node1", "old", "nodemanager", "-k"))

        p.lab.clear_faults("node1")
        p.lab.fault("node1", "nm_never_starts")
        t0 = time.monotonic()
        p.ok(p.proc("node1", "old", "nodemanager", "-d"))
        assert time.monotonic() - t0 < 4
        assert p.proc("node1", "old", "nodemanager", "-s").returncode == 0
        assert not wait_port(p, "node1", 4)
        t0 = time.monotonic()
        p.ok(p.proc("node1", "old", "nodemanager", "-k"))                    # stops at once
        assert time.monotonic() - t0 < 4
        assert p.proc("node1", "old", "nodemanager", "-s").returncode == 1
    finally:
        p.lab.clear_faults("node1")
    # without the faults -d returns only once the port listens, as before
    p.ok(p.proc("node1", "old", "nodemanager", "-d"))
    assert port_open(p, "node1")
    assert p.lab.faults("node1") == {}


def test_nm_slow_start_on_the_anm_that_apply_starts(fresh):
    """apply on the first ANM starts the new ANM with -d, which returns before 8090 opens: a
    later node's apply run at once finds no 7.7 ANM; run once the port is open, it succeeds."""
    p = fresh
    for node in ("node1", "node2"):
        p.export_upgrade(node)
    p.stop_old_everywhere()
    p.lab.fault("node1", "nm_slow_start", seconds=10)
    try:
        t0 = time.monotonic()
        p.ok(p.apply("node1"))
        assert time.monotonic() - t0 < 9
        assert p.status("node1") == "system upgrade complete"
        assert p.proc("node1", "new", "nodemanager", "-s").returncode == 0
        assert not port_open(p, "node1")
        r = p.apply("node2")
        assert r.returncode == 1
        assert ("The version 7.7 Admin Node Manager on host 'NodeA' (https://NodeA:8090) is not "
                "running") in p.log("node2", "apply")
        assert wait_port(p, "node1", 20)
    finally:
        p.lab.clear_faults("node1")
    p.ok(p.apply("node2"))
    assert sorted(h["name"] for h in p.topology("node1")["hosts"]) == ["NodeA", "NodeB"]
