"""What the scenarios' testinfra checks share: the converge's recorded steps, PLAY RECAP parsing,
the lab (its audit logs), and the first Admin Node Manager's topology read over HTTPS.

Imported by each scenario's tests/conftest.py. Runs on the controller.
"""
import base64
import json
import os
import re
import ssl
import sys
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent.parent
sys.path.insert(0, str(REPO / "tests" / "lab"))

from lablib.testing import Lab  # noqa: E402  pylint: disable=wrong-import-position

RECAP_LINE = re.compile(r"^(\S+)\s+:\s+((?:\w+=\d+\s*)+)$")


def lab():
    return Lab(os.environ["APIGW_LAB_DIR"])


def steps():
    """The converge's steps by name: {name: {rc, stdout, stderr, step}}."""
    path = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "steps.json"
    return {s["name"]: s for s in json.loads(path.read_text())}


def recap(output):
    """PLAY RECAP counters per host from ansible-playbook's default output."""
    counts = {}
    in_recap = False
    for line in output.splitlines():
        if line.startswith("PLAY RECAP"):
            in_recap = True
            continue
        match = RECAP_LINE.match(line.strip()) if in_recap else None
        if match:
            counts[match.group(1)] = {k: int(v) for k, v in (kv.split("=") for kv in match.group(2).split())}
    return counts


def table_rows(output, host):
    """The rows for HOST of every phase table the playbook printed (debug output of the summary)."""
    pattern = re.compile(r'^\s*"?\|\s*%s\s*\|(.*)\|"?,?\s*$' % re.escape(host))
    return [[cell.strip() for cell in m.group(1).split("|")]
            for m in (pattern.match(line) for line in output.splitlines()) if m]


def sysupgrade_calls(the_lab, node, command=None):
    """The node's audit 'end' records (one per finished sysupgrade call), optionally one command."""
    calls = [r for r in the_lab.audit(node) if r.get("event") == "end"]
    if command:
        calls = [r for r in calls if len(r.get("argv", [])) > 1 and r["argv"][1] == command]
    return calls


def option_value(argv, option):
    """The value after OPTION in an argv list, or None."""
    return argv[argv.index(option) + 1] if option in argv else None


def anm_topology(the_lab, node="node1"):
    """GET https://NODE:8090/api/topology as the collection would, with the lab CA and creds."""
    info = the_lab.info
    context = ssl.create_default_context(cafile=str(the_lab.ca_path))
    request = urllib.request.Request("https://%s:8090/api/topology" % the_lab.address(node))
    token = base64.b64encode(("%s:%s" % (info["admin_username"], info["admin_password"])).encode()).decode()
    request.add_header("Authorization", "Basic " + token)
    with urllib.request.urlopen(request, context=context, timeout=10) as response:
        return json.loads(response.read().decode())["result"]


def secrets(the_lab):
    info = the_lab.info
    return [info["admin_password"], info["domain_passphrase"]]
