"""Each default lives in one place: no variable is defaulted by two roles, and what a role's argument
spec documents as a default is what the role (or the settings role it depends on) really sets."""
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
ROLES = REPO / "roles"


def load(path):
    return yaml.safe_load(path.read_text()) if path.exists() else None


def role_defaults():
    return dict((d.parent.parent.name, load(d) or {}) for d in sorted(ROLES.glob("*/defaults/main.yml")))


def dependencies(role):
    meta = load(ROLES / role / "meta" / "main.yml") or {}
    return [str(dep["role"] if isinstance(dep, dict) else dep).rsplit(".", maxsplit=1)[-1]
            for dep in meta.get("dependencies") or []]


def test_no_variable_has_two_defaults():
    owners = {}
    for role, defaults in role_defaults().items():
        for name in defaults:
            owners.setdefault(name, []).append(role)
    assert dict((n, r) for n, r in owners.items() if len(r) > 1) == {}


def test_argument_spec_defaults_match_what_the_roles_set():
    defaults = role_defaults()
    checked = 0
    for spec_file in sorted(ROLES.glob("*/meta/argument_specs.yml")):
        role = spec_file.parent.parent.name
        visible = {}
        for source in dependencies(role) + [role]:
            visible.update(defaults.get(source, {}))
        for entry_point in load(spec_file)["argument_specs"].values():
            for name, option in (entry_point.get("options") or {}).items():
                if "default" in option and name in visible:
                    assert visible[name] == option["default"], "%s: %s" % (role, name)
                    checked += 1
    assert checked > 20


def test_roles_that_read_shared_variables_depend_on_settings():
    shared = set(role_defaults()["settings"])
    for tasks in sorted(ROLES.glob("*/tasks/*.yml")):
        role = tasks.parent.parent.name
        text = tasks.read_text()
        used = sorted(name for name in shared if name in text)
        if used and role != "settings":
            assert "settings" in dependencies(role), "%s reads %s" % (role, used)
