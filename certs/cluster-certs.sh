#!/usr/bin/env bash
# Serving certificate for a cluster without cert-manager (manifests/overlays/self-signed):
# mints a CA and a serving certificate with certs/mint.sh (openssl), patches the CA into every entry's
# clientConfig.caBundle of the MutatingWebhookConfiguration injector-sidecar-injector, then creates or replaces
# the Secret injector-tls (tls.crt, tls.key, ca.crt) in injector-system.
#
#   kubectl apply -k manifests/overlays/self-signed && certs/cluster-certs.sh      (or: make deploy-certs)
#
# Run it again to rotate: the caBundle first trusts the new CA and the one being served, then the Secret
# changes, and the server re-reads it without a restart, so no admission call fails on the way.
# Uses the current kubectl context (KUBECTL overrides the command). The keys never touch the repository.
set -euo pipefail

kubectl="${KUBECTL:-kubectl}"
namespace=injector-system
secret=injector-tls
webhook=injector-sidecar-injector
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

case "${1:-}" in
  -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  *) echo "cluster-certs.sh: unknown argument $1" >&2; exit 2 ;;
esac

for tool in openssl base64 "$kubectl"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "cluster-certs.sh: $tool is required but not installed" >&2; exit 1; }
done
if ! "$kubectl" get namespace "$namespace" >/dev/null 2>&1; then
  echo "cluster-certs.sh: namespace $namespace not found (or the cluster is unreachable); apply the manifests first:" >&2
  echo "  kubectl apply -k manifests/overlays/self-signed" >&2
  exit 1
fi
if ! "$kubectl" get mutatingwebhookconfiguration "$webhook" >/dev/null 2>&1; then
  echo "cluster-certs.sh: MutatingWebhookConfiguration $webhook not found; apply the manifests first:" >&2
  echo "  kubectl apply -k manifests/overlays/self-signed" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$here/mint.sh" --force "$work" >/dev/null

# Trust the new CA and the CA of the certificate being served now (if any), so a rotation never breaks a call.
cp "$work/ca.crt" "$work/bundle.crt"
if "$kubectl" -n "$namespace" get secret "$secret" -o jsonpath='{.data.ca\.crt}' 2>/dev/null | base64 -d >"$work/old-ca.crt" 2>/dev/null \
   && [[ -s "$work/old-ca.crt" ]] && openssl x509 -in "$work/old-ca.crt" -noout 2>/dev/null; then
  cat "$work/old-ca.crt" >>"$work/bundle.crt"
fi
bundle="$(base64 <"$work/bundle.crt" | tr -d '\n')"

count="$("$kubectl" get mutatingwebhookconfiguration "$webhook" -o jsonpath='{range .webhooks[*]}{.name}{"\n"}{end}' | grep -c .)"
ops=""
for ((i = 0; i < count; i++)); do
  ops+="${ops:+,}{\"op\":\"add\",\"path\":\"/webhooks/$i/clientConfig/caBundle\",\"value\":\"$bundle\"}"
done
"$kubectl" patch mutatingwebhookconfiguration "$webhook" --type=json -p "[$ops]" >/dev/null
echo "cluster-certs.sh: caBundle set on $count webhook entries of $webhook"

"$kubectl" -n "$namespace" create secret generic "$secret" --type=kubernetes.io/tls \
  --from-file=tls.crt="$work/tls.crt" --from-file=tls.key="$work/tls.key" --from-file=ca.crt="$work/ca.crt" \
  --dry-run=client -o yaml | "$kubectl" apply -f - >/dev/null
echo "cluster-certs.sh: Secret $namespace/$secret holds the new serving certificate (expires $(openssl x509 -in "$work/tls.crt" -noout -enddate | cut -d= -f2))"
