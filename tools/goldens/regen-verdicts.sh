#!/usr/bin/env bash
# Load verdicts of the live verifier, the ground truth of `corecheck check`: every program of the
# guard-pattern and rodata fixtures, the example and the 52 libbpf-tools objects, against every
# corpus kernel and the host, through libbpf 1.5 with btf_custom_path (tools/goldens/load-verdicts.c).
#
#   sudo tools/goldens/regen-verdicts.sh [<name>...]      (names: only these goldens, e.g. rodata)
#
# The rodata fixture has a second golden with its .rodata values set as user space would set them
# (load-verdicts --set): test/goldens/verdicts/rodata+<name>=<value>+....tsv, one `+` per --set.
#
# Writes test/goldens/verdicts/<object>.tsv, a header line then one row per kernel × program:
#   kernel  program  verdict  detail
# kernel = the corpus label (<distro>/<release>/<arch>/<kernel>) or "host"; verdict and detail as
# load-verdicts prints them (loads, fails-core <libbpf line>, fails-other <errno> <reason>,
# core-error <libbpf line>, excluded <type>, not-loaded). Program types the kernel here refuses
# whatever the program (tracing: fentry/fexit/tp_btf/iter, lsm, ext, struct_ops) are excluded.
# The host row also records the host BTF's sha256 in test/goldens/verdicts/HOST: the verdicts
# against it only hold on that kernel.
# Prerequisites: root, those of build-libbpf.sh, build-fixtures.sh --objects-only,
# extract-libbpf-tools.py; the corpus. About 10 minutes on 2 cores.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/lib.sh"

OUT="$ROOT/test/goldens/verdicts"
BTFS="$CACHE/btf/verdicts"
LOGS="$CACHE/logs/verdicts"
EXCLUDE=(--exclude-type tracing --exclude-type lsm --exclude-type ext --exclude-type struct_ops)

[ "$(id -u)" = 0 ] || die "must run as root (load-verdicts loads the programs into the kernel)"
"$HERE/build-libbpf.sh" >/dev/null
python3 "$HERE/extract-libbpf-tools.py" >/dev/null
for f in guards rodata; do
  [ -f "$CACHE/objects/fixtures/$f.bpfel.o" ] || die "$f fixture missing (tools/goldens/build-fixtures.sh --objects-only)"
done
mkdir -p "$OUT" "$BTFS" "$LOGS"

# kernels: label <tab> raw BTF file
kernels="$LOGS/kernels.tsv"
: >"$kernels"
while read -r archive; do
  rel="${archive#"$CORPUS/kernels/"}"
  label="${rel%.btf.tar.xz}"
  btf="$BTFS/$(basename "$label").btf"
  [ -s "$btf" ] || { tar -xJf "$archive" -O >"$btf.tmp" && mv "$btf.tmp" "$btf"; } || die "cannot extract $archive"
  printf '%s\t%s\n' "$label" "$btf" >>"$kernels"
done < <(find "$CORPUS/kernels" -name '*.btf.tar.xz' | LC_ALL=C sort)
[ -s "$kernels" ] || die "no kernels in $CORPUS/kernels"
cp /sys/kernel/btf/vmlinux "$BTFS/host.btf"
printf 'host\t%s\n' "$BTFS/host.btf" >>"$kernels"
sha256sum "$BTFS/host.btf" | cut -d' ' -f1 >"$OUT/HOST"

# object <tab> golden name: the name is the object's, then `+<name>=<value>` per .rodata value set
RODATA_SET="+use_how=1+skip_how=0+how_mode=2+how_min=0"
objects=("$CACHE/objects/fixtures/guards.bpfel.o" "$CACHE/objects/fixtures/rodata.bpfel.o" "$CACHE/objects/fixtures/rodata.bpfel.o$RODATA_SET"
  "$ROOT/examples/openat2/openat2.bpf.o")
for o in "$CACHE"/objects/libbpf-tools/*.bpf.o; do objects+=("$o"); done

one() { # <object> <name>: every kernel, rows to $OUT/<name>.tsv (`+n=v` parts of the name are --set n=v)
  local obj="$1" name="$2" label btf sets=() kv
  IFS='+' read -r -a kv <<<"${name#*+}"
  [ "$name" = "${name#*+}" ] || for x in "${kv[@]}"; do sets+=(--set "$x"); done
  {
    printf 'kernel\tprogram\tverdict\tdetail\n'
    while IFS=$'\t' read -r label btf; do
      "$CACHE/bin/load-verdicts" "$obj" --btf "$btf" "${EXCLUDE[@]}" "${sets[@]}" >"$LOGS/$name.$(basename "$btf").txt" ||
        die "load-verdicts broke on $obj against $label"
      grep '^prog ' "$LOGS/$name.$(basename "$btf").txt" |
        sed -E "s/^prog ([^ ]+) ([^ ]+) ?(.*)$/$(printf '%s' "$label" | sed 's/[\/&]/\\&/g')\t\1\t\2\t\3/"
    done <"$kernels"
  } >"$OUT/$name.tsv.tmp"
  mv "$OUT/$name.tsv.tmp" "$OUT/$name.tsv"
}
export -f one die
export CACHE OUT LOGS kernels
export EXCLUDE_STR="${EXCLUDE[*]}"

for o in "${objects[@]}"; do
  set="${o#*.o}"; o="${o%"$set"}"
  name="$(basename "$o")"; name="${name%.o}"; name="${name%.bpfel}"; name="${name%.bpf}"; name="$name$set"
  [ $# -eq 0 ] || case " $* " in *" $name "*) ;; *) continue ;; esac
  printf '%s\t%s\n' "$o" "$name"
done | xargs -P "$(nproc)" -L1 bash -c 'EXCLUDE=($EXCLUDE_STR); one "$0" "$1"'
echo "regen-verdicts.sh: $(ls "$OUT"/*.tsv | wc -l) goldens x $(wc -l <"$kernels") kernels -> $OUT"
