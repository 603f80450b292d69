#!/usr/bin/env bash
# Regenerates docs/status.png, the README's screenshot of status/safeshm.php: fills demo stores, serves
# the page with php -S on the loopback and photographs it with headless Chromium. Runs in a private IPC
# namespace when it can (unshare), so that the picture shows only the demo stores and they vanish after.
#
# usage: bash tools/status-screenshot.sh [OUTPUT.png]      (default docs/status.png)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out=${1:-$root/docs/status.png}
case $out in /*) ;; *) out=$root/$out ;; esac

if [ -z "${SAFESHM_SCREENSHOT_NS:-}" ] && command -v unshare >/dev/null; then
  flags="--ipc"; [ "$(id -u)" -eq 0 ] || flags="--ipc --map-root-user"
  # shellcheck disable=SC2086
  if unshare $flags true 2>/dev/null; then
    SAFESHM_SCREENSHOT_NS=1 exec unshare $flags bash "$0" "$out"
  fi
  echo "no private IPC namespace (unshare refused): the screenshot shows every store of this host" >&2
fi

bash tools/install-deps.sh tooling
if php -r 'exit(extension_loaded("safeshm") ? 0 : 1);'; then
  ext_args=""
else
  [ -f modules/safeshm.so ] || bash tools/build.sh >/dev/null
  ext_args="-d extension=$root/modules/safeshm.so"
fi

tmp=$(mktemp -d)
server=""; holder=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null
  [ -n "$holder" ] && kill "$holder" 2>/dev/null
  # shellcheck disable=SC2086
  [ -f "$tmp/demo.php" ] && php $ext_args "$tmp/demo.php" remove >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT

cat >"$tmp/demo.php" <<'PHP'
<?php
// Demo stores for the screenshot: "setup" fills them and prints the key of the one to browse,
// "hold" keeps a named lock until killed, "remove" removes them.
$stores = ['shop-cache' => 4 << 20, 'rate-limits' => 256 << 10, 0x5afe0001 => 64 << 10];
$mode = $argv[1] ?? 'setup';
if ($mode === 'remove') {
    foreach ($stores as $k => $_) {
        try { (new SafeShm($k))->remove(); } catch (Throwable) {}
    }
    exit;
}
if ($mode === 'hold') {
    $lock = (new SafeShm('shop-cache'))->lock('nightly-export', 0, 3600);
    echo $lock ? "held\n" : "not held\n";
    sleep(3600);
    exit;
}
$shop = new SafeShm('shop-cache', $stores['shop-cache']);
$shop->put('config:db', ['host' => '10.0.3.12', 'port' => 5432, 'pool' => 16]);
$shop->put('config:zmq', ['host' => '19.168.1.100', 'port' => 8899]);
$shop->put('feature-flags', ['new-checkout' => true, 'dark-mode' => false, 'recommendations' => 0.25]);
for ($i = 1; $i <= 12; $i++) {
    $shop->put(sprintf('product:%04d', 1000 + $i), ['sku' => sprintf('SKU-%05d', 7000 + $i * 13),
        'price' => round(4.99 + $i * 3.5, 2), 'stock' => ($i * 37) % 120, 'tags' => ['demo', $i % 2 ? 'odd' : 'even']]);
}
for ($i = 0; $i < 400; $i++) {                      /* rewrites leave dead bytes until the next compaction */
    $shop->put('stats:last-request', ['at' => 1700000000 + $i, 'ms' => 10 + $i % 17]);
}
$shop->put('thumb:1001', "\x89PNG\r\n\x1a\n\0\0\0\rIHDR" . random_bytes(600));
$shop->put('session:9f2c41', ['user' => 4711, 'cart' => [1003, 1017]], 1800);
$shop->put('session:a83e07', ['user' => 815, 'cart' => []], 420);
$shop->put('<script>alert(1)</script>', 'shown as text, never run');
$limits = new SafeShm('rate-limits', $stores['rate-limits']);
for ($i = 0; $i < 300; $i++) {
    $limits->increment('ip:203.0.113.' . ($i % 40));
}
$legacy = new SafeShm(0x5afe0001, $stores[0x5afe0001]);
$legacy->put(1, 'imported from sysvshm');
$legacy->put(2, [1, 2, 3]);
echo $shop->info()['key'], "\n";
PHP

# shellcheck disable=SC2086
key=$(php $ext_args "$tmp/demo.php" setup)
# shellcheck disable=SC2086
php $ext_args "$tmp/demo.php" hold >"$tmp/hold.log" 2>&1 &
holder=$!
# shellcheck disable=SC2016
port=$(php -r '$s = stream_socket_server("tcp://127.0.0.1:0"); echo substr(strrchr(stream_socket_get_name($s, false), ":"), 1);')
# shellcheck disable=SC2086
php $ext_args -S "127.0.0.1:$port" -t status/ >"$tmp/server.log" 2>&1 &
server=$!
for _ in $(seq 50); do
  curl -s -o /dev/null "http://127.0.0.1:$port/safeshm.php" && break
  sleep 0.1
done
sandbox=""; [ "$(id -u)" -eq 0 ] && sandbox="--no-sandbox"
# shellcheck disable=SC2086
timeout 90 chromium --headless $sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$tmp/profile" --hide-scrollbars \
  --force-device-scale-factor=1 --window-size=1400,1300 --screenshot="$out" \
  "http://127.0.0.1:$port/safeshm.php?store=$key" >/dev/null 2>&1
[ -s "$out" ] || { echo "no screenshot written" >&2; exit 1; }
echo "wrote $out"
