# SPDX-License-Identifier: MulanPSL-2.0
# Shared by scripts/test, scripts/demo and scripts/sandbox: where things are, installing the
# Debian packages listed in scripts/deps/*.txt, and building. Source it; do not run it.

KUBEOS_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KUBEOS_BUILD_DIR=${KUBEOS_BUILD_DIR:-$KUBEOS_REPO/build}
export KUBEOS_REPO KUBEOS_BUILD_DIR

kubeos_log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
kubeos_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

kubeos_require_root() {
  [ "$(id -u)" = 0 ] || kubeos_die "$(basename "$0") needs root (loop devices, mounts, polkitd)"
}

# kubeos_ensure_packages [LIST…]: installs the packages of scripts/deps/LIST.txt (all lists when
# none is named) that are not installed yet.
kubeos_ensure_packages() {
  local lists=() missing=() pkg
  if [ $# -eq 0 ]; then
    lists=("$KUBEOS_REPO"/scripts/deps/*.txt)
  else
    for l in "$@"; do lists+=("$KUBEOS_REPO/scripts/deps/$l.txt"); done
  fi
  while read -r pkg; do
    [ -n "$pkg" ] || continue
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$' ||
      missing+=("$pkg")
  done < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "${lists[@]}" | sort -u)
  [ ${#missing[@]} -eq 0 ] && return 0
  kubeos_log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# kubeos_build [TARGET…]: configures (once) and builds the project in $KUBEOS_BUILD_DIR.
kubeos_build() {
  if [ ! -f "$KUBEOS_BUILD_DIR/build.ninja" ]; then
    cmake -S "$KUBEOS_REPO" -B "$KUBEOS_BUILD_DIR" -G Ninja -DCMAKE_INSTALL_PREFIX=/usr \
      ${KUBEOS_CMAKE_ARGS:-} >/dev/null
  fi
  local targets=()
  for t in "$@"; do targets+=(--target "$t"); done
  cmake --build "$KUBEOS_BUILD_DIR" -j"$(nproc)" "${targets[@]}"
}
