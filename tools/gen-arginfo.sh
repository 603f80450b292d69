#!/usr/bin/env bash
# Regenerates safeshm_arginfo.h from safeshm.stub.php with PHP's own gen_stub.php.
# gen_stub.php wants to download PHP-Parser; Debian ships it (package php-parser),
# so run a copy of gen_stub.php beside a link to Debian's copy instead.
set -euo pipefail
cd "$(dirname "$0")/.."
gen=$(php-config --extension-dir >/dev/null 2>&1; dirname "$(command -v phpize)")/../lib/php/$(php-config --phpapi)/build/gen_stub.php
[ -f "$gen" ] || gen=$(ls /usr/lib/php/*/build/gen_stub.php | head -n1)
[ -d /usr/share/php/PhpParser ] || { echo "install php-parser (apt-get install php-parser)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$gen" "$tmp/gen_stub.php"
mkdir -p "$tmp/PHP-Parser-4.15.1/lib"
ln -s /usr/share/php/PhpParser "$tmp/PHP-Parser-4.15.1/lib/PhpParser"
php "$tmp/gen_stub.php" -f safeshm.stub.php safeshm_compat.stub.php
