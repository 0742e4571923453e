#!/usr/bin/env bash
# SPDX-License-Identifier: MulanPSL-2.0
# install_test.sh BUILD_DIR: `cmake --install` into a scratch DESTDIR puts every file of the
# contract (interfaces.md, "Files on the node") in its standard place, and the unit runs the
# installed daemon.
set -euo pipefail
build=$1
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
if [ "$prefix" != /usr ]; then
  echo "configured with CMAKE_INSTALL_PREFIX=$prefix; this check needs /usr (the default)"
  exit 77
fi
DESTDIR=$dest cmake --install "$build" >/dev/null
missing=0
for f in /usr/libexec/kubeosd /usr/bin/kubeosctl /etc/kubeos/kubeosd.conf \
  /usr/lib/systemd/system/kubeosd.service \
  /usr/share/dbus-1/system.d/org.openeuler.KubeOS1.conf \
  /usr/share/dbus-1/system-services/org.openeuler.KubeOS1.service \
  /usr/share/dbus-1/interfaces/org.openeuler.KubeOS1.xml \
  /usr/share/polkit-1/actions/org.openeuler.kubeos1.policy; do
  if [ ! -e "$dest$f" ]; then
    echo "missing: $f"
    missing=1
  fi
done
grep -qx 'ExecStart=/usr/libexec/kubeosd' "$dest/usr/lib/systemd/system/kubeosd.service" ||
  { echo "kubeosd.service does not start /usr/libexec/kubeosd"; missing=1; }
grep -qx 'SystemdService=kubeosd.service' \
  "$dest/usr/share/dbus-1/system-services/org.openeuler.KubeOS1.service" ||
  { echo "activation file does not name kubeosd.service"; missing=1; }
[ "$missing" = 0 ] && echo "all files in place"
exit "$missing"
