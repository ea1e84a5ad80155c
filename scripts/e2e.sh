#!/usr/bin/env bash
# End-to-end test on a throwaway kind cluster (make e2e; not part of make test). It proves the injected sidecar is a
# working Istio data plane:
#   kind cluster → the injector image built and loaded → cert-manager → istiod (its own injection webhook removed, access
#   logs on) → the injector deployed from manifests/ with the proxy image set to Istio's release → an HTTP server and a
#   client in a namespace labelled istio-injection=enabled, all 2/2 Running, their proxies connected to istiod, the
#   client's requests in the server proxy's access log → dry runs, opt-out, skip, denial → the webhook's Events and
#   metrics → diagnostics on failure, a PASS/FAIL summary, the cluster deleted.
#
# Environment: CLUSTER (injector-e2e), E2E_IMAGE (injector:e2e), CERT_MANAGER_VERSION (v1.16.5), ISTIO_VERSION (1.27.3),
# ISTIO_HUB (docker.io/istio), ISTIO_INSTALLER (helm when installed, else istioctl), KIND_NODE_IMAGE (kind's default
# when empty), KEEP_CLUSTER (0; 1 keeps the cluster).
# Only shell builtins run before the tool checks, so a missing tool is reported at once.
set -euo pipefail

missing=()
command -v docker >/dev/null 2>&1 || missing+=("docker (https://docs.docker.com/engine/install/)")
command -v kind >/dev/null 2>&1 || missing+=("kind (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)")
command -v kubectl >/dev/null 2>&1 || missing+=("kubectl (https://kubernetes.io/docs/tasks/tools/)")
command -v curl >/dev/null 2>&1 || missing+=("curl (https://curl.se/download.html)")
installer="${ISTIO_INSTALLER:-}"
if [[ -z "$installer" ]]; then
  if command -v helm >/dev/null 2>&1; then
    installer=helm
  elif command -v istioctl >/dev/null 2>&1; then
    installer=istioctl
  else
    missing+=("helm or istioctl, to install istiod (helm: https://helm.sh/docs/intro/install/; istioctl: https://istio.io/latest/docs/setup/getting-started/#download)")
  fi
elif [[ "$installer" != helm && "$installer" != istioctl ]]; then
  echo "e2e: ISTIO_INSTALLER must be helm or istioctl, not '$installer'" >&2
  exit 1
elif ! command -v "$installer" >/dev/null 2>&1; then
  missing+=("$installer (ISTIO_INSTALLER=$installer; helm: https://helm.sh/docs/intro/install/; istioctl: https://istio.io/latest/docs/setup/getting-started/#download)")
fi
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
istio_version="${ISTIO_VERSION:-1.27.3}"
istio_hub="${ISTIO_HUB:-docker.io/istio}"
istio_charts=https://istio-release.storage.googleapis.com/charts
proxy_image="$istio_hub/proxyv2:$istio_version"
server_image=nginx:1.27-alpine
client_image=curlimages/curl:8.11.1
pause_image=registry.k8s.io/pause:3.10
keep="${KEEP_CLUSTER:-0}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
k=(kubectl --context "kind-$cluster")
ns=e2e-mesh
plain_ns=e2e-plain
passes=0
failures=0
failed=()
created=0
pf_pid=""

log() { printf '\n== %s\n' "$*"; }
pass() { printf '  PASS %s\n' "$*"; passes=$((passes + 1)); }
fail() { printf '  FAIL %s\n' "$*" >&2; failures=$((failures + 1)); failed+=("$*"); }
# A failed step the later checks depend on: record it and stop (the EXIT trap prints diagnostics).
die() { fail "$*"; exit 1; }

summary() {
  printf '\n== summary: %d passed, %d failed\n' "$passes" "$failures"
  local item
  for item in "${failed[@]+"${failed[@]}"}"; do printf '  FAIL %s\n' "$item"; done
}

diagnostics() {
  echo "== diagnostics" >&2
  "${k[@]}" get pods -A -o wide >&2 || true
  "${k[@]}" get mutatingwebhookconfigurations \
    -o jsonpath='{range .items[*]}{.metadata.name}: {.webhooks[*].clientConfig.service.namespace}{"\n"}{end}' >&2 || true
  "${k[@]}" -n "$ns" describe pods >&2 || true
  "${k[@]}" -n "$ns" get events --sort-by=.lastTimestamp >&2 || true
  "${k[@]}" -n "$ns" logs -l app=server -c istio-proxy --tail=30 --prefix >&2 || true
  "${k[@]}" -n "$ns" logs -l app=client --all-containers --tail=30 --prefix >&2 || true
  "${k[@]}" -n injector-system describe deploy/injector >&2 || true
  "${k[@]}" -n injector-system logs -l app.kubernetes.io/name=injector --tail=100 --prefix >&2 || true
  "${k[@]}" -n istio-system logs deploy/istiod --tail=100 >&2 || true
}

cleanup() {
  local rc=$?
  if [[ -n "$pf_pid" ]]; then kill "$pf_pid" 2>/dev/null || true; fi
  if ((created)) && ((rc != 0 || failures > 0)); then diagnostics; fi
  if [[ "$keep" == 1 ]]; then
    echo "e2e: KEEP_CLUSTER=1, kind cluster $cluster kept (kubectl --context kind-$cluster …; kind delete cluster --name $cluster)"
  elif ((created)); then
    kind delete cluster --name "$cluster" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  summary
  if ((rc == 0 && failures > 0)); then exit 1; fi
}
trap cleanup EXIT

# Runs "$@" until it succeeds: at most $1 attempts, $2 seconds apart.
retry() {
  local attempts=$1 pause=$2 i
  shift 2
  for ((i = 1; i <= attempts; i++)); do
    if "$@"; then return 0; fi
    if ((i < attempts)); then sleep "$pause"; fi
  done
  return 1
}

gt0() { awk -v x="$1" 'BEGIN { exit !(x + 0 > 0) }'; }
ge() { awk -v x="$1" -v y="$2" 'BEGIN { exit !(x + 0 >= y + 0) }'; }

pods_of() { "${k[@]}" -n "$1" get pods -l "$2" -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}'; }

# "READY TOTAL PHASE" of a pod, as kubectl's READY column counts: app containers plus native sidecars (init containers
# with restartPolicy Always, where istio-proxy runs on kubelet >= 1.33); istio-init, which runs to completion, is not counted.
pod_readiness() {
  local out phase containers sidecars statuses name total=0 ready=0
  out="$("${k[@]}" -n "$1" get pod "$2" -o jsonpath='{.status.phase}|{.spec.containers[*].name}|{.spec.initContainers[?(@.restartPolicy=="Always")].name}|{range .status.containerStatuses[*]}{.name}={.ready} {end}{range .status.initContainerStatuses[*]}{.name}={.ready} {end}')" || return 1
  IFS='|' read -r phase containers sidecars statuses <<<"$out"
  for name in $containers $sidecars; do
    total=$((total + 1))
    if [[ " $statuses " == *" $name=true "* ]]; then ready=$((ready + 1)); fi
  done
  echo "$ready $total $phase"
}

# True when the selector matches exactly $3 pods and every one is Running with $4/$4 containers ready.
all_ready() {
  local names pod count=0
  names="$(pods_of "$1" "$2")" || return 1
  for pod in $names; do
    count=$((count + 1))
    [[ "$(pod_readiness "$1" "$pod")" == "$4 $4 Running" ]] || return 1
  done
  ((count == $3))
}

# "INIT|SIDECARS|CONTAINERS" of a pod: init container names, those with restartPolicy Always (native sidecars), and
# regular container names, each space-separated.
pod_shape() {
  "${k[@]}" -n "$1" get pod "$2" -o jsonpath='{.spec.initContainers[*].name}|{.spec.initContainers[?(@.restartPolicy=="Always")].name}|{.spec.containers[*].name}'
}

has_word() { [[ " $1 " == *" $2 "* ]]; }

expect_injected_pod() {
  local pod=$2 init sidecars containers proxy status
  IFS='|' read -r init sidecars containers <<<"$(pod_shape "$1" "$pod")"
  if has_word "$sidecars" istio-proxy; then
    pass "pod $pod has istio-proxy as a native sidecar (init container, restartPolicy Always)"
  elif has_word "$containers" istio-proxy; then
    pass "pod $pod has istio-proxy as a container"
  else
    fail "pod $pod has no istio-proxy (init: $init; containers: $containers)"
    return
  fi
  if has_word "$init" istio-init; then pass "pod $pod has the istio-init init container"; else fail "pod $pod lacks istio-init (init: $init)"; fi
  proxy="$("${k[@]}" -n "$1" get pod "$pod" -o jsonpath='{.spec.containers[?(@.name=="istio-proxy")].image}{.spec.initContainers[?(@.name=="istio-proxy")].image}')"
  if [[ "$proxy" == "$proxy_image" ]]; then pass "pod $pod runs $proxy_image"; else fail "pod $pod runs proxy image '$proxy', expected $proxy_image"; fi
  status="$("${k[@]}" -n "$1" get pod "$pod" -o jsonpath='{.metadata.annotations.sidecar\.istio\.io/status}')"
  if [[ -n "$status" ]]; then pass "pod $pod has the sidecar.istio.io/status annotation"; else fail "pod $pod lacks sidecar.istio.io/status"; fi
}

expect_not_injected_pod() {
  local init sidecars containers
  IFS='|' read -r init sidecars containers <<<"$(pod_shape "$1" "$2")"
  if has_word "$init $containers" istio-proxy || has_word "$init" istio-init; then
    fail "pod $2 was injected (init: $init; containers: $containers)"
  else
    pass "pod $2 was not injected"
  fi
}

# The Envoy stats of a pod's proxy (https://istio.io/latest/docs/ops/configuration/telemetry/envoy-stats/).
proxy_stats() { "${k[@]}" -n "$1" exec "$2" -c istio-proxy -- pilot-agent request GET stats 2>/dev/null; }

stat_value() { awk -v name="$1:" '$1 == name { print $2; exit }'; }

# The proxy holds an ADS stream to istiod (control_plane.connected_state, kept by the proxyStatsMatcher annotation the
# workloads carry) and has accepted clusters and listeners from it.
proxy_connected() {
  local stats
  stats="$(proxy_stats "$1" "$2")" || return 1
  [[ "$(stat_value control_plane.connected_state <<<"$stats")" == 1 ]] &&
    gt0 "$(stat_value cluster_manager.cds.update_success <<<"$stats")" &&
    gt0 "$(stat_value listener_manager.lds.update_success <<<"$stats")"
}

# The server proxy's access log has an inbound request from the client's curl answered 200.
server_logged_client() {
  local logs
  logs="$("${k[@]}" -n "$1" logs "$2" -c istio-proxy --tail=1000 2>/dev/null)" || return 1
  grep -Eq '"GET /[^"]*" 200 .*"curl/[^"]*".*inbound[|]' <<<"$logs"
}

client_got_200() {
  local logs
  logs="$("${k[@]}" -n "$1" logs "$2" -c client --tail=200 2>/dev/null)" || return 1
  grep -qx 200 <<<"$logs"
}

# The summed count of the Events of type $5 and reason $4 on the $2 named $3 (count or series.count, whichever the
# recorder keeps; 1 for an event without either); fails when there is none.
event_total() {
  local out
  out="$("${k[@]}" -n "$1" get events --field-selector "involvedObject.kind=$2,involvedObject.name=$3,reason=$4" \
    -o jsonpath='{range .items[*]}{.type} {.count} {.series.count}{"\n"}{end}' 2>/dev/null)" || return 1
  awk -v want="$5" '$1 == want { n = ($2 + 0 > $3 + 0) ? $2 + 0 : $3 + 0; total += (n > 0 ? n : 1); found = 1 }
    END { if (!found) exit 1; print total }' <<<"$out"
}

event_at_least() {
  local total
  total="$(event_total "$1" "$2" "$3" "$4" "$5")" || return 1
  ge "$total" "$6"
}

expect_event() {
  local total
  if retry 30 2 event_at_least "$@"; then
    total="$(event_total "$1" "$2" "$3" "$4" "$5")"
    pass "$5 event $4 on $2 $3 (count $total, at least $6)"
  else
    fail "no $5 event $4 (count >= $6) on $2 $3 within 60 s: $("${k[@]}" -n "$1" get events --field-selector "involvedObject.name=$3" -o jsonpath='{range .items[*]}{.type}/{.reason} x{.count}: {.message}; {end}' 2>/dev/null || true)"
  fi
}

# Sums a Prometheus series in the text exposition $1: metric name $2, and every label filter after it (name="value")
# present on the line; fails when no line matches.
metric_sum() {
  local file=$1 name=$2
  shift 2
  awk -v name="$name" -v filters="$*" '
    BEGIN { n = split(filters, f, " ") }
    /^#/ { next }
    index($0, name) == 1 {
      rest = substr($0, length(name) + 1); labels = ""
      if (substr(rest, 1, 1) == "{") { end = index(rest, "}"); labels = substr(rest, 1, end); rest = substr(rest, end + 1) }
      else if (substr(rest, 1, 1) != " ") next
      for (i = 1; i <= n; i++) if (index(labels, f[i]) == 0) next
      split(rest, v, " "); sum += v[1]; found = 1
    }
    END { if (!found) exit 1; printf "%.15g\n", sum }' "$file"
}

# Writes /metrics of one injector pod to $2, through a port-forward (the Service exposes only the webhook port, and the
# NetworkPolicy admits port 8080 only from the namespace monitoring; a port-forward enters the pod's network directly).
scrape_metrics() {
  local pod=$1 out=$2 port="" i rc=0
  "${k[@]}" -n injector-system port-forward --address 127.0.0.1 "pod/$pod" :8080 >"$work/port-forward.log" 2>&1 &
  pf_pid=$!
  for ((i = 0; i < 30; i++)); do
    port="$(sed -n 's/^Forwarding from 127\.0\.0\.1:\([0-9][0-9]*\) .*/\1/p' "$work/port-forward.log" | head -n 1)"
    if [[ -n "$port" ]]; then break; fi
    sleep 1
  done
  if [[ -z "$port" ]]; then
    cat "$work/port-forward.log" >&2
    rc=1
  elif ! retry 5 2 curl -fsS --max-time 10 -o "$out" "http://127.0.0.1:$port/metrics"; then
    rc=1
  fi
  kill "$pf_pid" 2>/dev/null || true
  wait "$pf_pid" 2>/dev/null || true
  pf_pid=""
  return "$rc"
}

# The MutatingWebhookConfigurations with an entry that calls a service in istio-system (istiod's injector).
istio_webhooks() {
  "${k[@]}" get mutatingwebhookconfigurations \
    -o jsonpath='{range .items[*]}{.metadata.name} {.webhooks[*].clientConfig.service.namespace}{"\n"}{end}' |
    awk '{ for (i = 2; i <= NF; i++) if ($i == "istio-system") { print $1; break } }'
}

ensure_namespace() {
  "${k[@]}" create namespace "$1" --dry-run=client -o yaml | "${k[@]}" apply -f - >/dev/null
}

log "kind cluster $cluster"
clusters="$(kind get clusters 2>/dev/null || true)"
if grep -qx "$cluster" <<<"$clusters"; then
  echo "reusing the existing cluster $cluster"
else
  kind create cluster --name "$cluster" ${KIND_NODE_IMAGE:+--image "$KIND_NODE_IMAGE"} --wait 180s
fi
created=1
"${k[@]}" get nodes -o jsonpath='{range .items[*]}node {.metadata.name}: kubelet {.status.nodeInfo.kubeletVersion}{"\n"}{end}'

# Built first, so a broken build stops the run before the long installs.
log "image $image"
IMAGE="$image" "$root/scripts/image.sh"
kind load docker-image "$image" --name "$cluster"

log "cert-manager $cert_manager_version"
"${k[@]}" apply -f "https://github.com/cert-manager/cert-manager/releases/download/$cert_manager_version/cert-manager.yaml" >/dev/null
for deploy in cert-manager cert-manager-cainjector cert-manager-webhook; do
  "${k[@]}" -n cert-manager rollout status "deploy/$deploy" --timeout=180s
done

log "istiod $istio_version ($installer; images from $istio_hub; access logs to /dev/stdout)"
if [[ "$installer" == helm ]]; then
  helm --kube-context "kind-$cluster" upgrade --install istio-base base --repo "$istio_charts" --version "$istio_version" \
    --namespace istio-system --create-namespace --wait --timeout 5m
  helm --kube-context "kind-$cluster" upgrade --install istiod istiod --repo "$istio_charts" --version "$istio_version" \
    --namespace istio-system --wait --timeout 5m \
    --set global.hub="$istio_hub" --set global.tag="$istio_version" \
    --set meshConfig.accessLogFile=/dev/stdout \
    --set resources.requests.cpu=100m --set resources.requests.memory=256Mi
else
  istioctl_version="$(istioctl version --remote=false --short 2>/dev/null || istioctl version --remote=false 2>/dev/null || true)"
  if [[ "$istioctl_version" != *"$istio_version"* ]]; then
    echo "e2e: warning: istioctl reports '$istioctl_version', not $istio_version; it installs its own charts (the images are still $istio_hub/…:$istio_version)" >&2
  fi
  istioctl --context "kind-$cluster" install -y --set profile=minimal \
    --set hub="$istio_hub" --set tag="$istio_version" \
    --set meshConfig.accessLogFile=/dev/stdout \
    --set values.pilot.resources.requests.cpu=100m --set values.pilot.resources.requests.memory=256Mi
fi
"${k[@]}" -n istio-system rollout status deploy/istiod --timeout=300s
access_log="$("${k[@]}" -n istio-system get configmap istio -o jsonpath='{.data.mesh}' | awk '$1 == "accessLogFile:" { print $2 }')"
if [[ "$access_log" == /dev/stdout ]]; then pass "istiod's mesh config has accessLogFile: /dev/stdout"; else fail "istiod's mesh config has accessLogFile '$access_log'"; fi

# Injector does all the injecting: istiod's own webhook configurations (istio-sidecar-injector, and the
# istio-revision-tag-default that istioctl and revisionTags add) are deleted. Istiod only patches the caBundle of those
# that exist; it never recreates one (https://github.com/istio/istio/issues/15775).
log "istiod's sidecar-injection webhook removed"
for webhook in $(istio_webhooks); do
  "${k[@]}" delete mutatingwebhookconfiguration "$webhook"
done
remaining="$(istio_webhooks)"
if [[ -z "$remaining" ]]; then pass "no MutatingWebhookConfiguration calls istiod"; else die "webhook configurations still call istiod: $remaining"; fi

log "injector manifests (image $image, proxy $proxy_image)"
overlay="$(cd "$work" && pwd -P)/overlay"
mkdir -p "$overlay"
# kustomize refuses an absolute path to a directory ("new root … cannot be absolute"), so the overlay reaches manifests/
# by climbing to / and down again (physical paths, so a symlinked temporary directory cannot skew the count).
up=""
IFS=/ read -r -a overlay_parts <<<"${overlay#/}"
for _ in "${overlay_parts[@]}"; do up+="../"; done
root_physical="$(cd "$root" && pwd -P)"
manifests="$up${root_physical#/}/manifests"
cat >"$overlay/kustomization.yaml" <<KUSTOMIZATION
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - $manifests
images:
  - name: injector
    newName: ${image%:*}
    newTag: ${image##*:}
patches:
  - path: values.yaml
KUSTOMIZATION
# The injected proxy is Istio's release image: global.hub and global.tag (global.proxy.image and global.proxy_init.image
# stay proxyv2). A ConfigMap's values are complete (they replace the embedded defaults), so start from the defaults and
# edit; the patch replaces only the key values, config and mesh stay as manifests/base has them.
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
  sed -e "s|^  hub: .*|  hub: $istio_hub|" \
      -e "s|^  tag: .*|  tag: \"$istio_version\"|" \
      -e 's|^|    |' \
      "$root/src/Injector.Core/Defaults/values.yaml"
} >"$overlay/values.yaml"
if ! grep -qxF "      hub: $istio_hub" "$overlay/values.yaml" || ! grep -qxF "      tag: \"$istio_version\"" "$overlay/values.yaml" ||
  ! grep -qxF "        image: proxyv2" "$overlay/values.yaml"; then
  die "could not set global.hub/global.tag in the injector values (has src/Injector.Core/Defaults/values.yaml changed shape?)"
fi
# cert-manager's own webhook may need a few seconds after rollout before it admits Certificates.
retry 12 5 "${k[@]}" apply -k "$overlay" >/dev/null
"${k[@]}" -n injector-system rollout status deploy/injector --timeout=180s
ca_bundle() { [[ -n "$("${k[@]}" get mutatingwebhookconfiguration injector-sidecar-injector -o jsonpath='{.webhooks[0].clientConfig.caBundle}')" ]]; }
if retry 30 2 ca_bundle; then pass "cainjector set the caBundle"; else die "caBundle still empty after 60 s"; fi

log "namespaces $ns (istio-injection=enabled) and $plain_ns (unlabelled)"
"${k[@]}" delete namespace "$ns" "$plain_ns" --ignore-not-found --wait --timeout=120s >/dev/null
ensure_namespace "$ns"
"${k[@]}" label namespace "$ns" istio-injection=enabled --overwrite >/dev/null
ensure_namespace "$plain_ns"
root_cert() { "${k[@]}" -n "$ns" get configmap istio-ca-root-cert >/dev/null 2>&1; }
if retry 30 2 root_cert; then pass "istiod published istio-ca-root-cert in $ns"; else die "no istio-ca-root-cert in $ns after 60 s"; fi

log "workloads: server (2 replicas, Service server:80) and client (curl every second)"
remaining="$(istio_webhooks)"
if [[ -z "$remaining" ]]; then pass "still no MutatingWebhookConfiguration calls istiod"; else die "istiod's webhook configurations came back: $remaining"; fi
# proxy.istio.io/config keeps Envoy's control_plane.* stats, which Istio's default stats matcher drops.
"${k[@]}" -n "$ns" apply -f - >/dev/null <<WORKLOADS
apiVersion: v1
kind: Service
metadata:
  name: server
spec:
  selector:
    app: server
  ports:
    - name: http
      port: 80
      targetPort: 80
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: server
spec:
  replicas: 2
  selector:
    matchLabels:
      app: server
  template:
    metadata:
      labels:
        app: server
      annotations:
        proxy.istio.io/config: |
          proxyStatsMatcher:
            inclusionPrefixes:
              - control_plane
    spec:
      terminationGracePeriodSeconds: 5
      containers:
        - name: server
          image: $server_image
          ports:
            - name: http
              containerPort: 80
          readinessProbe:
            httpGet:
              path: /
              port: 80
            periodSeconds: 2
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: client
spec:
  replicas: 1
  selector:
    matchLabels:
      app: client
  template:
    metadata:
      labels:
        app: client
      annotations:
        proxy.istio.io/config: |
          proxyStatsMatcher:
            inclusionPrefixes:
              - control_plane
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: client
          image: $client_image
          command: ["/bin/sh", "-c"]
          args:
            - |
              while true; do
                curl -s -o /dev/null -w '%{http_code}\n' --max-time 5 http://server/ || true
                sleep 1
              done
WORKLOADS

# Image pulls (proxyv2, nginx, curl) dominate: up to 5 minutes.
for app in server client; do
  replicas=1
  if [[ "$app" == server ]]; then replicas=2; fi
  if retry 150 2 all_ready "$ns" "app=$app" "$replicas" 2; then
    pass "every $app pod ($replicas) is Running with 2/2 containers ready"
  else
    for pod in $(pods_of "$ns" "app=$app"); do echo "  $pod: $(pod_readiness "$ns" "$pod" || true)" >&2; done
    die "$app pods not Running 2/2 within 300 s"
  fi
done
server_pods="$(pods_of "$ns" app=server)"
client_pod="$(pods_of "$ns" app=client)"

log "each pod is injected with Istio's proxy"
for pod in $server_pods $client_pod; do expect_injected_pod "$ns" "$pod"; done

log "each proxy is connected to istiod"
for pod in $server_pods $client_pod; do
  if retry 20 3 proxy_connected "$ns" "$pod"; then
    pass "pod $pod: control_plane.connected_state 1, clusters and listeners received"
  else
    fail "pod $pod: proxy not connected to istiod: $(proxy_stats "$ns" "$pod" | grep -E '^(control_plane\.connected_state|cluster_manager\.cds\.update_(success|rejected)|listener_manager\.lds\.update_(success|rejected)):' | tr '\n' ' ' || true)"
  fi
done

log "the client's requests cross both proxies and land in the server proxy's access log"
if retry 45 2 client_got_200 "$ns" "$client_pod"; then pass "client $client_pod gets 200 from http://server/"; else fail "client $client_pod got no 200 from http://server/ within 90 s"; fi
for pod in $server_pods; do
  if retry 45 2 server_logged_client "$ns" "$pod"; then
    pass "server $pod's istio-proxy logged the client's requests"
  else
    fail "server $pod's istio-proxy has no access-log line for the client within 90 s: $("${k[@]}" -n "$ns" logs "$pod" -c istio-proxy --tail=5 2>/dev/null | tr '\n' ' ' || true)"
  fi
done

log "opt-out, skip and denial (Deployments, so the webhook's Events have an owner)"
"${k[@]}" -n "$ns" apply -f - >/dev/null <<OPTOUT
# The label keeps the pod from the webhook altogether (its objectSelector), so no Event is expected.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: optout-label
spec:
  replicas: 1
  selector:
    matchLabels:
      app: optout-label
  template:
    metadata:
      labels:
        app: optout-label
        sidecar.istio.io/inject: "false"
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: app
          image: $pause_image
---
# The annotation is read by the webhook, which skips the pod: InjectionSkipped.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: optout-annotation
spec:
  replicas: 1
  selector:
    matchLabels:
      app: optout-annotation
  template:
    metadata:
      labels:
        app: optout-annotation
      annotations:
        sidecar.istio.io/inject: "false"
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: app
          image: $pause_image
---
# An invalid annotation: the webhook denies every pod (InjectionDenied) and the ReplicaSet keeps retrying.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: denied
spec:
  replicas: 1
  selector:
    matchLabels:
      app: denied
  template:
    metadata:
      labels:
        app: denied
      annotations:
        traffic.sidecar.istio.io/excludeInboundPorts: "*"
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: app
          image: $pause_image
OPTOUT
for app in optout-label optout-annotation; do
  if retry 60 2 all_ready "$ns" "app=$app" 1 1; then pass "$app pod is Running 1/1"; else fail "$app pod not Running 1/1 within 120 s"; fi
  for pod in $(pods_of "$ns" "app=$app"); do expect_not_injected_pod "$ns" "$pod"; done
done

log "the webhook's Events on the owning Deployments"
expect_event "$ns" Deployment server Injected Normal 2
expect_event "$ns" Deployment client Injected Normal 1
expect_event "$ns" Deployment optout-annotation InjectionSkipped Normal 1
expect_event "$ns" Deployment denied InjectionDenied Warning 1
denied_pods="$(pods_of "$ns" app=denied)"
if [[ -z "$denied_pods" ]]; then pass "no pod of Deployment denied was admitted"; else fail "pods of Deployment denied were admitted: $denied_pods"; fi
never_sent="$("${k[@]}" -n "$ns" get events --field-selector involvedObject.name=optout-label \
  -o jsonpath='{range .items[?(@.reason=="Injected")]}{.reason} {end}{range .items[?(@.reason=="InjectionSkipped")]}{.reason} {end}')"
if [[ -z "$never_sent" ]]; then pass "no injection Event on optout-label (the webhook never saw it)"; else fail "injection Events on optout-label: $never_sent"; fi

log "a server-side dry run shows the injected pod, persists nothing and records no Event"
server_rs="$("${k[@]}" -n "$ns" get replicasets -l app=server -o jsonpath='{.items[0].metadata.name} {.items[0].metadata.uid}')"
before="$(event_total "$ns" Deployment server Injected Normal || echo 0)"
# Owned by the server's ReplicaSet, as the pods it creates are: a real pod like it gets an Event on Deployment server.
preview="$("${k[@]}" -n "$ns" create --dry-run=server -o yaml -f - <<PREVIEW
apiVersion: v1
kind: Pod
metadata:
  name: preview
  labels:
    app: preview
  ownerReferences:
    - apiVersion: apps/v1
      kind: ReplicaSet
      name: ${server_rs% *}
      uid: ${server_rs#* }
      controller: true
spec:
  containers:
    - name: app
      image: $pause_image
PREVIEW
)" || die "the dry run failed"
if grep -q "name: istio-proxy" <<<"$preview"; then pass "dry run shows istio-proxy"; else fail "dry run not injected"; fi
if grep -q "name: istio-init" <<<"$preview"; then pass "dry run shows istio-init"; else fail "dry run lacks istio-init"; fi
if "${k[@]}" -n "$ns" get pod preview >/dev/null 2>&1; then fail "the dry run created pod preview"; else pass "the dry run created nothing"; fi
plain_preview="$("${k[@]}" -n "$plain_ns" run preview --image="$pause_image" --restart=Never --dry-run=server -o yaml)"
if grep -q "name: istio-proxy" <<<"$plain_preview"; then fail "dry run in unlabelled $plain_ns was injected"; else pass "dry run in unlabelled $plain_ns is not injected"; fi
opted_in="$("${k[@]}" -n "$plain_ns" run preview --image="$pause_image" --restart=Never --labels=sidecar.istio.io/inject=true --dry-run=server -o yaml)"
if grep -q "name: istio-proxy" <<<"$opted_in"; then pass "dry run labelled sidecar.istio.io/inject=true in $plain_ns is injected"; else fail "dry run labelled sidecar.istio.io/inject=true in $plain_ns not injected"; fi
# Events are sent asynchronously within a few seconds.
sleep 10
after="$(event_total "$ns" Deployment server Injected Normal || echo 0)"
if [[ "$after" == "$before" ]]; then pass "no Event for the dry run (Injected on server stays at $before)"; else fail "the dry run recorded an Event (Injected on server $before -> $after)"; fi
all_events="$("${k[@]}" get events -A -o jsonpath='{range .items[*]}{.involvedObject.name} {.message}{"\n"}{end}')"
if grep -qw preview <<<"$all_events"; then
  fail "an Event names the dry-run pod preview"
else
  pass "no Event names the dry-run pod preview"
fi

log "metrics on port 8080 of every injector replica"
: >"$work/metrics.txt"
for pod in $(pods_of injector-system app.kubernetes.io/name=injector); do
  if scrape_metrics "$pod" "$work/metrics-$pod.txt"; then
    pass "scraped /metrics of $pod"
    cat "$work/metrics-$pod.txt" >>"$work/metrics.txt"
  else
    fail "could not scrape /metrics of $pod"
  fi
done
for series in sidecar_injection_requests_total sidecar_injection_success_total sidecar_injection_skip_total \
  sidecar_injection_failure_total sidecar_injection_time_seconds_bucket; do
  if value="$(metric_sum "$work/metrics.txt" "$series")"; then pass "$series present ($value)"; else fail "$series missing"; fi
done
for series in sidecar_injection_requests_total sidecar_injection_success_total sidecar_injection_skip_total; do
  value="$(metric_sum "$work/metrics.txt" "$series" || echo 0)"
  if gt0 "$value"; then pass "$series > 0 ($value)"; else fail "$series is $value, expected > 0"; fi
done
for dry_run in false true; do
  value="$(metric_sum "$work/metrics.txt" injector_admissions_total 'outcome="injected"' "dry_run=\"$dry_run\"" || echo 0)"
  if gt0 "$value"; then
    pass "injector_admissions_total{outcome=\"injected\",dry_run=\"$dry_run\"} > 0 ($value)"
  else
    fail "injector_admissions_total{outcome=\"injected\",dry_run=\"$dry_run\"} is $value, expected > 0: $(grep '^injector_admissions_total' "$work/metrics.txt" | tr '\n' ' ' || true)"
  fi
done

if ((failures > 0)); then
  echo "e2e: $failures check(s) failed" >&2
  exit 1
fi
echo "e2e: all checks passed"
