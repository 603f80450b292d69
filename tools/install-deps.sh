#!/usr/bin/env bash
# Installs what building and testing SafeShm needs on Debian 12, only when missing.
# --ci: also what tools/test-all.sh needs beyond the host's tests.
set -euo pipefail
pkgs="php8.2-dev php8.2-cli re2c php-parser php8.2-apcu php8.2-fpm libfcgi-bin clang libclang-rt-14-dev valgrind make gcc"
# CI: chroots for the other PHP versions, the PECL package (pecl), composer.json's schema check
ci_pkgs="debootstrap php-pear php-json-schema"
[ "${1:-}" = --ci ] && pkgs="$pkgs $ci_pkgs"
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
