# Injector — build, run and test. `make run` serves the webhook locally; `make test` runs every test that can run here.
SHELL := /bin/bash
DOTNET ?= dotnet
CONFIG ?= Release
CORPUS ?= $(abspath ../shared/istio-corpus)
export INJECTOR_ISTIO_CORPUS ?= $(CORPUS)

.PHONY: all build test check format format-check certs run conformance golden bench image e2e clean

all: build

build:
	$(DOTNET) build Injector.sln -c $(CONFIG)

certs:
	./certs/mint.sh certs

## Serves https://127.0.0.1:9443/inject with the embedded default config and freshly minted local certificates.
run: certs
	$(DOTNET) run --project src/Injector -c $(CONFIG) -- serve --address 127.0.0.1 --port 9443 --tls-cert certs/tls.crt --tls-key certs/tls.key

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

clean:
	rm -rf artifacts */*/bin */*/obj
