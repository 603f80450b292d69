#!/usr/bin/env bash
# Debian chroots in which CI builds and tests SafeShm on other PHP versions
# (Debian 13 "trixie": PHP 8.4; sid: 8.5, and 8.6 from experimental when it is
# served) and installs the PECL package into a clean Debian 12.
#
#   tools/chroot.sh ensure SUITE [PKG...]
#                                      create SUITE's chroot when absent (debootstrap from the host's Debian mirror,
#                                      then PHP, a compiler and PKG...; in sid, from experimental what only
#                                      experimental serves); reuse it when present, adding missing packages
#   tools/chroot.sh served SUITE PKG   which version of PKG the chroot's archives serve (exit 1: none, 2: no chroot)
#   tools/chroot.sh run SUITE [--src DIR] CMD...
#                                      run CMD as root inside it, /proc and /dev mounted only while CMD runs; with
#                                      --src, in a copy of checkout DIR (/build/src-PID, deleted afterwards)
#   tools/chroot.sh clone SUITE NAME   a throwaway copy of SUITE's chroot (for a clean install), printed path
#   tools/chroot.sh delete NAME        unmount whatever is mounted below it, then delete it
#   tools/chroot.sh path SUITE         where it lives
#
# Chroots live in $SAFESHM_CHROOTS (default /var/tmp/safeshm-chroots), shared by every checkout of the machine and
# locked while in use (a second run waits). $SAFESHM_DEBIAN_MIRROR overrides the mirror taken from
# /etc/apt/sources.list*. Needs root (or sudo). SysV IPC is not isolated: tests inside use the host's IPC namespace.
#
# Safety: a chroot with the host's /dev bind-mounted must never be deleted (rm would delete the host's device
# files). Mounts are made only by `run`, undone by its exit trap on every path, and `delete`/`ensure` unmount any
# mount left by a killed run, refuse to delete while anything is still mounted below, and delete with
# --one-file-system.
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "chroot.sh: needs root (or sudo)" >&2; exit 1; }
  exec sudo --preserve-env=SAFESHM_CHROOTS,SAFESHM_DEBIAN_MIRROR bash "$0" "$@"
fi

base=${SAFESHM_CHROOTS:-/var/tmp/safeshm-chroots}
# What every chroot gets: PHP (CLI and headers; Debian's php-cli brings pcntl, posix, shmop, sysvsem, sysvshm),
# a compiler, PECL (php-pear), PHP-Parser for gen_stub.php and strace (tests/remove_killed_midway.phpt).
packages="php-cli php-dev php-pear php-parser gcc make libc6-dev strace"

die() { echo "chroot.sh: $*" >&2; exit 1; }

# The host's Debian mirror: the first URI of an apt source for a Debian suite that is not a security archive.
host_mirror() {
  local m
  if [ -n "${SAFESHM_DEBIAN_MIRROR:-}" ]; then echo "$SAFESHM_DEBIAN_MIRROR"; return; fi
  m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      awk '$1 == "deb" && $2 !~ /security/ && $3 ~ /^(bookworm|trixie|forky|sid|stable|testing|unstable)/ { print $2; exit }')
  if [ -z "$m" ]; then
    m=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '
      /^URIs:/ { uri = $2 } /^Suites:/ { suites = $0 }
      /^$/ { if (uri !~ /security/ && suites ~ /(bookworm|trixie|forky|sid|stable|testing|unstable)/) { print uri; exit } uri = ""; suites = "" }
      END { if (uri !~ /security/ && suites ~ /(bookworm|trixie|forky|sid|stable|testing|unstable)/) print uri }' | head -n1)
  fi
  echo "${m:-http://deb.debian.org/debian}"
}

# Mount points below $1, deepest first (/proc/self/mountinfo field 5).
mounts_below() {
  awk -v r="$1" 'index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r
}

unmount_below() {
  local m
  for m in $(mounts_below "$1"); do
    umount "$m" 2>/dev/null || umount -l "$m" || true
  done
  [ -z "$(mounts_below "$1")" ] || die "still mounted below $1: $(mounts_below "$1" | tr '\n' ' ')"
}

# Processes whose root is the chroot (left by a test that hung), killed before unmounting.
kill_inside() {
  local p r
  for p in /proc/[0-9]*; do
    r=$(readlink "$p/root" 2>/dev/null) || continue
    [ "$r" = "$1" ] && kill -KILL "${p#/proc/}" 2>/dev/null || true
  done
}

delete_tree() {
  local root=$1
  [ -n "$root" ] && [ "$root" != / ] && [ -d "$root" ] || return 0
  kill_inside "$root"
  unmount_below "$root"
  rm -rf --one-file-system "$root"
}

lock() { # lock NAME: held until this script exits
  mkdir -p "$base"
  exec 9>"$base/$1.lock"
  flock -w 7200 9 || die "$1 is locked by another run for over 2 hours"
}

in_root() { # in_root ROOT CMD...: a bare chroot call with a clean environment
  local root=$1; shift
  chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LC_ALL=C.UTF-8 TERM=dumb NO_COLOR=1 DEBIAN_FRONTEND=noninteractive "$@" 9>&-
}

mounted=()
undo_mounts() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount "${mounted[$i]}" 2>/dev/null || umount -l "${mounted[$i]}" 2>/dev/null || true
  done
  mounted=()
}
mounted_root=''
mount_into() { # mount_into ROOT: /proc, /dev and /dev/shm of the host, for the duration of one command
  mounted_root=$1
  # the trap runs on every exit path of this (sub)shell: leftover processes inside are killed, then unmounted
  trap 'rc=$?; kill_inside "$mounted_root"; undo_mounts; exit $rc' EXIT
  trap 'exit 130' INT TERM HUP
  unmount_below "$1"   # what a killed run left (the lock is ours: nobody else uses this chroot now)
  mount -t proc proc "$1/proc" && mounted+=("$1/proc")
  mount --bind /dev "$1/dev" && mounted+=("$1/dev")
  mount --bind /dev/shm "$1/dev/shm" && mounted+=("$1/dev/shm")
  [ ${#mounted[@]} = 3 ] || die "could not mount /proc, /dev, /dev/shm into $1"
}

ensure() { # ensure SUITE [PKG...]: the chroot with the base packages and PKG...
  local suite=$1 root="$base/$1" mirror t0 sources want have missing p m set own='' exp='' target=''; shift
  want=$(printf '%s\n' $packages "$@" | sort -u)
  lock "$suite"
  have=''; [ -f "$root/.safeshm-ready" ] && have=$(tr ' ' '\n' <"$root/.safeshm-ready")
  missing=$(comm -23 <(echo "$want") <(echo "$have" | sort -u) | tr '\n' ' ')
  [ -f "$root/.safeshm-ready" ] && [ -z "${missing// /}" ] && return 0
  t0=$(date +%s)
  mirror=$(host_mirror)
  if [ ! -f "$root/.safeshm-bootstrapped" ]; then
    # absent, or an interrupted debootstrap: start again
    delete_tree "$root"
    echo "creating the $suite chroot in $root from $mirror (debootstrap)"
    mkdir -p "$root"
    debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$base/$suite.debootstrap.log" 2>&1 ||
      { tail -20 "$base/$suite.debootstrap.log"; die "debootstrap $suite failed (log: $base/$suite.debootstrap.log)"; }
    touch "$root/.safeshm-bootstrapped"
  fi
  sources="deb $mirror $suite main"
  # sid's chroot also lists experimental, which apt uses only when asked (-t experimental)
  [ "$suite" = sid ] && sources="$sources"$'\n'"deb $mirror experimental main"
  printf '%s\n' "$sources" >"$root/etc/apt/sources.list"
  cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  # a mirror that is a dated snapshot serves Release files past their Valid-Until (sid's last a week)
  echo 'Acquire::Check-Valid-Until "false";' >"$root/etc/apt/apt.conf.d/99safeshm"
  # no daemons started by package scripts inside the chroot
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"; chmod 755 "$root/usr/sbin/policy-rc.d"
  echo "installing into the $suite chroot: ${missing:-$want}" | tr '\n' ' '; echo
  (
    mount_into "$root"
    in_root "$root" apt-get update -qq
    # what only experimental serves (PHP 8.5 and 8.6 while sid has 8.4) comes from experimental, in a second
    # step, so that everything else stays the suite's own
    for p in $missing; do
      m=$(in_root "$root" apt-cache madison "$p" 2>/dev/null || true)
      if ! grep -q " $suite/" <<<"$m" && grep -q ' experimental/' <<<"$m"; then exp="$exp $p"; else own="$own $p"; fi
    done
    : >"$base/$suite.apt.log"
    for set in own exp; do
      [ -n "${!set// /}" ] || continue
      [ $set = exp ] && target='-t experimental'
      # shellcheck disable=SC2086
      in_root "$root" apt-get install -y -qq --no-install-recommends $target ${!set} >>"$base/$suite.apt.log" 2>&1 ||
        { tail -20 "$base/$suite.apt.log"; die "apt-get install in $suite failed (log: $base/$suite.apt.log)"; }
    done
    in_root "$root" apt-get clean
  )
  printf '%s\n' "$want" "$have" | grep -v '^$' | sort -u >"$root/.safeshm-ready"
  echo "$suite chroot ready in $(( $(date +%s) - t0 )) s"
}

# served SUITE PKG: the version of PKG the chroot's archives (with experimental for sid) would install, and from
# where; exit 1 when none serves it, 2 when there is no such chroot
served() {
  local root="$base/$1" out
  [ -f "$root/.safeshm-ready" ] || { echo "chroot.sh: no $1 chroot: run tools/chroot.sh ensure $1" >&2; exit 2; }
  lock "$1"
  out=$(in_root "$root" apt-cache madison "$2" 2>/dev/null | awk -F'|' '{ gsub(/ /, "", $2); print $2, $3 }' | head -n1)
  [ -n "$out" ] || { echo "$2: not served by $1's archives"; return 1; }
  echo "$2 $out" | awk '{ print $1, $2, "(" $4 ")" }'
}

# copy_in SRC DST: the files of checkout SRC that git tracks or does not ignore (all files without git)
copy_in() {
  mkdir -p "$2"
  if git -C "$1" rev-parse --git-dir >/dev/null 2>&1; then
    (cd "$1" && git ls-files -co --exclude-standard -z | xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
      tar --null -T - -cf -) | tar -xf - -C "$2"
  else
    (cd "$1" && tar --exclude=.git -cf - .) | tar -xf - -C "$2"
  fi
}

run() {
  local suite=$1 root="$base/$1" src='' work=''; shift
  if [ "${1:-}" = --src ]; then src=$(cd "${2:?--src DIR}" && pwd); shift 2; fi
  [ $# -ge 1 ] || die "usage: chroot.sh run SUITE [--src DIR] CMD..."
  [ -f "$root/.safeshm-ready" ] || die "no $suite chroot in $root: run tools/chroot.sh ensure $suite"
  lock "$suite"
  if [ -n "$src" ]; then
    work=/build/src-$$
    rm -rf --one-file-system "${root:?}$work"
    copy_in "$src" "$root$work"
  fi
  mount_into "$root"
  local rc=0
  in_root "$root" /bin/sh -c 'cd "${1:-/}" && shift && exec "$@"' sh "$work" "$@" || rc=$?
  # the copy is a plain directory of the chroot, never a mount point; removed once unmounted
  kill_inside "$root"
  undo_mounts
  [ -n "$work" ] && rm -rf --one-file-system "${root:?}$work"
  return $rc
}

cmd=${1:-}; shift || true
case "$cmd" in
  ensure) [ $# -ge 1 ] || die "usage: chroot.sh ensure SUITE [PKG...]"; ensure "$@" ;;
  served) [ $# = 2 ] || die "usage: chroot.sh served SUITE PKG"; served "$@" ;;
  run) [ $# -ge 2 ] || die "usage: chroot.sh run SUITE CMD..."; run "$@" ;;
  clone)
    [ $# = 2 ] || die "usage: chroot.sh clone SUITE NAME"
    [ -f "$base/$1/.safeshm-ready" ] || die "no $1 chroot: run tools/chroot.sh ensure $1"
    lock "$1"
    delete_tree "$base/$2"
    [ -z "$(mounts_below "$base/$1")" ] || die "$1 has mounts (a run is in progress?)"
    cp -a --one-file-system "$base/$1" "$base/$2"
    echo "$base/$2" ;;
  delete) [ $# = 1 ] || die "usage: chroot.sh delete NAME"; lock "$1"; delete_tree "$base/$1"; rm -f "$base/$1.lock" ;;
  path) [ $# = 1 ] || die "usage: chroot.sh path SUITE"; echo "$base/$1" ;;
  *) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
esac
