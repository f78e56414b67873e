#!/usr/bin/env bash
# Runs the ali-ons compatibility tests against a real `akkabroker serve` (built beforehand with
# `dotnet build AkkaBroker.sln -c Release`). Ends with one line: "compat: N passed, N failed".
# Usage: tests/compat/run.sh [test files...]   (default: every test/*.test.js)
# Env: CONFIGURATION (Release), COMPAT_LOG_DIR (server and client logs), COMPAT_VERBOSE=1 (ali-ons info logs).
set -uo pipefail
cd "$(dirname "$0")"
here=$(pwd)

summary() { echo "compat: $1 passed, $2 failed"; }

if ! command -v node >/dev/null 2>&1; then
  echo "compat: node is not installed (Node.js 20+ is needed for the ali-ons compatibility tests)"
  summary 0 1
  exit 1
fi

# npm ci when node_modules is missing or was installed from a different lock file.
stamp=node_modules/.compat-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -d node_modules ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  if ! npm ci --no-audit --no-fund --loglevel=error; then
    echo "compat: npm ci failed"
    summary 0 1
    exit 1
  fi
  echo "$want" > "$stamp"
fi

root=$(cd ../.. && pwd)
export COMPAT_LOG_DIR=${COMPAT_LOG_DIR:-${TEST_LOG_DIR:-$root/artifacts/test-logs}/compat}
mkdir -p "$COMPAT_LOG_DIR"

if [ $# -gt 0 ]; then files=("$@"); else files=(test/*.test.js); fi

# One file at a time (each starts its own broker; the machine has 2 cores); every file's process exits when
# its tests end even if a client left a timer behind.
out="$COMPAT_LOG_DIR/tap.log"
node --test --test-reporter=tap --test-concurrency=1 --test-force-exit "${files[@]}" 2>&1 | tee "$out"
status=${PIPESTATUS[0]}

# TAP totals from the root: "# pass N", "# fail N", "# cancelled N" (cancelled = stopped by a timeout or a
# failed hook, counted as failed).
total() { grep -E "^# $1 [0-9]+$" "$out" | tail -n 1 | awk '{print $3}'; }
pass=$(total pass); fail=$(total fail); cancelled=$(total cancelled)
if [ -z "$pass" ] || [ -z "$fail" ]; then
  echo "compat: no test totals from node --test (exit $status); see $out"
  summary "${pass:-0}" $(( ${fail:-0} + 1 ))
  exit 1
fi
failed=$(( fail + ${cancelled:-0} ))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi # the runner failed outside any test
summary "$pass" "$failed"
[ "$failed" -eq 0 ]
