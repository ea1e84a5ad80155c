#!/usr/bin/env bash
# Builds the injector's container image: scripts/image.sh (make image), IMAGE defaults to injector:dev.
# Stops at once, with a clear message, when docker is missing or its engine is not running.
# Only shell builtins run before the checks.
set -euo pipefail
image="${IMAGE:-injector:dev}"

if ! command -v docker >/dev/null 2>&1; then
  echo "image: docker is not installed (or not on PATH); it is needed to build $image. Install Docker Engine: https://docs.docker.com/engine/install/" >&2
  exit 1
fi
if ! docker info >/dev/null 2>&1; then
  echo "image: the docker engine is not running or not reachable ('docker info' failed); start it (or point DOCKER_HOST at one) and retry" >&2
  exit 1
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
docker build -t "$image" -f "$root/Dockerfile" "$root"
echo "image: built $image"
