#!/usr/bin/env bash
# Regenerate the "complete CO-RE outcome" goldens of the 52 libbpf-tools objects from
# libbpf 1.5 (never from corecheck), against every kernel BTF of the corpus and the host:
#
#   sudo tools/goldens/regen-core-logs.sh      (root: relo-log really loads the objects)
#
# Outputs (committed):
#   test/goldens/core/libbpf-tools/<distro>/<release>/<arch>/<kernel>.txt.xz
#        one file per corpus kernel ($CORECHECK_CORPUS/kernels/<same path>.btf.tar.xz, default
#        corpus ../shared/corpus), all 52 objects in it
#   test/goldens/core/libbpf-tools/host/<uname -r>.txt.xz
#        the same against /sys/kernel/btf/vmlinux; only valid where the running kernel's BTF
#        has the sha256 in its "# btf-sha256" header line (a test must check that first)
#   test/goldens/core/libbpf-tools/SUMMARY.tsv
#        header + one row per kernel x object, sorted:
#        kernel object relocations patched poisoned status(ok|error)
#        kernel = the corpus path without .btf.tar.xz, or host/<uname -r>
#
# Format of a .txt.xz (xz -9e, single-threaded; lines in this order):
#   # ... header lines; "# kernel <kernel>" and "# btf-sha256 <sha256 of the raw target BTF>"
#   === object <tool>                           per object, in objects.tsv order, then
#   <libbpf line>                               every line relos_golden.py --core-log keeps
#                                               (sec '...': found N CO-RE relocations,
#                                               CO-RE relocating ..., prog '...': relo ...,
#                                               failed to perform CO-RE relocations: ...),
#                                               verbatim, in libbpf's order, prefix
#                                               "libbpf: " removed
#   insn <prog> <idx> <16 hex>                  the bytes libbpf left at every instruction a
#                                               "patched insn #idx" / "substituting insn #idx"
#                                               line names (patched LDIMM64: also idx+1), in
#                                               patch order; <prog>/<idx> as in that log line
#                                               (a .text sub-program's own name and index; its
#                                               bytes are read where libbpf appended it in a
#                                               caller: see core_golden.py)
#   # not captured: insn <prog> <idx>: <why>    bytes that could not be located (if any)
#
# CO-RE runs inside bpf_object__load before any program is loaded, so the later load
# failures (fentry/fexit refused with EPERM here, verifier rejections of poisoned or
# foreign-offset code) do not change these logs; every program is autoloaded.
# The target BTF is passed as btf_custom_path, so libbpf searches no module BTF.
# Full relo-log outputs stay in .cache/logs/core/<kernel>/ and raw BTFs in .cache/btf/.
# Env: CORECHECK_CORPUS (default ../shared/corpus beside the clone), JOBS (parallel kernels, default 2).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/lib.sh"

JOBS="${JOBS:-2}"
HOST_BTF=/sys/kernel/btf/vmlinux
G="$ROOT/test/goldens/core/libbpf-tools"
OBJECTS_TSV="$ROOT/test/goldens/libbpf-tools/objects.tsv"
TOOLS_SUMMARY="$ROOT/test/goldens/libbpf-tools/SUMMARY.tsv"
OBJ="$CACHE/objects/libbpf-tools"
STAGE="$CACHE/core-goldens"        # goldens are built here, then moved into $G
LOGS="$CACHE/logs/core"

# ---- worker: one kernel (called through xargs) ------------------------------------
# regen-core-logs.sh --kernel <kernel>: <kernel> = corpus path without .btf.tar.xz, or host/<release>
if [ "${1:-}" = --kernel ]; then
  kernel="$2"
  case "$kernel" in
    host/*) btf="$HOST_BTF" ;;
    *) btf="$(corpus_btf "$CORPUS" "$kernel")" ;;
  esac
  ldir="$LOGS/$kernel"
  rm -rf "$ldir"; mkdir -p "$ldir" "$(dirname "$STAGE/$kernel")"
  # relo-log here; the --core-log filter of core_log_for (lib.sh) runs inside core_golden.py
  tail -n +2 "$OBJECTS_TSV" | cut -f1 | while read -r tool; do
    "$RELO_LOG" "$OBJ/$tool.bpf.o" --btf "$btf" >"$ldir/$tool.log" 2>&1 ||
      die "relo-log broke on $OBJ/$tool.bpf.o (see $ldir/$tool.log)"
  done
  rm -f "$STAGE/$kernel.rows"
  miss="$(python3 "$HERE/core_golden.py" "$kernel" "$btf" "$OBJECTS_TSV" "$ldir" \
    "$STAGE/$kernel.txt" "$STAGE/$kernel.rows" "$TOOLS_SUMMARY")" ||
    die "core_golden.py failed for $kernel"
  xz -9e -T1 -f "$STAGE/$kernel.txt" || die "xz failed on $STAGE/$kernel.txt"
  note=""; [ "$miss" = 0 ] || note=" ($miss instruction(s) not captured, see '# not captured' lines)"
  echo "regen-core-logs.sh: $kernel done$note" >&2
  exit 0
fi

# ---- prerequisites ----------------------------------------------------------------
[ $# -eq 0 ] || die "usage: regen-core-logs.sh   (no arguments)"
[ "$(id -u)" = 0 ] || die "must run as root (relo-log loads the objects into the kernel)"
[ -r "$HOST_BTF" ] || die "$HOST_BTF not readable (kernel without CONFIG_DEBUG_INFO_BTF?)"
for c in python3 xz tar sha256sum xargs; do
  command -v "$c" >/dev/null || die "'$c' not found"
done
[ -d "$CORPUS/kernels" ] || die "kernel corpus $CORPUS/kernels not found (set CORECHECK_CORPUS)"
dpkg -s libbpf-tools >/dev/null 2>&1 || die "libbpf-tools not installed (apt-get install libbpf-tools)"
[ -f "$TOOLS_SUMMARY" ] || die "$TOOLS_SUMMARY missing (run tools/goldens/regen-relos.sh)"

"$HERE/build-libbpf.sh"
"$HERE/extract-libbpf-tools.py"
[ -x "$RELO_LOG" ] || die "$RELO_LOG missing after build-libbpf.sh"

kernels="$(cd "$CORPUS/kernels" && find . -name '*.btf.tar.xz' -type f | sed 's|^\./||; s|\.btf\.tar\.xz$||' |
  LC_ALL=C sort)"
[ -n "$kernels" ] || die "no *.btf.tar.xz under $CORPUS/kernels"
dups="$(for k in $kernels; do basename "$k"; done | sort | uniq -d)"
[ -z "$dups" ] || die "kernel names not unique (they key .cache/btf/): $dups"
host="host/$(uname -r)"

# ---- run (JOBS kernels at a time) ----------------------------------------------------
start=$SECONDS
rm -rf "$STAGE"; mkdir -p "$STAGE" "$CACHE/btf"
printf '%s\n' $kernels "$host" | xargs -P "$JOBS" -n 1 "$HERE/regen-core-logs.sh" --kernel ||
  die "a kernel failed (messages above)"

# ---- install ------------------------------------------------------------------------
# replace every corpus golden and this host's golden; other hosts' goldens stay
mkdir -p "$G"
find "$G" -mindepth 1 -maxdepth 1 -type d ! -name host -exec rm -rf {} +
rm -f "$G/$host.txt.xz"
{
  printf 'kernel\tobject\trelocations\tpatched\tpoisoned\tstatus\n'
  for k in $kernels "$host"; do cat "$STAGE/$k.rows"; done | LC_ALL=C sort
} >"$G/SUMMARY.tsv.tmp"
for k in $kernels "$host"; do
  mkdir -p "$(dirname "$G/$k")"
  mv "$STAGE/$k.txt.xz" "$G/$k.txt.xz"
done
mv "$G/SUMMARY.tsv.tmp" "$G/SUMMARY.tsv"
others="$(find "$G/host" -name '*.txt.xz' ! -path "$G/$host.txt.xz" | sed "s|^$ROOT/||")"
[ -z "$others" ] || echo "regen-core-logs.sh: note: other hosts' goldens kept: $others" >&2

# ---- report -------------------------------------------------------------------------
awk -F'\t' 'NR>1 { r[$1]+=$3; p[$1]+=$4; z[$1]+=$5; if ($6=="error") e[$1]++; n[$1]++ }
  END { for (k in r) printf "%-62s objects %d relocations %5d patched %5d poisoned %4d errors %d\n",
          k, n[k], r[k], p[k], z[k], e[k] }' "$G/SUMMARY.tsv" | LC_ALL=C sort
echo "regen-core-logs.sh: $(($(wc -l <"$G/SUMMARY.tsv") - 1)) rows, $(du -sh --apparent-size "$G" | cut -f1) in ${G#"$ROOT"/}, $((SECONDS - start)) s"
