#!/usr/bin/env bash
# Runs BenchmarkDotNet benchmarks in Release. Pass BenchmarkDotNet's arguments, e.g.
#   scripts/bench.sh --filter '*Actor*'            (full runs)
#   scripts/bench.sh --filter '*Hocon*' --job short (quicker, less precise)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The disk's own limit for SYNC_FLUSH comparisons: 64 KiB writes each followed by fdatasync, with fio.
if [ "${1:-}" = "fio-baseline" ]; then
  command -v fio >/dev/null 2>&1 || { apt-get install -y -q fio >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q fio >/dev/null); }
  dir=${2:-${AKKABROKER_STORE_ROOT:-$HOME/akkabroker}}
  mkdir -p "$dir"
  fio --name=sync-flush-baseline --filename="$dir/fio.test" --size=256m --bs=64k --rw=write --ioengine=sync --fdatasync=1 --runtime=10 --time_based | grep -E 'IOPS|clat.*avg'
  rm -f "$dir/fio.test"
  exit 0
fi
exec dotnet run -c Release --project tests/AkkaBroker.Benchmarks -- "$@"
