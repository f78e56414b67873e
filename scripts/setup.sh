#!/usr/bin/env bash
# Installs and checks what building and testing AkkaBroker needs. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

need_sdk=10
if ! command -v dotnet >/dev/null 2>&1; then
  echo "setup: the .NET $need_sdk SDK is required (dotnet not found on PATH)" >&2
  exit 1
fi
major=$(dotnet --version | cut -d. -f1)
if [ "$major" -lt "$need_sdk" ]; then
  echo "setup: the .NET $need_sdk SDK is required, found $(dotnet --version)" >&2
  exit 1
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet restore AkkaBroker.sln -nologo -v quiet
