#!/usr/bin/env bash
# Build the test objects from test/fixtures/src/*.bpf.c and their libbpf 1.5 goldens.
#
#   sudo tools/goldens/build-fixtures.sh        (root: relo-log loads the objects; ~10 s)
#   tools/goldens/build-fixtures.sh --objects-only   (compile the objects only: what the tests need)
#
# Objects (derived, git-ignored), for every fixture <name>:
#   .cache/objects/fixtures/<name>.bpfel.o      clang-19 -target bpfel -O2 -g -c
#   .cache/objects/fixtures/<name>.bpfeb.o      clang-19 -target bpfeb -O2 -g -c
#   .cache/objects/fixtures/<name>.gcc.o        bpf-gcc -O2 -g -gbtf -mco-re -c (only where gcc-bpf 12
#                                               compiles it; see test/goldens/fixtures/gcc.tsv)
# Goldens (committed), format in tools/goldens/relos_golden.py:
#   test/goldens/fixtures/<name>.relos.txt      relocation list of <name>.bpfel.o (host BTF as target)
#   test/goldens/fixtures/<name>.gcc.relos.txt  the same for <name>.gcc.o
#   test/goldens/fixtures/SUMMARY.tsv           name programs core_sections core_relos btf_ext_relos status
#   test/goldens/fixtures/SKIPPED.txt           objects libbpf cannot open: name btf_ext_relos reason
#   test/goldens/fixtures/gcc.tsv               name<TAB>ok|refused<TAB>first gcc error (refused only)
#   test/goldens/fixtures/<name>.core.<kernelrelease>.txt
#                                               full CO-RE log (relos_golden.py --core-log) of
#                                               <name>.bpfel.o against a fixed corpus kernel BTF
#                                               (FIXTURE_CORE_TARGETS; none for objects libbpf
#                                               cannot open)
#   test/goldens/examples/openat2.relos.txt, openat2.core.<kernelrelease>.txt, SUMMARY.tsv
#                                               the same for examples/openat2/openat2.bpf.o
#                                               (EXAMPLE_CORE_TARGETS)
# The fixed targets come from the kernel BTF corpus (CORECHECK_CORPUS, default
# ../shared/corpus beside the clone): if it is missing those goldens are left untouched (with a warning).
# The el8 4.18 BTF is not deduplicated (476 copies of task_struct, each one a CO-RE
# candidate), so fixture logs against it are ~1 MB: by default only the example uses it.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/lib.sh"

SRC="$ROOT/test/fixtures/src"
OBJ="$CACHE/objects/fixtures"
G="$ROOT/test/goldens/fixtures"
GE="$ROOT/test/goldens/examples"
L="$CACHE/logs/fixtures"
HOST_BTF=/sys/kernel/btf/vmlinux
CLANG="${CLANG:-clang-19}"
GCC="${BPF_GCC:-bpf-gcc}"
# fixed targets for the full CO-RE logs (paths under $CORPUS/kernels, without .btf.tar.xz):
# the seed case (RHEL/CentOS 8, 4.18, no open_how, not deduplicated) and Debian 11's 5.10
# (pre-5.14 task_struct with 'state', no ENUM64)
EL8=centos/8/aarch64/4.18.0-147.5.1.el8_1.aarch64
DEB11=debian/11/x86_64/5.10.0-32-amd64
FIXTURE_CORE_TARGETS="${FIXTURE_CORE_TARGETS:-$DEB11}"
EXAMPLE_CORE_TARGETS="${EXAMPLE_CORE_TARGETS:-$EL8 $DEB11}"
# fixtures gcc-bpf 12 must compile (the others use builtins/patterns it refuses)
GCC_MUST_COMPILE="gcc_subset legacy_maps struct_ops"

OBJECTS_ONLY=0
[ "${1:-}" = --objects-only ] && OBJECTS_ONLY=1
[ "$OBJECTS_ONLY" = 1 ] || [ "$(id -u)" = 0 ] || die "must run as root (relo-log loads the objects into the kernel)"
[ -r "$HOST_BTF" ] || die "$HOST_BTF not readable (kernel without CONFIG_DEBUG_INFO_BTF?)"
command -v "$CLANG" >/dev/null || die "$CLANG not found (apt-get install clang-19)"
command -v "$GCC" >/dev/null || die "$GCC not found (apt-get install gcc-bpf)"
command -v python3 >/dev/null || die "python3 not found"
command -v setarch >/dev/null || die "setarch not found (apt-get install util-linux)"
[ -f /usr/include/bpf/bpf_helpers.h ] || die "<bpf/bpf_helpers.h> missing (apt-get install libbpf-dev)"

[ "$OBJECTS_ONLY" = 1 ] || "$HERE/build-libbpf.sh"
mkdir -p "$OBJ" "$G" "$GE" "$L"

# ---- compile ------------------------------------------------------------------------
# Compile from inside src/ with relative names and -fdebug-prefix-map so no absolute path
# of this checkout ends up in the objects (they are byte-identical wherever the repo lives).
cd "$SRC"
names=$(ls *.bpf.c | sed 's/\.bpf\.c$//' | LC_ALL=C sort)
[ -n "$names" ] || die "no fixtures in $SRC"
printf 'name\tgcc\tfirst_error\n' >"$G/gcc.tsv.tmp"
for n in $names; do
  for t in bpfel bpfeb; do
    "$CLANG" -target "$t" -O2 -g -c -fdebug-prefix-map="$SRC"=. -o "$OBJ/$n.$t.o" "$n.bpf.c" ||
      die "$CLANG -target $t failed on $n.bpf.c"
  done
  rm -f "$OBJ/$n.gcc.o"
  # gcc-bpf 12 orders BTF VARs by pointer hash: without ASLR (setarch -R) its output is stable
  if setarch "$(uname -m)" -R "$GCC" -I/usr/include -O2 -g -gbtf -mco-re -Werror=implicit-function-declaration \
      -fdebug-prefix-map="$SRC"=. -c -o "$OBJ/$n.gcc.o" "$n.bpf.c" 2>"$L/$n.gcc.err"; then
    printf '%s\tok\t\n' "$n" >>"$G/gcc.tsv.tmp"
  else
    rm -f "$OBJ/$n.gcc.o"
    case " $GCC_MUST_COMPILE " in *" $n "*) die "$GCC failed on $n.bpf.c: $(cat "$L/$n.gcc.err")" ;; esac
    printf '%s\trefused\t%s\n' "$n" "$(grep -m1 'error:' "$L/$n.gcc.err")" >>"$G/gcc.tsv.tmp"
  fi
done
if [ "$OBJECTS_ONLY" = 1 ]; then
  # the committed gcc.tsv is the golden: a test compares what gcc did this time with it
  mv "$G/gcc.tsv.tmp" "$OBJ/gcc.tsv"
  exit 0
fi
mv "$G/gcc.tsv.tmp" "$G/gcc.tsv"
cd "$ROOT"

# ---- relocation-list goldens (host BTF as target) ------------------------------------
# (the big-endian goldens are regen-be.sh's: kept)
find "$G" -maxdepth 1 -name '*.relos.txt' ! -name '*.bpfeb.relos.txt' -delete
echo "$SUMMARY_HEADER" >"$G/SUMMARY.tsv.tmp"
echo "$SKIPPED_HEADER" >"$G/SKIPPED.txt.tmp"
for n in $names; do
  golden_for "$n" "$OBJ/$n.bpfel.o" "$HOST_BTF" "$G" "$L" "$G/SUMMARY.tsv.tmp" "$G/SKIPPED.txt.tmp"
  [ ! -f "$OBJ/$n.gcc.o" ] ||
    golden_for "$n.gcc" "$OBJ/$n.gcc.o" "$HOST_BTF" "$G" "$L" "$G/SUMMARY.tsv.tmp" "$G/SKIPPED.txt.tmp"
done
for f in SUMMARY.tsv SKIPPED.txt; do mv "$G/$f.tmp" "$G/$f"; sort_table "$G/$f"; done

EX="$ROOT/examples/openat2/openat2.bpf.o"
[ -f "$EX" ] || die "$EX missing (run examples/openat2/build.sh)"
echo "$SUMMARY_HEADER" >"$GE/SUMMARY.tsv"
golden_for openat2 "$EX" "$HOST_BTF" "$GE" "$L" "$GE/SUMMARY.tsv" /dev/null

# ---- full CO-RE logs against fixed corpus kernels ------------------------------------
# target_btf <corpus-path>: extract once into .cache/btf/, print the file (empty if no corpus)
target_btf() {
  local archive="$CORPUS/kernels/$1.btf.tar.xz" btf="$CACHE/btf/$(basename "$1").btf"
  if [ ! -f "$archive" ]; then
    echo "build-fixtures.sh: warning: $archive not found: its CO-RE logs are not regenerated" >&2
    return 0
  fi
  mkdir -p "$CACHE/btf"
  if [ ! -s "$btf" ] || [ "$archive" -nt "$btf" ]; then
    tar -xJf "$archive" -O >"$btf.tmp" && mv "$btf.tmp" "$btf"
  fi
  echo "$btf"
}
for target in $FIXTURE_CORE_TARGETS; do
  btf="$(target_btf "$target")"; [ -n "$btf" ] || continue
  rel="$(basename "$target")"
  rm -f "$G"/*.core."$rel".txt
  for n in $names; do
    core_log_for "$OBJ/$n.bpfel.o" "$btf" "$L/$n.$rel.log" "$G/$n.core.$rel.txt"
  done
done
for target in $EXAMPLE_CORE_TARGETS; do
  btf="$(target_btf "$target")"; [ -n "$btf" ] || continue
  rel="$(basename "$target")"
  core_log_for "$EX" "$btf" "$L/openat2.$rel.log" "$GE/openat2.core.$rel.txt"
done

print_summary fixtures "$G/SUMMARY.tsv"
echo "fixtures: $(($(wc -l <"$G/SKIPPED.txt") - 1)) skipped (SKIPPED.txt), gcc refused: $(awk -F'\t' '$2=="refused"{printf "%s ", $1}' "$G/gcc.tsv")"
