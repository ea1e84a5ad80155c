#!/usr/bin/env bash
# Runs every test project (already built) and prints one closing line "N passed, N failed[, N skipped]".
set -uo pipefail
config="${1:-Release}"
root="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$root/artifacts/test-results"
passed=0 failed=0 skipped=0 status=0
for project in "$root"/tests/*/*.csproj; do
  name="$(basename "$project" .csproj)"
  trx="$root/artifacts/test-results/$name.trx"
  rm -f "$trx"
  dotnet test "$project" -c "$config" --no-build --logger "trx;LogFileName=$trx" || status=1
  if [[ -f "$trx" ]]; then
    counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n1)"
    p="$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")"
    f="$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")"
    t="$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")"
    n=$(( ${t:-0} - ${p:-0} - ${f:-0} ))
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${n:-0}))
  else
    echo "no results for $name" >&2
    failed=$((failed + 1))
  fi
done
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if (( failed > 0 )); then status=1; fi
exit "$status"
