#!/usr/bin/env bash
# Installs what the benchmark needs, builds SafeShm (and its test build, for the stopped-writer case) and runs
# bench/compare.php with every peer loaded. Arguments pass through:
#   bash tools/bench.sh                 # 1 s per case, best of 3 runs (about 6 to 8 minutes on 2 cores)
#   bash tools/bench.sh 0.5 2           # seconds per case, runs
#   bash tools/bench.sh --quick         # CI smoke run (about 20 s): every line printed, speed not judged;
#                                       # exit status 1 only when a case could not run
# Peers: APCu (Debian package), Yac and phpredis (Debian packages unpacked under build-bench/, loaded with -d
# only here, so the system's PHP configuration does not change), redis-server (the binary of Debian's
# redis-tools; the bench starts its own on 127.0.0.1 and stops it), strace. A peer that cannot be installed is
# left out: its lines read SKIP.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bash tools/install-deps.sh

SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
missing=""
for p in strace redis-tools; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "Installing:$missing"
  { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null; } \
    || echo "could not install$missing: the benchmark runs without them" >&2
fi

# PHP extensions of the peers, unpacked (not installed: Debian's php8.2-yac conflicts with php8.2-apcu, and
# installed extensions would load into every PHP on the machine)
peers=$root/build-bench/peers
ext=$(php -r 'echo PHP_EXTENSION_DIR;')
need=""
for p in php8.2-yac:yac php8.2-igbinary:igbinary php8.2-redis:redis; do
  [ -f "$peers$ext/${p#*:}.so" ] || need="$need ${p%%:*}"
done
if [ -n "$need" ]; then
  mkdir -p "$root/build-bench/debs"
  if ! (cd "$root/build-bench/debs" && apt-get download $need >/dev/null 2>&1); then
    $SUDO apt-get update -qq || true
    (cd "$root/build-bench/debs" && apt-get download $need >/dev/null 2>&1) \
      || echo "could not download$need: the benchmark runs without them" >&2
  fi
  for deb in "$root"/build-bench/debs/*.deb; do
    [ -f "$deb" ] && dpkg -x "$deb" "$peers"
  done
fi
peer_ini=()
if [ -f "$peers$ext/yac.so" ]; then
  peer_ini+=(-d extension="$peers$ext/yac.so" -d yac.enable_cli=1)
fi
if [ -f "$peers$ext/igbinary.so" ] && [ -f "$peers$ext/redis.so" ]; then
  peer_ini+=(-d extension="$peers$ext/igbinary.so" -d extension="$peers$ext/redis.so")
fi

# redis-server: Debian's redis-server package only adds a service (it would start one on port 6379) and a
# symlink to redis-tools' binary, which acts as the server when called redis-server
redis=$(command -v redis-server || true)
if [ -z "$redis" ] && [ -x /usr/bin/redis-check-rdb ]; then
  mkdir -p "$root/build-bench"
  ln -sf /usr/bin/redis-check-rdb "$root/build-bench/redis-server"
  redis=$root/build-bench/redis-server
fi

bash tools/build.sh >/dev/null
# the test build reconfigures from scratch every time: only when a source is newer than it
hooks=build-hooks/modules/safeshm.so
if [ ! -f "$hooks" ] || [ -n "$(find . -maxdepth 1 \( -name '*.c' -o -name '*.h' -o -name config.m4 \) -newer "$hooks")" ]; then
  bash tools/build-hooks.sh >/dev/null
fi

export SAFESHM_BENCH_REDIS=$redis
export SAFESHM_BENCH_HOOKS_SO=$root/$hooks
# apc.entries_hint: APCu sizes its hash table from it (default 4096); the big store's 140 000 entries share
# APCu's one cache with the other cases, and with the default its chains grow 30 long: APCu's mixes ran at
# half speed. Sized for what it holds, as a production APCu holding that much would be.
exec php -d extension="$root/modules/safeshm.so" \
  -d apc.enable_cli=1 -d apc.shm_size=1G -d apc.entries_hint=262144 \
  "${peer_ini[@]}" \
  bench/compare.php "$@"
