#!/usr/bin/env bash
# Regenerates manifests/base/configmap.yaml (ConfigMap injector-config) from the embedded defaults in
# src/Injector.Core/Defaults/{config,values,mesh}.yaml. ManifestTests fails when the two drift apart.
#
#   scripts/sync-configmap.sh          rewrite the file
#   scripts/sync-configmap.sh --check  exit 1 when it is out of date
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
defaults="$root/src/Injector.Core/Defaults"
target="$root/manifests/base/configmap.yaml"

render() {
  cat <<'HEAD'
# The injector's configuration, mounted at /etc/injector/config and re-read by the server when it changes
# (polled every 5 s; a configuration that does not load is refused, logged, and the previous one stays in force).
# Generated from src/Injector.Core/Defaults by scripts/sync-configmap.sh; edit a deployed copy freely, but keep
# this file equal to the embedded defaults (ManifestTests checks it).
apiVersion: v1
kind: ConfigMap
metadata:
  name: injector-config
  namespace: injector-system
  labels:
    app.kubernetes.io/name: injector
    app.kubernetes.io/part-of: injector
data:
HEAD
  local key
  for key in config values mesh; do
    printf '  %s: |\n' "$key"
    sed -e 's/^\(.\)/    \1/' "$defaults/$key.yaml"
  done
}

if [[ "${1:-}" == "--check" ]]; then
  diff -u "$target" <(render) && echo "sync-configmap.sh: $target is up to date"
else
  render >"$target"
  echo "sync-configmap.sh: wrote $target"
fi
