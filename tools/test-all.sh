#!/usr/bin/env bash
# Builds SafeShm and runs every test. On the host's PHP (8.2, Debian 12): the build with warnings as errors, the
# arginfo, package.xml and composer.json checks, the phpt suite under both lock kinds, a valgrind pass, the C unit
# tests, the fuzzer, the fault-injection and php-fpm suites, the phpt tests of the test-hooks build, and the
# mutation check (tools/mutants.php --ci). In Debian chroots (tools/chroot.sh; created from the
# host's mirror when absent, reused when present): the phpt suite on PHP 8.4 (Debian 13) and 8.5 (sid, from
# experimental while sid has 8.4), a build of 8.6 when Debian serves it, and the PECL package installed with
# `pecl install` into a clean Debian 12 and tested there.
#
# Prints what failed with its diff or FAIL lines (no colour, binary bytes escaped), skip counts, and the wall time
# of each part; keeps each part's full output in a log directory. A part that cannot run counts as failed.
# Last line: "N passed, N failed".
#
# Environment:
#   SAFESHM_SKIP_VALGRIND=1  no valgrind pass          SAFESHM_VALGRIND_ALL=1  valgrind over every phpt test
#   SAFESHM_SKIP_CHROOTS=1   host only: no other PHP version, no PECL install (said so, not counted)
#   SAFESHM_WARN_FLAGS       flags of the CI builds (default "-Wall -Wextra -Werror")
#   SAFESHM_FUZZ_SECONDS     fuzzing time (default 60)
#   SAFESHM_CI_LOGS          directory for the full logs (default: a new one under /tmp)
#   SAFESHM_TEST_KEY_BASE    the tests' IPC key range (default: one derived from this checkout's path)
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export NO_COLOR=1 TERM=dumb LC_ALL=C NO_INTERACTION=1
export SAFESHM_WARN_FLAGS=${SAFESHM_WARN_FLAGS:--Wall -Wextra -Werror}
# The tests use fixed IPC keys (tests/_ipc.inc). Two checkouts testing at once on one machine (a developer's run
# beside CI) would share them and see each other's stores: unless set, each checkout gets its own range of keys.
if [ -z "${SAFESHM_TEST_KEY_BASE:-}" ]; then
  SAFESHM_TEST_KEY_BASE=$(printf '0x%02X000000' $(( $(printf '%s' "$root" | cksum | cut -d' ' -f1) % 63 + 1 )))
fi
export SAFESHM_TEST_KEY_BASE
logs=${SAFESHM_CI_LOGS:-$(mktemp -d /tmp/safeshm-ci.XXXXXX)}
mkdir -p "$logs"
passed=0; failed=0; times=(); t_all=$(date +%s); n_part=0

# ---- parts ------------------------------------------------------------------------------------------------------

# part TITLE FILTER CMD...: runs CMD, keeps its output in the log directory, shows it through FILTER, and adds
# the counts of its last "N passed, N failed" line. No such line, or a non-zero exit with nothing failed, is one
# failure; so is a command that cannot start.
part() {
  local title=$1 filter=$2 t0 log rc p f line; shift 2
  n_part=$((n_part + 1))
  log=$logs/$(printf '%02d' "$n_part")-$(echo "$title" | tr -c 'A-Za-z0-9.\n' '-' | tr -s '-' | cut -c1-60).log
  echo
  echo "== $title"
  t0=$(date +%s)
  "$@" >"$log" 2>&1 </dev/null
  rc=$?
  "$filter" <"$log" | cut -c1-600 | cat -v
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n1)
  p=$(echo "$line" | awk '{print $1}'); f=$(echo "$line" | awk '{print $3}')
  if [ -z "$line" ]; then
    echo "FAIL: $title ended without its 'N passed, N failed' line (exit $rc); last lines:"
    grep -v '^$' "$log" | tail -n 15 | cut -c1-300 | cat -v
    p=0; f=1
  elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "FAIL: $title exited with status $rc"; f=1
  fi
  passed=$((passed + p)); failed=$((failed + f))
  times+=("$(printf '%6d s  %-62s %s passed, %s failed' "$(( $(date +%s) - t0 ))" "$title" "$p" "$f")")
  echo "-- $title: $p passed, $f failed, $(( $(date +%s) - t0 )) s (log: $log)"
}
skip_part() { times+=("$(printf '%6s    %-62s %s' - "$1" "skipped: $2")"); echo; echo "== $1: skipped ($2)"; }

# filters: what of a part's output the CI log shows (the full output is in the log file)
all() { grep -vE '^[0-9]+ passed, [0-9]+ failed$'; }
# the fault and php-fpm suites narrate every scenario: show their headings and results, every FAIL line and the
# list of failed checks, not the indented measurements (they are in the log)
suite() { grep -E '^[^ ]|FAIL|^  - '; }

# one check as a part of its own: "1 passed, 0 failed" or "0 passed, 1 failed"
one() { if "$@"; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; fi; }

have_chroots() { [ "${SAFESHM_SKIP_CHROOTS:-0}" != 1 ]; }

# ---- host: build and static checks --------------------------------------------------------------------------------

part "dependencies (tools/install-deps.sh --ci)" all one bash tools/install-deps.sh --ci
part "build on the host's PHP with $SAFESHM_WARN_FLAGS" all one bash tools/build.sh
if [ ! -f modules/safeshm.so ]; then
  echo "no modules/safeshm.so: the host's suites cannot run"
fi
part "arginfo headers (PHP $(php -r 'echo PHP_MAJOR_VERSION, ".", PHP_MINOR_VERSION;'))" all one bash tools/gen-arginfo.sh --check

# pkg_copy DIR: the package's files (what git tracks or does not ignore) in DIR, with package.xml dated today, since
# pecl package-validate warns about a <date> that is not today
pkg_copy() {
  mkdir -p "$1"
  (git ls-files -co --exclude-standard -z | xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
    tar --null -T - -cf -) | tar -xf - -C "$1"
  sed -i "s|<date>[^<]*</date>|<date>$(date +%F)</date>|" "$1/package.xml"
}
package_checks() {
  local tmp rc=0 v
  php tools/package-files.php --check || rc=1
  tmp=$(mktemp -d)
  pkg_copy "$tmp"
  v=$(cd "$tmp" && pecl package-validate package.xml 2>&1)
  echo "pecl package-validate (a copy dated today): $v" | tr '\n' ' '; echo
  echo "$v" | grep -q 'Validation: 0 error(s), 0 warning(s)' || rc=1
  rm -rf "$tmp"
  return $rc
}
part "package.xml: file list, version, pecl package-validate" all one package_checks
part "composer.json (PIE): schema and agreement with config.m4, package.xml" all php tools/check-composer.php

# ---- host: tests ------------------------------------------------------------------------------------------------

# The phpt suite runs twice: stores locked by the robust mutex (the default), then by their SysV semaphore.
for lock in mutex semaphore; do
  part "phpt, PHP $(php -r 'echo PHP_VERSION;'), safeshm.lock=$lock" all \
    bash tools/phpt.sh "safeshm.lock=$lock" -d extension="$root/modules/safeshm.so" -d safeshm.lock=$lock tests/
done

# Valgrind: the tests that exercise memory-sensitive paths (tools/valgrind.list), on a private copy of the tests
# so that its leftovers do not mix with the suite's. pcre.jit=0: valgrind cannot follow PCRE's JIT-compiled code
# and reports its reads as uninitialised (the tests' includes use preg_*).
valgrind_pass() {
  local dir sel=() t pats=() p
  dir=$(mktemp -d)
  cp tests/*.phpt "$dir/"; cp tests/*.inc "$dir/" 2>/dev/null
  # shellcheck disable=SC2207
  pats=($(sed -e 's/#.*//' tools/valgrind.list))
  for t in "$dir"/*.phpt; do
    for p in "${pats[@]}"; do
      # shellcheck disable=SC2254
      case "$(basename "$t" .phpt)" in $p) sel+=("$t"); break ;; esac
    done
  done
  [ "${SAFESHM_VALGRIND_ALL:-0}" = 1 ] && sel=("$dir")
  echo "valgrind on ${#sel[@]} of $(ls "$dir"/*.phpt | wc -l) test files (tools/valgrind.list; SAFESHM_VALGRIND_ALL=1: all)"
  USE_ZEND_ALLOC=0 VALGRIND_OPTS="--vgdb=no --trace-children-skip=*" \
    bash tools/phpt.sh "valgrind" -m -d pcre.jit=0 -d extension="$root/modules/safeshm.so" "${sel[@]}"
  local rc=$?
  rm -rf "$dir"
  return $rc
}
if [ "${SAFESHM_SKIP_VALGRIND:-0}" = 1 ]; then
  skip_part "phpt under valgrind" "SAFESHM_SKIP_VALGRIND=1"
else
  part "phpt under valgrind (USE_ZEND_ALLOC=0)" all valgrind_pass
fi

# The C tests and the fuzzer print their own "N passed, N failed" lines (one per program): summed.
sum_lines() { awk '/^[0-9]+ passed, [0-9]+ failed$/ { p += $1; f += $3; n++ } END { if (n) print p " passed, " f " failed" }'; }
c_tests() { local out rc; out=$(bash tests/c/run.sh 2>&1); rc=$?; echo "$out" | grep -vE '^[0-9]+ passed, [0-9]+ failed$'
            echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | sed 's/^/  program: /'; echo "$out" | sum_lines; return $rc; }
part "C unit tests of the store and the lock (ASan, UBSan)" all c_tests
fuzz() { local out rc; out=$(bash fuzz/run.sh "${SAFESHM_FUZZ_SECONDS:-60}" 2>&1); rc=$?; echo "$out" | grep -vE '^[0-9]+ passed, [0-9]+ failed$'
         echo "$out" | sum_lines; return $rc; }
if [ -f fuzz/run.sh ]; then
  part "fuzzer (libFuzzer, ${SAFESHM_FUZZ_SECONDS:-60} s) and its regression corpus" all fuzz
else
  skip_part "fuzzer" "no fuzz/ in this tree (a release archive leaves it out)"
fi

part "fault injection: killed writers, stale handles, stuck holders, full segments" suite bash tests/fault/run.sh
part "php-src ext/sysvshm tests, zero-edit shm_* and safeshm_*" suite bash tests/sysvshm/run.sh
part "php-fpm: fatal errors, timeouts and killed workers (production and test-hooks builds)" suite bash tests/fpm/run.sh
part "phpt on the test-hooks build: fatal errors and exit() under the lock, kills and stops inside mutations, writes inside reads" \
  all bash tests/hooks/run.sh
# Deliberate bugs, one at a time in a scratch copy, each until the first test that catches it: "N passed" counts
# the mutants caught, "N failed" those that survived or no longer apply (tools/mutants.php without --ci runs every
# test listed with each mutant).
part "mutation check (tools/mutants.php --ci): each mutant caught by a test" all php tools/mutants.php --ci
part "tooling: bin/safeshm, the status page (headless Chromium), the PSR-16 cache (PHPUnit)" suite bash tools/test-tooling.sh

# ---- other PHP versions, in Debian chroots ---------------------------------------------------------------------------

# version_part SUITE VERSION [--build-only]: the chroot (created or reused), then tools/ci-php.sh in it on a copy
# of this checkout
version_part() {
  local suite=$1 ver=$2 extra=''
  [ "$suite" = sid ] && extra=composer
  # shellcheck disable=SC2086
  bash tools/chroot.sh ensure "$suite" "php$ver-cli" "php$ver-dev" $extra || { echo "0 passed, 1 failed"; return 1; }
  # shellcheck disable=SC2086
  bash tools/chroot.sh run "$suite" --src . env SAFESHM_WARN_FLAGS="$SAFESHM_WARN_FLAGS" \
    SAFESHM_TEST_KEY_BASE="$SAFESHM_TEST_KEY_BASE" bash tools/ci-php.sh "$ver" ${3:-}
}
composer_in_sid() {
  bash tools/chroot.sh run sid --src . env COMPOSER_ALLOW_SUPERUSER=1 COMPOSER_ROOT_VERSION=0.0.0 sh -c \
    'composer --version; composer validate --strict --no-check-publish --no-check-lock && echo "composer validate: ok" || echo "FAIL: composer validate"
     php tools/check-composer.php /usr/share/php/data/Composer/res/composer-schema.json' |
    awk '{ print } /^FAIL: composer validate/ { f = 1 } END { exit f }'
}

# The PECL package: built here (pecl package), installed with pecl into a throwaway copy of a clean Debian 12
# chroot, and tested there (tools/ci-pecl.sh).
pecl_part() {
  local tmp clone rc=0 tgz
  tmp=$(mktemp -d)
  mkdir -p "$tmp/pecl/tools"
  pkg_copy "$tmp/src"
  (cd "$tmp/pecl" && pecl package "$tmp/src/package.xml") >"$tmp/package.log" 2>&1
  tgz=$(ls "$tmp"/pecl/safeshm-*.tgz 2>/dev/null | head -n1)
  if [ -z "$tgz" ]; then cat "$tmp/package.log"; echo "pecl package failed"; echo "0 passed, 1 failed"; rm -rf "$tmp"; return 1; fi
  echo "pecl package: $(basename "$tgz"), $(tar -tzf "$tgz" | grep -vc '/$') files"
  cp tools/phpt.sh tools/ci-pecl.sh "$tmp/pecl/tools/"
  bash tools/chroot.sh ensure bookworm || { echo "0 passed, 1 failed"; rm -rf "$tmp"; return 1; }
  clone=pecl-$$
  bash tools/chroot.sh clone bookworm "$clone" >/dev/null || { echo "0 passed, 1 failed"; rm -rf "$tmp"; return 1; }
  bash tools/chroot.sh run "$clone" --src "$tmp/pecl" env SAFESHM_TEST_KEY_BASE="$SAFESHM_TEST_KEY_BASE" \
    bash tools/ci-pecl.sh "$(basename "$tgz")" || rc=$?
  bash tools/chroot.sh delete "$clone"
  rm -rf "$tmp"
  return $rc
}

if ! have_chroots; then
  skip_part "PHP 8.4, 8.5, 8.6 and the PECL install, in Debian chroots" "SAFESHM_SKIP_CHROOTS=1"
else
  part "PHP 8.4 (Debian 13 trixie chroot): build, arginfo, phpt x2" all version_part trixie 8.4
  part "PHP 8.5 (Debian sid chroot, experimental): build, arginfo, phpt x2" all version_part sid 8.5
  part "composer.json against Composer's own schema (Debian sid's composer)" all composer_in_sid
  # 8.6 only while Debian serves it (experimental, as a release candidate): asked of the sid chroot's apt
  served=$(bash tools/chroot.sh served sid php8.6-dev 2>&1); rc=$?
  if [ $rc -eq 0 ]; then
    echo; echo "PHP 8.6: $served"
    part "PHP 8.6 (Debian experimental, sid chroot): build only" all version_part sid 8.6 --build-only
  elif [ $rc -eq 1 ]; then
    skip_part "PHP 8.6 build check" "Debian does not serve it: $served"
  else
    part "PHP 8.6 build check: is it served?" all one false
    echo "$served"
  fi
  part "PECL: pecl package, pecl install into a clean Debian 12 chroot, tests there" all pecl_part
fi

# ---- the end ----------------------------------------------------------------------------------------------------------

echo
# after every suite, the chroots' included (they share the host's IPC namespace): what the tests left under their keys
if [ -f tools/ipc-leftovers.php ]; then
  part "IPC objects the tests left under their keys (tools/ipc-leftovers.php)" all one php tools/ipc-leftovers.php
fi
left=$(ipcs -m -s 2>/dev/null | awk '/^0x/ {n++} END {print n+0}')
echo "IPC objects on the machine after the tests (any user's, other runs' included): $left; this run's test keys: $SAFESHM_TEST_KEY_BASE + 0x01000000"
echo
echo "== time of each part (logs: $logs)"
printf '%s\n' "${times[@]}"
printf '%6d s  total\n' "$(( $(date +%s) - t_all ))"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
