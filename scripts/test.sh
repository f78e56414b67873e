#!/usr/bin/env bash
# Runs every test project of the solution, then the ali-ons compatibility suite (tests/compat), and ends with
# one line: "N passed, N failed" (the skipped count is printed just before it).
# Usage: scripts/test.sh [extra dotnet test args]   (CI=true selects the short forms of soak tests)
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

bash scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }

config=${CONFIGURATION:-Release}
log_dir=${TEST_LOG_DIR:-$root/artifacts/test-logs}
mkdir -p "$log_dir"

if ! dotnet build AkkaBroker.sln -c "$config" -nologo -v quiet -clp:ErrorsOnly; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

passed=0 failed=0 skipped=0 broken=0
# Projects run one after another: on a 2-core machine parallel runs only add timing noise.
for proj in $(find tests -name '*.Tests.csproj' | sort); do
  name=$(basename "$proj" .csproj)
  out="$log_dir/$name.log"
  echo "== $name"
  # A test that hangs (a lost wake-up, a drain that never ends) aborts its project after HANG_TIMEOUT instead of
  # holding CI until its time limit; no dump is written, since none of the dump tools is installed.
  dotnet test "$proj" -c "$config" --no-build -nologo --blame-hang-timeout "${HANG_TIMEOUT:-5m}" --blame-hang-dump-type none "$@" 2>&1 \
    | tee "$out" | grep -E '^\s*(Failed|Passed!|Failed!|Skipped) ' || true
  # VSTest's summary: "Passed!  - Failed: 0, Passed: 12, Skipped: 0, Total: 12, ..."
  summary=$(grep -E '(Passed|Failed)! +- +Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+' "$out" | tail -n 1)
  if [ -z "$summary" ]; then
    echo "   no test summary from $name (the test host crashed or did not start): see $out"
    broken=$((broken + 1))
    continue
  fi
  # An aborted run still prints a summary, of the tests that finished before the abort: it must not read as a pass.
  if grep -q 'Test Run Aborted' "$out"; then
    echo "   $name was aborted (a test hung past ${HANG_TIMEOUT:-5m} or the test host crashed): see $out"
    grep -E -A1 'The test running when the crash occurred' "$out" | tail -n 1
    broken=$((broken + 1))
  fi
  f=$(sed -E 's/.*Failed: +([0-9]+).*/\1/' <<<"$summary")
  p=$(sed -E 's/.*Passed: +([0-9]+).*/\1/' <<<"$summary")
  s=$(sed -E 's/.*Skipped: +([0-9]+).*/\1/' <<<"$summary")
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  # A CI log keeps only this script's output: show why each test failed, not just its name.
  if [ "$f" -gt 0 ]; then grep -E -A3 '^\s+Error Message:' "$out" | head -n 60; fi
done

# The ali-ons (Node.js) compatibility suite drives the freshly built server; it ends with "compat: N passed, N failed".
echo "== compat (ali-ons)"
compat_log="$log_dir/compat.log"
if command -v node >/dev/null 2>&1; then
  TEST_LOG_DIR="$log_dir" CONFIGURATION="$config" bash tests/compat/run.sh >"$compat_log" 2>&1
  grep -E '^\s*not ok ' "$compat_log" || true
  compat=$(grep -E '^compat: [0-9]+ passed, [0-9]+ failed$' "$compat_log" | tail -n 1)
  if [ -z "$compat" ]; then
    echo "   no summary from tests/compat/run.sh: see $compat_log"
    broken=$((broken + 1))
  else
    echo "   $compat"
    passed=$((passed + $(sed -E 's/^compat: ([0-9]+) passed.*/\1/' <<<"$compat")))
    failed=$((failed + $(sed -E 's/.* ([0-9]+) failed$/\1/' <<<"$compat")))
  fi
else
  echo "   node not found: the ali-ons compatibility tests need Node.js 20+ (counted as 1 failed)" | tee "$compat_log"
  failed=$((failed + 1))
fi

failed=$((failed + broken))
echo "skipped: $skipped"
# CI reads the last line, which must be exactly "N passed, N failed".
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
