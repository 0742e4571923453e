#!/usr/bin/env bash
# SPDX-License-Identifier: MulanPSL-2.0
# The whole loop on one simulated node (issue 8, R-3.2, R-3.4): kubectl applies an OS, the real
# kubeos-operator dispatches, the real kubeos-proxy talks over the sandbox's private system bus
# (real polkitd) to the real kubeosd on an A/B loop disk. Config: NODESTATUS idle → config →
# idle with SYSCONFIG recorded and the sysctl applied. Upgrade over HTTPS: upgradeconfigs,
# cordon, the node's pod evicted through the Eviction API, Upgrade, simulated reboot (the proxy
# dies with the node and comes back), version check, post-reboot sysconfigs, uncordon, idle.
# Rollback the same way back to the first version.
# Runs inside scripts/sandbox; needs the cluster of tests/kube/cluster up.
#   proxy_loop_test.sh KUBEOS_PROXY KUBEOS_OPERATOR
set -euo pipefail
source "$(dirname "$0")/image_server.sh"
proxy_bin=$1 operator_bin=$2
cluster=${KUBEOS_CLUSTER_DIR:-/tmp/kubeos-cluster}
export KUBECONFIG=$cluster/kubeconfig HOME=$cluster/home
log=$KUBEOS_SANDBOX_DIR
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; for f in "$log"/proxy*.log "$log"/operator.log; do echo "--- $f" >&2; tail -20 "$f" >&2; done; exit 1; }

columns='custom-columns=NAME:.metadata.name,NODESTATUS:.spec.nodestatus,SYSCONFIG:status.sysconfigs.version,UPGRADECONFIG:status.upgradeconfigs.version'
stages=()
# wait_for SECONDS PATTERN: polls the seed's osinstances columns until a line matches, recording
# every distinct line seen on the way.
wait_for() {
  local deadline=$(( $(date +%s) + $1 )) line
  while (( $(date +%s) < deadline )); do
    line=$(kubectl get osinstances -o "$columns" --no-headers 2>/dev/null | grep '^n1 ' || true)
    if [ -n "$line" ] && { [ ${#stages[@]} -eq 0 ] || [ "${stages[-1]}" != "$line" ]; }; then
      stages+=("$line")
      echo "  osinstances: $line"
    fi
    [[ $line =~ $2 ]] && return 0
    sleep 0.2
  done
  fail "no osinstance line matching '$2'"
}
nodes() { kubectl get nodes -o custom-columns=NAME:.metadata.name,OSIMAGE:.status.nodeInfo.osImage --no-headers | sed 's/^/  nodes: /'; }
node_field() { kubectl get node n1 -o "jsonpath={$1}"; }
start_proxy() {
  "$proxy_bin" --node-name n1 --daemon-recheck 1 >"$log/proxy-$1.log" 2>&1 &
  proxy_pid=$!
  pids+=("$proxy_pid")
}

kubectl delete os --all --wait >/dev/null
kubectl delete osinstances --all --wait >/dev/null
kubectl delete node n1 --ignore-not-found --wait >/dev/null
kubectl delete pod web --ignore-not-found --wait >/dev/null
booted=$(kubeosctl status --json | jq -r '.["booted-version"]')
echo "sandbox node: booted '$booted'"
kubectl create -f - >/dev/null <<YAML
apiVersion: v1
kind: Node
metadata: {name: n1}
YAML
# kubelet's part: report the booted OS.
set_os_image() {
  kubectl patch node n1 --subresource=status --type=merge \
    -p "{\"status\":{\"nodeInfo\":{\"osImage\":\"$1\"}}}" >/dev/null 2>&1 ||
    curl -sf --cacert "$cluster/pki/apiserver.crt" -H "Authorization: Bearer $(cat "$cluster/admin.token")" \
      -H 'Content-Type: application/merge-patch+json' -X PATCH \
      -d "{\"status\":{\"nodeInfo\":{\"osImage\":\"$1\"}}}" \
      "$(kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}')/api/v1/nodes/n1/status" >/dev/null
}
set_os_image "$booted"
"$operator_bin" --metrics-address "" --resync 3 >"$log/operator.log" 2>&1 &
pids+=($!)
start_proxy 1

echo "== config (opstype config, R-3.4)"
kubectl apply -f - <<YAML
apiVersion: upgrade.openeuler.org/v1alpha1
kind: OS
metadata: {name: os-config}
spec:
  imagetype: ""
  opstype: config
  osversion: "$booted"
  maxunavailable: 1
  containerimage: ""
  evictpodforce: false
  checksum: ""
  sysconfigs:
    version: v1
    configs:
      - model: kernel.sysctl
        contents:
          - {key: net.ipv4.ip_forward, value: "1"}
YAML
wait_for 60 '^n1 +idle +v1 '
printf '%s\n' "${stages[@]}" | grep -q ' config ' || echo "  (config passed between two looks)"
[ "$(kubeosctl status --json | jq -r '.["sysconfigs-version"]')" = v1 ] || fail "kubeosd has not applied v1"
kubectl delete os os-config --wait >/dev/null

echo "== upgrade to 'KubeOS 2.0.0' over HTTPS (R-3.2, R-3.3)"
work=$KUBEOS_SANDBOX_DIR/upgrade
image_server_start "$work"
pids+=($!)  # nginx
install -D -m 0644 "$work/ca.crt" "$KUBEOS_SANDBOX_ROOT/etc/KubeOS/certs/loop-ca.crt"
# A pod of a Deployment on the node, running as its kubelet would say.
kubectl create -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: default
  ownerReferences:
    - {apiVersion: apps/v1, kind: ReplicaSet, name: web, uid: 00000000-0000-0000-0000-000000000002, controller: true}
spec:
  nodeName: n1
  terminationGracePeriodSeconds: 0
  containers: [{name: c, image: busybox}]
YAML
kubectl apply -f - <<YAML
apiVersion: upgrade.openeuler.org/v1alpha1
kind: OS
metadata: {name: os-upgrade}
spec:
  imagetype: disk
  opstype: upgrade
  osversion: KubeOS 2.0.0
  maxunavailable: 1
  containerimage: ""
  imageurl: https://127.0.0.1:$image_port/kubeos-2.0.0.tar
  cacert: loop-ca.crt
  evictpodforce: false
  checksum: "$image_checksum"
  upgradeconfigs:
    version: u1
    configs:
      - model: kernel.sysctl
        contents:
          - {key: net.ipv4.ip_forward, value: "0"}
  sysconfigs:
    version: v2
    configs:
      - model: kernel.sysctl
        contents:
          - {key: net.ipv4.ip_forward, value: "1"}
YAML
# reboot_cycle TARGET: waits for kubeosd's reboot request, checks the node was cordoned and
# drained first, then reboots the node (taking the proxy with it) and lets kubelet report it.
reboot_cycle() {
  local deadline=$(( $(date +%s) + 180 )) now
  until [ -f "$KUBEOS_SANDBOX_DIR/reboot-requested" ]; do
    (( $(date +%s) < deadline )) || fail "kubeosd was never asked to reboot"
    sleep 0.2
  done
  wait_for 5 '^n1 +(upgrade|rollback) '
  [ "$(node_field .spec.unschedulable)" = true ] || fail "node not cordoned before the reboot"
  kubectl get pod web >/dev/null 2>&1 && fail "pod web still on the node at the reboot"
  echo "  node cordoned and drained; kubeosd asked for a reboot"
  kill "$proxy_pid"; wait "$proxy_pid" 2>/dev/null || true
  rm -f "$KUBEOS_SANDBOX_DIR/reboot-requested"
  kubeos-sandbox-reboot
  for _ in $(seq 1 300); do
    [ "$(kubeosctl status --json | jq -r .state)" = idle ] && break
    sleep 0.1
  done
  now=$(kubeosctl status --json | jq -r '.["booted-version"]')
  [ "$now" = "$1" ] || fail "booted '$now' after the reboot, expected '$1'"
  set_os_image "$now"
  start_proxy "$2"
}
stages=()
reboot_cycle "KubeOS 2.0.0" 2
wait_for 60 '^n1 +idle +v2 +u1'
nodes
[ "$(node_field .spec.unschedulable)" != true ] || fail "the proxy's cordon was not lifted"
[ "$(kubeosctl status --json | jq -r '.["sysconfigs-version"]')" = v2 ] || fail "post-reboot sysconfigs not applied"
kubectl delete os os-upgrade --wait >/dev/null

echo "== rollback to '$booted' (R-3.2)"
stages=()
kubectl apply -f - <<YAML
apiVersion: upgrade.openeuler.org/v1alpha1
kind: OS
metadata: {name: os-rollback}
spec:
  imagetype: disk
  opstype: rollback
  osversion: "$booted"
  maxunavailable: 1
  containerimage: ""
  evictpodforce: false
  checksum: ""
YAML
reboot_cycle "$booted" 3
wait_for 60 '^n1 +idle '
[ "$(node_field .spec.unschedulable)" != true ] || fail "the proxy's cordon was not lifted"
nodes
kubectl get osinstances -o "$columns"
echo PASS
