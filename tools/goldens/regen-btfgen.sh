#!/usr/bin/env bash
# Regenerate the btfgen goldens from bpftool and libbpf (never from corecheck):
#
#   tools/goldens/regen-btfgen.sh
#
# For every corpus kernel ($CORECHECK_CORPUS/kernels/**/*.btf.tar.xz, default ../shared/corpus beside the clone):
#   1. bpftool 7.1 (Debian bookworm's) minimizes the kernel's BTF for the 52 libbpf-tools objects
#      together, as BTFHub does: `bpftool gen min_core_btf <kernel.btf> <out> <objects...>`.
#   2. libbpf 1.5 (.cache/bin/relo-core: its relo_core.c, every program autoloaded) relocates each
#      object against the full BTF and against the minimized one; the patched instructions and
#      the result must be the same, and so must the poisoned set (`call 0xbad2310`).
#
# Outputs (committed):
#   test/goldens/btfgen/libbpf-tools/<distro>/<release>/<arch>/<kernel>.btf
#        bpftool's minimized BTF, as bpftool writes it (little-endian, whatever the kernel's order)
#   test/goldens/btfgen/libbpf-tools/SUMMARY.tsv
#        header + one row per kernel x object, sorted:
#        kernel object patched poisoned same   (same: yes when libbpf's outcome on the minimized
#        BTF equals its outcome on the full one, instruction for instruction)
# The script stops with an error if any pair differs. Raw BTFs are kept in .cache/btf/.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/lib.sh"

G="$ROOT/test/goldens/btfgen/libbpf-tools"
OBJ="$CACHE/objects/libbpf-tools"
RELO_CORE="$CACHE/bin/relo-core"
STAGE="$CACHE/btfgen-goldens"

[ $# -eq 0 ] || die "usage: regen-btfgen.sh   (no arguments)"
for c in bpftool python3 xz tar; do command -v "$c" >/dev/null || die "'$c' not found"; done
bpftool version | grep -q '^bpftool v7\.1\.' || die "bpftool 7.1 expected (Debian bookworm), found: $(bpftool version | head -1)"
[ -d "$CORPUS/kernels" ] || die "kernel corpus $CORPUS/kernels not found (set CORECHECK_CORPUS)"
"$HERE/build-relo-core.sh" >/dev/null
"$HERE/extract-libbpf-tools.py" >/dev/null
[ -x "$RELO_CORE" ] || die "$RELO_CORE missing after build-relo-core.sh"

objects=("$OBJ"/*.bpf.o)
[ "${#objects[@]}" -eq 52 ] || die "expected the 52 libbpf-tools objects in $OBJ, found ${#objects[@]}"
kernels="$(cd "$CORPUS/kernels" && find . -name '*.btf.tar.xz' -type f | sed 's|^\./||; s|\.btf\.tar\.xz$||' | LC_ALL=C sort)"
[ -n "$kernels" ] || die "no *.btf.tar.xz under $CORPUS/kernels"

# outcome <object> <btf>: libbpf's result line and patched instructions, in patch order
outcome() {
  "$RELO_CORE" "$1" --btf "$2" | grep -E '^(== relo-core: result|insn )' || die "relo-core failed on $1 against $2"
}

rm -rf "$STAGE"; mkdir -p "$STAGE" "$CACHE/btf"
printf 'kernel\tobject\tpatched\tpoisoned\tsame\n' >"$STAGE/SUMMARY.tsv"
differ=0
for k in $kernels; do
  full="$(corpus_btf "$CORPUS" "$k")"
  mkdir -p "$(dirname "$STAGE/$k")"
  min="$STAGE/$k.btf"
  bpftool gen min_core_btf "$full" "$min" "${objects[@]}" || die "bpftool gen min_core_btf failed on $k"
  for o in "${objects[@]}"; do
    name="$(basename "$o" .bpf.o)"
    outcome "$o" "$full" >"$STAGE/full.out"
    outcome "$o" "$min" >"$STAGE/min.out"
    patched="$(grep -c '^insn ' "$STAGE/full.out" || true)"
    # call 0xbad2310 in the object's (little-endian) byte order: code 0x85, imm 0x0bad2310
    poisoned="$(grep -c '^insn .* 850000001023ad0b$' "$STAGE/full.out" || true)"
    same=yes
    cmp -s "$STAGE/full.out" "$STAGE/min.out" || { same=no; differ=$((differ + 1)); }
    printf '%s\t%s\t%s\t%s\t%s\n' "$k" "$name" "$patched" "$poisoned" "$same" >>"$STAGE/SUMMARY.tsv"
  done
  echo "regen-btfgen.sh: $k done ($(stat -c %s "$min") bytes)" >&2
done
sort_table "$STAGE/SUMMARY.tsv"
[ "$differ" -eq 0 ] || die "$differ object x kernel pairs relocate differently against the minimized BTF (see $STAGE/SUMMARY.tsv)"

rm -rf "$G"; mkdir -p "$G"
for k in $kernels; do mkdir -p "$(dirname "$G/$k")"; mv "$STAGE/$k.btf" "$G/$k.btf"; done
mv "$STAGE/SUMMARY.tsv" "$G/SUMMARY.tsv"
echo "regen-btfgen.sh: $(echo "$kernels" | wc -l) kernels, $(du -cb "$G"/*/*/*/*.btf | tail -1 | cut -f1) bytes of minimized BTF, every pair the same" >&2
