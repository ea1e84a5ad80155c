# syntax=docker/dockerfile:1
# Injector's container image: `make image` (IMAGE ?= injector:dev). Build on the .NET 10 SDK, run on the
# chiseled ASP.NET runtime (no shell, no package manager) as a non-root user.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# Project files first, so the restore layer is reused while only sources change.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Injector/Injector.csproj src/Injector/
COPY src/Injector.Webhook/Injector.Webhook.csproj src/Injector.Webhook/
COPY src/Injector.Core/Injector.Core.csproj src/Injector.Core/
COPY src/Injector.Templating/Injector.Templating.csproj src/Injector.Templating/
COPY src/Injector.Documents/Injector.Documents.csproj src/Injector.Documents/
RUN dotnet restore src/Injector/Injector.csproj
COPY src/ src/
# Embedded by the CLI: `injector explain` evaluates the selectors the manifests install.
COPY manifests/base/mutatingwebhook.yaml manifests/base/
RUN dotnet publish src/Injector/Injector.csproj -c Release --no-restore -o /out -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled AS runtime
WORKDIR /app
COPY --from=build /out/ ./
# 65532 ("nonroot"), the UID the Deployment's securityContext also sets.
USER 65532:65532
# 9443: /inject over TLS; 8080: /healthz, /readyz and /metrics in plain HTTP (--health-port).
EXPOSE 9443 8080
ENTRYPOINT ["dotnet", "injector.dll"]
CMD ["serve", "--tls-cert", "/etc/injector/certs/tls.crt", "--tls-key", "/etc/injector/certs/tls.key"]
