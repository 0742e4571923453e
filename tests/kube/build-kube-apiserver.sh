#!/bin/bash
# SPDX-License-Identifier: MulanPSL-2.0
# Builds kube-apiserver from Debian's `kubernetes` source package with Debian's Go toolchain into a
# cache outside the repository and prints the binary's path. Nothing of the Kubernetes tree is ever
# written into the repository. The deb-src entries are derived at run time from this machine's apt
# sources, so no mirror host name lives in the repo.
#
# Usage: build-kube-apiserver.sh            (prints the cached binary path; builds on first use)
# Env:   KUBEOS_TEST_CACHE (default /var/cache/kubeos-test)
set -euo pipefail

cache_root=${KUBEOS_TEST_CACHE:-/var/cache/kubeos-test}
self_hash=$(sha256sum "$0" | cut -c1-12)   # the patches below live in this file: key the cache by it
mkdir -p "$cache_root"

# --- private apt configuration with deb-src lines derived from the machine's deb lines ----------
apt_dir=$cache_root/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/sources.list.d"
derive_deb_src() {
  # One-line format: "deb [opts] URI SUITE COMPONENTS…" -> "deb-src …".
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] || continue
    sed -n 's/^[[:space:]]*deb[[:space:]]\+/deb-src /p' "$f"
  done
  # deb822 format: copy each stanza with Types: deb-src.
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    awk 'BEGIN{RS=""; ORS="\n\n"} /(^|\n)Types:[^\n]*deb/ {
           if ($0 ~ /(^|\n)Enabled:[[:space:]]*no/) next;
           sub(/Types:[^\n]*/, "Types: deb-src"); print }' "$f"
  done
}
derive_deb_src | grep -v '^deb-src .*\.disabled' > "$apt_dir/derived.tmp"
if grep -q '^Types:' "$apt_dir/derived.tmp"; then
  grep -v '^deb-src ' "$apt_dir/derived.tmp" > "$apt_dir/sources.list.d/derived.sources"
fi
grep '^deb-src ' "$apt_dir/derived.tmp" > "$apt_dir/sources.list" || true
apt_opts=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list"
          -o "Dir::Etc::sourceparts=$apt_dir/sources.list.d"
          -o "Dir::State::Lists=$apt_dir/lists"
          -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
          -o "APT::Sandbox::User=root")
if [[ ! -f $apt_dir/updated ]] || [[ -n $(find "$apt_dir/updated" -mmin +1440) ]]; then
  apt-get "${apt_opts[@]}" -q update >&2
  touch "$apt_dir/updated"
fi
version=$(apt-cache "${apt_opts[@]}" showsrc kubernetes | sed -n 's/^Version: //p' | sort -V | tail -1)
[[ -n $version ]] || { echo "no kubernetes source package found" >&2; exit 1; }
safe_version=${version//[^A-Za-z0-9.+-]/_}
out_dir=$cache_root/kube-apiserver-$safe_version-$self_hash
if [[ -x $out_dir/kube-apiserver ]]; then
  echo "$out_dir/kube-apiserver"
  exit 0
fi

# --- fetch and patch ------------------------------------------------------------------------------
work=$cache_root/build-$safe_version-$self_hash
rm -rf "$work"
mkdir -p "$work"
start=$(date +%s)
(cd "$work" && apt-get "${apt_opts[@]}" -q source kubernetes >&2)
tree=$(find "$work" -maxdepth 1 -mindepth 1 -type d -name 'kubernetes-*' | head -1)
[[ -n $tree ]] || { echo "apt-get source kubernetes gave no tree" >&2; exit 1; }

# Go >= 1.18 incompatibilities of the 1.20 tree (see shared reference test-kube-apiserver.md §1.3):
# vendored reflect2 1.0.1 crashes in mapiterinit; use Debian's reflect2 and the json-iterator it
# pairs with.
for pkg in github.com/modern-go/reflect2 github.com/json-iterator/go; do
  rm -rf "${tree:?}/vendor/$pkg"
  cp -r "/usr/share/gocode/src/$pkg" "$tree/vendor/$pkg"
done
# Go 1.19 makes a zero string DeepEqual to reflect.Zero, so every "" in a CR would be refused as
# "must be of type string".
for f in vendor/github.com/go-openapi/validate/type.go \
         vendor/k8s.io/kube-openapi/pkg/validation/validate/type.go; do
  [[ -f $tree/$f ]] || continue
  sed -i 's/if data == nil || reflect.DeepEqual(reflect.Zero(reflect.TypeOf(data)), reflect.ValueOf(data)) {/if data == nil {/' \
    "$tree/$f"
done

# --- build only cmd/kube-apiserver, GOPATH mode as Debian's rules do -------------------------------
mkdir -p "$work/.go/src/k8s.io"
ln -sfn "$tree" "$work/.go/src/k8s.io/kubernetes"
goroot=/usr/lib/go-1.19
(
  cd "$work/.go/src/k8s.io/kubernetes"
  export GOPATH=$work/.go GOCACHE=$work/.gocache GO111MODULE=off GOPROXY=off
  export PATH=$goroot/bin:$PATH GOROOT=$goroot
  make WHAT=cmd/kube-apiserver GOLDFLAGS="-s -w" >&2
)
bin=$(find "$tree/_output" -type f -name kube-apiserver -perm -u+x | head -1)
[[ -n $bin ]] || { echo "kube-apiserver binary not produced" >&2; exit 1; }
mkdir -p "$out_dir"
cp "$bin" "$out_dir/kube-apiserver.tmp"
mv "$out_dir/kube-apiserver.tmp" "$out_dir/kube-apiserver"
echo "built kube-apiserver $version in $(( $(date +%s) - start )) s" >&2
rm -rf "$work"
echo "$out_dir/kube-apiserver"
