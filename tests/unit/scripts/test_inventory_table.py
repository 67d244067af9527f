"""The README's inventory table is generated from the roles' argument specs and kept current."""
import pytest

from ansible_collections.apigw.sysupgrade.tests.unit.scripts.load_script import REPO, load

inventory_table = load("inventory_table")


def test_readme_table_is_current():
    assert inventory_table.main(["--check"]) == 0, "run: python3 scripts/inventory_table.py"


def test_every_role_variable_is_in_the_readme():
    readme = (REPO / "README.md").read_text()
    for name in inventory_table.collect():
        assert "| `%s` |" % name in readme


def test_secrets_and_required_are_marked():
    variables = inventory_table.collect()
    for secret in ("apigw_admin_password", "apigw_domain_passphrase", "apigw_cassandra_password"):
        assert variables[secret]["secret"], secret
    assert variables["apigw_domain_passphrase"]["default"] == "required"
    assert variables["apigw_anm_validate_certs"]["default"] == "`true`"


def test_a_stale_table_is_caught(tmp_path):
    stale = (REPO / "README.md").read_text().replace("| `apigw_anm_port` |", "| `apigw_anm_prt` |")
    assert inventory_table.render(stale, inventory_table.collect()) != stale


def test_two_defaults_for_one_variable_are_refused(tmp_path):
    for role, default in (("a", 1), ("b", 2)):
        meta = tmp_path / role / "meta"
        meta.mkdir(parents=True)
        (meta / "argument_specs.yml").write_text(
            "argument_specs:\n  main:\n    options:\n      apigw_x:\n        type: int\n        default: %d\n"
            "        description: x\n" % default)
    with pytest.raises(ValueError, match="keep one default"):
        inventory_table.collect(tmp_path)


def test_the_reference_starts_with_what_must_be_set_and_folds_timeouts_and_hooks():
    variables = inventory_table.collect()
    text = inventory_table.tables(variables)
    sections = [line for line in text.splitlines() if line.startswith("#### ") or line.startswith("<details>")]
    assert sections[0] == "#### Set these first", sections
    assert sections[-1].startswith("<details><summary><b>Advanced: timeouts, waits and the load balancer hooks"), sections
    first = text.split("#### test_upgrade.yml")[0]
    for name in ("apigw_admin_password", "apigw_domain_passphrase", "apigw_old_install_dir", "apigw_topology_host"):
        assert "| `%s` | required |" % name in first, name
    advanced = text.split("<details>")[1]
    for name in ("apigw_step_timeout", "apigw_anm_wait_timeout", "apigw_unreachable_grace", "apigw_lb_http_disable_url",
                 "apigw_haproxy_runtime_api"):
        assert "| `%s` |" % name in advanced, name
    # every variable exactly once
    for name in variables:
        assert text.count("| `%s` |" % name) == 1, name
    assert inventory_table.section_of("apigw_force", variables["apigw_force"]) == "test_upgrade"
    assert inventory_table.section_of("apigw_apply_serial", variables["apigw_apply_serial"]) == "apply"
