#!/usr/bin/env bash
# SPDX-License-Identifier: MulanPSL-2.0
# The core library stays pure: no D-Bus, HTTP, block-device, crypto or archive headers and no
# mount calls in kubeosd/src/core (STYLE.md, layers). Fails listing every offending line.
set -euo pipefail
core=$(cd "$(dirname "$0")/../../kubeosd/src/core" && pwd)
pattern='#[[:space:]]*include[[:space:]]*<(sdbus-c\+\+|curl/|blkid/|openssl/|archive|sys/mount\.h|systemd/)'
if hits=$(grep -rnE "$pattern" "$core"); then
  echo "forbidden includes in kubeosd/src/core:"
  echo "$hits"
  exit 1
fi
echo "kubeosd/src/core: $(find "$core" -name '*.cc' -o -name '*.h' | wc -l) files, no forbidden includes"
