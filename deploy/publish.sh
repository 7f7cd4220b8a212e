#!/usr/bin/env bash
# Publishes the portal the way the image carries it: Release, framework-dependent (the image has the ASP.NET Core
# runtime), no apphost (started with `dotnet Portal.dll`). The Dockerfile's build stage and the install test both run
# this script, so what CI tests is what the image holds.
#   bash deploy/publish.sh OUTPUT_DIR [extra dotnet publish arguments]
set -euo pipefail
out=${1:?usage: deploy/publish.sh OUTPUT_DIR}
shift
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dotnet publish "$root/src/Portal/Portal.csproj" -c Release -o "$out" -p:UseAppHost=false --nologo "$@"
