# Injector — build, run and test. `make run` serves the webhook locally; `make test` runs every test that can run here.
SHELL := /bin/bash
DOTNET ?= dotnet
CONFIG ?= Release
CORPUS ?= $(abspath ../shared/istio-corpus)
IMAGE ?= injector:dev
export INJECTOR_ISTIO_CORPUS ?= $(CORPUS)

.PHONY: all build test check format format-check certs run conformance golden bench fuzz image e2e deploy-certs clean

all: build

build:
	$(DOTNET) build Injector.sln -c $(CONFIG)

certs:
	./certs/mint.sh certs

## Serves https://127.0.0.1:9443/inject with the embedded default config and freshly minted local certificates,
## health on http://127.0.0.1:8080 and the console's API on http://127.0.0.1:8081/api/v1/.
run: certs
	$(DOTNET) run --project src/Injector -c $(CONFIG) -- serve --address 127.0.0.1 --port 9443 --tls-cert certs/tls.crt --tls-key certs/tls.key --console-address 127.0.0.1:8081

## Every test project; prints one closing line "N passed, N failed".
test: build
	./scripts/run-tests.sh $(CONFIG)

format:
	$(DOTNET) format Injector.sln

format-check:
	$(DOTNET) format Injector.sln --verify-no-changes

check: format-check test

## The Istio corpus score through both doors, per group and in total.
conformance: build
	INJECTOR_CONFORMANCE_REPORT=1 $(DOTNET) test tests/Injector.Conformance.Tests -c $(CONFIG) --no-build --filter "FullyQualifiedName~ConformanceReport" >/dev/null || true
	@cat artifacts/conformance.txt

## Rewrites the project's own golden files (tests/golden/expected) from the current code; review the diff before committing.
golden: build
	REFRESH_GOLDEN=1 $(DOTNET) test tests/Injector.Core.Tests -c $(CONFIG) --no-build --filter "FullyQualifiedName~GoldenTests" >/dev/null
	@git status --short tests/golden

## Micro benchmarks (BenchmarkDotNet, short in-process jobs, Release); tables under BenchmarkDotNet.Artifacts/results.
## Pass BenchmarkDotNet options with BENCH_ARGS, e.g. make bench BENCH_ARGS="--filter *Stage*". Not part of `make test`.
bench:
	$(DOTNET) run --project bench/Injector.Benchmarks -c Release -- micro $(BENCH_ARGS)

## Load against the stack's ceiling (scripts/load.sh; needs wrk and h2load): bench's minimal Kestrel+TLS server,
## `serve` with policy disabled and `serve`, side by side on 127.0.0.1; wrk with the same pod and with distinct pods,
## h2load with the same pod; req/s, p50, p99, peak RSS and the ratios. LOAD_SECONDS, LOAD_CONNECTIONS, LOAD_REQUESTS.
.PHONY: load load-inproc
load:
	$(DOTNET) build Injector.sln -c Release
	CONFIG=Release ./scripts/load.sh

## The in-process TLS load test: real injector vs an empty-handler baseline (2,000 requests, 8 workers, 30 s limit each).
## Options with LOAD_ARGS, e.g. make load-inproc LOAD_ARGS="--requests 500 --json artifacts/load.json".
load-inproc:
	$(DOTNET) run --project bench/Injector.Benchmarks -c Release -- load $(LOAD_ARGS)

FUZZ_REQUESTS ?= 20000
## Bounded mutation fuzzer: a copy of the built server attacked over real TLS on 127.0.0.1 only; FUZZ_REQUESTS requests
## (default 20,000), 4 workers, 300 s limit. Options with FUZZ_ARGS, e.g. make fuzz FUZZ_ARGS="--seed 7 --json artifacts/fuzz.json".
## A 1,000-request run is part of `make test` (FuzzSmokeTests). Exits 1 if it found anything (see tools/Injector.Fuzz), 2 on a setup error.
fuzz: build
	$(DOTNET) tools/Injector.Fuzz/bin/$(CONFIG)/net10.0/Injector.Fuzz.dll --server src/Injector/bin/$(CONFIG)/net10.0 --requests $(FUZZ_REQUESTS) $(FUZZ_ARGS)

## Native AOT publish of the CLI and server to artifacts/aot (linux-x64; gcc links when clang is absent). Our code
## publishes without a trim or AOT warning (warnings are errors; the analyzers also run in every build).
.PHONY: aot
aot:
	mkdir -p artifacts
	rm -f artifacts/aot/injector
	set -o pipefail; $(DOTNET) publish src/Injector -c Release -r linux-x64 -p:PublishAot=true -o artifacts/aot 2>&1 | tee artifacts/aot.log | { grep -E "warning IL|error" || true; }
	@ls -l artifacts/aot/injector

## The tests that run the real executable (the istioctl kube-inject corpus through the CLI, the CLI's usability and
## explain, serve's log lines) on the Native AOT build. Not part of `make test` (the AOT publish takes minutes).
.PHONY: aot-test
aot-test: aot build
	INJECTOR_BINARY=$(CURDIR)/artifacts/aot/injector $(DOTNET) test tests/Injector.Conformance.Tests -c $(CONFIG) --no-build \
		--filter "FullyQualifiedName~ExecutableConformanceTests|FullyQualifiedName~CliProcessTests|FullyQualifiedName~IstioctlKubeInjectTests|FullyQualifiedName~CliUsabilityTests|FullyQualifiedName~ExplainCliTests|FullyQualifiedName~ServeLogTests"

## The container image (Dockerfile); needs a running docker engine.
image:
	IMAGE=$(IMAGE) ./scripts/image.sh

## End-to-end on a throwaway kind cluster with cert-manager (needs docker, kind, kubectl; not part of `make test`).
## KEEP_CLUSTER=1 keeps the cluster afterwards.
e2e:
	./scripts/e2e.sh

## Without cert-manager: mint the serving certificate, create Secret injector-tls and patch the webhook's caBundle
## (after `kubectl apply -k manifests/overlays/self-signed`).
deploy-certs:
	./certs/cluster-certs.sh

clean:
	rm -rf artifacts */*/bin */*/obj
