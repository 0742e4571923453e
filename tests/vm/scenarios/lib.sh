# SPDX-License-Identifier: MulanPSL-2.0
# Guest side of the VM scenarios (sourced by guest.sh in the payload; bash). A scenario is a list
# of phases, one per boot; the phase number lives on /persist, which survives reboots and slots.
# Everything printed goes to the host's test.log. The host ends the run on the first RESULT= line.
set -uo pipefail
. ./test.env
GRUBENV=/boot/efi/EFI/openEuler/grubenv
STATE=/persist/kubeos-test
mkdir -p "$STATE"
PHASE=$(cat "$STATE/phase" 2>/dev/null || echo 0)

slot() { lsblk -no PARTLABEL "$(findmnt -no SOURCE /)" | sed 's/^ROOT-//'; }
pretty() { (. /etc/os-release && echo "$PRETTY_NAME"); }
env_get() { grub-editenv "$GRUBENV" list | sed -n "s/^$1=//p"; }

fail() {
  echo "FAIL (phase $PHASE): $*"
  echo "RESULT=FAIL"
  sync
  systemctl poweroff
  exit 1
}
pass() {
  echo "RESULT=PASS"
  sync
  systemctl poweroff
  exit 0
}
# reboot_into_phase N: the next boot runs phase N
reboot_into_phase() {
  echo "$1" > "$STATE/phase"
  sync
  echo "REBOOT into phase $1"
  systemctl reboot
  exit 0
}
# expect_booted SLOT PRETTY_NAME
expect_booted() {
  [[ "$(slot) / $(pretty)" == "$1 / $2" ]] || fail "expected slot $1 with '$2', booted $(slot) with '$(pretty)'"
}
expect_env() { # KEY VALUE
  [[ "$(env_get "$1")" == "$2" ]] || fail "grubenv $1='$(env_get "$1")', expected '$2'"
}

# Wait for the end of boot (the agent is not part of it), then report where we are.
state=$(systemctl is-system-running --wait)
echo "PHASE $PHASE slot=$(slot) pretty='$(pretty)' system=$state uptime=$(cut -d' ' -f1 /proc/uptime)s" \
  "grubenv: saved_entry=$(env_get saved_entry) next_entry=$(env_get next_entry)"
echo "boot time: $(systemd-analyze time 2>/dev/null | head -1)"
if [[ $state != running ]]; then
  systemctl --failed --no-legend --plain
fi

# kubeosd over D-Bus (busctl's a{sv} text form: "booted-slot" s "A" …)
kubeos_status() { busctl call org.openeuler.KubeOS1 /org/openeuler/KubeOS1 org.openeuler.KubeOS1 Status; }
wait_status() { # EXTENDED_REGEX SECONDS: until Status matches
  local i
  for ((i = 0; i < $2; i++)); do
    kubeos_status 2>/dev/null | grep -Eq "$1" && return 0
    sleep 1
  done
  return 1
}
# image_sum FILE: its SHA-256 from the host's SHA256SUMS
image_sum() { awk -v f="$1" '$2 == f { print $1 }' SHA256SUMS; }

# kubeosctl status --json, one key: status_get KEY (strings unquoted; true/false as such)
status_get() {
  kubeosctl status --json 2>/dev/null | sed -n "s/^ *\"$1\": //p" | sed 's/,$//; s/^"//; s/"$//'
}
# wait_idle SECONDS: until kubeosd runs no job (the boot confirmation after a trial included)
wait_idle() {
  local i
  for ((i = 0; i < $1; i++)); do
    [[ $(status_get state) == idle ]] && return 0
    sleep 1
  done
  return 1
}
# expect_status KEY VALUE: Status says so
expect_status() {
  local v
  v=$(status_get "$1")
  [[ $v == "$2" ]] || fail "Status $1='$v', expected '$2'; Status: $(kubeosctl status --json 2>&1)"
}
# install_certs: the run's test CA (server verification) and the node's client certificate (mTLS)
install_certs() {
  install -D -m 644 ca.pem /etc/KubeOS/certs/kubeos-test-ca.pem
  install -m 644 client.pem /etc/KubeOS/certs/kubeos-test-client.pem
  install -m 600 client.key /etc/KubeOS/certs/kubeos-test-client.key
}
# upgrade_to IMAGE VERSION [kubeosctl upgrade options…]: a plain https upgrade (server verified)
upgrade_to() {
  local image=$1 version=$2
  shift 2
  kubeosctl upgrade --version "$version" --image-url "$IMAGES_HTTPS/$image" \
    --checksum "$(image_sum "$image")" --ca-cert kubeos-test-ca.pem "$@"
}
# mount_slot SLOT: the slot's root read-only (each slot keeps its own /var/log), prints the dir
mount_slot() {
  local dir=/run/kubeos-test/$1
  mkdir -p "$dir"
  mountpoint -q "$dir" || mount -o ro,noload "/dev/disk/by-partlabel/ROOT-$1" "$dir" || return 1
  echo "$dir"
}
# expect_reboot CMD…: CMD ends in kubeosd rebooting the node. Its failure counts, unless the node is
# already going down (the shutdown may stop kubeosctl before it reports the job's end).
expect_reboot() {
  if ! "$@"; then
    [[ $(systemctl is-system-running 2>/dev/null) == stopping ]] || fail "failed: $*"
  fi
  sleep 300
  fail "no reboot after: $*"
}
