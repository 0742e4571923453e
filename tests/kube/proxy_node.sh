#!/usr/bin/env bash
# SPDX-License-Identifier: MulanPSL-2.0
# One simulated node of proxy_nodes_test.sh, run inside its own scripts/sandbox (private bus, real
# polkitd, kubeosd on its own A/B loop disk): registers Node NAME with its booted version, runs
# kubeos-proxy for it, and plays the node's reboot and kubelet: when kubeosd asks for a reboot,
# the proxy dies with the node, the node boots what GRUB says, reports its new osImage and the
# proxy starts again. Ends when SHARED/stop appears.
#   proxy_node.sh NAME SHARED KUBEOS_PROXY
set -euo pipefail
name=$1 shared=$2 proxy_bin=$3
export KUBECONFIG=${KUBEOS_CLUSTER_DIR:-/tmp/kubeos-cluster}/kubeconfig
# The image server's CA, under the name the OS object gives.
install -D -m 0644 "$shared/ca.crt" "$KUBEOS_SANDBOX_ROOT/etc/KubeOS/certs/loop-ca.crt"
booted() { kubeosctl status --json | jq -r '.["booted-version"]'; }
report() {  # kubelet's part: the node's osImage
  kubectl patch node "$name" --subresource=status --type=merge \
    -p "{\"status\":{\"nodeInfo\":{\"osImage\":\"$(booted)\"}}}" >/dev/null
}
kubectl create -f - >/dev/null <<YAML
apiVersion: v1
kind: Node
metadata: {name: $name}
YAML
report
# A pod of a Deployment on this node, running as its kubelet would say; the drain must evict it.
kubectl create -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: web-$name
  namespace: default
  ownerReferences:
    - {apiVersion: apps/v1, kind: ReplicaSet, name: web, uid: 00000000-0000-0000-0000-000000000003, controller: true}
spec:
  nodeName: $name
  terminationGracePeriodSeconds: 0
  containers: [{name: c, image: busybox}]
YAML
kubectl patch pod "web-$name" --subresource=status --type=merge \
  -p '{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}' >/dev/null
proxy=
start() { "$proxy_bin" --node-name "$name" --daemon-recheck 1 >>"$shared/proxy-$name.log" 2>&1 & proxy=$!; }
trap '[ -z "$proxy" ] || kill "$proxy" 2>/dev/null; wait' EXIT
start
touch "$shared/$name.ready"
while [ ! -e "$shared/stop" ]; do
  if [ -f "$KUBEOS_SANDBOX_DIR/reboot-requested" ]; then
    echo "$name: kubeosd asked for a reboot" >>"$shared/events"
    if kubectl get pod "web-$name" >/dev/null 2>&1; then
      echo "$name: UNDRAINED: pod web-$name still there at the reboot" >>"$shared/events"
    fi
    kill "$proxy"; wait "$proxy" 2>/dev/null || true
    rm -f "$KUBEOS_SANDBOX_DIR/reboot-requested"
    kubeos-sandbox-reboot 2>>"$shared/events"
    for _ in $(seq 1 300); do
      [ "$(kubeosctl status --json | jq -r .state)" = idle ] && break
      sleep 0.1
    done
    report
    echo "$name: up again on $(booted)" >>"$shared/events"
    start
  fi
  sleep 0.2
done
