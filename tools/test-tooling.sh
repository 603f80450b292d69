#!/usr/bin/env bash
# Tests of the tooling: bin/safeshm (every command, dump/restore), status/safeshm.php (php -S on the
# loopback, headless Chromium, curl) and lib/simple-cache (PHPUnit, Symfony Cache). Removes every store
# and stops every server it started, even when interrupted. Last line: "N passed, N failed".
#
# Environment: SAFESHM_SO (the extension to test, default modules/safeshm.so; not loaded again when php
# already loads safeshm), SAFESHM_ARTIFACT_DIR (where the status page screenshot is written, default
# the temporary directory), SAFESHM_TOOLING_ONLY (run only the CLI/status cases whose name contains it).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
root=$(pwd)
bash tools/install-deps.sh tooling || { echo "0 passed, 1 failed"; exit 1; }

if php -r 'exit(extension_loaded("safeshm") ? 0 : 1);'; then
  ext_args=""
else
  so=${SAFESHM_SO:-$root/modules/safeshm.so}
  if [ ! -f "$so" ] && [ -z "${SAFESHM_SO:-}" ]; then
    bash tools/build.sh >/dev/null || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
  fi
  ext_args="-d extension=$so"
fi
export SAFESHM_PHP_ARGS="$ext_args"

run_dir=$(mktemp -d)
export SAFESHM_TOOLING_RUN="$run_dir"
export SAFESHM_TOOLING_TAG="safeshm-tooling-run$$"
# Each test program runs in its own process group, so that an interrupted run stops it with every
# php -S server and Chromium it started.
child=""
run_child() { # run_child OUTFILE COMMAND...: the command's exit code
  local outf=$1; shift
  setsid "$@" >"$outf" 2>&1 </dev/null &
  child=$!
  wait "$child"; local rc=$?
  child=""
  return "$rc"
}
cleanup() {
  [ -n "$child" ] && kill -TERM -- "-$child" 2>/dev/null && sleep 1
  for f in "$run_dir"/server-*.pid; do
    [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
  done
  # shellcheck disable=SC2086
  php $ext_args tests/tooling/cleanup.php "$SAFESHM_TOOLING_TAG" "$run_dir/int-keys"
  rm -rf "$run_dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

passed=0; failed=0
count() { passed=$((passed + $1)); failed=$((failed + $2)); }

# A PHP driver prints "ok ..." / "FAIL ..." lines and ends with "N passed, N failed".
driver() {
  local title=$1 script=$2 out rc p f
  echo "== $title"
  # shellcheck disable=SC2086
  run_child "$run_dir/out" timeout -k 5 900 php $ext_args "$script"; rc=$?
  out=$(cat "$run_dir/out")
  echo "$out" | grep -v '^ok ' | grep -v '^[0-9]* passed, [0-9]* failed$'
  p=$(echo "$out" | awk '/^[0-9]+ passed, [0-9]+ failed$/ {p=$1} END {print p+0}')
  f=$(echo "$out" | awk '/^[0-9]+ passed, [0-9]+ failed$/ {f=$3} END {print f+0}')
  [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
  echo "$title: $p passed, $f failed"
  count "$p" "$f"
}

driver "bin/safeshm" tests/tooling/cli_test.php
driver "status/safeshm.php in headless Chromium" tests/tooling/status_test.php

echo "== lib/simple-cache (PHPUnit; Symfony Cache interoperability)"
phpunit=$(command -v phpunit || true)
[ -x lib/simple-cache/vendor/bin/phpunit ] && phpunit=lib/simple-cache/vendor/bin/phpunit
if [ -z "$phpunit" ]; then
  echo "FAIL: phpunit is not installed"
  count 0 1
else
  # shellcheck disable=SC2086
  run_child "$run_dir/out" timeout -k 5 600 php $ext_args "$phpunit" --do-not-cache-result -c lib/simple-cache/phpunit.xml.dist
  rc=$?
  out=$(cat "$run_dir/out")
  echo "$out" | grep -E '^[0-9]+\) |^waits for|^(OK|Tests:|FAILURES|ERRORS)' | head -80
  total=$(echo "$out" | sed -nE 's/^OK \(([0-9]+) tests?.*/\1/p; s/^Tests: ([0-9]+),.*/\1/p' | tail -1)
  bad=$(echo "$out" | grep -E '^Tests: ' | tail -1 | grep -oE '(Failures|Errors|Skipped|Incomplete|Risky): [0-9]+' | awk '{s+=$2} END {print s+0}')
  total=${total:-0}
  [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ] && bad=1
  count "$((total > bad ? total - bad : 0))" "$bad"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
