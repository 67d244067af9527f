"""What the controller needs to reach the hosts: inventory.yml, ssh_config, known_hosts,
and the lab-wide hosts file bind-mounted on every host's /etc/hosts.

YAML is written by hand (stdlib only): every string is a JSON string, which is valid YAML.
"""
import json

from . import haproxy
from .util import write_file


def q(value):
    """A YAML scalar: JSON-quoted strings, bare booleans/ints."""
    return json.dumps(value)


def names(host):
    """Inventory name first, then the topology name when it differs."""
    out = [host["inventory_name"]]
    if host["topology_name"] != host["inventory_name"]:
        out.append(host["topology_name"])
    return out


def hosts_file(lab, bridge_ip):
    lines = ["# apigw lab hosts (labctl); every lab host sees this as /etc/hosts",
             "127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback",
             "%s\tcontroller" % bridge_ip]
    lines += ["%s\t%s" % (h["address"], " ".join(names(h))) for h in lab["hosts"]]
    return "\n".join(lines) + "\n"


def ssh_config(lab, lab_dir):
    """Per-node Host entries + one block of options for all lab names and addresses."""
    out = ["# apigw lab ssh config (labctl): ssh -F %s NODE" % (lab_dir / "ssh_config"), ""]
    for host in lab["hosts"]:
        out += ["Host %s" % " ".join(names(host)), "  HostName %s" % host["address"], ""]
    patterns = [n for h in lab["hosts"] for n in names(h)] + [h["address"] for h in lab["hosts"]]
    out += ["Host %s" % " ".join(patterns),
            "  User root",
            "  IdentityFile %s" % (lab_dir / "id_ed25519"),
            "  IdentitiesOnly yes",
            "  UserKnownHostsFile %s" % (lab_dir / "known_hosts"),
            "  GlobalKnownHostsFile /dev/null",
            "  StrictHostKeyChecking yes",
            "  ServerAliveInterval 2",
            "  ServerAliveCountMax 2",
            "  ConnectTimeout 5",
            "  ControlMaster auto",
            "  ControlPersist 60s",
            "  ControlPath %s/%%C" % (lab_dir / "cm"),
            "  BatchMode yes",
            "  LogLevel ERROR",
            ""]
    return "\n".join(out)


def known_hosts(lab, host_keys):
    """One line per host: all its names and its address, with its public host key."""
    return "".join("%s %s\n" % (",".join(names(h) + [h["address"]]),
                                " ".join(host_keys[h["inventory_name"]].split()[:2]))
                   for h in lab["hosts"])


def inventory_yaml(lab, lab_dir, load_balancer=False):
    """Group apigw; the variable names are the collection's interface (do not rename).

    With load_balancer (a lab with the product: labctl up starts HAProxy), the inventory describes
    the site's load balancer as any site's inventory would (DESIGN.md "Inventory"): per host
    apigw_haproxy_servers (that host's server names in the backend), group vars
    apigw_haproxy_runtime_api, apigw_haproxy_backend, apigw_rolling_probe_path and
    apigw_rolling_probe_body (what a node's new installation answers on the site's test API)."""
    c = lab["cassandra"]
    lines = ["# apigw lab inventory (labctl) -- holds secrets, mode 0600",
             "all:", "  children:", "    apigw:", "      hosts:"]
    for h in lab["hosts"]:
        lines += ["        %s:" % h["inventory_name"],
                  "          ansible_host: %s" % q(h["address"]),
                  "          apigw_topology_host: %s" % q(h["topology_name"])]
        if load_balancer:
            lines.append("          apigw_haproxy_servers: %s" % q(
                [haproxy.server_name(h, i) for i in h["instances"]]))
    group_vars = [
        ("ansible_user", "root"),
        ("ansible_python_interpreter", "/usr/bin/python3"),
        ("ansible_ssh_common_args", "-F %s" % (lab_dir / "ssh_config")),
        ("apigw_old_install_dir", lab["old_dir"]),
        ("apigw_new_install_dir", lab["new_dir"]),
        ("apigw_admin_username", lab["admin_username"]),
        ("apigw_admin_password", lab["admin_password"]),
        ("apigw_domain_passphrase", lab["domain_passphrase"]),
        ("apigw_cassandra_host", c["host"]),
        ("apigw_cassandra_port", c["port"]),
        # A site's own choice, as any operator makes it: the lab hosts share the machine's /var
        # (only /opt and /root are private to each host), so the collection's default
        # (/var/backups/apigw-sysupgrade) would put three nodes' backups in one folder.
        ("apigw_backup_dir", "/opt/apigw-backup"),
    ]
    # No CA file and no TLS setting: like a real site's inventory, it says nothing about the
    # domain's certificates (DESIGN.md "Domain CA and certificates").
    if c.get("username"):
        # labctl up --cassandra-auth: the Cassandra stand-in requires this login
        group_vars += [("apigw_cassandra_username", c["username"]),
                       ("apigw_cassandra_password", c["password"])]
    if load_balancer:
        group_vars += [("apigw_haproxy_runtime_api", str(haproxy.socket_path(lab_dir))),
                       ("apigw_haproxy_backend", haproxy.BACKEND),
                       ("apigw_rolling_probe_path", "/version"),
                       ("apigw_rolling_probe_body", '"version": "%s"' % lab["new_version"])]
    if lab.get("apimanager"):
        # the API Manager administrator (API Manager REST API on the API Manager host's 8075)
        group_vars += [("apigw_apimanager_username", lab["apimanager"]["username"]),
                       ("apigw_apimanager_password", lab["apimanager"]["password"])]
    lines += ["      vars:"] + ["        %s: %s" % (k, q(v)) for k, v in group_vars]
    return "\n".join(lines) + "\n"


def write_all(lab, lab_dir, host_keys, load_balancer=False):
    write_file(lab_dir / "ssh_config", ssh_config(lab, lab_dir), 0o644)
    write_file(lab_dir / "known_hosts", known_hosts(lab, host_keys), 0o644)
    write_file(lab_dir / "inventory.yml", inventory_yaml(lab, lab_dir, load_balancer), 0o600)
