"""Fault switches: /opt/apigw-lab/faults.json on one host ({"NAME": {params}}; no file = none).

The catalogue mirrors DESIGN.md "Fault catalogue" (tests/test_labctl.py checks they agree).
labctl writes the file from the controller side (the host's /opt is $LAB_DIR/hosts/<node>/opt),
atomically, so the product never reads a half-written file.
"""
import json
import os

from .util import LabError, write_file

STEPS = ("export", "upgrade", "apply")

# name -> {param: type}: exactly the parameters the product reads for that fault (all optional;
# product/apigw_lab/steps/*.py, DESIGN.md "Fault parameters and semantics"). Types are for the
# conversion of values (int: digits become a number; str: kept as given) and for the messages.
CATALOGUE = {
    "instance_jvm_xml": {},
    "inconsistent_group": {"group": str},
    "anm_host_invalid": {"host": str},
    "anm_host_not_anm": {"host": str},
    "apimgr_license": {}, "mcafee_license": {}, "rbac_modified": {},
    "corrupt_jar": {"jar": str},
    "jdbc_drivers": {}, "activemq_not_set": {},
    "activemq_missing": {"dir": str},
    "activemq_outside": {"dir": str},
    "license_missing": {}, "license_feature": {}, "kps_duplicates": {}, "fips_license": {},
    "cassandra_kps": {}, "csr_sign_failure": {},
    # apply migrates every admin user but `user` (a silent loss for the content diff to catch)
    "drop_admin_user": {"user": str},
    "large_config": {"required_heap_mb": int},
    "slow": {"step": str, "seconds": int},
    # the step waits half way until the fault is cleared (labctl fault NODE --clear hold), at most
    # `seconds` (default 900): a test releases it at the moment it chooses, never on a clock
    "hold": {"step": str, "seconds": int},
    "crash": {"step": str},
    "prompt": {"step": str},
    "exit_code_lies": {},
    "log_location": {"dir": str},
    # Admin Node Manager start-up (product/apigw_lab/daemon.py): the process runs, port 8090
    # opens `seconds` later (default 20) or never
    "nm_slow_start": {"seconds": int},
    "nm_never_starts": {},
}

FAULTS_REL = "apigw-lab/faults.json"


def path(opt):
    return opt / FAULTS_REL


def parse_params(name, pairs):
    """["k=v", ...] -> dict; digits become ints for int parameters; keys and steps checked against
    the catalogue (an unknown key is an error naming the fault and its valid parameters)."""
    check_name(name)
    allowed, params = CATALOGUE[name], {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise LabError("fault %s: parameter %r is not key=value" % (name, pair))
        if key not in allowed:
            raise LabError("fault %s: unknown parameter %r; valid parameters: %s"
                           % (name, key, describe(name)))
        numeric = allowed[key] is not str and value.lstrip("-").isdigit()
        params[key] = int(value) if numeric else value
        if key == "step" and params[key] not in STEPS:
            raise LabError("fault %s: step=%s; use one of %s" % (name, value, ", ".join(STEPS)))
    return params


def describe(name):
    """'step=str, seconds=int', or 'none' for a fault that takes no parameter."""
    return ", ".join("%s=%s" % (k, t.__name__) for k, t in CATALOGUE[name].items()) or "none"


def check_name(name):
    if name not in CATALOGUE:
        raise LabError("unknown fault %r; valid faults: %s" % (name, ", ".join(sorted(CATALOGUE))))


def read(opt):
    try:
        return json.loads(path(opt).read_text())
    except FileNotFoundError:
        return {}
    except ValueError as exc:
        raise LabError("%s: not valid JSON: %s" % (path(opt), exc))


def write(opt, faults):
    """Replace faults.json atomically; an empty set removes the file (= no faults)."""
    target = path(opt)
    if not faults:
        if target.exists():
            target.unlink()
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(".faults.json.tmp")
    write_file(tmp, json.dumps(faults, indent=2, sort_keys=True) + "\n", 0o644)
    os.replace(tmp, target)


def switch_on(opt, name, pairs):
    faults = read(opt)
    faults[name] = parse_params(name, pairs)
    write(opt, faults)
    return faults


def clear(opt, name=None):
    faults = read(opt)
    if name is None:
        faults = {}
    else:
        check_name(name)
        faults.pop(name, None)
    write(opt, faults)
    return faults
