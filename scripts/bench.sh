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
# Network figures (the client issue's (a)-(d)): one node from a throw-away config, then `akkabroker bench producer`
# with the given arguments, then the node stops. FLUSH=SYNC_FLUSH and WARM=true change the store's flush;
# POOL=true turns on the transient store pool. Last, the node's own view (admin cluster list): how many sends it
# stored and their p99 inside the store, warm-up included.
#   scripts/bench.sh network --threads 64 --size 1024 --duration 20 [--batch 32 | --rate N]
if [ "${1:-}" = "network" ]; then
  shift
  dotnet build -c Release src/AkkaBroker.Server -nologo -v quiet >/dev/null
  work=$(mktemp -d)
  trap 'kill "${node:-}" 2>/dev/null; wait "${node:-}" 2>/dev/null; rm -rf "$work"' EXIT
  cat > "$work/node.conf" <<CONF
akkabroker {
  roles = [namesrv, broker]
  namesrv { listen-port = ${NAMESRV_PORT:-19876} }
  broker {
    broker-name = bench
    listen-port = ${BROKER_PORT:-20911}
    namesrv-addr = "127.0.0.1:${NAMESRV_PORT:-19876}"
    topics = [ { name = "BenchmarkTest", read-queue-nums = 8, write-queue-nums = 8 } ]
  }
  store {
    store-path-root-dir = "$work/store"
    flush-disk-type = ${FLUSH:-ASYNC_FLUSH}
    warm-mapped-file-enable = ${WARM:-false}
    transient-store-pool-enable = ${POOL:-false}
  }
}
CONF
  exe=src/AkkaBroker.Server/bin/Release/net10.0/akkabroker.dll
  dotnet "$exe" serve -c "$work/node.conf" > "$work/node.log" 2>&1 &
  node=$!
  for _ in $(seq 1 100); do grep -q "Broker started: bench" "$work/node.log" && break; sleep 0.2; done
  grep -q "Broker started: bench" "$work/node.log" || { echo "bench: the node did not start:" >&2; cat "$work/node.log" >&2; exit 1; }
  # The bench creates its topic through the name server, so the broker must be registered there first: wait for
  # the topic's route (a fixed pause once lost that race: the bench found no broker and sent nothing).
  for _ in $(seq 1 30); do
    dotnet "$exe" admin topic route --namesrv "127.0.0.1:${NAMESRV_PORT:-19876}" --topic BenchmarkTest >/dev/null 2>&1 && break
    sleep 1
  done
  status=0
  dotnet "$exe" bench producer --namesrv "127.0.0.1:${NAMESRV_PORT:-19876}" --topic BenchmarkTest "$@" || status=$?
  dotnet "$exe" admin cluster list --namesrv "127.0.0.1:${NAMESRV_PORT:-19876}" || true
  exit $status
fi
# Page cache pages that are new to a VM's memory can cost far more to write than recycled ones (a VM whose freed
# memory goes back to its host: 450 MB/s against 6 GB/s here). A long-running broker writes into recycled pages;
# this fills the page cache with a clean file so a short benchmark sees the same. Delete the file afterwards.
if [ "${1:-}" = "page-cache-fill" ]; then
  dir=${2:-/tmp}
  avail_mib=$(awk '/MemAvailable/ {print int($2 / 1024)}' /proc/meminfo)
  fill_mib=$(( avail_mib > 3072 ? avail_mib - 2048 : 1024 ))
  dd if=/dev/zero of="$dir/page-cache-fill" bs=1M count="$fill_mib" status=none
  sync
  echo "wrote $fill_mib MiB to $dir/page-cache-fill and synced; remove it when done"
  exit 0
fi
exec dotnet run -c Release --project tests/AkkaBroker.Benchmarks -- "$@"
