"""Print the outcome of an upgrade on the lab: the first Admin Node Manager's topology.

Reads https://node1:8090/api/topology the way an operator would (the lab's domain CA certificate
$LAB_DIR/ca.pem, admin credentials from $LAB_DIR/lab.json) and exits non-zero unless it reports
7.7 and lists every host of the lab.
Usage: python3 tests/lab/show-domain.py [LAB_DIR]
"""
import base64
import json
import ssl
import sys
import urllib.request
from pathlib import Path


def main(lab_dir):
    lab = json.loads((lab_dir / "lab.json").read_text())
    first = next(h for h in lab["hosts"] if h.get("first_anm"))
    url = "https://%s:8090/api/topology" % first["address"]
    request = urllib.request.Request(url)
    token = "%s:%s" % (lab["admin_username"], lab["admin_password"])
    request.add_header("Authorization", "Basic " + base64.b64encode(token.encode()).decode())
    context = ssl.create_default_context(cafile=str(lab_dir / "ca.pem"))
    with urllib.request.build_opener(urllib.request.HTTPSHandler(context=context)).open(request, timeout=10) as response:
        topology = json.loads(response.read().decode())["result"]
    listed = sorted(h["name"] for h in topology["hosts"])
    expected = sorted(h["topology_name"] for h in lab["hosts"])
    print("First Admin Node Manager %s (%s): version %s, hosts %s"
          % (first["topology_name"], url, topology["productVersion"], ", ".join(listed)))
    for group in topology["groups"]:
        services = ", ".join("%s on %s" % (s["name"], s["hostID"]) for s in group["services"])
        print("  group %s: %s" % (group["name"], services))
    if not topology["productVersion"].startswith(lab["new_version"]) or listed != expected:
        print("OUTCOME: FAILED, expected one %s domain with hosts %s" % (lab["new_version"], ", ".join(expected)))
        return 1
    print("OUTCOME: one %s domain with all %d hosts" % (lab["new_version"], len(expected)))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/apigw-lab")))
