#!/usr/bin/env bash
# Regenerate the relocation-list goldens from libbpf 1.5 (never from corecheck):
#
#   test/goldens/libbpf-tools/<tool>.relos.txt    one per distinct libbpf-tools binary (52)
#   test/goldens/libbpf-tools/SUMMARY.tsv         name programs core_sections core_relos btf_ext_relos status
#   test/goldens/cilium/<name>.relos.txt          cilium/ebpf testdata, keyed by the base name
#                                                 without -el/-eb, generated from the -el twin
#   test/goldens/cilium/SUMMARY.tsv               same columns as above (first column: name)
#   test/goldens/cilium/SKIPPED.txt               objects libbpf 1.5 cannot open:
#                                                 name<TAB>btf_ext_relos<TAB>reason
#
#   sudo tools/goldens/regen-relos.sh             (root: relo-log really loads the objects; ~5 s)
#
# The golden format is described in tools/goldens/relos_golden.py.  The CO-RE target is the
# host's /sys/kernel/btf/vmlinux (override with TARGET_BTF=...); the local-spec lines do
# not depend on it, only a "# partial:" trailer would.  Full relo-log outputs are kept in
# .cache/logs/{libbpf-tools,cilium}/.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TARGET_BTF="${TARGET_BTF:-/sys/kernel/btf/vmlinux}"
. "$HERE/lib.sh"

[ "$(id -u)" = 0 ] || die "must run as root (relo-log loads the objects into the kernel)"
[ -r "$TARGET_BTF" ] || die "target BTF $TARGET_BTF not readable (kernel without CONFIG_DEBUG_INFO_BTF?)"
command -v python3 >/dev/null || die "python3 not found"
dpkg -s libbpf-tools >/dev/null 2>&1 || die "libbpf-tools not installed (apt-get install libbpf-tools)"
dpkg -s golang-github-cilium-ebpf-dev >/dev/null 2>&1 ||
  die "golang-github-cilium-ebpf-dev not installed (apt-get install golang-github-cilium-ebpf-dev)"

"$HERE/build-libbpf.sh"
"$HERE/extract-libbpf-tools.py"

# ---- libbpf-tools ------------------------------------------------------------
G="$ROOT/test/goldens/libbpf-tools"; L="$CACHE/logs/libbpf-tools"
mkdir -p "$G" "$L"
rm -f "$G"/*.relos.txt "$L/SKIPPED.txt"
echo "$SUMMARY_HEADER" >"$G/SUMMARY.tsv.tmp"
tail -n +2 "$G/objects.tsv" | cut -f1 | while read -r tool; do
  golden_for "$tool" "$CACHE/objects/libbpf-tools/$tool.bpf.o" "$TARGET_BTF" "$G" "$L" \
    "$G/SUMMARY.tsv.tmp" "$L/SKIPPED.txt"
done
[ ! -s "$L/SKIPPED.txt" ] || die "libbpf could not open some libbpf-tools objects: $(cat "$L/SKIPPED.txt")"
mv "$G/SUMMARY.tsv.tmp" "$G/SUMMARY.tsv"; sort_table "$G/SUMMARY.tsv"

# ---- cilium/ebpf testdata -----------------------------------------------------
G="$ROOT/test/goldens/cilium"; L="$CACHE/logs/cilium"
mkdir -p "$G" "$L"
# the little-endian goldens only: <name>.eb.relos.txt are regen-be.sh's
for f in "$G"/*.relos.txt; do case "$f" in *.eb.relos.txt) ;; *) rm -f "$f" ;; esac; done
echo "$SUMMARY_HEADER" >"$G/SUMMARY.tsv.tmp"
echo "$SKIPPED_HEADER" >"$G/SKIPPED.txt.tmp"
dpkg -L golang-github-cilium-ebpf-dev | grep -- '-el\.elf$' | sort |
  while read -r el; do
    name="$(basename "$el" -el.elf)"
    [ -f "${el%-el.elf}-eb.elf" ] || echo "regen-relos.sh: warning: no big-endian twin for $el" >&2
    golden_for "$name" "$el" "$TARGET_BTF" "$G" "$L" "$G/SUMMARY.tsv.tmp" "$G/SKIPPED.txt.tmp"
  done
for f in SUMMARY.tsv SKIPPED.txt; do mv "$G/$f.tmp" "$G/$f"; sort_table "$G/$f"; done

print_summary libbpf-tools "$ROOT/test/goldens/libbpf-tools/SUMMARY.tsv"
print_summary cilium "$ROOT/test/goldens/cilium/SUMMARY.tsv"
echo "cilium: $(($(wc -l <"$ROOT/test/goldens/cilium/SKIPPED.txt") - 1)) skipped (see SKIPPED.txt)"
