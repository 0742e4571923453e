#!/bin/bash
# The fresh disk boots slot A (v1) under real OVMF + GRUB + systemd; the node's services run, the
# host's HTTPS server is reachable, and kubeosd (once its unit is installed) reports slot A.
. ./lib.sh
expect_booted A "KubeOS 1.0.0"
expect_env saved_entry A
[[ $(findmnt -no TARGET /dev/disk/by-partlabel/BOOT) == /boot/efi ]] || fail "ESP not mounted at /boot/efi"
[[ $(findmnt -no TARGET /dev/disk/by-partlabel/PERSIST) == /persist ]] || fail "PERSIST not mounted"
logger -t kubeos-test "boot-slot-a: hello from the test agent"
for _ in $(seq 50); do grep -q 'hello from the test agent' /var/log/messages 2>/dev/null && break; sleep 0.2; done
grep -q 'hello from the test agent' /var/log/messages || fail "/var/log/messages does not get syslog"
curl -sS --cacert ca.pem "$IMAGES_HTTPS/SHA256SUMS" -o /tmp/sums || fail "HTTPS to the host failed"
cmp -s /tmp/sums SHA256SUMS || fail "HTTPS served a different SHA256SUMS"
echo "HTTPS from the host: ok ($IMAGES_HTTPS)"

if systemctl cat kubeosd.service >/dev/null 2>&1; then
  active=$(systemctl is-active kubeosd.service)
  echo "systemctl is-active kubeosd: $active"
  [[ $active == active ]] || { journalctl -b -u kubeosd --no-pager | tail -20; fail "kubeosd is $active"; }
  status=$(kubeos_status 2>&1) ||
    fail "Status failed: $status"
  echo "Status: $status"
  grep -Eq '"booted-slot" s "(ROOT-)?A"' <<<"$status" || fail "Status does not report booted-slot A"
  if command -v kubeosctl >/dev/null; then kubeosctl status || fail "kubeosctl status failed"; fi
else
  echo "kubeosd.service is not installed in this image: kubeosd checks skipped"
fi
pass
