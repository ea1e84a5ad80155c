#!/usr/bin/env bash
# make load: one bounded run of three servers side by side on 127.0.0.1, driven by external load generators.
#   ceiling   bench's minimal Kestrel + TLS handler (parses the review, writes a fixed ~1 KB answer)
#   disabled  `injector serve` with `policy: disabled` (the whole stack, no render)
#   injector  `injector serve` with the embedded defaults
#   aot       the same, from the Native AOT build (artifacts/aot/injector), when make aot has published it
# Each gets wrk (HTTP/1.1 over TLS, one thread, LOAD_CONNECTIONS connections, LOAD_SECONDS seconds) with the same pod
# every request (a rollout) and with a different pod every request, then h2load (HTTP/2, the same pod, LOAD_REQUESTS
# requests, 10 streams per connection). Prints req/s, p50, p99 and peak RSS (the server's peak so far, so a later run's
# column includes the earlier runs) per run, and the ratios to the ceiling.
# The runs go round LOAD_ROUNDS times, every server's runs in turn, and each figure is the median of its rounds (a
# ratio is taken within a round, against that round's ceiling): on a shared 2-core machine one run moves by a third.
# Each server first settles for LOAD_SETTLE seconds (half same-pod, half distinct-pod traffic, unmeasured), and each
# run is preceded by LOAD_WARMUP seconds of its own traffic: a JIT build reaches its steady state only once tiered
# compilation has promoted the hot paths, which under load on 2 cores takes 6-10 s from start (measured: the
# policy-disabled server went 7.7k -> 8.9k -> 11.4k -> 19.8k req/s over its first four 2-second windows), and a
# distinct-pod path is barely compiled after same-pod traffic (the memo answers it).
# Not part of make test. Environment: LOAD_ROUNDS (3), LOAD_SECONDS (8), LOAD_SETTLE (20), LOAD_WARMUP (3),
# LOAD_CONNECTIONS (16), LOAD_REQUESTS (20000), CONFIG (Release).
set -euo pipefail

missing=()
command -v wrk >/dev/null 2>&1 || missing+=("wrk (Debian: apt-get install wrk)")
command -v h2load >/dev/null 2>&1 || missing+=("h2load (Debian: apt-get install nghttp2-client)")
command -v python3 >/dev/null 2>&1 || missing+=("python3")
command -v curl >/dev/null 2>&1 || missing+=("curl")
if ((${#missing[@]})); then
  echo "load: missing tools:" >&2
  for tool in "${missing[@]}"; do echo "  - $tool" >&2; done
  exit 1
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
config="${CONFIG:-Release}"
rounds="${LOAD_ROUNDS:-3}"
seconds="${LOAD_SECONDS:-8}"
settle="${LOAD_SETTLE:-20}"
warmup="${LOAD_WARMUP:-3}"
connections="${LOAD_CONNECTIONS:-16}"
requests="${LOAD_REQUESTS:-20000}"
injector="$root/src/Injector/bin/$config/net10.0/injector.dll"
bench="$root/bench/Injector.Benchmarks/bin/$config/net10.0/Injector.Benchmarks.dll"
aot="$root/artifacts/aot/injector"
for file in "$injector" "$bench"; do
  [[ -f "$file" ]] || { echo "load: $file is missing; run make build first" >&2; exit 1; }
done

work="$(mktemp -d)"
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

"$root/certs/mint.sh" "$work/certs" >/dev/null
printf 'policy: disabled\n' >"$work/disabled.yaml"

# The same review every request, and a template whose pod label takes a new value each request.
python3 - "$root/examples/admission-review.json" "$work" <<'PY'
import json, sys
review = json.load(open(sys.argv[1]))
out = sys.argv[2]
open(f"{out}/same.json", "w").write(json.dumps(review, separators=(",", ":")))
review["request"]["object"]["metadata"].setdefault("labels", {})["load-id"] = "LOADID"
open(f"{out}/distinct.json", "w").write(json.dumps(review, separators=(",", ":")))
PY

cat >"$work/same.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$work/same.json", "rb"); wrk.body = f:read("*a"); f:close()
LUA
cat >"$work/distinct.lua" <<LUA
local f = io.open("$work/distinct.json", "rb"); local template = f:read("*a"); f:close()
local n = 0
request = function()
  n = n + 1
  local body = template:gsub("LOADID", "p" .. n)
  return wrk.format("POST", "/inject", { ["Content-Type"] = "application/json" }, body)
end
LUA

# Starts a server in the background and waits (at most about 30 s) until it answers a review. A server that exits
# (a port already taken) stops the run: something else answering on its port would be measured instead.
start() {
  local name=$1 port=$2 pid i
  shift 2
  "$@" >"$work/$name.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  echo "$pid" >"$work/$name.pid"
  for ((i = 0; i < 60; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "load: $name exited; its log:" >&2
      cat "$work/$name.log" >&2
      exit 1
    fi
    if curl -sk --max-time 0.3 -o /dev/null -H 'Content-Type: application/json' --data-binary "@$work/same.json" "https://127.0.0.1:$port/inject"; then
      return 0
    fi
    sleep 0.2
  done
  echo "load: $name did not answer on port $port within 30 s; its log:" >&2
  cat "$work/$name.log" >&2
  exit 1
}

# Peak resident set of a server so far, in MB.
peak_rss() { awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$(cat "$work/$1.pid")/status"; }

# wrk's latency figures in ms (it prints us, ms or s).
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.2f", v * 1000 }
    else printf "%s", v }'
}

# The same traffic as the run that follows, unmeasured.
warm() {
  if ((warmup > 0)); then
    timeout $((warmup + 60)) wrk -t1 -c"$connections" -d"${warmup}s" -s "$work/$2.lua" "https://127.0.0.1:$1/inject" >/dev/null
  fi
}

# Once per server, before its runs: same-pod then distinct-pod traffic, unmeasured.
settle() {
  local half=$((settle / 2))
  if ((half > 0)); then
    timeout $((half + 60)) wrk -t1 -c"$connections" -d"${half}s" -s "$work/same.lua" "https://127.0.0.1:$1/inject" >/dev/null
    timeout $((half + 60)) wrk -t1 -c"$connections" -d"${half}s" -s "$work/distinct.lua" "https://127.0.0.1:$1/inject" >/dev/null
  fi
}

results="$work/results.tsv"
run_wrk() {
  local name=$1 port=$2 mode=$3 out
  warm "$port" "$mode"
  out="$(timeout $((seconds + 60)) wrk -t1 -c"$connections" -d"${seconds}s" --timeout 10s --latency -s "$work/$mode.lua" "https://127.0.0.1:$port/inject")"
  local rps p50 p99 errors
  rps="$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")"
  p50="$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")"
  p99="$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")"
  errors="$(awk '/Non-2xx|Socket errors/ { print }' <<<"$out" | tr '\n' ' ')"
  printf '%s\t%s\twrk %s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$name" "$mode" "$rps" "$p50" "$p99" "$(peak_rss "$name")" "${errors:-}" >>"$results"
}

run_h2load() {
  local name=$1 port=$2 out
  warm "$port" same
  out="$(timeout 300 h2load -c"$connections" -m10 -n"$requests" -T 10 -d "$work/same.json" -H 'Content-Type: application/json' "https://127.0.0.1:$port/inject")"
  local rps p50 p99 errors
  rps="$(awk '/^finished in/ { gsub(/,/, ""); printf "%.0f", $4 }' <<<"$out")"
  # h2load gives min, max, mean and sd per request; the mean stands in for p50 and max+sd is no percentile, so
  # only the mean is reported (as p50) and p99 is left out.
  p50="$(awk '/^time for request:/ { print $6 }' <<<"$out")"
  # Only a request that failed, errored or timed out is an error worth a column.
  errors="$(awk '/^requests:/ { if ($10 + 0 > 0 || $12 + 0 > 0 || $14 + 0 > 0) print $0 }' <<<"$out")"
  printf '%s\t%s\th2load same\t%s\t%s\t%s\t%s\t%s\n' "$round" "$name" "$rps" "$(to_ms "$p50") (mean)" "-" "$(peak_rss "$name")" "$errors" >>"$results"
}

echo "make load: $(nproc) cores, $rounds rounds, ${settle} s to settle per server, ${warmup} s warm-up per run, wrk -t1 -c$connections -d${seconds}s, h2load -c$connections -m10 -n$requests; $(uname -sr)"
start ceiling 19601 dotnet "$bench" ceiling --port 19601 --tls-cert "$work/certs/tls.crt" --tls-key "$work/certs/tls.key"
start disabled 19602 dotnet "$injector" serve --address 127.0.0.1 --port 19602 --health-port 19612 --tls-cert "$work/certs/tls.crt" --tls-key "$work/certs/tls.key" --inject-config "$work/disabled.yaml" --shutdown-delay 0
start injector 19603 dotnet "$injector" serve --address 127.0.0.1 --port 19603 --health-port 19613 --tls-cert "$work/certs/tls.crt" --tls-key "$work/certs/tls.key" --shutdown-delay 0
servers=(ceiling:19601 disabled:19602 injector:19603)
# The Native AOT build too, when make aot has published it.
if [[ -x "$aot" ]]; then
  start aot 19604 "$aot" serve --address 127.0.0.1 --port 19604 --health-port 19614 --tls-cert "$work/certs/tls.crt" --tls-key "$work/certs/tls.key" --shutdown-delay 0
  servers+=(aot:19604)
fi

for server in "${servers[@]}"; do
  settle "${server##*:}"
done

for ((round = 1; round <= rounds; round++)); do
  for server in "${servers[@]}"; do
    name=${server%%:*}
    port=${server##*:}
    run_wrk "$name" "$port" same
    run_wrk "$name" "$port" distinct
    run_h2load "$name" "$port"
  done
done

python3 - "$results" <<'PY'
import statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
def number(text):
    try:
        return float(text.split()[0])
    except (ValueError, IndexError):
        return None

def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None

def show(value, digits):
    return "-" if value is None else f"{value:.{digits}f}"

keys = []
for r in rows:
    if (r[1], r[2]) not in keys:
        keys.append((r[1], r[2]))
ceiling = {(r[0], r[2]): number(r[3]) for r in rows if r[1] == "ceiling"}
print()
print(f"Medians of {len({r[0] for r in rows})} rounds; a ratio is req/s over the ceiling's in the same round.")
print()
print("| server | run | req/s | p50 ms | p99 ms | peak RSS MB | ÷ ceiling | ÷ ceiling per round | errors |")
print("|---|---|---:|---:|---:|---:|---:|---|---|")
for name, run in keys:
    mine = [r for r in rows if (r[1], r[2]) == (name, run)]
    ratios = [number(r[3]) / ceiling[(r[0], run)] for r in mine if ceiling.get((r[0], run)) and number(r[3]) is not None]
    p50 = show(median(number(r[4]) for r in mine), 2) + (" (mean)" if "(mean)" in mine[0][4] else "")
    errors = "; ".join(sorted({r[7] for r in mine if len(r) > 7 and r[7]})) or "none"
    print(f"| {name} | {run} | {show(median(number(r[3]) for r in mine), 0)} | {p50} | {show(median(number(r[5]) for r in mine), 2)} "
          f"| {show(max((number(r[6]) or 0) for r in mine), 0)} | {'' if name == 'ceiling' else show(median(ratios), 2)} "
          f"| {'' if name == 'ceiling' else ' / '.join(f'{x:.2f}' for x in ratios)} | {errors} |")
PY
