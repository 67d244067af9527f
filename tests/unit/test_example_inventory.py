"""docs/examples/inventory/, the inventory an operator starts from: Ansible loads it as written
(ansible-inventory, with its group_vars and its vault file), and every variable it sets is an option
of the roles that the argument-spec validation of those roles accepts."""
import json
import os
import subprocess
import sys
from pathlib import Path

import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "docs" / "examples" / "inventory"
SPEC_KEYS = ("type", "choices", "elements", "default", "no_log", "options")


def role_options():
    """{option: [spec, ...]} over every entry point of every role."""
    options = {}
    for spec_file in sorted((REPO / "roles").glob("*/meta/argument_specs.yml")):
        for entry in (yaml.safe_load(spec_file.read_text())["argument_specs"] or {}).values():
            for name, option in (entry.get("options") or {}).items():
                options.setdefault(name, []).append({k: v for k, v in option.items() if k in SPEC_KEYS})
    return options


def hostvars():
    ansible_inventory = Path(sys.executable).with_name("ansible-inventory")
    env = dict(os.environ, ANSIBLE_CONFIG=str(EXAMPLE / "ansible.cfg"))
    proc = subprocess.run([str(ansible_inventory), "-i", str(EXAMPLE / "hosts.yml"), "--list"], env=env,
                          capture_output=True, text=True, timeout=120, check=False, cwd=str(EXAMPLE))
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["_meta"]["hostvars"]


def test_the_example_inventory_loads_with_the_domain_s_three_nodes():
    found = hostvars()
    assert sorted(found) == ["node1", "node2", "node3"]
    assert {h: v["apigw_topology_host"] for h, v in found.items()} == {"node1": "NodeA", "node2": "NodeB", "node3": "NodeC"}
    # the secrets come from the vault file, by name
    assert found["node1"]["apigw_admin_password"] == "{{ vault_apigw_admin_password }}"
    assert "vault_apigw_admin_password" in found["node1"]


def test_every_variable_of_the_example_is_an_option_its_specs_accept():
    options = role_options()
    problems = []
    for host, variables in hostvars().items():
        for name, value in sorted(variables.items()):
            if not name.startswith("apigw_"):
                continue  # connection settings (ansible_*) and the vault's own names (vault_*)
            if name not in options:
                problems.append("%s: %s is not an option of any role" % (host, name))
                continue
            for spec in options[name]:
                errors = ArgumentSpecValidator({name: spec}).validate({name: value}).error_messages
                problems += ["%s: %s=%r: %s" % (host, name, value, e) for e in errors]
    assert problems == [], "\n".join(problems)


def test_every_required_option_is_set_by_the_example():
    required = set()
    for spec_file in (REPO / "roles").glob("*/meta/argument_specs.yml"):
        for entry in (yaml.safe_load(spec_file.read_text())["argument_specs"] or {}).values():
            # an "__apigw_" option is an internal role's input, set by the collection's own roles
            required.update(n for n, o in (entry.get("options") or {}).items()
                            if o.get("required") and not n.startswith("__"))
    internal = {"apigw_expected_product_version", "apigw_content_pending_hosts", "apigw_content_anm_topology"}
    for host, variables in hostvars().items():
        assert sorted(required - internal - set(variables)) == [], host


def test_the_vault_file_says_how_to_encrypt_it():
    text = (EXAMPLE / "group_vars" / "apigw" / "vault.yml").read_text()
    assert "ansible-vault encrypt group_vars/apigw/vault.yml" in text
    assert "ServerAliveInterval" in (EXAMPLE / "ansible.cfg").read_text()
