#!/usr/bin/env bash
# Objects and libbpf 1.5 goldens for the kernel selftests' CO-RE cases (Debian linux-source-6.12,
# tools/testing/selftests/bpf: prog_tests/core_reloc.c's table and prog_tests/core_autosize.c).
#
#   tools/goldens/build-selftests.sh --objects-only   compile the objects only (no root; what
#                                                     the tests need; ~10 s, ~40 s with an
#                                                     empty .cache, build-libbpf.sh included)
#   sudo tools/goldens/build-selftests.sh             objects + goldens (relo-log loads the
#                                                     programs into the running kernel; ~15 s)
#
# Objects (derived, git-ignored) in .cache/objects/selftests/:
#   test_core_reloc_<x>.bpf.o      every progs/test_core_reloc_*.c (program objects; also
#                                  _kernel and _module, whose cases are skipped)
#   test_core_autosize.bpf.o       progs/test_core_autosize.c
#   btf__core_reloc_<case>.bpf.o   every progs/btf__core_reloc_*.c (target BTFs: ELF with .BTF)
#   btf__core_autosize.btf         raw BTF built like prog_tests/core_autosize.c does (4-byte
#                                  pointers; tools/goldens/selftests-autosize-btf.c)
#   cases.tsv                      the case table (tools/goldens/selftests_golden.py "cases")
# and, in .cache/objects/selftests-large/, the selftests' big programs (test_progs'
# prog_tests/test_profiler.c and bpf_verif_scale.c; objects only, no goldens):
#   profiler1.bpf.o profiler2.bpf.o profiler3.bpf.o   progs/profiler{1,2,3}.c (profiler.inc.h:
#                                                     vmlinux.h, BPF_CORE_READ; CO-RE)
#   pyperf600.bpf.o                                   progs/pyperf600.c (pyperf.h) and
#   strobemeta.bpf.o                                  progs/strobemeta.c (strobemeta.h): UAPI
#                                                     headers, fixed offsets, no CO-RE relocation
# compiled like the selftests Makefile compiles test_progs' BPF objects (6.12: BPF_CFLAGS +
# CLANG_CFLAGS + -DENABLE_ATOMICS_TESTS, -O2, -mcpu=v3), with clang-19 -target bpfel, from
# inside tools/testing/selftests/bpf with -fdebug-prefix-map so the objects hold no path of
# this checkout; the 6.12 Makefile gives the large programs no per-file flags, so they get the
# same ones. vmlinux.h (included by test_core_reloc_module.c and profiler.inc.h) is dumped
# by bpftool from a fixed corpus BTF (VMLINUX_BTF_CORPUS, default Debian 12's 6.12.117 amd64)
# so those objects do not depend on the host; without the corpus it falls back to
# /sys/kernel/btf/vmlinux (with a warning).
# Byte-identical wherever the repository lives, except the objects that include vmlinux.h:
# clang-19's BTF backend appends the FWD types of structs only pointed to in the order of its
# metadata pointers (heap layout, which shifts with the length of the paths on clang's command
# line), so their .BTF can differ in the order of those trailing FWD entries (and the PTRs to
# them); programs, maps and CO-RE relocations (type ids included) stay the same.
#
# Goldens (committed) in test/goldens/selftests/, format in tools/goldens/selftests_golden.py:
#   <case>.txt      (':' in the case name replaced by '-') CO-RE log lines of
#                   relo-log <program_object> --btf <target_btf> + insn lines of every
#                   CO-RE-patched/poisoned instruction
#   CASES.tsv       case program_object target_btf expected libbpf_result relocations poisoned
#                   patched poisoned_insns load golden
#   SKIPPED.txt     case program_object reason (cases whose target is not a BTF file)
# Logs: .cache/logs/selftests/<case>.log (the whole relo-log output).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/lib.sh"

TARBALL="${LINUX_SOURCE_TARBALL:-/usr/src/linux-source-6.12.tar.xz}"
ST="$KSRC/tools/testing/selftests/bpf"
OBJ="$CACHE/objects/selftests"
OBJ_LARGE="$CACHE/objects/selftests-large"
BUILD="$CACHE/selftests-build"
G="$ROOT/test/goldens/selftests"
L="$CACHE/logs/selftests"
CLANG="${CLANG:-clang-19}"
VMLINUX_BTF_CORPUS="${VMLINUX_BTF_CORPUS:-debian/12/x86_64/6.12.117+deb12-amd64}"
HOST_BTF=/sys/kernel/btf/vmlinux

OBJECTS_ONLY=0
case "${1:-}" in
  --objects-only) OBJECTS_ONLY=1 ;;
  "") ;;
  *) die "usage: $(basename "$0") [--objects-only]" ;;
esac
[ "$OBJECTS_ONLY" = 1 ] || [ "$(id -u)" = 0 ] || die "must run as root (relo-log loads the objects into the kernel); use --objects-only to compile only"
[ -f "$TARBALL" ] || die "$TARBALL not found (apt-get install linux-source-6.12)"
command -v "$CLANG" >/dev/null || die "$CLANG not found (apt-get install clang-19)"
command -v bpftool >/dev/null || die "bpftool not found (apt-get install bpftool)"
command -v python3 >/dev/null || die "python3 not found"
command -v gcc >/dev/null || die "gcc not found (apt-get install build-essential)"

# libbpf 1.5 headers (bpf_helpers.h, bpf_core_read.h, generated bpf_helper_defs.h) and
# libbpf.a for the autosize BTF generator; also the relo-log harness. No root needed.
"$HERE/build-libbpf.sh" >/dev/null
[ -f "$LIBBPF/include/bpf/bpf_helper_defs.h" ] || die "libbpf headers missing in $LIBBPF/include"

# ---- 1. extract the selftests sources -------------------------------------------------
# (build-libbpf.sh re-creates $KSRC from scratch when the tarball changes, removing this too)
MARK="$KSRC/.extracted-selftests"
if [ ! -f "$MARK" ] || [ "$TARBALL" -nt "$MARK" ] || [ ! -f "$ST/prog_tests/core_reloc.c" ]; then
  echo ">> extracting tools/testing/selftests/bpf (CO-RE cases) from $TARBALL"
  rm -rf "$KSRC/tools/testing/selftests/bpf"
  # the whole directory: -I$(CURDIR) also provides e.g. gnu/stubs.h (glibc's stubs-32.h stand-in)
  tar -C "$CACHE" -xJf "$TARBALL" --wildcards 'linux-source-6.12/tools/testing/selftests/bpf/*'
  [ -f "$ST/prog_tests/core_reloc.c" ] || die "extraction did not produce $ST/prog_tests/core_reloc.c"
  touch "$MARK"
fi

mkdir -p "$OBJ" "$OBJ_LARGE" "$BUILD"

# ---- 2. vmlinux.h (for test_core_reloc_module.c and profiler.inc.h) ---------------------
vmlinux_btf="$HOST_BTF"
archive="$CORPUS/kernels/$VMLINUX_BTF_CORPUS.btf.tar.xz"
if [ -f "$archive" ]; then
  vmlinux_btf="$CACHE/btf/$(basename "$VMLINUX_BTF_CORPUS").btf"
  mkdir -p "$CACHE/btf"
  if [ ! -s "$vmlinux_btf" ] || [ "$archive" -nt "$vmlinux_btf" ]; then
    tar -xJf "$archive" -O >"$vmlinux_btf.$$.tmp" || die "cannot extract $archive"
    mv "$vmlinux_btf.$$.tmp" "$vmlinux_btf"
  fi
else
  echo "build-selftests.sh: warning: $archive not found: vmlinux.h from $HOST_BTF (test_core_reloc_module.bpf.o and profiler{1,2,3}.bpf.o then depend on this host)" >&2
  [ -r "$HOST_BTF" ] || die "$HOST_BTF not readable either"
fi
bpftool btf dump file "$vmlinux_btf" format c >"$BUILD/vmlinux.h.tmp" || die "bpftool btf dump file $vmlinux_btf failed"
mv "$BUILD/vmlinux.h.tmp" "$BUILD/vmlinux.h"

# ---- 3. compile the BPF objects --------------------------------------------------------
# The selftests Makefile (6.12), test_progs runner:
#   $(CLANG) $(BPF_CFLAGS) $(CLANG_CFLAGS) -DENABLE_ATOMICS_TESTS -O2 --target=bpf -c <f> -mcpu=v3
#   BPF_CFLAGS = -g -Wall -Werror -D__TARGET_ARCH_$(SRCARCH) -mlittle-endian -I$(INCLUDE_DIR)
#                -I$(CURDIR) -I$(APIDIR) -I<kernel headers_install> -Wno-compare-distinct-pointer-types
#   CLANG_CFLAGS = -idirafter <each dir of clang's default #include <...> search list>
# INCLUDE_DIR = installed libbpf headers, CURDIR = selftests/bpf, APIDIR = tools/include/uapi;
# the headers_install tree is replaced by the system's linux-libc-dev headers (-idirafter
# /usr/include), vmlinux.h lives in $BUILD.
ARCH="$(uname -m)"
case "$ARCH" in x86_64) SRCARCH=x86 ;; aarch64) SRCARCH=arm64 ;; *) SRCARCH="$ARCH" ;; esac
sys_includes=$("$CLANG" -v -E - </dev/null 2>&1 |
  sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')
[ -n "$sys_includes" ] || die "cannot read $CLANG's include search list"
# shellcheck disable=SC2206
CFLAGS=(-g -Wall -Werror -D__TARGET_ARCH_$SRCARCH -mlittle-endian
  -I"$LIBBPF/include" -I. -I"$KSRC/tools/include/uapi" -I"$BUILD"
  -Wno-compare-distinct-pointer-types $sys_includes -DENABLE_ATOMICS_TESTS
  -O2 -target bpfel -mcpu=v3 -fdebug-prefix-map="$ROOT"=.)

cd "$ST"
# the large programs (test_progs' test_profiler and verif_scale_{pyperf600,strobemeta}): same
# flags; ~6 s of CPU, about half of it pyperf600.c (a 600-iteration loop unrolled 150-fold), so
# they compile in the background while the small objects do
large="profiler1 profiler2 profiler3 pyperf600 strobemeta"
large_pids=()
for f in $large; do
  o="$OBJ_LARGE/$f.bpf.o"
  { "$CLANG" "${CFLAGS[@]}" -c "progs/$f.c" -o "$o.tmp" && mv "$o.tmp" "$o"; } &
  large_pids+=("$!")
done
srcs=$(cd progs && ls test_core_reloc_*.c btf__core_reloc_*.c test_core_autosize.c | LC_ALL=C sort)
n=0
for f in $srcs; do
  o="$OBJ/${f%.c}.bpf.o"
  "$CLANG" "${CFLAGS[@]}" -c "progs/$f" -o "$o.tmp" || die "$CLANG failed on progs/$f"
  mv "$o.tmp" "$o"
  n=$((n + 1))
done
failed=""
i=0
for f in $large; do
  wait "${large_pids[$i]}" || failed="$failed progs/$f.c"
  i=$((i + 1))
done
[ -z "$failed" ] || die "$CLANG failed on$failed"
if grep -l "$ROOT" "$OBJ"/*.bpf.o "$OBJ_LARGE"/*.bpf.o >/dev/null 2>&1; then
  die "objects contain the checkout path $ROOT: $(grep -l "$ROOT" "$OBJ"/*.bpf.o "$OBJ_LARGE"/*.bpf.o | tr '\n' ' ')"
fi
cd "$ROOT"

# ---- 4. the core_autosize target BTF ----------------------------------------------------
gen="$BUILD/selftests-autosize-btf"
if [ ! -x "$gen" ] || [ "$HERE/selftests-autosize-btf.c" -nt "$gen" ] || [ "$LIBBPF/libbpf.a" -nt "$gen" ]; then
  gcc -O2 -g -Wall -Wextra -Werror -I"$LIBBPF/include" -I"$KSRC/tools/include/uapi" \
    -o "$gen.tmp" "$HERE/selftests-autosize-btf.c" "$LIBBPF/libbpf.a" -lelf -lz ||
    die "cannot build $gen"
  mv "$gen.tmp" "$gen"
fi
"$gen" "$OBJ/btf__core_autosize.btf.tmp" || die "$gen failed"
mv "$OBJ/btf__core_autosize.btf.tmp" "$OBJ/btf__core_autosize.btf"

# ---- 5. the case table -------------------------------------------------------------------
ncases=$(python3 "$HERE/selftests_golden.py" cases "$ST/prog_tests/core_reloc.c" "$CLANG" "$OBJ/cases.tsv") ||
  die "cannot read the case table of $ST/prog_tests/core_reloc.c"
# every object the table names must have been built
tail -n +2 "$OBJ/cases.tsv" | while IFS=$'\t' read -r c _g prog btf _rest; do
  [ -f "$OBJ/$prog" ] || die "case $c: $OBJ/$prog was not built"
  [ "$btf" = - ] || [ -f "$OBJ/$btf" ] || die "case $c: $OBJ/$btf was not built"
done
echo ">> selftests: $n objects + btf__core_autosize.btf in $OBJ, $ncases cases; $(echo $large | wc -w) objects in $OBJ_LARGE"
[ "$OBJECTS_ONLY" = 1 ] && exit 0

# ---- 6. goldens ------------------------------------------------------------------------
mkdir -p "$G" "$L"
rm -f "$L"/*.log
tail -n +2 "$OBJ/cases.tsv" | while IFS=$'\t' read -r c golden prog btf _rest; do
  [ "$btf" != - ] || continue
  log="$L/${golden%.txt}.log"
  "$RELO_LOG" "$OBJ/$prog" --btf "$OBJ/$btf" >"$log" 2>&1 || die "relo-log broke on case $c (see $log)"
done
rm -f "$G"/*.txt
python3 "$HERE/selftests_golden.py" goldens "$OBJ/cases.tsv" "$L" "$G" || die "selftests_golden.py goldens failed"
awk -F'\t' 'NR>1 { n++; r+=$6; z+=$7; zi+=$9; if ($5=="error") e++; ld[$10]++ }
  END { printf "selftests: %d cases, %d relocations, %d poisoned (%d insns), %d hard errors; load:", n, r, z, zi, e;
        for (k in ld) printf " %s=%d", k, ld[k]; print "" }' "$G/CASES.tsv"
echo "selftests: $(($(wc -l <"$G/SKIPPED.txt") - 1)) skipped (SKIPPED.txt)"
