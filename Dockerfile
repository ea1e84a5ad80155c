# syntax=docker/dockerfile:1
# Injector's container image: `make image` (IMAGE ?= injector:dev). Built on the .NET 10 SDK as one Native AOT
# executable (no JIT, no .NET runtime in the image: it starts in under 200 ms and stays near 40 MB resident), run on
# the chiseled runtime-deps base (glibc, OpenSSL and CA certificates; no shell, no package manager) as a non-root user.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# Native AOT links with clang (or gcc) and zlib.
RUN apt-get update && apt-get install -y --no-install-recommends clang zlib1g-dev && rm -rf /var/lib/apt/lists/*
# Project files first, so the restore layer is reused while only sources change.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Injector/Injector.csproj src/Injector/
COPY src/Injector.Webhook/Injector.Webhook.csproj src/Injector.Webhook/
COPY src/Injector.Core/Injector.Core.csproj src/Injector.Core/
COPY src/Injector.Templating/Injector.Templating.csproj src/Injector.Templating/
COPY src/Injector.Documents/Injector.Documents.csproj src/Injector.Documents/
ARG TARGETARCH
RUN dotnet restore src/Injector/Injector.csproj -r linux-$([ "$TARGETARCH" = arm64 ] && echo arm64 || echo x64) -p:PublishAot=true
COPY src/ src/
# Embedded by the CLI: `injector explain` evaluates the selectors the manifests install.
COPY manifests/base/mutatingwebhook.yaml manifests/base/
RUN dotnet publish src/Injector/Injector.csproj -c Release --no-restore -r linux-$([ "$TARGETARCH" = arm64 ] && echo arm64 || echo x64) \
      -p:PublishAot=true -o /out \
    && rm -f /out/*.dbg

FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled AS runtime
WORKDIR /app
COPY --from=build /out/injector ./
# No ICU in the image: every text operation of the injector is culture-invariant.
ENV DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=true
# 65532 ("nonroot"), the UID the Deployment's securityContext also sets.
USER 65532:65532
# 9443: /inject over TLS; 8080: /healthz, /readyz and /metrics in plain HTTP (--health-port).
EXPOSE 9443 8080
ENTRYPOINT ["/app/injector"]
CMD ["serve", "--tls-cert", "/etc/injector/certs/tls.crt", "--tls-key", "/etc/injector/certs/tls.key"]
