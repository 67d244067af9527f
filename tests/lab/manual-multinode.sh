#!/usr/bin/env bash
# The vendor's manual multi-node upgrade, run over ssh on a lab that is up with vendor-3-node.
#
#   tests/lab/manual-multinode.sh [LAB_DIR]      (default $APIGW_LAB_DIR or /tmp/apigw-lab)
#
# Exactly the sequence of upgrade_steps_extcass.md "Upgrade steps - Multi-node upgrade example":
#   Step 3  on each node: sysupgrade export --old_install_dir OLD --anm_host NodeA
#                         sysupgrade upgrade --cass_host NodeA
#   Step 4  stop the old installation on NodeA, NodeB and NodeC (nodemanager -k, startinstance -k),
#           then on NodeA: sysupgrade apply --anm_host NodeA
#   Step 5  on NodeB, then NodeC: sysupgrade apply --anm_host NodeA
# Credentials come from LAB_DIR/lab.json and go to sysupgrade on standard input (contract §4
# rule 8), never on the command line. At the end the first ANM's /api/topology is printed; exit
# status is non-zero unless it lists all three hosts and productVersion 7.7.
set -euo pipefail

LAB_DIR=${1:-${APIGW_LAB_DIR:-/tmp/apigw-lab}}
SSH=(ssh -F "$LAB_DIR/ssh_config")
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
          "$LAB_DIR/lab.json" "$1"; }
OLD=$(field old_dir)
NEW=$(field new_dir)
USERNAME=$(field admin_username)
PASSWORD=$(field admin_password)
PASSPHRASE=$(field domain_passphrase)
NODES=$(python3 -c 'import json,sys; print(" ".join(h["inventory_name"] for h in
        json.load(open(sys.argv[1]))["hosts"]))' "$LAB_DIR/lab.json")
[ "$(field topology)" = "vendor-3-node" ] || { echo "needs a vendor-3-node lab" >&2; exit 2; }

step() { echo; echo "=== $*"; }

# run NODE ARGS...: sysupgrade from NEW/upgrade/bin (upgrade_script.md), stdin passed through.
run() {
    local node=$1; shift
    echo "--- $node: sysupgrade $*"
    "${SSH[@]}" "$node" "cd $NEW/upgrade/bin && ./sysupgrade $*"
}

step "Step 3: export and upgrade on each node"
for node in $NODES; do
    printf '%s\n%s\n' "$USERNAME" "$PASSWORD" |
        run "$node" export --old_install_dir "$OLD/" --anm_host NodeA
    run "$node" upgrade --cass_host NodeA </dev/null
    run "$node" status </dev/null
done

step "Step 4: stop the old installation on all nodes"
for node in $NODES; do
    # Instances first, then the node manager (manage_operations.md "Stop API Gateway", "Stop
    # the Node Manager"). The instances come from lab.json: a bare `startinstance` would start
    # the only instance of a host rather than list it (manage_operations.md).
    kills=$(python3 -c 'import json, shlex, sys
lab = json.load(open(sys.argv[1]))
for h in lab["hosts"]:
    if h["inventory_name"] == sys.argv[2]:
        for i in h["instances"]:
            print("./startinstance -g %s -n %s -k &&" % (shlex.quote(i["group"]), shlex.quote(i["name"])))
' "$LAB_DIR/lab.json" "$node")
    "${SSH[@]}" "$node" "cd $OLD/posix/bin && $kills ./nodemanager -k" </dev/null
done

step "Step 4: apply on the first Admin Node Manager (NodeA)"
first=${NODES%% *}
printf '%s\n%s\n%s\n' "$USERNAME" "$PASSWORD" "$PASSPHRASE" | run "$first" apply --anm_host NodeA

step "Step 5: apply on the other nodes, in turn"
for node in ${NODES#* }; do
    printf '%s\n%s\n%s\n' "$USERNAME" "$PASSWORD" "$PASSPHRASE" | run "$node" apply --anm_host NodeA
    run "$node" status </dev/null
done

step "Step 6: verify: topology of the first Admin Node Manager (https://NodeA:8090)"
# Run on NodeA itself so that the name NodeA resolves (lab hosts file), trusting the domain CA
# certificate the new installation holds after apply; the password goes on stdin to python,
# never on a command line.
printf '%s\n%s\n' "$USERNAME" "$PASSWORD" | "${SSH[@]}" "$first" "python3 -c '
import base64, json, ssl, sys, urllib.request
user, pw = sys.stdin.readline().rstrip(\"\\n\"), sys.stdin.readline().rstrip(\"\\n\")
ctx = ssl.create_default_context(cafile=\"$NEW/groups/certs/domaincert.pem\")
req = urllib.request.Request(\"https://NodeA:8090/api/topology\")
req.add_header(\"Authorization\", \"Basic \" + base64.b64encode((user + \":\" + pw).encode()).decode())
topo = json.load(urllib.request.urlopen(req, context=ctx, timeout=10))[\"result\"]
print(json.dumps(topo, indent=2))
hosts = sorted(h[\"name\"] for h in topo[\"hosts\"])
ok = topo[\"productVersion\"] == \"7.7\" and hosts == [\"NodeA\", \"NodeB\", \"NodeC\"]
print(\"RESULT: productVersion=%s hosts=%s -> %s\" % (topo[\"productVersion\"], hosts,
      \"OK\" if ok else \"FAILED\"))
sys.exit(0 if ok else 1)
'"
