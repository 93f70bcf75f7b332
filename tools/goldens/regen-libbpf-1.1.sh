#!/usr/bin/env bash
# Goldens of the CO-RE cases where libbpf 1.1 (Debian's libbpf-dev) and libbpf 1.5 (the reference)
# differ, so the tests can name them: relo-log.c linked against the system libbpf 1.1 instead of
# the 1.5 build, on the same selftests objects as build-selftests.sh.
#
#   sudo tools/goldens/regen-libbpf-1.1.sh
#
# Writes test/goldens/selftests/libbpf-1.1/<case>.txt (the format of the 1.5 goldens next to it,
# tools/goldens/selftests_golden.py "one"). Cases (found by running every core_reloc case through
# both versions and diffing the CO-RE logs; the other 73 agree line for line):
#   enumval___err_missing, enum64val___err_missing
#     a poisoned ld_imm64 (enum value relocation with no target): 1.1 poisons the second slot
#     first ("substituting insn #n+1", then "#n"), 1.5 the first slot first; same bytes.
# Prerequisites: root (relo-log loads into the kernel), libbpf-dev 1.1, libelf-dev, zlib1g-dev,
# gcc, the objects of build-selftests.sh --objects-only.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/lib.sh"

OBJ="$CACHE/objects/selftests"
OUT="$ROOT/test/goldens/selftests/libbpf-1.1"
LOGS="$CACHE/logs/libbpf-1.1"
RELO_LOG_11="$BIN/relo-log-1.1"
CASES="enumval___err_missing enum64val___err_missing"

[ "$(id -u)" = 0 ] || die "must run as root (relo-log loads the objects into the kernel)"
version="$(pkg-config --modversion libbpf 2>/dev/null)" || die "libbpf-dev not installed (apt-get install libbpf-dev pkg-config)"
case "$version" in 1.1.*) ;; *) die "system libbpf is $version, expected 1.1.x (Debian bookworm's libbpf-dev)" ;; esac
[ -d "$OBJ" ] || die "$OBJ missing (tools/goldens/build-selftests.sh --objects-only)"

mkdir -p "$OUT" "$LOGS" "$CACHE/bin"
gcc -O2 -Wall -o "$RELO_LOG_11.tmp" "$HERE/relo-log.c" $(pkg-config --cflags --libs libbpf) -lelf -lz
mv "$RELO_LOG_11.tmp" "$RELO_LOG_11"

for c in $CASES; do
  row="$(awk -F'\t' -v c="$c" '$1 == c' "$ROOT/test/goldens/selftests/CASES.tsv")"
  [ -n "$row" ] || die "case $c not in test/goldens/selftests/CASES.tsv"
  obj="$(cut -f2 <<<"$row")"
  btf="$(cut -f3 <<<"$row")"
  prog="$(grep -o "^insn [a-z_0-9]*" "$ROOT/test/goldens/selftests/$c.txt" | head -1 | cut -d' ' -f2)"
  "$RELO_LOG_11" "$OBJ/$obj" --btf "$OBJ/$btf" >"$LOGS/$c.log" 2>&1 || die "relo-log-1.1 broke on $c (see $LOGS/$c.log)"
  python3 "$HERE/selftests_golden.py" one "$c" "$prog" "$LOGS/$c.log" "$OUT/$c.txt" >/dev/null
done
echo "regen-libbpf-1.1.sh: libbpf $version goldens for: $CASES -> $OUT"
