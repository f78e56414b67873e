#!/usr/bin/env bash
# Runs BenchmarkDotNet benchmarks in Release. Pass BenchmarkDotNet's arguments, e.g.
#   scripts/bench.sh --filter '*Actor*'            (full runs)
#   scripts/bench.sh --filter '*Hocon*' --job short (quicker, less precise)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec dotnet run -c Release --project tests/AkkaBroker.Benchmarks -- "$@"
