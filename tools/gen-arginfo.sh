#!/usr/bin/env bash
# Generates the arginfo headers (safeshm_arginfo.h, ...) from the stubs (*.stub.php) with the gen_stub.php of the
# PHP that php-config names ($PHP_CONFIG, default php-config), offline: gen_stub.php would download PHP-Parser, so
# it runs as a copy beside a link to Debian's PHP-Parser (package php-parser). Nothing is ever downloaded.
#
#   tools/gen-arginfo.sh              regenerate the headers in place
#   tools/gen-arginfo.sh --out DIR    write them to DIR instead (the stubs stay where they are)
#   tools/gen-arginfo.sh --check      change nothing; exit 1 when a committed header is stale for this PHP
#
# How the committed headers relate to PHP versions: they are the output of the generator of the oldest supported
# PHP (the <php><min> of package.xml, 8.2), because a generator writes code for its own version and newer ones
# (8.4's writes zend_register_internal_class_with_flags(), which 8.2 lacks) while 8.2's output builds on 8.2 to
# 8.6. --check therefore asks, on every version:
#   - each header's "Stub hash" is the hash of its stub as it is now: the header was generated from this stub
#     (the rule gen_stub.php itself uses; the hash is computed alike by every version);
#   - on the oldest supported version, regenerating reproduces the header byte for byte (no hand edit);
#   - on a newer version, this version's generator accepts the stub; its output (another dialect) is left in
#     $ARGINFO_OUT when set, for the caller to build with (CI compiles it, see tools/ci-php.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=write; out=.
case "${1:-}" in
  --check) mode=check ;;
  --out) out=${2:?--out DIR}; mode=out ;;
  '') ;;
  *) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
esac

pc=${PHP_CONFIG:-php-config}
command -v "$pc" >/dev/null || { echo "gen-arginfo: $pc not found (apt-get install php-dev)" >&2; exit 1; }
php=$("$pc" --php-binary)
ver=$("$php" -r 'echo PHP_MAJOR_VERSION, ".", PHP_MINOR_VERSION;')
api=$("$pc" --phpapi)
prefix=$("$pc" --prefix)
gen=''
for g in "$prefix/lib/php/$api/build/gen_stub.php" "$prefix/lib/php/build/gen_stub.php" \
         "$(dirname "$(command -v "phpize${ver}" || command -v phpize)")/../lib/php/$api/build/gen_stub.php"; do
  [ -f "$g" ] && { gen=$g; break; }
done
[ -n "$gen" ] || { echo "gen-arginfo: no gen_stub.php for PHP $ver (package php$ver-dev)" >&2; exit 1; }
# the PHP-Parser version this gen_stub.php would download; Debian's copy stands in for it
pver=$(sed -n 's/^ *\$version = "\([0-9.]*\)";.*/\1/p' "$gen" | head -n1)
parser=${PHP_PARSER_DIR:-/usr/share/php/PhpParser}
[ -d "$parser" ] || { echo "gen-arginfo: PHP-Parser not found in $parser (apt-get install php-parser)" >&2; exit 1; }
ref=$(tr -d '\n' <package.xml | sed -n 's:.*<php>[[:space:]]*<min>\([0-9]*\.[0-9]*\).*:\1:p')
[ -n "$ref" ] || { echo "gen-arginfo: no <php><min> in package.xml" >&2; exit 1; }

stubs=(*.stub.php)
if [ "$mode" = write ] && [ "$ver" != "$ref" ] && ! grep -q '@generate-legacy-arginfo' "${stubs[@]}"; then
  echo "gen-arginfo: PHP $ver's generator writes code that only PHP $ver and newer compile; the committed headers" \
       "are PHP $ref's output. Run this on PHP $ref (or --out DIR to look at PHP $ver's output)." >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/gen/PHP-Parser-$pver/lib" "$tmp/work"
cp "$gen" "$tmp/gen/gen_stub.php"
ln -s "$parser" "$tmp/gen/PHP-Parser-$pver/lib/PhpParser"
cp "${stubs[@]}" "$tmp/work/"
(cd "$tmp/work" && "$php" "$tmp/gen/gen_stub.php" -f "${stubs[@]}" >"$tmp/gen.log" 2>&1) ||
  { cat "$tmp/gen.log" >&2; echo "gen-arginfo: PHP $ver's gen_stub.php failed on the stubs" >&2; exit 1; }

status=0
for s in "${stubs[@]}"; do
  h=${s%.stub.php}_arginfo.h
  [ -f "$tmp/work/$h" ] || { echo "gen-arginfo: gen_stub.php wrote no $h" >&2; exit 1; }
  case $mode in
    write|out)
      mkdir -p "$out"
      cmp -s "$tmp/work/$h" "$out/$h" || { cp "$tmp/work/$h" "$out/$h"; echo "wrote $out/$h (PHP $ver)"; } ;;
    check)
      want=$("$php" -r 'echo sha1(str_replace("\r\n", "\n", file_get_contents($argv[1])));' "$s")
      have=$(sed -n 's/.*Stub hash: \([0-9a-f]*\).*/\1/p' "$h" 2>/dev/null | head -n1)
      if [ "$have" != "$want" ]; then
        echo "FAIL: $h was not generated from $s as it is now (stub hash ${have:-none}, stub is $want): run tools/gen-arginfo.sh on PHP $ref and commit it"
        status=1
      elif [ "$ver" = "$ref" ]; then
        if cmp -s "$tmp/work/$h" "$h"; then
          echo "$h: up to date (PHP $ver's generator reproduces it byte for byte)"
        else
          echo "FAIL: $h differs from what PHP $ver's gen_stub.php writes from $s (edited by hand, or written by another version's generator): run tools/gen-arginfo.sh on PHP $ref and commit it"
          diff -u "$h" "$tmp/work/$h" | head -40 | cat -v
          status=1
        fi
      else
        n=$(diff "$h" "$tmp/work/$h" | grep -c '^[<>]' || true)
        echo "$h: generated from the current $s; PHP $ver's generator writes its own dialect ($n lines differ from the committed PHP $ref output)"
      fi
      if [ -n "${ARGINFO_OUT:-}" ]; then mkdir -p "$ARGINFO_OUT"; cp "$tmp/work/$h" "$ARGINFO_OUT/$h"; fi ;;
  esac
done
if [ "$mode" = write ] && [ "$ver" != "$ref" ]; then
  echo "note: written by PHP $ver's generator; the committed headers are PHP $ref's output (CI checks that on $ref)" >&2
fi
exit $status
