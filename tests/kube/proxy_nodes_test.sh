#!/usr/bin/env bash
# SPDX-License-Identifier: MulanPSL-2.0
# The whole loop with several simulated nodes (issue 8, R-2.3, R-3.2): each node is its own
# scripts/sandbox (private bus, real polkitd, kubeosd on its own loop disk) running the real
# kubeos-proxy (proxy_node.sh); the real operator schedules an upgrade applied with kubectl and
# served over HTTPS, maxunavailable 1. Every node ends on the new version, uncordoned and idle,
# never more than one node is in operation at once, and each node's pod is evicted before its
# reboot.
#   proxy_nodes_test.sh KUBEOS_PROXY KUBEOS_OPERATOR [NODES]
set -euo pipefail
proxy_bin=$1 operator_bin=$2 count=${3:-2}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/image_server.sh"
cluster=${KUBEOS_CLUSTER_DIR:-/tmp/kubeos-cluster}
export KUBECONFIG=$cluster/kubeconfig HOME=$cluster/home
shared=$(mktemp -d /tmp/kubeos-nodes.XXXXXX)
chmod 0755 "$shared"
sandboxes=() operator=
cleanup() {
  [ -z "$operator" ] || kill "$operator" 2>/dev/null
  [ -f "$shared/nginx.pid" ] && kill "$(cat "$shared/nginx.pid")" 2>/dev/null
  touch "$shared/stop"  # each node's proxy_node.sh ends, then its sandbox cleans up
  for p in "${sandboxes[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$shared"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  cat "$shared/events" >&2 2>/dev/null || true
  for f in "$shared"/*.log; do echo "--- $f" >&2; tail -15 "$f" >&2; done
  exit 1
}
nodes=()
for i in $(seq 1 "$count"); do nodes+=("n$i"); done

kubectl delete os --all --wait >/dev/null
kubectl delete osinstances --all --wait >/dev/null
kubectl delete nodes --all --wait >/dev/null
kubectl delete pods --all --wait >/dev/null

# KubeOS 2.0.0 as a root filesystem tar behind HTTPS with a private CA.
image_server_start "$shared"

for n in "${nodes[@]}"; do
  "$here/../../scripts/sandbox" "$here/proxy_node.sh" "$n" "$shared" "$proxy_bin" \
    >"$shared/sandbox-$n.log" 2>&1 &
  sandboxes+=($!)
done
deadline=$(( $(date +%s) + 240 ))
for n in "${nodes[@]}"; do
  until [ -e "$shared/$n.ready" ]; do
    (( $(date +%s) < deadline )) || fail "node $n did not come up"
    sleep 0.2
  done
done
echo "nodes up: ${nodes[*]}"
"$operator_bin" --metrics-address "" --resync 3 >"$shared/operator.log" 2>&1 &
operator=$!

kubectl apply -f - <<YAML
apiVersion: upgrade.openeuler.org/v1alpha1
kind: OS
metadata: {name: os-upgrade}
spec:
  imagetype: disk
  opstype: upgrade
  osversion: KubeOS 2.0.0
  maxunavailable: 1
  timeinterval: 1
  containerimage: ""
  imageurl: https://127.0.0.1:$image_port/kubeos-2.0.0.tar
  cacert: loop-ca.crt
  evictpodforce: false
  checksum: "$image_checksum"
  sysconfigs:
    version: v2
    configs:
      - model: kernel.sysctl
        contents:
          - {key: net.ipv4.ip_forward, value: "1"}
YAML
columns='custom-columns=NAME:.metadata.name,NODESTATUS:.spec.nodestatus,SYSCONFIG:status.sysconfigs.version,UPGRADECONFIG:status.upgradeconfigs.version'
images='custom-columns=NAME:.metadata.name,OSIMAGE:.status.nodeInfo.osImage,UNSCHEDULABLE:.spec.unschedulable'
last= max_busy=0
deadline=$(( $(date +%s) + 400 ))
while :; do
  now=$(kubectl get osinstances -o "$columns" --no-headers 2>/dev/null; kubectl get nodes -o "$images" --no-headers)
  if [ "$now" != "$last" ]; then
    echo "---"; echo "$now"; last=$now
  fi
  busy=$(kubectl get osinstances -o "$columns" --no-headers 2>/dev/null | awk '$2 != "idle"' | wc -l)
  (( busy > max_busy )) && max_busy=$busy
  done_nodes=$(kubectl get nodes -o "$images" --no-headers | awk '$2" "$3 == "KubeOS 2.0.0" && $4 != "true"' | wc -l)
  idle=$(kubectl get osinstances -o "$columns" --no-headers 2>/dev/null | awk '$2 == "idle" && $3 == "v2"' | wc -l)
  (( done_nodes == count && idle == count )) && break
  (( $(date +%s) < deadline )) || fail "not every node upgraded"
  sleep 0.3
done
echo "every node on KubeOS 2.0.0, uncordoned, idle; at most $max_busy in operation at once"
(( max_busy <= 1 )) || fail "$max_busy nodes in operation at once (maxunavailable 1)"
! grep -q UNDRAINED "$shared/events" || fail "a node was rebooted before its drain finished"
[ -z "$(kubectl get pods --no-headers 2>/dev/null)" ] || fail "pods left: $(kubectl get pods --no-headers)"
echo "every node's pod was evicted before its reboot"
cat "$shared/events"
echo PASS
