#!/usr/bin/env bash
# Relocation-list goldens for big-endian objects, from libbpf 1.5's own CO-RE code called directly
# (relo-core), since libbpf's loader refuses objects of the other byte order before CO-RE runs:
#
#   test/goldens/fixtures/<name>.bpfeb.relos.txt   every fixture built as .cache/objects/fixtures/<name>.bpfeb.o
#   test/goldens/cilium/<name>.eb.relos.txt        every cilium/ebpf <name>-eb.elf with CO-RE relocations
#
#   tools/goldens/regen-be.sh                  build, rewrite the goldens above, then check relo-core
#                                              --list against every committed little-endian golden
#                                              (fixtures, example, cilium, libbpf-tools); ~10 s, no root
#   sudo tools/goldens/regen-be.sh --check-btf [<target-btf>...]
#                                              additionally compare relo-core --btf with relo-log (the
#                                              real loader path) on all those little-endian objects,
#                                              per target (default /sys/kernel/btf/vmlinux); root,
#                                              ~15 s per target
#
# Golden format: that of every other <name>.relos.txt (tools/goldens/relos_golden.py, README.md):
# relo-core --list prints libbpf's lines (sec ... found N CO-RE relocations, skipping ..., the local
# spec line per record, and libbpf's error lines where libbpf would stop whatever the target:
# unparsable access string, CO-RE on an anonymous type, truncated ldimm64), relos_golden.py keeps
# the list lines and turns the error lines into "# partial:" trailers.  Logs in .cache/logs/be/.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/lib.sh"

CHECK_BTF=0
TARGETS=()
if [ "${1:-}" = --check-btf ]; then
  CHECK_BTF=1; shift
  TARGETS=("$@")
  [ "${#TARGETS[@]}" -gt 0 ] || TARGETS=(/sys/kernel/btf/vmlinux)
elif [ $# -gt 0 ]; then
  die "usage: regen-be.sh [--check-btf [<target-btf>...]]"
fi

command -v python3 >/dev/null || die "python3 not found"
dpkg -s golang-github-cilium-ebpf-dev >/dev/null 2>&1 ||
  die "golang-github-cilium-ebpf-dev not installed (apt-get install golang-github-cilium-ebpf-dev)"
dpkg -s libbpf-tools >/dev/null 2>&1 || die "libbpf-tools not installed (apt-get install libbpf-tools)"
if [ "$CHECK_BTF" = 1 ]; then
  [ "$(id -u)" = 0 ] || die "--check-btf must run as root (relo-log loads the objects into the kernel)"
  for t in "${TARGETS[@]}"; do [ -r "$t" ] || die "target BTF $t not readable"; done
fi

"$HERE/build-relo-core.sh"
"$HERE/build-fixtures.sh" --objects-only
RC="$CACHE/bin/relo-core"
L="$CACHE/logs/be"
mkdir -p "$L"

# be_golden <name> <object> <golden>: relo-core --list -> relos_golden.py -> golden
be_golden() {
  "$RC" "$2" --list >"$L/$1.list" || die "relo-core --list broke on $2 (see $L/$1.list)"
  python3 "$HERE/relos_golden.py" "$L/$1.list" "$2" "$3" >/dev/null || die "relos_golden.py failed on $2"
}

# ---- fixtures ---------------------------------------------------------------------------------
G="$ROOT/test/goldens/fixtures"
OBJ="$CACHE/objects/fixtures"
rm -f "$G"/*.bpfeb.relos.txt
n_fix=0
for o in "$OBJ"/*.bpfeb.o; do
  [ -f "$o" ] || die "no big-endian fixture objects in $OBJ"
  name="$(basename "$o" .bpfeb.o)"
  # libbpf's loader refuses the little-endian twin before CO-RE (SKIPPED.txt); relo-core does not
  # mirror that refusal, so no big-endian golden either
  grep -q "^$name	" "$G/SKIPPED.txt" && continue
  be_golden "$name.bpfeb" "$o" "$G/$name.bpfeb.relos.txt"
  n_fix=$((n_fix + 1))
done

# ---- cilium/ebpf testdata ---------------------------------------------------------------------
G="$ROOT/test/goldens/cilium"
rm -f "$G"/*.eb.relos.txt
n_cil=0
while read -r eb; do
  name="$(basename "$eb" -eb.elf)"
  "$RC" "$eb" --list >"$L/$name.eb.list" || die "relo-core --list broke on $eb"
  grep -q "CO-RE relocations\$" "$L/$name.eb.list" || continue
  be_golden "$name.eb" "$eb" "$G/$name.eb.relos.txt"
  n_cil=$((n_cil + 1))
done < <(dpkg -L golang-github-cilium-ebpf-dev | grep -- '-eb\.elf$' | LC_ALL=C sort)
[ "$n_cil" -gt 0 ] || die "no cilium/ebpf -eb.elf object with CO-RE relocations found"
echo "regen-be.sh: wrote $n_fix fixtures/*.bpfeb.relos.txt, $n_cil cilium/*.eb.relos.txt"

# ---- check relo-core against the loader path on little-endian objects -------------------------
# objects with a committed golden: <object>\t<golden>
lt="$CACHE/objects/libbpf-tools"
if [ "$(ls "$lt"/*.bpf.o 2>/dev/null | wc -l)" != "$(($(wc -l <"$ROOT/test/goldens/libbpf-tools/objects.tsv") - 1))" ]; then
  "$HERE/extract-libbpf-tools.py"
fi
pairs="$L/le-objects.tsv"
{
  for g in "$ROOT"/test/goldens/fixtures/*.relos.txt; do
    n="$(basename "$g" .relos.txt)"
    case "$n" in
      *.bpfeb) ;;
      *.gcc) printf '%s\t%s\n' "$OBJ/$n.o" "$g" ;;
      *) printf '%s\t%s\n' "$OBJ/$n.bpfel.o" "$g" ;;
    esac
  done
  printf '%s\t%s\n' "$ROOT/examples/openat2/openat2.bpf.o" "$ROOT/test/goldens/examples/openat2.relos.txt"
  for g in "$ROOT"/test/goldens/cilium/*.relos.txt; do
    n="$(basename "$g" .relos.txt)"
    case "$n" in *.eb) continue ;; esac
    el="$(dpkg -L golang-github-cilium-ebpf-dev | grep -- "/$n-el\.elf\$" | head -n1)"
    [ -n "$el" ] || die "no $n-el.elf in golang-github-cilium-ebpf-dev"
    printf '%s\t%s\n' "$el" "$g"
  done
  for g in "$ROOT"/test/goldens/libbpf-tools/*.relos.txt; do
    printf '%s\t%s\n' "$lt/$(basename "$g" .relos.txt).bpf.o" "$g"
  done
} >"$pairs"

fail=0
while IFS=$'\t' read -r o g; do
  [ -f "$o" ] || die "$o missing"
  python3 "$HERE/relo_core_check.py" list "$o" "$g" || fail=1
done <"$pairs" >"$L/check-list.txt"
echo "regen-be.sh: relo-core --list vs committed goldens: $(grep -c '^MATCH' "$L/check-list.txt") match," \
  "$(grep -c '^DIFF' "$L/check-list.txt" || true) differ (details: $L/check-list.txt)"
[ "$fail" = 0 ] || { grep -A12 '^DIFF' "$L/check-list.txt" >&2; die "relo-core --list disagrees with a committed golden"; }

if [ "$CHECK_BTF" = 1 ]; then
  "$HERE/build-libbpf.sh" >/dev/null
  for t in "${TARGETS[@]}"; do
    out="$L/check-btf.$(basename "$t").txt"
    fail=0
    cut -f1 "$pairs" | while read -r o; do
      python3 "$HERE/relo_core_check.py" btf "$o" "$t" || echo "DIFF-EXIT $o"
    done >"$out"
    grep -q '^DIFF' "$out" && fail=1
    awk -v t="$t" '
      /^(MATCH|DIFF|SKIP) / { n[$1]++ }
      /^(MATCH|DIFF) / { for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] != "result") s[kv[1]] += kv[2] } }
      END { printf "regen-be.sh: relo-core --btf vs relo-log on %s: %d match, %d differ, %d skipped;" \
              " %d log lines, %d main-program insns, %d subprogram insns (%d located in appended copies," \
              " %d in subprograms no program calls)\n", t, n["MATCH"], n["DIFF"], n["SKIP"], s["log_lines"],
              s["main_insns"], s["subprog_insns"], s["located"], s["not_appended"] }' "$out"
    [ "$fail" = 0 ] || { grep -A12 '^DIFF' "$out" >&2; die "relo-core --btf disagrees with relo-log on $t (see $out)"; }
  done
fi
