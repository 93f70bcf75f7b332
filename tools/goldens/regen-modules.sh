#!/usr/bin/env bash
# Golden for CO-RE candidates found in kernel module BTF: libbpf 1.5's own CO-RE step (relo-core,
# bpf_core_add_cands over each module's split BTF when vmlinux has no candidate, as libbpf does on
# a running kernel) on the "modules" fixture against Debian 12's 6.1.0-57-amd64 vmlinux BTF (corpus)
# with three of its real modules (.ko files from linux-image-6.1.0-57-amd64-unsigned).
#
#   tools/goldens/regen-modules.sh
#
# Writes test/goldens/modules/modules.core.txt: a "# " header naming the kernel and the modules
# (in the order given to the search), then relo-core's output without its "== " lines (libbpf's
# CO-RE lines, then "insn <prog> <idx> <hex>" for every patched or poisoned instruction).
# libbpf's loader cannot make this golden: with btf_custom_path it never consults modules, and
# the running kernel's modules are not these.
# Prerequisites: tools/fetch-kernel-images.sh (the .ko files), build-fixtures.sh --objects-only,
# those of build-relo-core.sh; the corpus.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/lib.sh"

KERNEL=debian/12/x86_64/6.1.0-57-amd64
MODULES="ext4 nf_tables vfat"
OBJ="$CACHE/objects/fixtures/modules.bpfel.o"
OUT="$ROOT/test/goldens/modules"

[ -f "$OBJ" ] || die "$OBJ missing (tools/goldens/build-fixtures.sh --objects-only)"
"$HERE/build-relo-core.sh" >/dev/null
mkdir -p "$OUT" "$CACHE/btf"
btf="$CACHE/btf/$(basename "$KERNEL").btf"
tar -xJf "$CORPUS/kernels/$KERNEL.btf.tar.xz" -O >"$btf.tmp" || die "cannot extract $KERNEL from $CORPUS"
mv "$btf.tmp" "$btf"
args=()
for m in $MODULES; do
  ko="$CACHE/kernel-images/$m.ko"
  [ -f "$ko" ] || die "$ko missing (tools/fetch-kernel-images.sh)"
  args+=(--module "$ko")
done
{
  echo "# libbpf 1.5 CO-RE (tools/goldens/relo-core.c --module) of modules.bpfel.o"
  echo "# kernel $KERNEL"
  echo "# modules $MODULES"
  "$CACHE/bin/relo-core" "$OBJ" --btf "$btf" "${args[@]}" | grep -v '^== '
} >"$OUT/modules.core.txt.tmp"
mv "$OUT/modules.core.txt.tmp" "$OUT/modules.core.txt"
echo "regen-modules.sh: wrote $OUT/modules.core.txt"
