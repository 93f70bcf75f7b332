#!/usr/bin/env bash
# Build .cache/bin/relo-core: tools/goldens/relo-core.c linked statically against the libbpf 1.5
# build of build-libbpf.sh (which it runs first; idempotent, <1 s when nothing changed).
#
#   tools/goldens/build-relo-core.sh
#
# relo-core calls libbpf's internal CO-RE functions (bpf_core_calc_relo_insn,
# bpf_core_patch_insn, bpf_core_parse_spec, bpf_core_format_spec, bpf_core_add_cands from
# relo_core.o / libbpf.o, btf__new / btf_ext__new from btf.o), so it is compiled with libbpf's
# own source directory and kernel-tools include paths (libbpf_internal.h, relo_core.h, btf.h)
# and linked against libbpf.a (one merged libbpf-in.o of the same staticobjs/*.o), plus
# .cache/relo-core-behost/relo_core_behost.o: libbpf's relo_core.c with its one host-byte-order
# test forced to the big-endian branch, symbols renamed behost_* (see below).
#
# Prerequisites: those of build-libbpf.sh (linux-source-6.12 libelf-dev zlib1g-dev gcc make xz-utils)
# and binutils (nm, objcopy).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/lib.sh"


[ -f "$HERE/relo-core.c" ] || die "$HERE/relo-core.c missing"
for c in gcc nm objcopy sed; do command -v "$c" >/dev/null || die "'$c' not found (apt-get install build-essential)"; done
"$HERE/build-libbpf.sh" >/dev/null || die "build-libbpf.sh failed"

B="$KSRC/tools/lib/bpf"
for f in "$B/libbpf_internal.h" "$B/relo_core.h" "$B/btf.h" "$LIBBPF/libbpf.a" \
         "$LIBBPF/staticobjs/relo_core.o" "$LIBBPF/staticobjs/btf.o"; do
  [ -f "$f" ] || die "$f missing after build-libbpf.sh"
done
case "$(uname -m)" in
  x86_64 | i?86) SRCARCH=x86 ;;
  aarch64) SRCARCH=arm64 ;;
  ppc64*) SRCARCH=powerpc ;;
  s390x) SRCARCH=s390 ;;
  *) SRCARCH="$(uname -m)" ;;
esac

# ---- relo_core.c as on a big-endian host ---------------------------------------------------
# relo_core.c has exactly one byte-order dependent line: the LSHIFT_U64 formula of
# bpf_core_calc_field_relo, chosen by "#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__" = the byte
# order of the machine libbpf runs on (libbpf only loads objects of that order).  A second copy
# of relo_core.c with that test forced to the big-endian branch, compiled with libbpf's own flags,
# has its global symbols renamed behost_* (objcopy) and is linked next to libbpf.a, so relo-core
# can apply libbpf's rules "as on s390x" to big-endian objects on this little-endian host.
BE="$CACHE/relo-core-behost"
mkdir -p "$BE" "$BIN"
pat='^#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__$'
if [ ! -f "$BE/relo_core_behost.o" ] || [ "$B/relo_core.c" -nt "$BE/relo_core_behost.o" ] ||
   [ "$0" -nt "$BE/relo_core_behost.o" ]; then
  echo ">> building $BE/relo_core_behost.o"
  [ "$(grep -c "$pat" "$B/relo_core.c")" = 1 ] ||
    die "expected exactly one '__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__' test in $B/relo_core.c"
  [ "$(grep -c '__BYTE_ORDER' "$B/relo_core.c")" = 1 ] || die "$B/relo_core.c has other byte-order tests"
  sed "s|$pat|#if 0 /* relo-core: big-endian host rules */|" "$B/relo_core.c" >"$BE/relo_core.c"
  # the flags tools/lib/bpf/Makefile uses for its own objects; headers resolved from $B
  gcc -g -O2 -std=gnu89 -Wall -Werror -fvisibility=hidden -D_LARGEFILE64_SOURCE -D_FILE_OFFSET_BITS=64 \
    -I"$B" -I"$LIBBPF" -I"$KSRC/tools/include" -I"$KSRC/tools/include/uapi" \
    -I"$KSRC/tools/arch/$SRCARCH/include" -c -o "$BE/relo_core.o" "$BE/relo_core.c"
  syms=()
  for s in $(nm --defined-only -g "$BE/relo_core.o" | awk '{print $3}'); do
    syms+=(--redefine-sym "$s=behost_$s")
  done
  [ "${#syms[@]}" -ge 8 ] || die "no global symbols found in $BE/relo_core.o"
  objcopy "${syms[@]}" "$BE/relo_core.o" "$BE/relo_core_behost.o.tmp"
  mv "$BE/relo_core_behost.o.tmp" "$BE/relo_core_behost.o"
fi

# ---- relo-core --------------------------------------------------------------------------------
if [ ! -x "$BIN/relo-core" ] || [ "$HERE/relo-core.c" -nt "$BIN/relo-core" ] || [ "$HERE/libbpf-lines.h" -nt "$BIN/relo-core" ] ||
   [ "$LIBBPF/libbpf.a" -nt "$BIN/relo-core" ] || [ "$BE/relo_core_behost.o" -nt "$BIN/relo-core" ] ||
   [ "$0" -nt "$BIN/relo-core" ]; then
  echo ">> building $BIN/relo-core"
  gcc -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter -Wno-sign-compare \
    -D_LARGEFILE64_SOURCE -D_FILE_OFFSET_BITS=64 \
    -I"$B" -I"$KSRC/tools/include" -I"$KSRC/tools/include/uapi" \
    -I"$KSRC/tools/arch/$SRCARCH/include" \
    -o "$BIN/relo-core.tmp" "$HERE/relo-core.c" "$BE/relo_core_behost.o" "$LIBBPF/libbpf.a" -lelf -lz
  mv "$BIN/relo-core.tmp" "$BIN/relo-core"
fi
rm -f "$BIN/relo-core-be-host"
echo ">> ok: $BIN/relo-core"
