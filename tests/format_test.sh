#!/usr/bin/env bash
# SPDX-License-Identifier: MulanPSL-2.0
# Every tracked C++ file is formatted as .clang-format says (STYLE.md); lists the ones that are not.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "clang-format is not installed"; exit 77; }
bad=()
while IFS= read -r f; do
  clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done < <(git ls-files '*.cc' '*.h' 2>/dev/null || find kubeosd kubeosctl operator tests bench -name '*.cc' -o -name '*.h')
if [ ${#bad[@]} -gt 0 ]; then
  printf 'not clang-formatted (run clang-format -i on them):\n'
  printf '  %s\n' "${bad[@]}"
  exit 1
fi
echo "all C++ files clang-formatted"
