"""Every default a role's argument spec declares is a real default: ansible-core validates a role's
inputs against its argument spec but never sets the spec's defaults, so each must also be in the
role's defaults/main.yml, or in those of a role it depends on (the settings role), with the same
value. A default only in the spec is an undefined variable at run time."""
import pathlib

import pytest
import yaml

ROLES = pathlib.Path(__file__).resolve().parents[2] / "roles"


def load(path):
    return (yaml.safe_load(path.read_text()) if path.exists() else None) or {}


def defaults_seen_by(role, roles=ROLES):
    """The role's own defaults over those of its meta dependencies (this collection's roles)."""
    seen = {}
    for dependency in load(roles / role / "meta" / "main.yml").get("dependencies") or []:
        name = dependency["role"] if isinstance(dependency, dict) else dependency
        seen.update(defaults_seen_by(name.split(".")[-1], roles))
    seen.update(load(roles / role / "defaults" / "main.yml"))
    return seen


def declared_defaults():
    for spec_file in sorted(ROLES.glob("*/meta/argument_specs.yml")):
        role = spec_file.parent.parent.name
        for entry_point, spec in load(spec_file)["argument_specs"].items():
            for name, option in (spec.get("options") or {}).items():
                if "default" in option:
                    yield role, entry_point, name, option["default"]


@pytest.mark.parametrize("role, entry_point, name, default", list(declared_defaults()),
                         ids=str)
def test_a_spec_default_is_a_default_the_role_sets(role, entry_point, name, default):
    seen = defaults_seen_by(role)
    assert name in seen, "%s (%s): %s has a default in the argument spec only" % (role, entry_point, name)
    assert seen[name] == default, "%s (%s): %s is %r in the spec, %r in the defaults" % (
        role, entry_point, name, default, seen[name])


def test_defaults_come_from_the_role_and_its_dependencies(tmp_path):
    for role, meta, defaults in (("base", "dependencies: []\n", "a: 1\nb: 1\n"),
                                 ("r", "dependencies:\n  - role: apigw.sysupgrade.base\n", "b: 2\n"),
                                 ("bare", "dependencies: []\n", None)):
        (tmp_path / role / "meta").mkdir(parents=True)
        (tmp_path / role / "meta" / "main.yml").write_text(meta)
        if defaults:
            (tmp_path / role / "defaults").mkdir()
            (tmp_path / role / "defaults" / "main.yml").write_text(defaults)
    assert defaults_seen_by("r", tmp_path) == {"a": 1, "b": 2}
    assert defaults_seen_by("bare", tmp_path) == {}
