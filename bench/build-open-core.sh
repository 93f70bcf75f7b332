#!/usr/bin/env bash
# Build .cache/bin/open-core: bench/open-core.c, a translation unit that #includes libbpf 1.5's
# libbpf.c (to call its static bpf_object__relocate_core), linked with every other object of
# the libbpf build of tools/goldens/build-libbpf.sh (which it runs first; idempotent).
#
#   bench/build-open-core.sh
#
# libbpf.c is compiled here with libbpf's own flags (tools/lib/bpf/Makefile: -O2, gnu89 dialect
# relaxed to the default since the harness code follows, _LARGEFILE64_SOURCE), so the timed code
# is libbpf's, optimized as in libbpf.a. staticobjs/libbpf.o is left out (its symbols are in
# this translation unit) and so is libbpf-in.o (all objects merged).
#
# Prerequisites: those of build-libbpf.sh (linux-source-6.12 libelf-dev zlib1g-dev gcc make xz-utils).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../tools/goldens/lib.sh"


"$ROOT/tools/goldens/build-libbpf.sh" >/dev/null || die "build-libbpf.sh failed"
B="$KSRC/tools/lib/bpf"
[ -f "$B/libbpf.c" ] || die "$B/libbpf.c missing after build-libbpf.sh"
case "$(uname -m)" in
  x86_64 | i?86) SRCARCH=x86 ;;
  aarch64) SRCARCH=arm64 ;;
  ppc64*) SRCARCH=powerpc ;;
  s390x) SRCARCH=s390 ;;
  *) SRCARCH="$(uname -m)" ;;
esac
objs=()
for o in "$LIBBPF"/staticobjs/*.o; do
  case "$(basename "$o")" in libbpf.o | libbpf-in.o) ;; *) objs+=("$o") ;; esac
done
mkdir -p "$BIN"
if [ ! -x "$BIN/open-core" ] || [ "$HERE/open-core.c" -nt "$BIN/open-core" ] ||
   [ "$LIBBPF/libbpf.a" -nt "$BIN/open-core" ] || [ "$0" -nt "$BIN/open-core" ]; then
  echo ">> building $BIN/open-core"
  gcc -O2 -g -Wall -Wno-unused-function -fvisibility=hidden -D_LARGEFILE64_SOURCE -D_FILE_OFFSET_BITS=64 \
    -I"$B" -I"$LIBBPF" -I"$KSRC/tools/include" -I"$KSRC/tools/include/uapi" \
    -I"$KSRC/tools/arch/$SRCARCH/include" \
    -o "$BIN/open-core.tmp" "$HERE/open-core.c" "${objs[@]}" -lelf -lz
  mv "$BIN/open-core.tmp" "$BIN/open-core"
fi
echo ">> ok: $BIN/open-core"
