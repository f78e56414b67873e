#!/usr/bin/env bash
# Runs BenchmarkDotNet benchmarks in Release. Pass BenchmarkDotNet's arguments, e.g.
#   scripts/bench.sh --filter '*Actor*'            (full runs)
#   scripts/bench.sh --filter '*Hocon*' --job short (quicker, less precise)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -n "${AKKABROKER_SKIP_SETUP:-}" ] || bash scripts/setup.sh
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
# POOL=true turns on the transient store pool; PREFAULT=OFF|ALWAYS sets commit-log-prefault; TRIM=OFF|ALWAYS sets
# commit-log-cache-trim. Last, the node's own
# view (admin cluster list): how many sends it stored and their p99 inside the store, warm-up included.
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
    commit-log-prefault = ${PREFAULT:-AUTO}
    commit-log-cache-trim = ${TRIM:-AUTO}
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
# The client issue's four measurements and RocketMQ's default point, one after another, each on a fresh node, with
# the targets checked: (d) runs at half of the rate (a) just reached, followed by `bench echo` at the same rate (the
# open-loop floor of the machine, with no broker). DURATION (seconds per run, default 20).
# The machine's wake-up jitter (`bench jitter`, idle) is measured before and after, since latency is read against it.
if [ "${1:-}" = "network-suite" ]; then
  duration=${DURATION:-20}
  one() { # <label> <target text> <env...> -- <bench args...>; leaves the run's summary line in $last, prints an open loop's split
    local label=$1 target=$2 envs=()
    shift 2
    while [ "$1" != "--" ]; do envs+=("$1"); shift; done
    shift
    local out
    out=$(env "${envs[@]}" AKKABROKER_SKIP_SETUP=1 bash "$0" network --threads 64 --duration "$duration" "$@" 2>&1 || true)
    last=$(grep '^total:' <<<"$out" || true)
    printf '%-40s %s   [%s]\n' "$label" "${last:-total: no result}" "$target"
    grep '^open loop:' <<<"$out" | sed 's/^/    /' || true
  }
  jitter() { printf '%-40s %s\n' "machine, idle, $1" "$(dotnet src/AkkaBroker.Server/bin/Release/net10.0/akkabroker.dll bench jitter --duration 5)"; }
  dotnet build -c Release src/AkkaBroker.Server -nologo -v quiet >/dev/null
  jitter before
  verdict() { [ "$1" = 1 ] && echo "met" || echo "NOT met"; }
  msgs() { awk '{print int($2)}' <<<"${1:-total: 0}"; }
  p99() { awk '{for (i = 1; i < NF; i++) if ($i == "p99") print $(i + 1)}' <<<"${1:-}"; }
  one "(a) 1 KiB, async flush" ">= 100000 msgs/s" X=a -- --size 1024
  a=$last
  one "(b) 1 KiB, async flush, --batch 32" ">= 300000 msgs/s" X=b -- --size 1024 --batch 32
  b=$last
  one "(b) the same, PREFAULT=OFF" ">= 300000 msgs/s" PREFAULT=OFF -- --size 1024 --batch 32
  bp=$last
  one "(b) the same, TRIM=OFF" ">= 300000 msgs/s" TRIM=OFF -- --size 1024 --batch 32
  bt=$last
  one "(c) 1 KiB, SYNC_FLUSH (WARM=true)" ">= 30000 msgs/s" FLUSH=SYNC_FLUSH WARM=true -- --size 1024
  c=$last
  rate=$(( $(msgs "$a") / 2 ))
  d_met=0
  floor=""
  floor_lag=""
  if [ "$rate" -gt 0 ]; then
    one "(d) 1 KiB, open loop at --rate $rate" "p99 < 1000 us" X=d -- --size 1024 --rate "$rate"
    [ -n "$last" ] && [ "$(p99 "$last")" -lt 1000 ] && d_met=1
    # The same open loop against a bare loopback echo (no broker): the machine's own floor for (d).
    out=$(dotnet src/AkkaBroker.Server/bin/Release/net10.0/akkabroker.dll bench echo --rate "$rate" --size 1024 --threads 64 --duration "$duration" 2>&1 || true)
    floor=$(grep '^total:' <<<"$out" || true)
    printf '%-40s %s   [%s]\n' "(d) floor: bare echo at --rate $rate" "${floor:-total: no result}" "report only"
    grep '^open loop:' <<<"$out" | sed 's/^/    /' || true
    floor_lag=$(grep '^open loop:' <<<"$out" | sed -nE 's/.*start lag p50 [0-9]+ us, p99 ([0-9]+) us.*/\1/p' || true)
  fi
  one "RocketMQ's default point: 128 B" "report only" X=e -- --size 128
  jitter after
  fp=$(p99 "$floor")
  echo "(a) $(verdict $(( $(msgs "$a") >= 100000 ))), (b) $(verdict $(( $(msgs "$b") >= 300000 ))) by default, $(verdict $(( $(msgs "$bp") >= 300000 ))) with PREFAULT=OFF, $(verdict $(( $(msgs "$bt") >= 300000 ))) with TRIM=OFF, (c) $(verdict $(( $(msgs "$c") >= 30000 ))), (d) $(verdict $d_met)${floor:+ (a bare echo at the same rate: p99 $fp us${floor_lag:+, its pacer starting sends late by p99 $floor_lag us})}"
  # With no broker at all the floor misses (d) too: no broker can meet it on this machine.
  [ "$d_met" = 0 ] && [ -n "$fp" ] && [ "$fp" -ge 1000 ] && echo "(d) is below this machine's floor: a bare echo misses it as well, so no broker could meet it here"
  exit 0
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
