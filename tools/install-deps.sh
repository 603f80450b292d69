#!/usr/bin/env bash
# Installs what building and testing SafeShm needs on Debian 12, only when missing.
set -euo pipefail
pkgs="php8.2-dev php8.2-cli re2c php-parser php8.2-apcu php8.2-fpm libfcgi-bin clang libclang-rt-14-dev valgrind make gcc strace"
missing=""
for p in $pkgs; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  echo "Installing:$missing"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi
