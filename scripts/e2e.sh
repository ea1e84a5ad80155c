#!/usr/bin/env bash
# End-to-end test on a throwaway kind cluster (make e2e; not part of make test):
# kind cluster "injector-e2e" → cert-manager (pinned) → the injector image built and loaded → manifests/ applied with
# the image and proxy images overridden → assertions on real pods → the cluster deleted (KEEP_CLUSTER=1 keeps it).
#
# Environment: CLUSTER (injector-e2e), E2E_IMAGE (injector:e2e), CERT_MANAGER_VERSION (v1.16.5), KEEP_CLUSTER (0),
# KIND_NODE_IMAGE (kind's default when empty).
# Only shell builtins run before the tool checks, so a missing tool is reported at once.
set -euo pipefail

missing=()
command -v docker >/dev/null 2>&1 || missing+=("docker (https://docs.docker.com/engine/install/)")
command -v kind >/dev/null 2>&1 || missing+=("kind (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)")
command -v kubectl >/dev/null 2>&1 || missing+=("kubectl (https://kubernetes.io/docs/tasks/tools/)")
if ((${#missing[@]})); then
  echo "e2e: missing required tools:" >&2
  for tool in "${missing[@]}"; do echo "  - $tool" >&2; done
  exit 1
fi
if ! docker info >/dev/null 2>&1; then
  echo "e2e: the docker engine is not running or not reachable ('docker info' failed); kind needs it. Start it and retry." >&2
  exit 1
fi

cluster="${CLUSTER:-injector-e2e}"
image="${E2E_IMAGE:-injector:e2e}"
cert_manager_version="${CERT_MANAGER_VERSION:-v1.16.5}"
keep="${KEEP_CLUSTER:-0}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
k=(kubectl --context "kind-$cluster")
failures=0
created=0

log() { printf '\n== %s\n' "$*"; }
pass() { printf '  PASS %s\n' "$*"; }
fail() { printf '  FAIL %s\n' "$*" >&2; failures=$((failures + 1)); }

cleanup() {
  local rc=$?
  if ((rc != 0 || failures > 0)) && ((created)); then
    echo "== diagnostics" >&2
    "${k[@]}" get pods -A -o wide >&2 || true
    "${k[@]}" -n injector-system describe deploy/injector >&2 || true
    "${k[@]}" -n injector-system logs -l app.kubernetes.io/name=injector --tail=50 --prefix >&2 || true
    "${k[@]}" get mutatingwebhookconfiguration injector-sidecar-injector -o yaml >&2 || true
  fi
  if [[ "$keep" == 1 ]]; then
    echo "e2e: KEEP_CLUSTER=1, kind cluster $cluster kept (kubectl --context kind-$cluster …; kind delete cluster --name $cluster)"
  elif ((created)); then
    kind delete cluster --name "$cluster" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# Runs "$@" until it succeeds: at most $1 attempts, $2 seconds apart.
retry() {
  local attempts=$1 pause=$2 i
  shift 2
  for ((i = 1; i <= attempts; i++)); do
    if "$@"; then return 0; fi
    sleep "$pause"
  done
  return 1
}

# Waits (bounded) until a pod matching the selector exists in the namespace; prints its name.
first_pod() {
  local ns=$1 selector=$2 i name
  for ((i = 0; i < 60; i++)); do
    name="$("${k[@]}" -n "$ns" get pods -l "$selector" -o jsonpath='{.items[0].metadata.name}' 2>/dev/null || true)"
    if [[ -n "$name" ]]; then echo "$name"; return 0; fi
    sleep 2
  done
  return 1
}

# Container names (init and regular) and volume names of a pod, one line each.
pod_shape() {
  "${k[@]}" -n "$1" get pod "$2" -o jsonpath='init={.spec.initContainers[*].name}{"\n"}containers={.spec.containers[*].name}{"\n"}volumes={.spec.volumes[*].name}{"\n"}'
}

expect_injected() {
  local what=$1 shape=$2 name
  for name in istio-init istio-proxy; do
    if grep -Eq "^(init|containers)=.*\b$name\b" <<<"$shape"; then pass "$what has $name"; else fail "$what lacks $name: $shape"; fi
  done
  for name in istio-envoy istio-data istio-podinfo istio-token istiod-ca-cert; do
    if grep -Eq "^volumes=.*\b$name\b" <<<"$shape"; then pass "$what has volume $name"; else fail "$what lacks volume $name: $shape"; fi
  done
}

expect_not_injected() {
  local what=$1 shape=$2
  if grep -Eq "istio-proxy|istio-init|istio-envoy" <<<"$shape"; then fail "$what was injected: $shape"; else pass "$what was not injected"; fi
}

pod_yaml() {
  cat <<POD
apiVersion: v1
kind: Pod
metadata:
  name: $1
  labels:
    app: $1
${2:+    $2}
spec:
  containers:
    - name: app
      image: registry.k8s.io/pause:3.10
POD
}

log "kind cluster $cluster"
if kind get clusters 2>/dev/null | grep -qx "$cluster"; then
  echo "reusing the existing cluster $cluster"
else
  kind create cluster --name "$cluster" ${KIND_NODE_IMAGE:+--image "$KIND_NODE_IMAGE"} --wait 180s
fi
created=1

log "cert-manager $cert_manager_version"
"${k[@]}" apply -f "https://github.com/cert-manager/cert-manager/releases/download/$cert_manager_version/cert-manager.yaml" >/dev/null
for deploy in cert-manager cert-manager-cainjector cert-manager-webhook; do
  "${k[@]}" -n cert-manager rollout status "deploy/$deploy" --timeout=180s
done

log "image $image"
IMAGE="$image" "$root/scripts/image.sh"
kind load docker-image "$image" --name "$cluster"

log "injector manifests (image $image, proxy images overridden)"
mkdir -p "$work/overlay"
cat >"$work/overlay/kustomization.yaml" <<KUSTOMIZATION
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - $root/manifests
images:
  - name: injector
    newName: ${image%:*}
    newTag: ${image##*:}
patches:
  - path: values.yaml
KUSTOMIZATION
# No istiod here: point the sidecar images at a small image that exists; the pods are checked by spec, not readiness.
# A ConfigMap's values are complete (they replace the embedded defaults), so start from the defaults and edit.
{
  cat <<'HEADER'
apiVersion: v1
kind: ConfigMap
metadata:
  name: injector-config
  namespace: injector-system
data:
  values: |
HEADER
  sed -e 's|^  hub: .*|  hub: registry.k8s.io|' \
      -e 's|^  tag: .*|  tag: "3.10"|' \
      -e 's|^    image: proxyv2$|    image: pause|' \
      -e 's|^|    |' \
      "$root/src/Injector.Core/Defaults/values.yaml"
} >"$work/overlay/values.yaml"
# cert-manager's own webhook may need a few seconds after rollout before it admits Certificates.
retry 12 5 "${k[@]}" apply -k "$work/overlay" >/dev/null
"${k[@]}" -n injector-system rollout status deploy/injector --timeout=180s
ca_bundle() { [[ -n "$("${k[@]}" get mutatingwebhookconfiguration injector-sidecar-injector -o jsonpath='{.webhooks[0].clientConfig.caBundle}')" ]]; }
if retry 30 2 ca_bundle; then pass "cainjector set the caBundle"; else fail "caBundle still empty after 60 s"; fi

log "namespaces"
"${k[@]}" create namespace e2e-injected
"${k[@]}" label namespace e2e-injected istio-injection=enabled
"${k[@]}" create namespace e2e-plain

log "a Deployment in a namespace labelled istio-injection=enabled is injected"
"${k[@]}" -n e2e-injected create deployment sleeper --image=registry.k8s.io/pause:3.10
pod="$(first_pod e2e-injected app=sleeper)" || { fail "no pod of deployment sleeper appeared"; exit 1; }
shape="$(pod_shape e2e-injected "$pod")"
expect_injected "pod $pod of deployment sleeper" "$shape"
status="$("${k[@]}" -n e2e-injected get pod "$pod" -o jsonpath='{.metadata.annotations.sidecar\.istio\.io/status}')"
if [[ -n "$status" ]]; then pass "pod $pod has the sidecar.istio.io/status annotation"; else fail "pod $pod lacks sidecar.istio.io/status"; fi

log "a pod labelled sidecar.istio.io/inject=false is not injected"
pod_yaml opted-out 'sidecar.istio.io/inject: "false"' | "${k[@]}" -n e2e-injected apply -f - >/dev/null
expect_not_injected "pod opted-out" "$(pod_shape e2e-injected opted-out)"

log "a pod in an unlabelled namespace is not injected"
pod_yaml plain | "${k[@]}" -n e2e-plain apply -f - >/dev/null
expect_not_injected "pod plain in e2e-plain" "$(pod_shape e2e-plain plain)"

log "a pod labelled sidecar.istio.io/inject=true in an unlabelled namespace is injected (object selector)"
pod_yaml opted-in 'sidecar.istio.io/inject: "true"' | "${k[@]}" -n e2e-plain apply -f - >/dev/null
expect_injected "pod opted-in in e2e-plain" "$(pod_shape e2e-plain opted-in)"

log "a server-side dry run shows the injected pod"
preview="$(pod_yaml preview | "${k[@]}" -n e2e-injected apply --dry-run=server -o yaml -f -)"
if grep -q "name: istio-proxy" <<<"$preview" && grep -q "name: istio-init" <<<"$preview"; then pass "dry run shows istio-proxy and istio-init"; else fail "dry run not injected"; fi
if "${k[@]}" -n e2e-injected get pod preview >/dev/null 2>&1; then fail "the dry run created pod preview"; else pass "the dry run created nothing"; fi

log "with the injector scaled to 0, namespaces the webhook does not select still admit pods"
"${k[@]}" -n injector-system scale deploy/injector --replicas=0
"${k[@]}" -n injector-system wait --for=delete pod -l app.kubernetes.io/name=injector --timeout=120s || true
if pod_yaml after-scale-down | "${k[@]}" -n e2e-plain apply -f - >/dev/null; then pass "pod created in e2e-plain"; else fail "pod creation in e2e-plain failed"; fi
if pod_yaml system-check | "${k[@]}" -n kube-public apply -f - >/dev/null; then pass "pod created in kube-public"; else fail "pod creation in kube-public failed"; fi
# failurePolicy Fail: a selected namespace refuses pods while no injector answers.
if pod_yaml refused | "${k[@]}" -n e2e-injected apply -f - >/dev/null 2>&1; then fail "pod admitted in e2e-injected without the injector"; else pass "pod refused in e2e-injected (failurePolicy: Fail)"; fi

if ((failures > 0)); then
  echo "e2e: $failures check(s) failed" >&2
  exit 1
fi
echo "e2e: all checks passed"
