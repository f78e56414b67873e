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

# The ali-ons compatibility suite (tests/compat) is a Node.js project; without node, scripts/test.sh reports it failed.
if command -v node >/dev/null 2>&1; then
  # A failed install does not stop the .NET build and tests: tests/compat/run.sh retries it and reports failure.
  if npm ci --prefix tests/compat --no-audit --no-fund --loglevel=error; then
    sha256sum tests/compat/package-lock.json | cut -d' ' -f1 > tests/compat/node_modules/.compat-lock.sha256
  else
    echo "setup: npm ci in tests/compat failed; the compatibility tests will report it" >&2
  fi
else
  echo "setup: node not found; the ali-ons compatibility tests (tests/compat) need Node.js 20+" >&2
fi
