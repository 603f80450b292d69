#!/usr/bin/env bash
# Installs what building and testing SafeShm needs on Debian 12, only when missing.
# With the argument "tooling", also what the tests of bin/safeshm, status/ and lib/simple-cache need;
# --ci: also what tools/test-all.sh needs beyond the host's tests (it includes the tooling).
set -euo pipefail
pkgs="php8.2-dev php8.2-cli re2c php-parser php8.2-apcu php8.2-fpm libfcgi-bin clang libclang-rt-14-dev valgrind make gcc strace"
# headless Chromium for the status page, curl for its POSTs; PHPUnit, PSR-16 1.0 and Symfony Cache for lib/simple-cache
tooling_pkgs="chromium curl phpunit php-psr-simple-cache php-symfony-cache"
# CI: chroots for the other PHP versions, the PECL package (pecl), composer.json's schema check
ci_pkgs="debootstrap php-pear php-json-schema"
[ "${1:-}" = tooling ] && pkgs="$pkgs $tooling_pkgs"
[ "${1:-}" = --ci ] && pkgs="$pkgs $tooling_pkgs $ci_pkgs"
missing=""
for p in $pkgs; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  echo "Installing:$missing"
  # another apt-get (a second checkout's CI) may hold the dpkg lock for a while: wait for it
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq $missing >/dev/null
fi
