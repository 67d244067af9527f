# -*- coding: utf-8 -*-
"""One module_defaults block serves every module of the action group (meta/runtime.yml).

For each module of the group, its real argument spec is taken from its main() (AnsibleModule is
stopped as it is built) and the documented group defaults are validated against it with Ansible's
own ArgumentSpecValidator, as ansible-core does when it merges module_defaults into a task.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib
import json
import os
import re
import subprocess
import sys

import pytest
import yaml

from ansible.module_utils import basic
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.apigw.sysupgrade.plugins.module_utils import group_options
from ansible_collections.apigw.sysupgrade.plugins.modules import apply as apply_module

COLLECTION = "apigw.sysupgrade"
GROUP = "group/%s.sysupgrade" % COLLECTION
PACKAGE = "ansible_collections.apigw.sysupgrade.plugins.modules."
REPO = os.path.abspath(os.path.join(os.path.dirname(apply_module.__file__), "..", ".."))
COLLECTIONS_ROOT = os.path.abspath(os.path.join(REPO, "..", "..", ".."))

with open(os.path.join(REPO, "meta", "runtime.yml")) as _handle:
    GROUP_MODULES = yaml.safe_load(_handle)["action_groups"]["sysupgrade"]

SECRETS = {"password": "Pa55-w0rd!", "domain_passphrase": "dom-Phrase#9"}

# The group options each module really uses; every other one it accepts and ignores.
USES = {
    "status": {"install_owner", "new_install_dir"},
    "export": {"install_owner", "new_install_dir", "old_install_dir", "username", "password"},
    "upgrade": {"install_owner", "new_install_dir"},
    "apply": {"install_owner", "new_install_dir", "username", "password", "domain_passphrase"},
    "clean": {"install_owner", "new_install_dir"},
    "process": {"install_owner", "new_install_dir", "old_install_dir"},
    "topology_info": {"install_owner", "username", "password"},
    "domain_key_info": {"new_install_dir", "old_install_dir", "domain_passphrase"},
    "preflight": {"install_owner", "new_install_dir", "old_install_dir"},
    "backup": {"old_install_dir"},
    "config_fingerprint": {"new_install_dir", "old_install_dir"},
    "service_scripts": {"new_install_dir", "old_install_dir"},
    "migrate_files": {"new_install_dir", "old_install_dir"},
}

# What a task of each module adds to the group's defaults (the documented example; for
# topology_info, the roles' call to the first ANM, roles/apply/tasks/main.yml).
TASK_ARGS = {
    "apply": {"anm_host": "NodeA"},
    "export": {"anm_host": "NodeA"},
    "process": {"installation": "old", "component": "all", "state": "stopped"},
    "topology_info": {"anm_url": "https://127.0.0.1:8090"},
    "domain_key_info": {"installation": "old"},
    "backup": {"backup_dir": "/var/backups/apigw-sysupgrade"},
    "migrate_files": {"paths": ["webapps/quickstart"]},
}


class Built(Exception):
    """AnsibleModule was being built; args[0] holds its keyword arguments."""


def module_kwargs(name):
    """The keyword arguments the module's main() gives AnsibleModule."""
    module = importlib.import_module(PACKAGE + name)

    def stop(self, *args, **kwargs):
        if args:
            kwargs["argument_spec"] = args[0]
        raise Built(kwargs)

    saved = basic.AnsibleModule.__init__
    basic.AnsibleModule.__init__ = stop
    try:
        module.main()
    except Built as built:
        return built.args[0]
    finally:
        basic.AnsibleModule.__init__ = saved
    raise AssertionError("%s.main() built no AnsibleModule" % name)


def documented_group_blocks(text):
    """Every ``module_defaults: {group/apigw.sysupgrade.sysupgrade: ...}`` dict in an EXAMPLES text."""
    blocks = []

    def walk(node):
        if isinstance(node, dict):
            defaults = node.get("module_defaults")
            if isinstance(defaults, dict) and GROUP in defaults:
                blocks.append(defaults[GROUP])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(yaml.safe_load(text))
    return blocks


def the_example():
    """The documented example: the group block of apply's EXAMPLES, templated with sample secrets."""
    blocks = [b for b in documented_group_blocks(apply_module.EXAMPLES) if len(b) > 1]
    assert len(blocks) == 1, blocks
    values = dict(blocks[0])
    values["password"] = SECRETS["password"]
    values["domain_passphrase"] = SECRETS["domain_passphrase"]
    return values


def joined(name, spec):
    if not set(group_options.GROUP_OPTIONS) <= set(spec):
        raise AssertionError("%s lacks group options %s" % (name, sorted(set(group_options.GROUP_OPTIONS) - set(spec))))


def test_the_group_is_what_runtime_yml_says():
    assert sorted(GROUP_MODULES) == sorted(USES)


def test_the_documented_example_holds_exactly_the_group_options():
    assert set(the_example()) == set(group_options.GROUP_OPTIONS)


def test_anm_host_is_not_a_group_option():
    """topology_info's anm_host picks the ANM it queries and excludes anm_url: a group-wide value
    would break its calls, so export and apply take anm_host per task."""
    assert "anm_host" not in group_options.GROUP_OPTIONS


@pytest.mark.parametrize("name", sorted(USES))
def test_every_group_block_in_examples_uses_only_group_options(name):
    module = importlib.import_module(PACKAGE + name)
    for block in documented_group_blocks(module.EXAMPLES):
        assert set(block) <= set(group_options.GROUP_OPTIONS), (name, block)


def test_the_readme_snippet_uses_only_group_options():
    with open(os.path.join(REPO, "README.md")) as handle:
        readme = handle.read()
    snippets = re.findall(r"```yaml\n(.*?)```", readme, re.S)
    blocks = [b for s in snippets if GROUP in s for b in documented_group_blocks(s)]
    assert blocks, "README shows no module_defaults example for the group"
    for block in blocks:
        assert set(block) <= set(group_options.GROUP_OPTIONS), block


@pytest.mark.parametrize("name", GROUP_MODULES)
def test_the_documented_module_defaults_validate_against_every_module(name):
    kwargs = module_kwargs(name)
    spec = kwargs["argument_spec"]
    joined(name, spec)
    validator = ArgumentSpecValidator(
        spec,
        mutually_exclusive=kwargs.get("mutually_exclusive"),
        required_together=kwargs.get("required_together"),
        required_one_of=kwargs.get("required_one_of"),
        required_if=kwargs.get("required_if"),
        required_by=kwargs.get("required_by"),
    )
    parameters = dict(the_example(), **TASK_ARGS.get(name, {}))
    result = validator.validate(parameters)
    assert result.unsupported_parameters == set()
    assert result.error_messages == []
    for option, secret in SECRETS.items():
        assert secret in result._no_log_values, "%s: %s is not no_log" % (name, option)


@pytest.mark.parametrize("name", GROUP_MODULES)
def test_group_options_keep_their_type_and_secrecy(name):
    spec = module_kwargs(name)["argument_spec"]
    joined(name, spec)
    for option, wanted in group_options.GROUP_OPTIONS.items():
        assert spec[option].get("type", "str") == wanted["type"], (name, option)
        assert bool(spec[option].get("no_log")) == bool(wanted.get("no_log")), (name, option)


def test_the_merge_keeps_a_module_own_declaration():
    spec = group_options.with_group_options({"new_install_dir": {"type": "path", "required": True}})
    assert spec["new_install_dir"] == {"type": "path", "required": True}
    assert spec["password"] == {"type": "str", "no_log": True}


@pytest.mark.parametrize("own, error", [
    ({"new_install_dir": {"type": "str"}}, "new_install_dir must have type path"),
    ({"password": {"type": "str"}}, "password is secret"),
])
def test_the_merge_refuses_a_conflicting_declaration(own, error):
    with pytest.raises(group_options.GroupOptionConflict) as info:
        group_options.with_group_options(own)
    assert error in str(info.value)


@pytest.fixture(scope="module")
def docs():
    """``ansible-doc --json`` of every module of the group (fragments merged as users see them)."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_ROOT, ANSIBLE_NOCOLOR="1")
    names = ["%s.%s" % (COLLECTION, name) for name in GROUP_MODULES]
    proc = subprocess.run([sys.executable, "-m", "ansible.cli.doc", "--json", "-t", "module"] + names,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, env=env,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    return dict((name.split(".")[-1], doc["doc"]) for name, doc in json.loads(proc.stdout).items())


@pytest.mark.parametrize("name", GROUP_MODULES)
def test_every_group_option_is_documented_as_used_or_ignored(name, docs):
    options = docs[name]["options"]
    for option in group_options.GROUP_OPTIONS:
        text = " ".join(options[option]["description"]) if isinstance(options[option]["description"], list) \
            else options[option]["description"]
        ignored = "ignored by this module" in text
        assert ignored == (option not in USES[name]), (name, option, text)
    assert docs[name]["attributes"]["action_group"]["membership"] == ["%s.sysupgrade" % COLLECTION]
