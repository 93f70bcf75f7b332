#!/usr/bin/env bash
# Build the reference libbpf 1.5 (from Debian's linux-source-6.12) and the
# relo-log harness linked statically against it.
#
#   tools/goldens/build-libbpf.sh          # idempotent; ~15 s the first time, <1 s after
#
# Outputs (all under <repo>/.cache/, git-ignored):
#   .cache/linux-source-6.12/              only tools/lib/bpf, tools/include, tools/arch, tools/build,
#                                          tools/scripts, include/uapi, scripts from the tarball
#   .cache/libbpf-1.5/libbpf.a             static libbpf 1.5
#   .cache/libbpf-1.5/include/bpf/*.h      installed libbpf headers
#   .cache/libbpf-1.5/staticobjs/*.o       the individual objects (relo_core.o, btf.o, ...) for
#                                          harnesses that call bpf_core_calc_relo_insn directly
#   .cache/bin/relo-log                    tools/goldens/relo-log.c linked against libbpf.a
#   .cache/bin/load-verdicts               tools/goldens/load-verdicts.c linked against libbpf.a
#
# Prerequisites (Debian bookworm): linux-source-6.12 libelf-dev zlib1g-dev make gcc xz-utils
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/lib.sh"
TARBALL="${LINUX_SOURCE_TARBALL:-/usr/src/linux-source-6.12.tar.xz}"

# ---- prerequisites --------------------------------------------------------
[ -f "$TARBALL" ] || die "$TARBALL not found (apt-get install linux-source-6.12)"
for c in make gcc tar xz; do
  command -v "$c" >/dev/null || die "'$c' not found (apt-get install build-essential xz-utils)"
done
[ -f /usr/include/gelf.h ] || die "libelf headers missing (apt-get install libelf-dev)"
[ -f /usr/include/zlib.h ] || die "zlib headers missing (apt-get install zlib1g-dev)"

mkdir -p "$CACHE" "$BIN"

# ---- 1. extract the needed part of the kernel tree ------------------------
if [ ! -f "$KSRC/.extracted" ] || [ "$TARBALL" -nt "$KSRC/.extracted" ]; then
  echo ">> extracting libbpf sources from $TARBALL"
  rm -rf "$KSRC"
  tar -C "$CACHE" -xJf "$TARBALL" --wildcards \
    'linux-source-6.12/tools/lib/bpf/*' \
    'linux-source-6.12/tools/include/*' \
    'linux-source-6.12/tools/arch/*' \
    'linux-source-6.12/tools/build/*' \
    'linux-source-6.12/tools/scripts/*' \
    'linux-source-6.12/include/uapi/*' \
    'linux-source-6.12/scripts/*'
  [ -f "$KSRC/tools/lib/bpf/relo_core.c" ] || die "extraction did not produce tools/lib/bpf"
  touch "$KSRC/.extracted"
fi

ver="$(grep -oE '^LIBBPF_([0-9.]+)' "$KSRC/tools/lib/bpf/libbpf.map" | sort -rV | head -n1 | cut -d_ -f2)"
[ "$ver" = "1.5.0" ] || die "expected libbpf 1.5.0 in the tarball, found '$ver'"

# ---- 2. static libbpf + headers -------------------------------------------
mkdir -p "$LIBBPF"
echo ">> building libbpf $ver (static) into $LIBBPF"
make -s -C "$KSRC/tools/lib/bpf" -j"$(nproc)" OUTPUT="$LIBBPF/" "$LIBBPF/libbpf.a" >/dev/null
make -s -C "$KSRC/tools/lib/bpf" OUTPUT="$LIBBPF/" DESTDIR="$LIBBPF" prefix= install_headers >/dev/null
for f in libbpf.a staticobjs/relo_core.o staticobjs/btf.o include/bpf/libbpf.h include/bpf/bpf_helper_defs.h; do
  [ -f "$LIBBPF/$f" ] || die "libbpf build did not produce $LIBBPF/$f"
done

# ---- 3. the harnesses linked against it: relo-log, load-verdicts ----------
for h in relo-log load-verdicts; do
  if [ ! -x "$BIN/$h" ] || [ "$HERE/$h.c" -nt "$BIN/$h" ] || [ "$HERE/libbpf-lines.h" -nt "$BIN/$h" ] ||
     [ "$LIBBPF/libbpf.a" -nt "$BIN/$h" ]; then
    echo ">> building $BIN/$h"
    gcc -O2 -g -Wall -Wextra -Werror \
      -I"$LIBBPF/include" -I"$KSRC/tools/include/uapi" \
      -o "$BIN/$h.tmp" "$HERE/$h.c" "$LIBBPF/libbpf.a" -lelf -lz
    mv "$BIN/$h.tmp" "$BIN/$h"
  fi
done
echo ">> ok: $LIBBPF/libbpf.a, $BIN/relo-log, $BIN/load-verdicts"
